// Proves ZAB discovery (core/zab/discovery.h):
//  - the new epoch is max(acceptedEpoch over the quorum that reported
//    first, the leader's) + 1, fixed once a quorum (leader included) has
//    reported, and greater than every acceptedEpoch counted (property);
//  - ACKEPOCH from a follower newer than the leader (currentEpoch, then
//    lastZxid) refuses the attempt before discovery completes, and is
//    accepted (for TRUNC) after; -1 acks do not count;
//  - NEWLEADER acks establish the leader at a quorum; observers are
//    answered but never counted; duplicates, strangers, malformed values and
//    out-of-phase messages are error values;
//  - a one-voter ensemble is established by begin() alone;
//  - a FOLLOWERINFO after the epoch is fixed with a later acceptedEpoch is
//    LaterEpoch (that server would refuse LEADERINFO), in every phase, for
//    voters and observers; an equal or older one is counted;
//  - the follower's LEADERINFO check: accept a newer epoch, ack an equal
//    one without persisting, reject an older one.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <set>

#include "core/zab/discovery.h"

namespace zsim::core::zab {
namespace {

QuorumVerifier ensemble(int voters) {
  std::set<ServerId> v;
  for (int i = 1; i <= voters; ++i) v.insert(i);
  return QuorumVerifier(v, {100});
}

TEST(ZabDiscovery, HappyPathThroughEstablished) {
  Discovery d(1, ensemble(5), 4, StateSummary{4, make_zxid(4, 10)});
  DiscoveryStep s = d.begin();
  EXPECT_FALSE(s.new_epoch_fixed.has_value());
  EXPECT_EQ(d.on_follower_info(2, 6).outcome, DiscoveryOutcome::Counted);
  EXPECT_EQ(d.on_follower_info(100, 9).outcome, DiscoveryOutcome::Counted);  // an observer: no vote
  EXPECT_EQ(d.phase(), DiscoveryPhase::CollectingInfo);
  s = d.on_follower_info(3, 5);
  ASSERT_TRUE(s.new_epoch_fixed.has_value());
  // max over {leader 4, 2: 6, 3: 5, observer's 9 recorded too} + 1.
  EXPECT_EQ(*s.new_epoch_fixed, 10);
  EXPECT_EQ(d.new_epoch(), 10);
  // A late follower learns the same epoch.
  EXPECT_FALSE(d.on_follower_info(4, 2).new_epoch_fixed.has_value());
  EXPECT_EQ(d.on_ack_epoch(2, 4, make_zxid(4, 3)).outcome, DiscoveryOutcome::Counted);
  EXPECT_EQ(d.on_ack_epoch(100, 4, make_zxid(4, 3)).outcome, DiscoveryOutcome::Counted);  // observer
  EXPECT_EQ(d.on_ack_epoch(4, -1, make_zxid(4, 3)).outcome, DiscoveryOutcome::Counted);  // recorded, not counted
  EXPECT_EQ(d.phase(), DiscoveryPhase::CollectingEpochAcks);
  s = d.on_ack_epoch(3, 3, make_zxid(3, 99));
  EXPECT_TRUE(s.discovery_complete);
  EXPECT_EQ(d.phase(), DiscoveryPhase::Synchronizing);
  EXPECT_EQ(d.epoch_acks(), (std::set<ServerId>{1, 2, 3}));
  EXPECT_EQ(d.on_newleader_ack(100).outcome, DiscoveryOutcome::Counted);  // never counted
  EXPECT_FALSE(d.on_newleader_ack(2).established);
  s = d.on_newleader_ack(4);  // 4's -1 ACKEPOCH still lets it sync
  EXPECT_TRUE(s.established);
  EXPECT_EQ(d.phase(), DiscoveryPhase::Established);
  EXPECT_EQ(d.newleader_acks(), (std::set<ServerId>{1, 2, 4}));
}

TEST(ZabDiscovery, FollowerAheadRefusesBeforeCompletion) {
  Discovery d(1, ensemble(3), 4, StateSummary{4, make_zxid(4, 10)});
  d.begin();
  d.on_follower_info(2, 4);
  d.on_follower_info(3, 4);
  ASSERT_EQ(d.new_epoch(), 5);
  // Same epoch, longer log.
  DiscoveryStep s = d.on_ack_epoch(2, 4, make_zxid(4, 11));
  EXPECT_EQ(s.outcome, DiscoveryOutcome::Refused);
  EXPECT_TRUE(d.refused());
  EXPECT_EQ(d.refused_by(), 2);
  EXPECT_EQ(d.on_ack_epoch(3, 4, make_zxid(4, 1)).outcome, DiscoveryOutcome::WrongPhase);

  // A newer currentEpoch beats any zxid.
  Discovery e(1, ensemble(3), 4, StateSummary{4, make_zxid(4, 10)});
  e.begin();
  e.on_follower_info(2, 5);
  e.on_follower_info(3, 5);
  EXPECT_EQ(e.on_ack_epoch(2, 5, make_zxid(3, 1)).outcome, DiscoveryOutcome::Refused);
}

TEST(ZabDiscovery, FollowerAheadAfterCompletionIsLeftToSync) {
  Discovery d(1, ensemble(3), 4, StateSummary{4, make_zxid(4, 10)});
  d.begin();
  d.on_follower_info(2, 4);
  d.on_ack_epoch(2, 4, make_zxid(4, 10));
  ASSERT_EQ(d.phase(), DiscoveryPhase::Synchronizing);
  d.on_follower_info(3, 4);
  EXPECT_EQ(d.on_ack_epoch(3, 4, make_zxid(4, 12)).outcome, DiscoveryOutcome::Counted);
  EXPECT_FALSE(d.refused());
}

TEST(ZabDiscovery, BadMessagesAreErrorValues) {
  Discovery d(1, ensemble(3), 4, StateSummary{3, make_zxid(3, 10)});
  d.begin();
  EXPECT_EQ(d.on_follower_info(9, 1).outcome, DiscoveryOutcome::Unknown);
  EXPECT_EQ(d.on_follower_info(1, 1).outcome, DiscoveryOutcome::Unknown);  // myself
  EXPECT_EQ(d.on_follower_info(2, -3).outcome, DiscoveryOutcome::Malformed);
  EXPECT_EQ(d.on_follower_info(2, kEpochMax).outcome, DiscoveryOutcome::Malformed);
  EXPECT_EQ(d.on_ack_epoch(2, 3, 0).outcome, DiscoveryOutcome::WrongPhase);  // epoch not fixed
  EXPECT_EQ(d.on_newleader_ack(2).outcome, DiscoveryOutcome::WrongPhase);
  EXPECT_EQ(d.on_follower_info(2, 1).outcome, DiscoveryOutcome::Counted);
  EXPECT_EQ(d.on_follower_info(2, 1).outcome, DiscoveryOutcome::Duplicate);
  EXPECT_EQ(d.on_ack_epoch(3, 3, 0).outcome, DiscoveryOutcome::WrongPhase);  // no FOLLOWERINFO from 3
  EXPECT_EQ(d.on_ack_epoch(2, -2, 0).outcome, DiscoveryOutcome::Malformed);
  EXPECT_EQ(d.on_ack_epoch(2, 3, -1).outcome, DiscoveryOutcome::Malformed);
  EXPECT_EQ(d.on_ack_epoch(2, 3, 5).outcome, DiscoveryOutcome::Counted);
  EXPECT_EQ(d.on_ack_epoch(2, 3, 5).outcome, DiscoveryOutcome::Duplicate);
  EXPECT_EQ(d.on_newleader_ack(2).outcome, DiscoveryOutcome::Counted);
  EXPECT_EQ(d.on_newleader_ack(2).outcome, DiscoveryOutcome::Duplicate);
  EXPECT_EQ(d.phase(), DiscoveryPhase::Established);
}

TEST(ZabDiscovery, ALateFollowerWithALaterAcceptedEpochIsLaterEpoch) {
  Discovery d(1, ensemble(5), 4, StateSummary{4, make_zxid(4, 10)});
  (void)d.begin();
  // Before the epoch is fixed a high acceptedEpoch just raises it.
  EXPECT_EQ(d.on_follower_info(2, 7).outcome, DiscoveryOutcome::Counted);
  ASSERT_TRUE(d.on_follower_info(3, 5).new_epoch_fixed.has_value());
  EXPECT_EQ(d.new_epoch(), 8);
  // After: equal or older is counted (it acks -1 or joins), later is not.
  EXPECT_EQ(d.on_follower_info(4, 8).outcome, DiscoveryOutcome::Counted);
  EXPECT_EQ(d.on_follower_info(5, 9).outcome, DiscoveryOutcome::LaterEpoch);
  EXPECT_EQ(d.on_follower_info(100, 12).outcome, DiscoveryOutcome::LaterEpoch);  // observers too
  EXPECT_FALSE(d.infos().contains(5));
  EXPECT_EQ(discovery_outcome_name(DiscoveryOutcome::LaterEpoch), "later_epoch");
  // And once established.
  (void)d.on_ack_epoch(2, 4, make_zxid(4, 3));
  ASSERT_TRUE(d.on_ack_epoch(3, 4, make_zxid(4, 3)).discovery_complete);
  (void)d.on_newleader_ack(2);
  ASSERT_TRUE(d.on_newleader_ack(3).established);
  EXPECT_EQ(d.on_follower_info(5, 9).outcome, DiscoveryOutcome::LaterEpoch);
  // A server that reported before, restarted with a later one.
  EXPECT_EQ(d.on_follower_info(2, 9).outcome, DiscoveryOutcome::LaterEpoch);
  EXPECT_EQ(d.on_follower_info(2, 7).outcome, DiscoveryOutcome::Duplicate);
  EXPECT_EQ(d.phase(), DiscoveryPhase::Established);  // nothing changed
}

TEST(ZabDiscovery, OneVoterIsEstablishedByBegin) {
  Discovery d(7, QuorumVerifier({7}, {8}), 2, StateSummary{2, make_zxid(2, 3)});
  DiscoveryStep s = d.begin();
  EXPECT_EQ(s.new_epoch_fixed, 3);
  EXPECT_TRUE(s.discovery_complete);
  EXPECT_TRUE(s.established);
}

// The new epoch beats every acceptedEpoch counted before it was fixed, and
// is exactly their max + 1; a later acceptedEpoch reported after it was
// fixed is LaterEpoch, never counted.
RC_GTEST_PROP(ZabDiscovery, NewEpochIsMaxAcceptedPlusOne, ()) {
  const int voters = *rc::gen::element(3, 5, 7);
  const QuorumVerifier qv = ensemble(voters);
  const Epoch leader_accepted = *rc::gen::inRange<int64_t>(0, 20);
  Discovery d(1, qv, leader_accepted, StateSummary{0, 0});
  d.begin();
  std::vector<ServerId> order;
  for (int i = 2; i <= voters; ++i) order.push_back(i);
  order.push_back(100);
  const auto keys = *rc::gen::container<std::vector<int>>(order.size(), rc::gen::inRange(0, 1000));
  std::vector<std::pair<int, ServerId>> shuffled;
  for (size_t i = 0; i < order.size(); ++i) shuffled.emplace_back(keys[i], order[i]);
  std::sort(shuffled.begin(), shuffled.end());
  Epoch max_seen = leader_accepted;
  std::optional<Epoch> fixed;
  for (const auto& [key, sid] : shuffled) {
    const Epoch accepted = *rc::gen::inRange<int64_t>(0, 20);
    DiscoveryStep s = d.on_follower_info(sid, accepted);
    // Once fixed, a later acceptedEpoch cannot join the epoch: LaterEpoch.
    if (fixed && accepted > *fixed) {
      RC_ASSERT(s.outcome == DiscoveryOutcome::LaterEpoch);
      RC_ASSERT(!d.infos().contains(sid));
      continue;
    }
    RC_ASSERT(s.outcome == DiscoveryOutcome::Counted);
    if (!fixed) max_seen = std::max(max_seen, accepted);
    if (s.new_epoch_fixed) {
      RC_ASSERT(!fixed.has_value());
      fixed = s.new_epoch_fixed;
      RC_ASSERT(*fixed == max_seen + 1);
      // Fixed exactly when a quorum of voters (leader included) reported.
      std::set<ServerId> reported;
      for (const auto& [s2, e2] : d.infos()) reported.insert(s2);
      RC_ASSERT(qv.is_quorum(reported));
    } else if (!fixed) {
      std::set<ServerId> reported;
      for (const auto& [s2, e2] : d.infos()) reported.insert(s2);
      RC_ASSERT(!qv.is_quorum(reported));
    }
  }
  RC_ASSERT(fixed.has_value());
  RC_ASSERT(d.new_epoch() == fixed);
}

TEST(ZabDiscovery, FollowerChecksLeaderInfo) {
  EXPECT_EQ(on_leader_info(4, 5), LeaderInfoAction::Accept);
  EXPECT_EQ(on_leader_info(5, 5), LeaderInfoAction::AlreadyAccepted);
  EXPECT_EQ(on_leader_info(6, 5), LeaderInfoAction::Reject);
  EXPECT_EQ(on_leader_info(6, -1), LeaderInfoAction::Reject);
}

}  // namespace
}  // namespace zsim::core::zab
