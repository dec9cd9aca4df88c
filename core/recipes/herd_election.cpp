#include "core/recipes/herd_election.h"

#include "core/recipes/sequence.h"

#include <algorithm>

namespace zsim::core::recipes {

using detail::Step;
using detail::step_of;

HerdElection::HerdElection(Client& zk, HerdElectionOptions options) : Election(zk), options_(std::move(options)) {
  ZSIM_ASSERT_MSG(detail::valid_candidate_id(options_.id), "a candidate id is non-empty, without '/' or '-'");
  ZSIM_ASSERT(options_.rounds_max > 0);
}

Leadership HerdElection::campaign(Duration idle_timeout) {
  unconfirm();
  return detail::run_campaign(zk_, idle_timeout, options_.rounds_max, [this](uint64_t seen) { return round(seen); });
}

Step HerdElection::round(uint64_t seen) {
  if (node_.empty()) {
    return detail::join_line(zk_, options_.path, options_.id, options_.data, options_.check_owner, node_);
  }
  // Everyone watches the whole line: every change wakes every candidate.
  auto children = zk_.get_children(options_.path, /*watch=*/true);
  if (!children.ok()) return step_of(children.code());
  const std::vector<std::string> line = sorted_by_sequence(std::move(children).value());
  const auto me = std::find(line.begin(), line.end(), base_name(node_));
  if (me == line.end()) {
    node_.clear();  // gone: join again
    return Step::kAgain;
  }
  if (me != line.begin()) {
    if (options_.check_owner) {
      if (auto adopted = detail::adopt_earlier_own(zk_, options_.path, options_.id, line, node_)) return *adopted;
    }
    return Step::kWait;
  }
  auto head = zk_.get_data(node_);
  if (head.code() == Code::NoNode) {
    node_.clear();
    return Step::kAgain;
  }
  if (!head.ok()) return step_of(head.code());
  if (options_.check_owner && head.value().stat.ephemeral_owner != zk_.session_id()) {
    node_.clear();  // CURATOR-696: the head is not my session's node
    return Step::kAgain;
  }
  confirm(head.value().stat.czxid, seen);
  return Step::kLeader;
}

void HerdElection::resign() {
  unconfirm();
  detail::leave_line(zk_, node_);
}

}  // namespace zsim::core::recipes
