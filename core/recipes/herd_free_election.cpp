#include "core/recipes/herd_free_election.h"

#include "core/recipes/sequence.h"

#include <algorithm>

namespace zsim::core::recipes {

using detail::Step;
using detail::step_of;

HerdFreeElection::HerdFreeElection(Client& zk, HerdFreeElectionOptions options)
    : Election(zk), options_(std::move(options)) {
  ZSIM_ASSERT_MSG(detail::valid_candidate_id(options_.id), "a candidate id is non-empty, without '/' or '-'");
  ZSIM_ASSERT(options_.rounds_max > 0);
}

Leadership HerdFreeElection::campaign(Duration idle_timeout) {
  unconfirm();
  return detail::run_campaign(zk_, idle_timeout, options_.rounds_max, [this](uint64_t seen) { return round(seen); });
}

Step HerdFreeElection::round(uint64_t seen) {
  if (node_.empty()) return detail::join_line(zk_, options_.path, options_.id, options_.data, true, node_);
  if (!options_.relist && !watched_.empty()) {
    // The planted bug: the watched predecessor is gone, so "I am the head".
    auto there = zk_.exists(watched_);
    if (!there.ok()) return step_of(there.code());
    if (!there.value()) {
      watched_.clear();
      return lead_if_mine(seen);
    }
  }
  auto children = zk_.get_children(options_.path);  // no watch: only the predecessor is watched
  if (!children.ok()) return step_of(children.code());
  const std::vector<std::string> line = sorted_by_sequence(std::move(children).value());
  const auto me = std::find(line.begin(), line.end(), base_name(node_));
  if (me == line.end()) {
    node_.clear();  // gone while the session lives: join again
    return Step::kAgain;
  }
  if (me == line.begin()) return lead_if_mine(seen);
  if (auto adopted = detail::adopt_earlier_own(zk_, options_.path, options_.id, line, node_)) return *adopted;
  // Watch the predecessor only. Gone already: list again (never re-create:
  // CURATOR-644/645).
  auto predecessor = zk_.get_data(child_path(options_.path, *(me - 1)), options_.watch_predecessor);
  if (predecessor.code() == Code::NoNode) return Step::kAgain;
  if (!predecessor.ok()) return step_of(predecessor.code());
  if (!options_.relist) watched_ = child_path(options_.path, *(me - 1));
  return Step::kWait;
}

// The head of the line leads only if the node is its own session's
// (CURATOR-696); the read watches the node, so its deletion is noticed.
Step HerdFreeElection::lead_if_mine(uint64_t seen) {
  auto head = zk_.get_data(node_, /*watch=*/true);
  if (head.code() == Code::NoNode || (head.ok() && head.value().stat.ephemeral_owner != zk_.session_id())) {
    node_.clear();
    return Step::kAgain;
  }
  if (!head.ok()) return step_of(head.code());
  confirm(head.value().stat.czxid, seen);
  return Step::kLeader;
}

void HerdFreeElection::resign() {
  unconfirm();
  detail::leave_line(zk_, node_);
}

}  // namespace zsim::core::recipes
