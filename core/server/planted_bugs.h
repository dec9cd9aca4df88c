// The planted-bug catalog: real, documented ZooKeeper bugs (and classic
// protocol mistakes) compiled into the server as switches, off by default,
// so that the harness can prove it catches them. A switch is reachable only
// through this catalog: ServerOptions::planted_bug, set by `zsim run|sweep
// --bug NAME` or by a scenario that names a catalog entry; `zsim bugs`
// lists them, and tools/bug-report.sh sweeps each one (docs/bug-catalog.md).
//
// Each entry plants the smallest source change that has the bug's cause;
// where the correct code has a local check that would notice the damage at
// once, the planted version goes without it, as the real buggy code did, so
// that what must catch it is the harness: a history check or an invariant,
// not an assertion in the server.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace zsim::core {

enum class PlantedBug : std::uint8_t {
  kNone,
  // Leader: a follower with txns the leader's history lacks gets a DIFF
  // instead of a TRUNC, and keeps its stale tail under the new epoch.
  kDiffWithoutTrunc,         // ZOOKEEPER-1154
  // Learner: TRUNC cuts the log one txn too far (the txn at the truncation
  // point goes too), and the learner carries on.
  kTruncOffByOne,            // ZOOKEEPER-1156
  // Learner: ACKs NEWLEADER before the txns of its DIFF are synced.
  kNewLeaderAckBeforeSync,   // ZOOKEEPER-3911
  // Learner: writes currentEpoch at UPTODATE instead of before its ACK of
  // NEWLEADER.
  kEpochAtUpToDate,          // ZOOKEEPER-1282
  // Learner: at NEWLEADER, records the zxid its sync reached as its last
  // processed one (durably) and acknowledges, before the sync's txns are
  // durable; after a crash it claims txns it does not have, and the next
  // leader's DIFF starts after them.
  kLastZxidBeforeSync,       // ZOOKEEPER-2355
  // Election: votes are ordered by zxid and server id, ignoring the epoch.
  kVoteWithoutEpoch,         // ZOOKEEPER-1419-like
  // Follower (standalone: the server) acknowledges a txn before its log sync.
  kAckBeforeSync,
  // Leader: does not step down when it loses its quorum.
  kLeaderNeverStepsDown,
  // Leader: commits once its own log has a proposal, without a quorum.
  kCommitBeforeQuorum,
};

// Which servers an entry applies to.
enum class BugScope : std::uint8_t { kEnsemble, kStandaloneAndEnsemble };

struct PlantedBugInfo {
  PlantedBug bug;
  std::string_view name;  // for --bug
  std::string_view jira;  // "ZOOKEEPER-1154", or "" for a classic mistake
  std::string_view cause;  // one line
  BugScope scope;
};

inline constexpr PlantedBugInfo kPlantedBugs[] = {
    {PlantedBug::kDiffWithoutTrunc, "zk-1154-diff-without-trunc", "ZOOKEEPER-1154",
     "a follower ahead of the leader's history gets DIFF instead of TRUNC and keeps its stale tail",
     BugScope::kEnsemble},
    {PlantedBug::kTruncOffByOne, "zk-1156-trunc-off-by-one", "ZOOKEEPER-1156",
     "TRUNC cuts the learner's log one txn too far, dropping a committed txn", BugScope::kEnsemble},
    {PlantedBug::kNewLeaderAckBeforeSync, "zk-3911-newleader-ack-before-sync", "ZOOKEEPER-3911",
     "a learner ACKs NEWLEADER before the txns of its DIFF are durable", BugScope::kEnsemble},
    {PlantedBug::kEpochAtUpToDate, "zk-1282-epoch-at-uptodate", "ZOOKEEPER-1282",
     "a learner writes currentEpoch at UPTODATE instead of before it ACKs NEWLEADER", BugScope::kEnsemble},
    {PlantedBug::kLastZxidBeforeSync, "zk-2355-last-zxid-before-sync", "ZOOKEEPER-2355",
     "a learner records its last zxid at NEWLEADER before the DIFF's txns are durable, then claims txns it lost",
     BugScope::kEnsemble},
    {PlantedBug::kVoteWithoutEpoch, "zk-1419-vote-without-epoch", "ZOOKEEPER-1419",
     "leader election orders votes by zxid and id, ignoring the epoch", BugScope::kEnsemble},
    {PlantedBug::kAckBeforeSync, "ack-before-sync", "",
     "a follower (or a standalone server) acknowledges a txn before its log sync", BugScope::kStandaloneAndEnsemble},
    {PlantedBug::kLeaderNeverStepsDown, "leader-never-steps-down", "",
     "a leader that lost its quorum goes on leading (and serving its clients)", BugScope::kEnsemble},
    {PlantedBug::kCommitBeforeQuorum, "commit-before-quorum", "",
     "a leader commits a proposal once its own log has it, without a quorum of ACKs", BugScope::kEnsemble},
};

inline std::optional<PlantedBug> find_planted_bug(std::string_view name) {
  for (const PlantedBugInfo& b : kPlantedBugs) {
    if (b.name == name) return b.bug;
  }
  return std::nullopt;
}

inline const PlantedBugInfo* planted_bug_info(PlantedBug bug) {
  for (const PlantedBugInfo& b : kPlantedBugs) {
    if (b.bug == bug) return &b;
  }
  return nullptr;
}

}  // namespace zsim::core
