// The named steps of the protocol where a fault plan can crash a server
// (`crash-at HOST SITE`, io::Random::fault_site). Each name is stable: plans
// and regression files refer to it, so a site is renamed only with its
// plans. Every site is reached by real code at exactly the moment its line
// here describes; docs/fault-plans.md lists them for users.
//
// The steps are the ones ZooKeeper's history of bugs points at: between an
// append and its sync, after an ACK left, between a snapshot and the epoch
// file, after a DIFF before NEWLEADER, after the NEWLEADER ACK before
// UPTODATE, in the middle of applying a multi.
#pragma once

#include <string_view>

namespace zsim::core {

struct FaultSite {
  std::string_view name;
  std::string_view when;  // one line: the moment the site is reached
};

inline constexpr FaultSite kFaultSites[] = {
    {"zab.leader.proposal-logged", "a leader appended a proposal to its log; the sync has not been asked for"},
    {"zab.leader.proposal-sent", "a leader sent a PROPOSAL to its followers, before its own log sync"},
    {"zab.leader.commit-sent", "a leader sent COMMIT (and INFORM) for a txn, before applying it itself"},
    {"zab.leader.epoch-accepted", "a would-be leader made acceptedEpoch durable, before any LEADERINFO"},
    {"zab.leader.newleader-sent", "a leader sent NEWLEADER to a learner after its DIFF/TRUNC/SNAP"},
    {"zab.leader.established", "a quorum acked a leader's NEWLEADER: it is established, before any UPTODATE"},
    {"zab.follower.proposal-logged", "a follower appended a PROPOSAL to its log; the sync has not been asked for"},
    {"zab.follower.ack-sent", "a follower sent the ACK of a proposal"},
    {"zab.learner.epoch-accepted", "a learner made acceptedEpoch durable, before its ACKEPOCH"},
    {"zab.learner.sync-txn-logged", "a learner appended a txn of a DIFF/TRUNC (not synced), before NEWLEADER"},
    {"zab.learner.trunc-done", "a learner truncated its log as TRUNC asked, before any txn after it"},
    {"zab.learner.snapshot-written", "a learner's snapshot of a SNAP is durable, before currentEpoch is written"},
    {"zab.learner.newleader-acked", "a learner sent the ACK of NEWLEADER, before UPTODATE arrived"},
    {"server.multi-applied", "a server applied a multi txn to its tree, before its watches fire and it replies"},
    {"server.session-closed", "a server applied a closeSession (ephemerals gone), before it replies or notifies"},
};

}  // namespace zsim::core
