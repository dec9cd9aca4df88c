// refused_while_live(): the judgement that a fence refuses only holders that
// really lost what they hold. A correct lock or semaphore lets a newer
// holder act only once the older one's node is gone, so every action a
// fenced resource refuses names a node the ensemble had deleted before the
// action; a refusal of a live node means the recipe let a conflicting
// holder in beside it -- a broken recipe the fence hid (the naive read/write
// lock's reader that waits on nothing). Judged from the commit log.
#pragma once

#include "scenarios/recipes/check.h"
#include "scenarios/recipes/cluster.h"

#include <fmt/format.h>

#include <optional>
#include <string>
#include <vector>

namespace zsim::scenarios::recipes {

// Action: has accepted, token, at, actor, incarnation.
template <typename Action>
std::optional<Violation> refused_while_live(const Cluster& c, const std::vector<Action>& actions,
                                            const std::string& resource) {
  for (const Action& a : actions) {
    if (a.accepted) continue;
    const NodeLife* node = c.commits().node(a.token);
    if (node == nullptr || (node->deleted_at && *node->deleted_at <= a.at)) continue;
    return Violation{sim::Verdict::kInvariant,
                     fmt::format("{} refused {} (incarnation {}) at {} with token 0x{:x}, whose node {} was still "
                                 "live: the recipe let a conflicting holder act beside a holder that had not lost "
                                 "its node",
                                 resource, a.actor, a.incarnation, format_time(a.at), a.token, node->path),
                     a.actor};
  }
  return std::nullopt;
}

}  // namespace zsim::scenarios::recipes
