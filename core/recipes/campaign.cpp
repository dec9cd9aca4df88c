#include "core/recipes/campaign.h"

#include "core/recipes/protected_create.h"
#include "core/recipes/sequence.h"

namespace zsim::core::recipes::detail {

Step join_line(Client& zk, const std::string& path, const std::string& id, const std::string& data,
               bool check_owner, std::string& node, std::string_view base) {
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
  auto created = protected_create(zk, path, base, id, data, CreateMode::EphemeralSequential, options);
  if (created.code() == Code::NoNode) return step_of(ensure_path(zk, path));
  if (!created.ok()) return step_of(created.code());
  node = created.value().path;
  return Step::kAgain;
}

std::optional<Step> adopt_earlier_own(Client& zk, const std::string& path, const std::string& id,
                                      const std::vector<std::string>& line, std::string& node) {
  for (const std::string& name : line) {
    if (name == base_name(node)) return std::nullopt;  // only nodes before ours
    if (!carries_id(name, id)) continue;
    const std::string earlier = child_path(path, name);
    auto stat = zk.exists(earlier);
    if (!stat.ok()) return step_of(stat.code());
    if (!stat.value() || stat.value()->ephemeral_owner != zk.session_id()) continue;
    auto mine = zk.exists(node);
    if (!mine.ok()) return step_of(mine.code());
    if (mine.value() && mine.value()->ephemeral_owner == zk.session_id()) {
      const Code c = zk.remove(node, mine.value()->version).code();
      if (c != Code::Ok && c != Code::NoNode) return step_of(c);
    }
    node = earlier;
    return Step::kAgain;
  }
  return std::nullopt;
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
