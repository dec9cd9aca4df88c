// Votes of FastLeaderElection and the total order that picks a leader.
//
// A Vote is what one server tells another during (and after) an election:
// the server it proposes as leader, that server's last zxid and current
// epoch (the "peer epoch"), the election round (ZooKeeper's electionEpoch,
// the sender's logical clock) and the sender's own state.
//
// Proposals are ordered by (peer_epoch, zxid, leader): a candidate that
// accepted a later epoch beats any zxid of an earlier one, then the longer
// history wins, then the higher sid breaks ties. On the triple this is a
// strict total order; round and state do not take part (they say *when* and
// *by whom* a proposal was made, not which proposal is better).
//
// votes_agree() is the equality FastLeaderElection counts a quorum with: all
// four of (leader, zxid, round, peer_epoch) when either vote is LOOKING (the
// same proposal in the same round), but only (leader, peer_epoch) between two
// settled votes (FOLLOWING/LEADING servers that joined one leader in
// different rounds still support the same leader).
//
// Pure values and functions; no invariants beyond the field ranges, which
// is_well_formed() checks for votes received from the network.
#pragma once

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/zab/zxid.h"

namespace zsim::core::zab {

// A server's role in the ensemble as ZooKeeper's QuorumPeer.ServerState.
enum class PeerState : uint8_t { Looking = 0, Following = 1, Leading = 2, Observing = 3 };

std::string_view peer_state_name(PeerState state);

struct Vote {
  ServerId leader = kNoServer;  // proposed (or elected) leader
  Zxid zxid = 0;                // the proposed leader's last zxid
  Epoch peer_epoch = 0;         // the proposed leader's current epoch
  int64_t round = 0;            // election round (logical clock) of the sender
  PeerState state = PeerState::Looking;  // the sender's state when it sent this

  friend bool operator==(const Vote&, const Vote&) = default;
};

// The order of proposals: compares (peer_epoch, zxid, leader) only.
std::strong_ordering compare_proposals(const Vote& a, const Vote& b);

// True if `a` is a strictly better proposal than `b` (ZooKeeper's
// totalOrderPredicate without its voter check, which Election applies).
inline bool better_proposal(const Vote& a, const Vote& b) { return compare_proposals(a, b) > 0; }

// FastLeaderElection's vote equality for counting support (see above).
bool votes_agree(const Vote& a, const Vote& b);

// True for a vote that may have come from a correct peer: zxid and epoch in
// range, round >= 0, state a known value. Says nothing about membership.
bool is_well_formed(const Vote& vote);

// "leader=3 zxid=0x200000005 peer_epoch=2 round=4 state=LOOKING".
std::string to_string(const Vote& vote);

}  // namespace zsim::core::zab
