// Proves the ZAB basics (core/zab/zxid.h, vote.h, quorum.h):
//  - zxid packing round-trips and orders txns by epoch first;
//  - the vote order (peer_epoch, zxid, sid) is a strict total order on
//    proposals — irreflexive, asymmetric, transitive, total — and ignores
//    round and state (property);
//  - votes_agree is FastLeaderElection's equality: exact while LOOKING,
//    leader + epoch between settled servers;
//  - QuorumVerifier: majorities of 3, 5, 7 voters; observers and unknown
//    ids never count; bad configurations are error values.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <compare>
#include <tuple>

#include "core/zab/quorum.h"
#include "core/zab/vote.h"
#include "core/zab/zxid.h"

namespace zsim::core::zab {
namespace {

TEST(ZabZxid, PacksEpochAndCounter) {
  EXPECT_EQ(make_zxid(0, 0), 0);
  EXPECT_EQ(make_zxid(1, 0), int64_t{1} << 32);
  EXPECT_EQ(make_zxid(3, 7), (int64_t{3} << 32) | 7);
  EXPECT_EQ(epoch_of(make_zxid(5, 9)), 5);
  EXPECT_EQ(counter_of(make_zxid(5, 9)), 9);
  EXPECT_LT(make_zxid(1, kCounterMax), make_zxid(2, 0));  // epoch first
  EXPECT_EQ(first_zxid_of_epoch(4), make_zxid(4, 1));
  EXPECT_TRUE(counter_exhausted(make_zxid(2, kCounterMax)));
  EXPECT_FALSE(counter_exhausted(make_zxid(2, kCounterMax - 1)));
  EXPECT_EQ(next_zxid(make_zxid(2, 5)), make_zxid(2, 6));
  EXPECT_TRUE(is_valid_zxid(make_zxid(kEpochMax, kCounterMax)));
  EXPECT_FALSE(is_valid_zxid(-1));
  EXPECT_FALSE(is_valid_epoch(kEpochMax + 1));
}

RC_GTEST_PROP(ZabZxid, RoundTripsAndOrdersLikeThePair, ()) {
  const Epoch e1 = *rc::gen::inRange<int64_t>(0, kEpochMax + 1);
  const Epoch e2 = *rc::gen::inRange<int64_t>(0, kEpochMax + 1);
  const int64_t c1 = *rc::gen::inRange<int64_t>(0, kCounterMax + 1);
  const int64_t c2 = *rc::gen::inRange<int64_t>(0, kCounterMax + 1);
  const Zxid a = make_zxid(e1, c1), b = make_zxid(e2, c2);
  RC_ASSERT(epoch_of(a) == e1);
  RC_ASSERT(counter_of(a) == c1);
  RC_ASSERT((a < b) == (std::pair(e1, c1) < std::pair(e2, c2)));
}

Vote gen_vote() {
  // Small ranges: equal fields are common, so ties are exercised.
  return Vote{.leader = *rc::gen::inRange<int64_t>(0, 4),
              .zxid = make_zxid(*rc::gen::inRange<int64_t>(0, 3), *rc::gen::inRange<int64_t>(0, 3)),
              .peer_epoch = *rc::gen::inRange<int64_t>(0, 3),
              .round = *rc::gen::inRange<int64_t>(0, 3),
              .state = *rc::gen::element(PeerState::Looking, PeerState::Following, PeerState::Leading)};
}

bool same_proposal(const Vote& a, const Vote& b) {
  return a.leader == b.leader && a.zxid == b.zxid && a.peer_epoch == b.peer_epoch;
}

// better_proposal is a strict total order on (peer_epoch, zxid, leader).
RC_GTEST_PROP(ZabVote, OrderIsAStrictTotalOrderOnProposals, ()) {
  const Vote a = gen_vote(), b = gen_vote(), c = gen_vote();
  RC_ASSERT(!better_proposal(a, a));                                    // irreflexive
  RC_ASSERT(!(better_proposal(a, b) && better_proposal(b, a)));          // asymmetric
  if (better_proposal(a, b) && better_proposal(b, c)) RC_ASSERT(better_proposal(a, c));  // transitive
  // Total: distinct proposals are comparable; equal ones are equivalent.
  RC_ASSERT(same_proposal(a, b) || better_proposal(a, b) || better_proposal(b, a));
  if (same_proposal(a, b)) RC_ASSERT(compare_proposals(a, b) == std::strong_ordering::equal);
  // The lexicographic definition, spelled out.
  const bool expect = std::tuple(a.peer_epoch, a.zxid, a.leader) > std::tuple(b.peer_epoch, b.zxid, b.leader);
  RC_ASSERT(better_proposal(a, b) == expect);
}

TEST(ZabVote, EpochBeatsZxidBeatsSid) {
  const Vote old_epoch_long_log{.leader = 9, .zxid = make_zxid(1, 99), .peer_epoch = 1};
  const Vote new_epoch_short_log{.leader = 1, .zxid = make_zxid(1, 2), .peer_epoch = 2};
  EXPECT_TRUE(better_proposal(new_epoch_short_log, old_epoch_long_log));
  const Vote longer{.leader = 1, .zxid = make_zxid(2, 3), .peer_epoch = 2};
  EXPECT_TRUE(better_proposal(longer, new_epoch_short_log));
  const Vote higher_sid{.leader = 2, .zxid = make_zxid(2, 3), .peer_epoch = 2};
  EXPECT_TRUE(better_proposal(higher_sid, longer));
  // Round and state never matter.
  Vote later_round = longer;
  later_round.round = 50;
  later_round.state = PeerState::Leading;
  EXPECT_TRUE(compare_proposals(later_round, longer) == std::strong_ordering::equal);
}

TEST(ZabVote, AgreementIsExactWhileLookingLooseWhenSettled) {
  const Vote looking{.leader = 2, .zxid = 5, .peer_epoch = 1, .round = 3, .state = PeerState::Looking};
  EXPECT_TRUE(votes_agree(looking, looking));
  // While one side is LOOKING every field but the state counts: each one,
  // changed alone, breaks the agreement.
  Vote other_round = looking;
  other_round.round = 4;
  EXPECT_FALSE(votes_agree(looking, other_round));
  Vote other_zxid = looking;
  other_zxid.zxid = 9;
  EXPECT_FALSE(votes_agree(looking, other_zxid));
  Vote other_epoch = looking;
  other_epoch.peer_epoch = 2;
  EXPECT_FALSE(votes_agree(looking, other_epoch));
  Vote other_leader = looking;
  other_leader.leader = 3;
  EXPECT_FALSE(votes_agree(looking, other_leader));
  Vote settled_same = looking;
  settled_same.state = PeerState::Following;
  EXPECT_TRUE(votes_agree(looking, settled_same));  // the state alone does not count
  Vote following = other_round;
  following.state = PeerState::Following;
  following.zxid = 9;
  EXPECT_FALSE(votes_agree(looking, following));  // one side LOOKING: exact
  Vote leading = following;
  leading.state = PeerState::Leading;
  leading.zxid = 1;
  leading.round = 1;
  EXPECT_TRUE(votes_agree(following, leading));  // both settled: leader + epoch
  leading.peer_epoch = 2;
  EXPECT_FALSE(votes_agree(following, leading));
}

TEST(ZabVote, WellFormedRejectsOutOfRangeFields) {
  Vote v{.leader = 1, .zxid = 5, .peer_epoch = 1, .round = 1, .state = PeerState::Looking};
  EXPECT_TRUE(is_well_formed(v));
  Vote bad = v;
  bad.zxid = -1;
  EXPECT_FALSE(is_well_formed(bad));
  bad = v;
  bad.round = -1;
  EXPECT_FALSE(is_well_formed(bad));
  bad = v;
  bad.state = static_cast<PeerState>(7);
  EXPECT_FALSE(is_well_formed(bad));
  bad = v;
  bad.leader = -2;
  EXPECT_FALSE(is_well_formed(bad));
  EXPECT_EQ(to_string(v), "leader=1 zxid=0x5 peer_epoch=1 round=1 state=LOOKING");
}

TEST(ZabQuorum, MajoritiesOfThreeFiveSeven) {
  for (int n : {3, 5, 7}) {
    std::set<ServerId> voters;
    for (int i = 1; i <= n; ++i) voters.insert(i);
    const QuorumVerifier qv(voters, {100, 101});
    EXPECT_EQ(qv.quorum_size(), static_cast<size_t>(n / 2 + 1));
    std::set<ServerId> some;
    for (int i = 1; i <= n / 2; ++i) some.insert(i);
    EXPECT_FALSE(qv.is_quorum(some)) << n;
    // Observers and unknown ids do not help.
    some.insert(100);
    some.insert(101);
    some.insert(55);
    EXPECT_FALSE(qv.is_quorum(some)) << n;
    some.insert(n);
    EXPECT_TRUE(qv.is_quorum(some)) << n;
  }
}

// Any two quorums intersect in a voter.
RC_GTEST_PROP(ZabQuorum, QuorumsIntersect, ()) {
  const int n = *rc::gen::element(1, 3, 5, 7);
  std::set<ServerId> voters;
  for (int i = 1; i <= n; ++i) voters.insert(i);
  const QuorumVerifier qv(voters, {100});
  auto gen_set = [&] {
    const auto in = *rc::gen::container<std::vector<bool>>(static_cast<size_t>(n), rc::gen::arbitrary<bool>());
    std::set<ServerId> s{100};  // an observer, which must not help
    for (int i = 0; i < n; ++i) {
      if (in[static_cast<size_t>(i)]) s.insert(i + 1);
    }
    return s;
  };
  const auto a = gen_set(), b = gen_set();
  RC_PRE(qv.is_quorum(a) && qv.is_quorum(b));
  bool common = false;
  for (ServerId s : a) common = common || (s != 100 && b.contains(s));
  RC_ASSERT(common);
}

TEST(ZabQuorum, BadConfigurationsAreErrorValues) {
  EXPECT_EQ(QuorumVerifier::make({}, {}).code(), Code::BadArguments);
  EXPECT_EQ(QuorumVerifier::make({1, 2, 3}, {3}).code(), Code::BadArguments);
  EXPECT_EQ(QuorumVerifier::make({-1, 2, 3}, {}).code(), Code::BadArguments);
  EXPECT_EQ(QuorumVerifier::make({1, 2, 3}, {-4}).code(), Code::BadArguments);
  auto ok = QuorumVerifier::make({1, 2, 3}, {4});
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->to_string(), "voters=1,2,3 observers=4");
  EXPECT_TRUE(ok->is_observer(4));
  EXPECT_FALSE(ok->is_voter(4));
}

}  // namespace
}  // namespace zsim::core::zab
