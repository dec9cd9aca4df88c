#include "core/zab/vote.h"

#include <fmt/format.h>

namespace zsim::core::zab {

std::string_view peer_state_name(PeerState state) {
  switch (state) {
    case PeerState::Looking: return "LOOKING";
    case PeerState::Following: return "FOLLOWING";
    case PeerState::Leading: return "LEADING";
    case PeerState::Observing: return "OBSERVING";
  }
  return "UNKNOWN";
}

std::strong_ordering compare_proposals(const Vote& a, const Vote& b) {
  if (auto c = a.peer_epoch <=> b.peer_epoch; c != 0) return c;
  if (auto c = a.zxid <=> b.zxid; c != 0) return c;
  return a.leader <=> b.leader;
}

bool votes_agree(const Vote& a, const Vote& b) {
  if (a.state == PeerState::Looking || b.state == PeerState::Looking) {
    return a.leader == b.leader && a.zxid == b.zxid && a.round == b.round && a.peer_epoch == b.peer_epoch;
  }
  return a.leader == b.leader && a.peer_epoch == b.peer_epoch;
}

bool is_well_formed(const Vote& vote) {
  if (vote.leader < kNoServer) return false;
  if (!is_valid_zxid(vote.zxid)) return false;
  if (!is_valid_epoch(vote.peer_epoch)) return false;
  if (vote.round < 0) return false;
  return static_cast<uint8_t>(vote.state) <= static_cast<uint8_t>(PeerState::Observing);
}

std::string to_string(const Vote& vote) {
  return fmt::format("leader={} zxid={:#x} peer_epoch={} round={} state={}", vote.leader, vote.zxid,
                     vote.peer_epoch, vote.round, peer_state_name(vote.state));
}

}  // namespace zsim::core::zab
