// Proves the leader's broadcast bookkeeping (core/zab/broadcast.h):
//  - ProposalTracker, over random sequences of proposals and acks (from
//    voters, observers, strangers; duplicates; acks for zxids never
//    proposed or already committed): commits happen strictly in zxid order,
//    each exactly once, only when a quorum of voters including the leader
//    acked it, and as soon as that is true for it and everything before it
//    — the same commits, at the same moments, as a brute-force model
//    (property);
//  - a later proposal with a quorum waits for an earlier one; observers
//    never count (examples);
//  - QuorumLiveness: the leader keeps its quorum exactly while a quorum of
//    voters, itself included, was heard within sync_limit_ticks.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <vector>

#include "core/zab/broadcast.h"

namespace zsim::core::zab {
namespace {

QuorumVerifier ensemble(int voters) {
  std::set<ServerId> v;
  for (int i = 1; i <= voters; ++i) v.insert(i);
  return QuorumVerifier(v, {100, 101});
}

Zxid z(int64_t c) { return make_zxid(2, c); }

TEST(ZabProposalTracker, LaterQuorumWaitsForEarlierProposal) {
  ProposalTracker t(1, ensemble(3), z(0));
  t.propose(z(1));
  t.propose(z(2));
  EXPECT_EQ(t.on_ack(1, z(2)).outcome, AckOutcome::Counted);
  EXPECT_TRUE(t.on_ack(2, z(2)).committed.empty());  // quorum for 2, but 1 is open
  EXPECT_TRUE(t.on_ack(1, z(1)).committed.empty());
  AckResult r = t.on_ack(3, z(1));
  EXPECT_EQ(r.committed, (std::vector<Zxid>{z(1), z(2)}));
  EXPECT_EQ(t.last_committed_zxid(), z(2));
  EXPECT_EQ(t.outstanding(), 0u);
  EXPECT_EQ(t.on_ack(2, z(1)).outcome, AckOutcome::NotOutstanding);  // late ack
}

TEST(ZabProposalTracker, ObserversStrangersAndDuplicatesNeverCount) {
  ProposalTracker t(1, ensemble(5), z(0));
  t.propose(z(1));
  EXPECT_EQ(t.on_ack(1, z(1)).outcome, AckOutcome::Counted);
  EXPECT_EQ(t.on_ack(100, z(1)).outcome, AckOutcome::NotVoter);
  EXPECT_EQ(t.on_ack(101, z(1)).outcome, AckOutcome::NotVoter);
  EXPECT_EQ(t.on_ack(42, z(1)).outcome, AckOutcome::NotVoter);
  EXPECT_EQ(t.on_ack(2, z(1)).outcome, AckOutcome::Counted);
  EXPECT_EQ(t.on_ack(2, z(1)).outcome, AckOutcome::Duplicate);
  EXPECT_EQ(t.on_ack(2, z(9)).outcome, AckOutcome::NotOutstanding);
  EXPECT_EQ(t.acks_for(z(1)), (std::set<ServerId>{1, 2}));
  EXPECT_EQ(t.outstanding_zxids(), (std::vector<Zxid>{z(1)}));
  EXPECT_EQ(t.on_ack(3, z(1)).committed, (std::vector<Zxid>{z(1)}));
}

TEST(ZabProposalTracker, LeadersOwnAckIsRequired) {
  ProposalTracker t(1, ensemble(3), z(0));
  t.propose(z(1));
  t.on_ack(2, z(1));
  EXPECT_TRUE(t.on_ack(3, z(1)).committed.empty());  // a quorum, but not on the leader's disk
  EXPECT_EQ(t.on_ack(1, z(1)).committed, (std::vector<Zxid>{z(1)}));
}

// Commits = exactly the brute-force model's, in order, each with a quorum
// including the leader at the moment it is reported.
RC_GTEST_PROP(ZabProposalTracker, CommitsInOrderOnlyWithAQuorumIncludingTheLeader, ()) {
  const int voters = *rc::gen::element(1, 3, 5, 7);
  const QuorumVerifier qv = ensemble(voters);
  const ServerId leader = *rc::gen::inRange<ServerId>(1, voters + 1);
  ProposalTracker t(leader, qv, z(0));
  // Model: acks per zxid, and the committed prefix.
  std::map<Zxid, std::set<ServerId>> acks;
  std::vector<Zxid> proposed;
  std::vector<Zxid> committed;
  int64_t next = 1;
  const int steps = *rc::gen::inRange(0, 300);
  for (int i = 0; i < steps; ++i) {
    if (proposed.size() == committed.size() || *rc::gen::inRange(0, 5) == 0) {
      next += *rc::gen::inRange<int64_t>(1, 3);  // zxids need not be consecutive here
      t.propose(z(next));
      proposed.push_back(z(next));
      continue;
    }
    // Any sender (voters, observers, a stranger), any zxid (mostly proposed ones).
    const ServerId from = *rc::gen::element<ServerId>(1, 2, 3, 4, 5, 6, 7, 100, 999);
    const Zxid zxid = *rc::gen::inRange(0, 8) == 0 ? z(next + 5) : *rc::gen::elementOf(proposed);
    const AckResult r = t.on_ack(from, zxid);
    const bool outstanding = zxid > (committed.empty() ? z(0) : committed.back()) &&
                             std::find(proposed.begin(), proposed.end(), zxid) != proposed.end();
    if (!qv.is_voter(from)) {
      RC_ASSERT(r.outcome == AckOutcome::NotVoter);
    } else if (!outstanding) {
      RC_ASSERT(r.outcome == AckOutcome::NotOutstanding);
    } else if (acks[zxid].contains(from)) {
      RC_ASSERT(r.outcome == AckOutcome::Duplicate);
    } else {
      RC_ASSERT(r.outcome == AckOutcome::Counted);
      acks[zxid].insert(from);
    }
    // Model: commit the longest prefix of open proposals with quorum + leader.
    std::vector<Zxid> expect;
    for (size_t k = committed.size(); k < proposed.size(); ++k) {
      const auto& a = acks[proposed[k]];
      if (!qv.is_quorum(a) || !a.contains(leader)) break;
      expect.push_back(proposed[k]);
    }
    RC_ASSERT(r.committed == expect);
    for (Zxid c : r.committed) {
      RC_ASSERT(c == proposed[committed.size()]);  // strictly in order, none skipped
      committed.push_back(c);
    }
    RC_ASSERT(t.last_committed_zxid() == (committed.empty() ? z(0) : committed.back()));
    RC_ASSERT(t.outstanding() == proposed.size() - committed.size());
  }
}

TEST(ZabQuorumLiveness, StepsDownWhenAQuorumWasNotHeardWithinSyncLimit) {
  QuorumLiveness q(1, ensemble(5), 5);
  EXPECT_FALSE(q.has_quorum(0));  // only the leader
  EXPECT_TRUE(q.heard(2, 0));
  EXPECT_FALSE(q.heard(100, 0));  // observers never keep a leader
  EXPECT_FALSE(q.heard(1, 0));    // the leader always counts, no need
  EXPECT_FALSE(q.has_quorum(0));
  q.heard(3, 2);
  EXPECT_TRUE(q.has_quorum(2));  // 1, 2, 3
  EXPECT_TRUE(q.has_quorum(5));  // 2 heard at 0: 5 ticks ago, still within
  EXPECT_FALSE(q.has_quorum(6));
  q.heard(4, 6);
  EXPECT_TRUE(q.has_quorum(6));  // 1, 3, 4
  q.forget(3);
  EXPECT_FALSE(q.has_quorum(6));
  EXPECT_EQ(q.recent(6), (std::set<ServerId>{1, 4}));
}

TEST(ZabQuorumLiveness, SingleVoterAlwaysHasItsQuorum) {
  QuorumLiveness q(1, ensemble(1), 3);
  EXPECT_TRUE(q.has_quorum(1000));
}

}  // namespace
}  // namespace zsim::core::zab
