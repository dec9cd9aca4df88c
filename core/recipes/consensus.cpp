#include "core/recipes/consensus.h"

#include "core/recipes/protected_create.h"
#include "core/recipes/sequence.h"

namespace zsim::core::recipes {

Status propose(Client& zk, const ConsensusOptions& o, const std::string& value) {
  for (int losses = 0; losses < o.attempts_max; ++losses) {
    auto r = zk.create(child_path(o.path, "proposal-"), value, CreateMode::PersistentSequential);
    if (r.ok()) return Status::ok_status();
    if (r.code() != Code::ConnectionLoss) return r.status();
    if (const Code c = await_reconnect(zk, o.reconnect_wait); c != Code::Ok) return Status(c, o.path);
  }
  return Status(Code::ConnectionLoss, o.path + ": gave up after repeated ConnectionLoss");
}

Result<std::optional<std::string>> decide(Client& zk, const ConsensusOptions& o) {
  for (int losses = 0; losses < o.attempts_max; ++losses) {
    auto kids = zk.get_children(o.path);
    if (kids.ok()) {
      if (kids.value().empty()) return std::optional<std::string>{};
      // The lowest is never deleted, so reading it cannot fail NoNode.
      auto data = zk.get_data(child_path(o.path, sorted_by_sequence(std::move(kids).value()).front()));
      if (data.ok()) return std::optional<std::string>{data.value().data};
      if (data.code() != Code::ConnectionLoss) return data.status();
    } else if (kids.code() != Code::ConnectionLoss) {
      return kids.status();
    }
    if (const Code c = await_reconnect(zk, o.reconnect_wait); c != Code::Ok) return Status(c, o.path);
  }
  return Status(Code::ConnectionLoss, o.path + ": gave up after repeated ConnectionLoss");
}

}  // namespace zsim::core::recipes
