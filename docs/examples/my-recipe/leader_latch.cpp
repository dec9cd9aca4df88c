#include "leader_latch.h"

namespace my_recipe {

bool LeaderLatch::try_lead(zsim::core::Client& zk) {
  using zsim::core::Code;
  auto created = zk.create2(path_, "", zsim::core::CreateMode::Ephemeral);
  if (created.ok()) {
    token_ = created->stat.czxid;
    return true;
  }
  if (created.code() != Code::NodeExists) return false;  // ConnectionLoss, expiry: not now
  auto node = zk.get_data(path_);
  if (!node.ok() || node->stat.ephemeral_owner != zk.session_id()) return false;
  token_ = node->stat.czxid;  // my own create, whose reply was lost
  return true;
}

}  // namespace my_recipe
