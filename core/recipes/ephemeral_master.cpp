#include "core/recipes/ephemeral_master.h"

#include "core/recipes/protected_create.h"

namespace zsim::core::recipes {

using detail::Step;
using detail::step_of;

EphemeralMasterElection::EphemeralMasterElection(Client& zk, EphemeralMasterOptions options)
    : Election(zk), options_(std::move(options)) {
  ZSIM_ASSERT_MSG(options_.path.size() > 1 && options_.path.front() == '/', "the master path must be absolute");
  ZSIM_ASSERT(options_.rounds_max > 0);
}

Leadership EphemeralMasterElection::campaign(Duration idle_timeout) {
  unconfirm();
  return detail::run_campaign(zk_, idle_timeout, options_.rounds_max, [this](uint64_t seen) { return round(seen); });
}

Step EphemeralMasterElection::round(uint64_t seen) {
  const Code created = zk_.create(options_.path, options_.data, CreateMode::Ephemeral).code();
  if (created == Code::NoNode) {
    // The parent is missing: make it, then try again.
    const std::string parent = options_.path.substr(0, options_.path.rfind('/'));
    return step_of(parent.empty() ? Code::Ok : ensure_path(zk_, parent));
  }
  if (created != Code::Ok && created != Code::NodeExists) return step_of(created);
  // Created, or someone holds it -- maybe us, if an earlier create of ours
  // lost its reply. The owner says; the read also watches the node, so its
  // deletion (or a change) wakes us.
  auto master = zk_.get_data(options_.path, /*watch=*/true);
  if (master.code() == Code::NoNode) return Step::kAgain;  // gone already: try again
  if (!master.ok()) return step_of(master.code());
  if (master.value().stat.ephemeral_owner != zk_.session_id()) return Step::kWait;
  node_ = options_.path;
  confirm(master.value().stat.czxid, seen);
  return Step::kLeader;
}

void EphemeralMasterElection::resign() {
  unconfirm();
  if (node_.empty() || zk_.state() != ClientState::kConnected) return;
  auto master = zk_.exists(node_);
  if (master.ok() && master.value() && master.value()->ephemeral_owner == zk_.session_id()) {
    (void)zk_.remove(node_, master.value()->version);
  }
  node_.clear();
}

}  // namespace zsim::core::recipes
