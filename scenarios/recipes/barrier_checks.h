// The checks that judge a barrier from what really happened: each pass a
// participant recorded (barrier_log.h: who, which barrier, and the zxid of
// the state its passing read saw) held against the committed znode history
// (commit_log.h) at that zxid.
//
//   enters-after-n-arrived  a double barrier's enter is passed only when, at
//                           the zxid the participant had seen, N distinct
//                           participants had created their nodes under the
//                           round ("p-<name>"; an expired session's node
//                           still counts: that participant did enter);
//   leaves-after-all-left   a double barrier's leave is passed only when, at
//                           that zxid, no participant's node of the round
//                           was left;
//   passes-after-lowered    a barrier (gate) is passed only when, at that
//                           zxid, its node had been deleted, and `arrivals`
//                           waiters had announced themselves under
//                           <arrivals>/<gate name> (the coordinator lowers a
//                           gate once everyone is there);
//   every-client-passes-after-heal  (liveness) every client (every waiter)
//                           has passed a barrier of the given kind since the
//                           heal.
#pragma once

#include "scenarios/recipes/barrier_log.h"
#include "scenarios/recipes/check.h"

#include <memory>
#include <set>
#include <string>

namespace zsim::scenarios::recipes {

std::unique_ptr<Check> enters_after_n_arrived(std::shared_ptr<const BarrierLog> log, int n);
std::unique_ptr<Check> leaves_after_all_left(std::shared_ptr<const BarrierLog> log);
std::unique_ptr<Check> passes_after_lowered(std::shared_ptr<const BarrierLog> log, std::string arrivals,
                                            int waiters);
// `clients`: the names that must pass (empty: every client).
std::unique_ptr<Check> every_client_passes_after_heal(std::shared_ptr<const BarrierLog> log, PassKind kind,
                                                      std::set<std::string> clients = {});

}  // namespace zsim::scenarios::recipes
