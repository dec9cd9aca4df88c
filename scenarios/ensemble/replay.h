// CommittedReplay: judges what clients saw against the committed history,
// replayed.
//
// The committed txns (scenarios/commit_log.h) are applied in zxid order to a
// fresh tree (core::apply, as every server does), so after txn z the tree is
// the state every server holds at z. Then:
//
//  - a read a server answered at zxid R (its reply's zxid: the zxid its
//    tree was at) must return exactly the committed state at R: the data
//    and Stat of getData, the Stat (or NoNode) of exists, the children (and
//    the parent's Stat for getChildren2) of getChildren. R itself must be a
//    committed zxid: a server serves only a committed state. This is what
//    makes every other promise checkable: a reader never sees half a multi,
//    a deleted node again, an ephemeral after its session's close, or
//    anything else no committed state held.
//  - a write is matched with its txn by (session, cxid) (the xid it went
//    out with). An acknowledged write's txn must be committed at exactly
//    the reply's zxid, be the request (same kind and path), and the reply
//    must be what applying it gave (the created path and Stat, the new
//    Stat, a multi's per-op results); a write that failed with a server's
//    answer must be a failed txn at that zxid with the same code and
//    results (SessionMoved and SessionExpired may come without a txn).
//    A request committed twice is a violation.
//  - no server answers in a session at or after the session's close (a
//    reply zxid at or above the committed closeSession): applying the close
//    deletes the session and drops its connection.
//
// What cannot be judged is counted, never guessed: replies above the end of
// the known committed chain (chain() stops before an unknown stretch, see
// commit_log.h) and writes whose txn lies beyond it.
//
// Scenario checks hook into the replay (`before` / `after` each txn, with
// the tree, the txn and the recorded operation whose request it is, if
// any) to judge what needs the state around a txn.
//
// The replay trusts core::apply to turn txns into states (the same code
// every server runs): it finds servers that answer from a state they should
// not be in, and clients told something other than what was committed; a
// bug inside apply itself shows only to checks that compare the outcome
// with an independent model (as `multi` does).
#pragma once

#include "core/tree/data_tree.h"
#include "core/txn/apply.h"
#include "scenarios/commit_log.h"
#include "scenarios/ensemble/client_log.h"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace zsim::scenarios::ensemble {

struct ReplayStats {
  std::uint64_t txns = 0;            // committed txns replayed
  std::uint64_t reads_judged = 0;
  std::uint64_t writes_judged = 0;   // answered writes matched with their txn
  std::uint64_t unjudged = 0;        // beyond the known committed chain
  bool gap = false;                  // the chain stops before an unknown stretch
};

class CommittedReplay {
 public:
  // "" to go on, else the violation (the replay stops there).
  using BeforeFn =
      std::function<std::string(const core::DataTree& before, const core::Txn& txn, const ClientOp* request)>;
  using AfterFn = std::function<std::string(const core::DataTree& after, const core::Txn& txn,
                                            const core::ApplyResult& result, const ClientOp* request)>;

  // REQUIRES: both outlive this object.
  CommittedReplay(const CommitLog& commits, const ClientLog& clients) : commits_(commits), clients_(clients) {}

  BeforeFn before;
  AfterFn after;

  // Replays and judges; "" if nothing was wrong, else the first violation.
  std::string run();
  const ReplayStats& stats() const { return stats_; }

 private:
  std::string judge_read(const core::DataTree& tree, const ClientOp& op);
  std::string judge_write(const core::Txn& txn, const core::ApplyResult& result, const ClientOp& op);
  std::string judge_unmatched_writes(std::int64_t chain_end);

  const CommitLog& commits_;
  const ClientLog& clients_;
  ReplayStats stats_;
};

// Runs `replay`, traces what it judged (`check.replay`), and fails the run
// (Verdict::kInvariant, "<label>: <violation>") on a violation. Returns
// whether the run is still good.
bool run_replay(sim::Simulator& sim, CommittedReplay& replay, const std::string& label);

// "c2 (session 0x..)" for messages.
std::string who(const ClientOp& op);
// "getData /a" for messages.
std::string describe_op(const ClientOp& op);

}  // namespace zsim::scenarios::ensemble
