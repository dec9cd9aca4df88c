// Proves that EnsembleMonitor accepts the histories a correct ZAB ensemble
// can produce and names the invariant, server and zxids of every kind of
// violation: for each invariant, a legal history that must pass and one or
// more broken ones that must fail with that invariant's name and a message a
// person can debug from. A property test then drives the monitor with many
// seeded random runs in which replicas commit prefixes of one chain, with
// restarts and snapshots: every such run passes, and every run with one
// commit report's digest changed or one txn skipped fails.
#include "checkers/ensemble_monitor.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

namespace zsim::checkers {
namespace {

constexpr std::int64_t zx(std::int64_t epoch, std::int64_t counter) {
  return (epoch << 32) | counter;
}

// The digest of a txn in these tests: anything that differs per zxid.
constexpr std::uint64_t dg(std::int64_t zxid) {
  return static_cast<std::uint64_t>(zxid) * 0x9e3779b97f4a7c15ULL + 1;
}

// Commits zx(epoch, from..to) on `server`, each on top of the one before;
// the first on top of `prev`.
void commit_run(EnsembleMonitor* m, const std::string& server, std::int64_t prev,
                std::int64_t epoch, std::int64_t from, std::int64_t to) {
  for (std::int64_t c = from; c <= to; ++c) {
    m->on_commit(server, zx(epoch, c), prev, dg(zx(epoch, c)));
    prev = zx(epoch, c);
  }
}

void expect_violation(const EnsembleMonitor& m, const std::string& invariant,
                      const std::string& server, const std::string& message) {
  ASSERT_FALSE(m.ok());
  ASSERT_TRUE(m.violation().has_value());
  EXPECT_EQ(m.violation()->invariant, invariant);
  EXPECT_EQ(m.violation()->server, server);
  EXPECT_EQ(m.violation()->message, message);
}

// ---- a leader's history from a never-established leader's snapshot ----

TEST(EnsembleMonitor, ALeaderMayStartFromASnapshotNobodyReportedCommitting) {
  EnsembleMonitor m;
  commit_run(&m, "s1", 0, 1, 1, 3);
  // s5 got a SNAP at zx(2, 4) from an epoch-2 leader that never
  // established; s5 establishes epoch 3 from it.
  m.on_established("s5", 3);
  m.on_leader_snapshot("s5", zx(2, 4));
  EXPECT_TRUE(m.ok());
  // Others take snapshots at it and build on it; the txn itself may show up.
  m.on_snapshot("s2", zx(2, 4));
  commit_run(&m, "s5", zx(2, 4), 3, 1, 2);
  commit_run(&m, "s2", zx(2, 4), 3, 1, 2);
  m.on_commit("s3", zx(2, 4), zx(1, 3), dg(zx(2, 4)));
  EXPECT_TRUE(m.ok());
}

// kv seed 72871: txns zx(5, 7..9) reached the new leader inside a snapshot
// at zx(5, 10); a server that had them in its log reports them one by one
// later, on top of zx(5, 6). That fills in the gap below the snapshot
// point; it is not a fork.
TEST(EnsembleMonitor, CommitsFillInTheGapBelowALeaderSnapshot) {
  EnsembleMonitor m;
  commit_run(&m, "s1", 0, 5, 1, 6);
  m.on_established("s2", 6);
  m.on_leader_snapshot("s2", zx(5, 10));
  commit_run(&m, "s2", zx(5, 10), 6, 1, 2);
  commit_run(&m, "s4", zx(5, 6), 5, 7, 10);
  m.on_commit("s4", zx(6, 1), zx(5, 10), dg(zx(6, 1)));
  EXPECT_TRUE(m.ok()) << m.violation()->message;
  m.on_final_state("s3", zx(5, 8), 7, {});  // a replica stopped in the gap
  EXPECT_TRUE(m.ok()) << m.violation()->message;
}

// Filling the gap still follows the chain: a commit in the gap built on a
// zxid nobody committed is a fork, and one that skips a filled-in zxid
// loses it.
TEST(EnsembleMonitor, CommitsInTheGapStillFormOneChain) {
  {
    EnsembleMonitor m;
    commit_run(&m, "s1", 0, 5, 1, 6);
    m.on_leader_snapshot("s2", zx(5, 10));
    commit_run(&m, "s4", zx(5, 6), 5, 7, 8);
    m.on_commit("s3", zx(5, 9), zx(5, 7), dg(zx(5, 9)));
    expect_violation(m, "lost-commit", "s3",
                     "s3 committed 0x500000009 on top of 0x500000007, skipping committed 0x500000008 (first "
                     "committed by s4)");
  }
  {
    EnsembleMonitor m;
    commit_run(&m, "s1", 0, 5, 1, 6);
    m.on_leader_snapshot("s2", zx(5, 10));
    m.on_commit("s3", zx(5, 9), zx(4, 2), dg(zx(5, 9)));
    expect_violation(m, "committed-prefix", "s3",
                     "s3 committed 0x500000009 on top of 0x400000002, which was never committed");
  }
}

TEST(EnsembleMonitor, ALeaderSnapshotBelowACommittedZxidLosesIt) {
  EnsembleMonitor m;
  commit_run(&m, "s1", 0, 2, 1, 5);
  m.on_leader_snapshot("s4", zx(1, 7));  // never committed, below 0x200000005
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.violation()->invariant, "lost-commit");
  EXPECT_EQ(m.violation()->server, "s4");
}

// ---- primary-order ----

// A leader established epoch 3 with a history ending at zx(2, 5); s4 had
// proposals zx(2, 6..7) nobody else logged. They stay out of every later
// history: committing one (a vote order without the epoch, or a learner
// that forgot its epoch, can elect s4) breaks primary order, even when
// epoch 3 has committed nothing yet (so the chain alone cannot tell).
TEST(EnsembleMonitor, ATxnLeftOutOfAnEstablishedHistoryStaysOut) {
  EnsembleMonitor m;
  commit_run(&m, "s1", 0, 2, 1, 5);
  m.on_established("s1", 3, zx(2, 5));
  commit_run(&m, "s2", 0, 2, 1, 5);  // learners catch up below the history: fine
  EXPECT_TRUE(m.ok());
  m.on_commit("s4", zx(2, 6), zx(2, 5), dg(zx(2, 6)));
  expect_violation(m, "primary-order", "s4",
                   "s4 committed 0x200000006 of epoch 2, but epoch 3 was established (by s1) with a history ending "
                   "at 0x200000005: a txn its leader left out came back");
}

TEST(EnsembleMonitor, PrimaryOrderAsksTheFirstEstablishedEpochAbove) {
  EnsembleMonitor m;
  commit_run(&m, "s1", 0, 2, 1, 5);
  m.on_established("s2", 4, zx(2, 5));  // epoch 3 never established
  commit_run(&m, "s2", zx(2, 5), 4, 1, 2);
  m.on_established("s3", 5, zx(4, 2));
  m.on_commit("s3", zx(5, 1), zx(4, 2), dg(zx(5, 1)));
  EXPECT_TRUE(m.ok());
  m.on_commit("s5", zx(3, 1), zx(2, 5), dg(zx(3, 1)));  // epoch 3's lone proposal
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.violation()->invariant, "primary-order");
}

// ---- one-leader-per-epoch ----

TEST(EnsembleMonitor, OneLeaderPerEpochAcrossServers) {
  EnsembleMonitor m;
  m.on_established("s1", 1);
  m.on_established("s2", 2);
  m.on_established("s1", 3);
  EXPECT_TRUE(m.ok());
  EXPECT_EQ(m.leaders_established(), 3u);
  m.on_established("s3", 2);
  expect_violation(m, "one-leader-per-epoch", "s3",
                   "s3 established epoch 2, already established by s2");
}

TEST(EnsembleMonitor, TheSameServerEstablishingAnEpochTwiceIsAViolation) {
  EnsembleMonitor m;
  m.on_established("s1", 4);
  m.on_start("s1");
  m.on_established("s1", 4);
  expect_violation(m, "one-leader-per-epoch", "s1",
                   "s1 established epoch 4, already established by s1");
}

// ---- zxid-monotonic ----

TEST(EnsembleMonitor, ARestartMayRelearnLowerZxids) {
  EnsembleMonitor m;
  commit_run(&m, "s1", 0, 1, 1, 3);
  commit_run(&m, "s2", 0, 1, 1, 3);
  m.on_start("s1");  // lost its disk: learns the chain again from empty
  commit_run(&m, "s1", 0, 1, 1, 4);
  m.on_start("s2");  // loaded 1:2 from disk, goes on from there
  commit_run(&m, "s2", zx(1, 2), 1, 3, 4);
  EXPECT_TRUE(m.ok()) << m.violation()->message;
  EXPECT_EQ(m.commits_seen(), 12u);
  EXPECT_EQ(m.committed_zxids(), 4u);
  EXPECT_EQ(m.last_committed_zxid(), zx(1, 4));
}

TEST(EnsembleMonitor, GoingBackWithinAnIncarnationIsAViolation) {
  EnsembleMonitor m;
  commit_run(&m, "s1", 0, 1, 1, 3);
  m.on_commit("s1", zx(1, 2), zx(1, 1), dg(zx(1, 2)));  // a chain-legal report
  expect_violation(m, "zxid-monotonic", "s1",
                   "s1 committed 0x100000002 after committing 0x100000003 in "
                   "the same incarnation (#1)");
}

TEST(EnsembleMonitor, CommittingOneZxidTwiceInAnIncarnationIsAViolation) {
  EnsembleMonitor m;
  m.on_start("s2");
  m.on_start("s2");
  commit_run(&m, "s2", 0, 1, 1, 1);
  m.on_commit("s2", zx(1, 1), 0, dg(zx(1, 1)));
  expect_violation(m, "zxid-monotonic", "s2",
                   "s2 committed 0x100000001 after committing 0x100000001 in "
                   "the same incarnation (#3)");
}

TEST(EnsembleMonitor, ACommitMustBeAboveItsPrev) {
  EnsembleMonitor m;
  commit_run(&m, "s1", 0, 1, 1, 2);
  m.on_start("s1");
  m.on_commit("s1", zx(1, 1), zx(1, 2), dg(zx(1, 1)));
  expect_violation(m, "zxid-monotonic", "s1",
                   "s1 committed 0x100000001 on top of 0x100000002: a txn's "
                   "zxid must be above the state it is applied to");
}

TEST(EnsembleMonitor, ACommitOnTopOfItselfIsAViolation) {
  EnsembleMonitor m;
  commit_run(&m, "s1", 0, 1, 1, 2);
  m.on_start("s1");
  m.on_commit("s1", zx(1, 2), zx(1, 2), dg(zx(1, 2)));
  expect_violation(m, "zxid-monotonic", "s1",
                   "s1 committed 0x100000002 on top of 0x100000002: a txn's "
                   "zxid must be above the state it is applied to");
}

TEST(EnsembleMonitor, CommitsAfterASnapshotGoOnFromIt) {
  EnsembleMonitor m;
  commit_run(&m, "s1", 0, 1, 1, 5);
  commit_run(&m, "s2", 0, 1, 1, 2);
  m.on_snapshot("s2", zx(1, 4));
  commit_run(&m, "s2", zx(1, 4), 1, 5, 6);
  m.on_snapshot("s2", zx(1, 6));  // equal to its last commit: fine
  m.on_snapshot("s3", 0);         // an empty leader's snapshot
  EXPECT_TRUE(m.ok()) << m.violation()->message;
}

TEST(EnsembleMonitor, ASnapshotBelowTheIncarnationsLastCommitIsAViolation) {
  EnsembleMonitor m;
  commit_run(&m, "s1", 0, 1, 1, 5);
  m.on_snapshot("s1", zx(1, 3));
  expect_violation(m, "zxid-monotonic", "s1",
                   "s1 took a snapshot at 0x100000003 after committing "
                   "0x100000005 in the same incarnation (#1)");
}

TEST(EnsembleMonitor, ACommitNotAboveTheLastSnapshotIsAViolation) {
  EnsembleMonitor m;
  commit_run(&m, "s1", 0, 1, 1, 5);
  m.on_snapshot("s2", zx(1, 4));
  m.on_commit("s2", zx(1, 3), zx(1, 2), dg(zx(1, 3)));
  expect_violation(m, "zxid-monotonic", "s2",
                   "s2 committed 0x100000003 after a snapshot at 0x100000004 "
                   "in the same incarnation (#1)");
}

// ---- committed-prefix and lost-commit ----

TEST(EnsembleMonitor, ReplicasCommittingOneChainAcrossEpochsPass) {
  EnsembleMonitor m;
  commit_run(&m, "s1", 0, 1, 1, 3);
  commit_run(&m, "s1", zx(1, 3), 2, 1, 2);
  commit_run(&m, "s2", 0, 1, 1, 3);
  commit_run(&m, "s2", zx(1, 3), 2, 1, 4);
  commit_run(&m, "s3", 0, 1, 1, 2);  // lagging behind is fine
  EXPECT_TRUE(m.ok()) << m.violation()->message;
  EXPECT_EQ(m.committed_zxids(), 7u);
}

TEST(EnsembleMonitor, TwoDigestsAtOneZxidAreAViolation) {
  EnsembleMonitor m;
  commit_run(&m, "s1", 0, 1, 1, 2);
  commit_run(&m, "s2", 0, 1, 1, 1);
  m.on_commit("s2", zx(1, 2), zx(1, 1), 0xbad);
  expect_violation(m, "committed-prefix", "s2",
                   fmt::format("s2 committed 0x100000002 with digest 0xbad, "
                               "but s1 committed it with digest {:#x}",
                               dg(zx(1, 2))));
}

TEST(EnsembleMonitor, OneZxidOnTwoHistoriesIsAViolation) {
  EnsembleMonitor m;
  commit_run(&m, "s1", 0, 1, 1, 3);
  m.on_commit("s2", zx(1, 3), zx(1, 1), dg(zx(1, 3)));  // same txn, other prev
  expect_violation(m, "committed-prefix", "s2",
                   "s2 committed 0x100000003 on top of 0x100000001, but s1 "
                   "committed it on top of 0x100000002");
}

TEST(EnsembleMonitor, SkippingACommittedZxidIsALostCommit) {
  EnsembleMonitor m;
  commit_run(&m, "s3", 0, 2, 1, 3);
  commit_run(&m, "s1", 0, 2, 1, 4);  // s1 is the first to commit 2:4
  m.on_commit("s3", zx(2, 5), zx(2, 3), dg(zx(2, 5)));
  expect_violation(m, "lost-commit", "s3",
                   "s3 committed 0x200000005 on top of 0x200000003, skipping "
                   "committed 0x200000004 (first committed by s1)");
}

TEST(EnsembleMonitor, BuildingOnTheEmptyTreeBelowCommitsIsALostCommit) {
  EnsembleMonitor m;
  commit_run(&m, "s1", 0, 1, 1, 2);
  m.on_commit("s2", zx(2, 1), 0, dg(zx(2, 1)));
  expect_violation(m, "lost-commit", "s2",
                   "s2 committed 0x200000001 on top of 0x0, skipping "
                   "committed 0x100000001 (first committed by s1)");
}

// s1 committed 1:1, 1:2, 2:1 (1:3 was never committed and truncated); s2,
// partitioned with an old leader, commits 1:3 on top of 1:2: two histories
// after 1:2.
TEST(EnsembleMonitor, TwoSuccessorsOfOneZxidAreAFork) {
  EnsembleMonitor m;
  commit_run(&m, "s1", 0, 1, 1, 2);
  commit_run(&m, "s1", zx(1, 2), 2, 1, 1);
  commit_run(&m, "s2", 0, 1, 1, 2);
  m.on_commit("s2", zx(1, 3), zx(1, 2), dg(zx(1, 3)));
  expect_violation(m, "committed-prefix", "s2",
                   "s2 committed 0x100000003 on top of 0x100000002, but "
                   "0x100000002 is followed by committed 0x200000001 (first "
                   "committed by s1): a fork");
}

// The same fork seen in the other order: the lower zxid first, then a
// replica that built the higher one on the same prev. Here nothing is
// skipped from that replica's point of view, yet two txns follow 1:2.
TEST(EnsembleMonitor, AForkIsCaughtWhicheverBranchIsReportedFirst) {
  EnsembleMonitor m;
  commit_run(&m, "s2", 0, 1, 1, 3);
  m.on_commit("s1", zx(2, 1), zx(1, 2), dg(zx(2, 1)));
  ASSERT_FALSE(m.ok());
  // From s1's side 1:3 is a committed zxid its history skips.
  EXPECT_EQ(m.violation()->invariant, "lost-commit");
  EXPECT_EQ(m.violation()->server, "s1");
}

TEST(EnsembleMonitor, BuildingOnANeverCommittedStateIsAViolation) {
  EnsembleMonitor m;
  commit_run(&m, "s1", 0, 1, 1, 2);
  m.on_commit("s2", zx(1, 4), zx(1, 3), dg(zx(1, 4)));
  expect_violation(m, "committed-prefix", "s2",
                   "s2 committed 0x100000004 on top of 0x100000003, which was "
                   "never committed");
}

TEST(EnsembleMonitor, ASnapshotAtAnUncommittedZxidIsAViolation) {
  EnsembleMonitor m;
  commit_run(&m, "s1", 0, 1, 1, 2);
  m.on_snapshot("s2", zx(1, 2));
  EXPECT_TRUE(m.ok());
  m.on_snapshot("s3", zx(1, 3));
  expect_violation(m, "committed-prefix", "s3",
                   "s3 took a snapshot at 0x100000003, which was never "
                   "committed (greatest committed: 0x100000002)");
}

// ---- ephemeral-expiry ----

// Session ids carry the server id in the top byte and so may be negative as
// int64; they are printed as their bits.
constexpr std::int64_t kSession =
    static_cast<std::int64_t>(0x8100000000000001ULL);

TEST(EnsembleMonitor, EverySessionCloseAtOneZxidPasses) {
  EnsembleMonitor m;
  m.on_session_closed("s1", kSession, zx(1, 7));
  m.on_session_closed("s2", kSession, zx(1, 7));
  m.on_start("s2");
  m.on_session_closed("s2", kSession, zx(1, 7));  // re-learned after restart
  m.on_session_closed("s2", 0x42, zx(1, 9));
  EXPECT_TRUE(m.ok()) << m.violation()->message;
}

TEST(EnsembleMonitor, ASessionClosedAtTwoZxidsIsAViolation) {
  EnsembleMonitor m;
  m.on_session_closed("s1", kSession, zx(1, 7));
  m.on_session_closed("s2", kSession, zx(1, 8));
  expect_violation(m, "ephemeral-expiry", "s2",
                   "s2 closed session 0x8100000000000001 at 0x100000008, but "
                   "s1 closed it at 0x100000007");
}

TEST(EnsembleMonitor, EphemeralsOfOpenOrNotYetClosedSessionsMayRemain) {
  EnsembleMonitor m;
  commit_run(&m, "s1", 0, 1, 1, 5);
  m.on_session_closed("s1", kSession, zx(1, 5));
  // s2 lags at 1:4: it has not applied the close, so the ephemeral stays.
  m.on_final_state("s2", zx(1, 4), 0xaa, {kSession, 0x42});
  m.on_final_state("s1", zx(1, 5), 0xbb, {0x42});
  EXPECT_TRUE(m.ok()) << m.violation()->message;
}

TEST(EnsembleMonitor, AnEphemeralOfAClosedSessionInAFinalStateIsAViolation) {
  EnsembleMonitor m;
  commit_run(&m, "s1", 0, 1, 1, 6);
  m.on_session_closed("s1", kSession, zx(1, 5));
  m.on_final_state("s2", zx(1, 6), 0xaa, {0x42, kSession});
  expect_violation(m, "ephemeral-expiry", "s2",
                   "s2 ended at 0x100000006 holding an ephemeral of session "
                   "0x8100000000000001, closed at 0x100000005 (first reported "
                   "by s1)");
}

TEST(EnsembleMonitor, MidRunOwnersBelowTheCloseMayHoldItsEphemerals) {
  EnsembleMonitor m;
  commit_run(&m, "s1", 0, 1, 1, 5);
  m.on_session_closed("s1", kSession, zx(1, 5));
  m.on_ephemeral_owners("s2", zx(1, 4), {kSession});
  m.on_ephemeral_owners("s1", zx(1, 5), {0x42});
  EXPECT_TRUE(m.ok()) << m.violation()->message;
}

TEST(EnsembleMonitor, AnEphemeralOfAClosedSessionMidRunIsAViolation) {
  EnsembleMonitor m;
  commit_run(&m, "s1", 0, 1, 1, 6);
  m.on_session_closed("s1", kSession, zx(1, 5));
  m.on_ephemeral_owners("s3", zx(1, 6), {kSession});
  expect_violation(m, "ephemeral-expiry", "s3",
                   "s3 was at 0x100000006 holding an ephemeral of session "
                   "0x8100000000000001, closed at 0x100000005 (first reported "
                   "by s1)");
}

// ---- replica-divergence ----

TEST(EnsembleMonitor, FinalStatesAgreeingAtEachZxidPass) {
  EnsembleMonitor m;
  commit_run(&m, "s1", 0, 1, 1, 3);
  m.on_final_state("s1", zx(1, 3), 0xaa, {});
  m.on_final_state("s2", zx(1, 3), 0xaa, {});
  m.on_final_state("s3", zx(1, 2), 0xbb, {});  // lagging, another state
  m.on_final_state("s4", 0, 0xcc, {});         // never synced: empty tree
  m.on_final_state("s5", zx(1, 4), 0xdd, {});  // applied an uncommitted proposal
  EXPECT_TRUE(m.ok()) << m.violation()->message;
}

TEST(EnsembleMonitor, DivergentFinalTreesAtOneZxidAreAViolation) {
  EnsembleMonitor m;
  commit_run(&m, "s1", 0, 1, 1, 3);
  m.on_final_state("s1", zx(1, 3), 0xaa, {});
  m.on_final_state("s2", zx(1, 3), 0xab, {});
  expect_violation(m, "replica-divergence", "s2",
                   "s2 ended at 0x100000003 with tree digest 0xab, but s1 "
                   "ended there with tree digest 0xaa");
}

TEST(EnsembleMonitor, AFinalStateAtAnUncommittedZxidBelowTheCommitsIsAViolation) {
  EnsembleMonitor m;
  commit_run(&m, "s1", 0, 1, 1, 2);
  commit_run(&m, "s1", zx(1, 2), 2, 1, 1);
  m.on_final_state("s2", zx(1, 3), 0xaa, {});
  expect_violation(m, "replica-divergence", "s2",
                   "s2 ended at 0x100000003, which was never committed "
                   "(commits reached 0x200000001)");
}

// ---- the first violation is kept ----

TEST(EnsembleMonitor, KeepsTheFirstViolationAndGoesOnCounting) {
  EnsembleMonitor m;
  m.on_established("s1", 1);
  m.on_established("s2", 1);
  const EnsembleViolation first = *m.violation();
  commit_run(&m, "s1", 0, 1, 1, 2);
  m.on_commit("s2", zx(1, 2), zx(1, 1), 0xbad);
  m.on_session_closed("s1", 7, 1);
  m.on_session_closed("s1", 7, 2);
  m.on_final_state("s1", zx(1, 2), 1, {7});
  ASSERT_TRUE(m.violation().has_value());
  EXPECT_EQ(m.violation()->invariant, first.invariant);
  EXPECT_EQ(m.violation()->server, "s2");
  EXPECT_EQ(m.violation()->message, first.message);
  EXPECT_EQ(m.commits_seen(), 3u);
  EXPECT_EQ(m.committed_zxids(), 2u);
  EXPECT_EQ(m.leaders_established(), 2u);
}

// ---- property: replicas of one chain ----

// A small seeded generator (splitmix64): integer randomness only, the same
// sequence on every platform.
class TestRng {
 public:
  explicit TestRng(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  // Uniform enough in [0, n) for tests. REQUIRES: n > 0.
  std::size_t below(std::size_t n) { return static_cast<std::size_t>(next() % n); }

 private:
  std::uint64_t state_;
};

enum class Kind { start, established, commit, snapshot, final_state };

struct Event {
  Kind kind = Kind::commit;
  std::string server;
  std::int64_t zxid = 0;  // epoch for `established`
  std::int64_t prev = 0;
  std::uint64_t digest = 0;
};

struct ReportedRun {
  std::vector<Event> events;
  std::vector<std::size_t> commits;  // indexes of commit events
};

void replay(const ReportedRun& run, EnsembleMonitor* m) {
  for (const Event& e : run.events) {
    switch (e.kind) {
      case Kind::start: m->on_start(e.server); break;
      case Kind::established: m->on_established(e.server, e.zxid); break;
      case Kind::commit: m->on_commit(e.server, e.zxid, e.prev, e.digest); break;
      case Kind::snapshot: m->on_snapshot(e.server, e.zxid); break;
      case Kind::final_state: m->on_final_state(e.server, e.zxid, e.digest, {}); break;
    }
  }
}

// One chain of txns over a few epochs; 3 to 5 replicas, each committing the
// chain in order from where it stands, restarting (back to any position at
// or below its own: what its disk held) or taking a snapshot of any
// committed position at or above its own; at the end a replica restarted
// with an empty disk commits the whole chain, and everyone reports a final
// state at its position.
std::string server_name(std::size_t i) { return "s" + std::to_string(i + 1); }

ReportedRun generate_run(std::uint64_t seed) {
  TestRng rng(seed);
  const std::size_t length = 20 + rng.below(40);
  std::vector<std::int64_t> chain{0};  // chain[k]: the k-th txn's zxid; 0 = empty
  std::vector<std::uint64_t> digests{0}, trees{rng.next()};
  std::int64_t epoch = 1, counter = 0;
  for (std::size_t k = 1; k <= length; ++k) {
    if (rng.below(6) == 0) {
      epoch += 1 + static_cast<std::int64_t>(rng.below(2));
      counter = 0;
    }
    chain.push_back(zx(epoch, ++counter));
    digests.push_back(rng.next());
    trees.push_back(rng.next());
  }
  const std::size_t n_servers = 3 + rng.below(3);
  std::vector<std::size_t> pos(n_servers, 0);  // each replica's position
  std::size_t committed = 0;  // the longest prefix anyone committed
  std::int64_t established_epoch = 0;
  ReportedRun run;
  const auto commit = [&](std::size_t s, std::size_t k) {
    const std::int64_t e = chain[k] >> 32;
    if (e > established_epoch) {  // a leader of e, before its first commit
      run.events.push_back({Kind::established, server_name(rng.below(n_servers)), e, 0, 0});
      established_epoch = e;
    }
    run.commits.push_back(run.events.size());
    run.events.push_back({Kind::commit, server_name(s), chain[k], chain[k - 1], digests[k]});
    if (k > committed) committed = k;
  };
  for (int step = 0; step < 400; ++step) {
    const std::size_t s = rng.below(n_servers);
    std::size_t& p = pos[s];
    const std::size_t action = rng.below(20);
    if (action == 0) {
      run.events.push_back({Kind::start, server_name(s), 0, 0, 0});
      p = rng.below(p + 1);
    } else if (action == 1) {
      p += rng.below(committed - p + 1);
      run.events.push_back({Kind::snapshot, server_name(s), chain[p], 0, 0});
    } else if (p < length) {
      commit(s, ++p);
    }
  }
  run.events.push_back({Kind::start, server_name(0), 0, 0, 0});
  pos[0] = 0;
  while (pos[0] < length) commit(0, ++pos[0]);
  for (std::size_t s = 0; s < n_servers; ++s) {
    run.events.push_back({Kind::final_state, server_name(s), chain[pos[s]], 0, trees[pos[s]]});
  }
  return run;
}

// Property: every run in which replicas commit prefixes of one chain, with
// restarts and snapshots, passes; changing one commit report's digest, or
// making one commit report skip the txn before it, is always caught.
TEST(EnsembleMonitorProperty, ReplicasOfOneChainPassAndOneCorruptReportIsCaught) {
  for (std::uint64_t seed = 1; seed <= 300; ++seed) {
    SCOPED_TRACE(testing::Message() << "seed " << seed);
    const ReportedRun run = generate_run(seed);
    EnsembleMonitor clean;
    replay(run, &clean);
    ASSERT_TRUE(clean.ok()) << clean.violation()->invariant << ": "
                            << clean.violation()->message;
    ASSERT_FALSE(run.commits.empty());
    EXPECT_EQ(clean.commits_seen(), run.commits.size());

    TestRng rng(seed ^ 0x5eed);
    ReportedRun bad_digest = run;
    Event& d = bad_digest.events[run.commits[rng.below(run.commits.size())]];
    d.digest ^= 1u + rng.next() % 0xffff;
    EnsembleMonitor m1;
    replay(bad_digest, &m1);
    ASSERT_FALSE(m1.ok()) << "digest of " << d.zxid << " on " << d.server;
    EXPECT_EQ(m1.violation()->invariant, "committed-prefix");

    // Skip: a report of chain[k+1] on top of chain[k-1]. Whether chain[k]
    // was committed before (a lost commit, or a changed prev) or only after
    // (a fork after chain[k-1]), it is caught.
    ReportedRun skip = run;
    std::vector<std::size_t> skippable;
    for (const std::size_t i : run.commits) {
      if (run.events[i].prev != 0) skippable.push_back(i);
    }
    ASSERT_FALSE(skippable.empty());
    Event& e = skip.events[skippable[rng.below(skippable.size())]];
    std::int64_t before_prev = 0;  // the zxid before e.prev in the chain
    for (const std::size_t i : run.commits) {
      if (run.events[i].zxid == e.prev) before_prev = run.events[i].prev;
    }
    e.prev = before_prev;
    EnsembleMonitor m2;
    replay(skip, &m2);
    ASSERT_FALSE(m2.ok()) << "skip before " << e.zxid << " on " << e.server;
    EXPECT_TRUE(m2.violation()->invariant == "lost-commit" ||
                m2.violation()->invariant == "committed-prefix")
        << m2.violation()->invariant;
  }
}

}  // namespace
}  // namespace zsim::checkers
