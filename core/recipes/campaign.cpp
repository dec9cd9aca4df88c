#include "core/recipes/campaign.h"

#include "core/recipes/protected_create.h"

namespace zsim::core::recipes::detail {

Step join_line(Client& zk, const std::string& path, const std::string& id, const std::string& data,
               bool check_owner, std::string& node) {
  // Look first: a node of ours may be there already (a create whose reply
  // was lost in an earlier campaign of this session).
  auto found = find_protected(zk, path, id, CreateMode::EphemeralSequential, check_owner);
  if (found.code() == Code::NoNode) return step_of(ensure_path(zk, path));
  if (!found.ok()) return step_of(found.code());
  if (found.value().has_value()) {
    node = found.value()->path;
    return Step::kAgain;
  }
  ProtectedCreateOptions options;
  options.check_owner = check_owner;
  auto created = protected_create(zk, path, "n_", id, data, CreateMode::EphemeralSequential, options);
  if (created.code() == Code::NoNode) return step_of(ensure_path(zk, path));
  if (!created.ok()) return step_of(created.code());
  node = created.value().path;
  return Step::kAgain;
}

void leave_line(Client& zk, std::string& node) {
  if (node.empty() || zk.state() != ClientState::kConnected) return;
  auto mine = zk.exists(node);
  if (mine.ok() && mine.value() && mine.value()->ephemeral_owner == zk.session_id()) {
    (void)zk.remove(node, mine.value()->version);
  }
  node.clear();
}

bool valid_candidate_id(const std::string& id) {
  return !id.empty() && id.find('/') == std::string::npos && id.find('-') == std::string::npos;
}

}  // namespace zsim::core::recipes::detail
