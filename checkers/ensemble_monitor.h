// EnsembleMonitor: the invariant observer of a replicated (ZAB) ensemble.
//
// Servers report what they do during a simulated run — a (re)start, becoming
// an established leader, applying a committed txn, replacing their state with
// a snapshot, committing a closeSession, and their final state — and the
// monitor compares every report against the history the ensemble has
// committed so far. It records the FIRST violation it sees and keeps it:
// later calls are still accepted (and checked), but never replace it. It
// never reaches into a server or changes anything (STYLE.md §9).
//
// Invariants (the names are EnsembleViolation::invariant):
//   one-leader-per-epoch  at most one on_established per epoch, from any
//                         server (the same server twice counts too).
//   zxid-monotonic        within one incarnation of a server, commit zxids
//                         strictly increase; a snapshot is at or above
//                         everything the incarnation reported before, and
//                         the next commit is above it; a commit's zxid is
//                         above its prev_zxid. A restart (on_start) forgets
//                         the incarnation: a server may re-learn lower zxids.
//   committed-prefix      the committed history is one chain: a zxid is
//                         committed with one digest on top of one prev_zxid
//                         by everyone; a new commit is built on 0 or on a
//                         committed zxid that has no other successor; a
//                         snapshot is at 0 or at a committed zxid.
//   lost-commit           a new commit is built on a state that skips a
//                         committed zxid (one strictly between prev and it).
//   primary-order         once a leader established epoch e with an initial
//                         history ending at h, no txn of an earlier epoch
//                         above h is ever committed: the history a leader
//                         establishes is a prefix of every later one, so a
//                         txn it left out (truncated) stays out (ZAB's
//                         primary integrity; a vote order without the
//                         epoch, or a learner that forgets its epoch, can
//                         elect a server that brings such a txn back).
//   ephemeral-expiry      every closeSession of a session is committed at the
//                         same zxid; a server's tree at or above a session's
//                         close holds no ephemeral of that session, both in
//                         the final state and whenever a server reports the
//                         sessions owning ephemerals in its tree mid-run
//                         (on_ephemeral_owners).
//   replica-divergence    final states at the same zxid have the same tree
//                         digest; a final zxid in (0, greatest committed] is
//                         a committed zxid.
//
// Why the chain checks suffice: every accepted commit links to the greatest
// committed zxid below it, so the committed zxids always form one list, each
// entry's prev being the key before it (or 0 for the first). A new commit z
// on prev p is then legal exactly when p ends the list or p's successor in
// it is z itself.
//
// Messages name servers, zxids and sessions (hex), and the server that first
// committed a zxid or first reported a close, so a seed can be debugged from
// the message alone.
//
// Bounds: memory is linear in the run. The committed chain holds one
// std::map node per distinct committed zxid (about 80 bytes: key, prev,
// digest, a server index, the node's pointers), so 10^5 commits cost about
// 8 MB; the other maps hold one node per epoch, per closed session, per
// distinct final zxid and per server. Each call costs O(log n). The run's
// own event budget bounds n; the monitor adds no limit that could make it
// silently skip a check.
//
// Threading: none. Calls come from the simulation, one at a time; the order
// of reports is the order of events in the run. Output depends only on the
// calls made (std::map throughout, no unordered iteration).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace zsim::checkers {

struct EnsembleViolation {
  // Short name: "one-leader-per-epoch", "zxid-monotonic", "committed-prefix",
  // "lost-commit", "ephemeral-expiry" or "replica-divergence".
  std::string invariant;
  std::string server;   // the server where it was seen
  std::string message;  // one line; zxids, digests and sessions in hex
};

class EnsembleMonitor {
 public:
  // A server process (re)starts: a new incarnation. Per-incarnation state
  // (the zxid-monotonic check) resets. Calling it before a server's first
  // report is optional: a server never started is in its first incarnation.
  void on_start(const std::string& server);

  // `server` became an established leader of `epoch` (a quorum acked its
  // NEWLEADER), with an initial history ending at `history_zxid` (if known).
  void on_established(const std::string& server, std::int64_t epoch,
                      std::optional<std::int64_t> history_zxid = std::nullopt);

  // `server` applied the committed txn `zxid` (digest: a hash of its
  // encoding) on top of state `prev_zxid` (the zxid its tree was at just
  // before; 0 = empty tree).
  void on_commit(const std::string& server, std::int64_t zxid,
                 std::int64_t prev_zxid, std::uint64_t digest);

  // `server` replaced its whole state with the leader's snapshot at `zxid`
  // (SNAP sync).
  void on_snapshot(const std::string& server, std::int64_t zxid);

  // `server` became an established leader whose history starts from a
  // snapshot at `zxid` that nobody reported committing: it came by SNAP from
  // a leader that never established, and the txns in it were never applied
  // one by one anywhere the monitor could see. Establishment commits it. A
  // new leader's history holds every committed txn, so `zxid` must be
  // committed already or above every committed zxid (else a lost commit);
  // in the second case it joins the chain as a point whose txn is unknown
  // (a later commit of that zxid fills it in), above a gap of unknown txns
  // (later commits of zxids in the gap, each on the one before, fill it in).
  void on_leader_snapshot(const std::string& server, std::int64_t zxid);

  // A closeSession txn of `session` was committed at `zxid` on `server`.
  void on_session_closed(const std::string& server, std::int64_t session,
                         std::int64_t zxid);

  // `server`'s tree is at the committed zxid `zxid`, and these sessions own
  // ephemerals in it (ascending). None may own one at or above its close.
  // The scenarios report it whenever the set can have grown or a close
  // applied: after each commit that creates an ephemeral or closes a
  // session, and after a snapshot replaced the tree.
  void on_ephemeral_owners(const std::string& server, std::int64_t zxid,
                           const std::vector<std::int64_t>& owners);

  // End of run: `server`'s final applied state: its last zxid, a digest of
  // its tree, and the sessions owning ephemerals in it.
  // REQUIRES: called after every other report of the run (the ephemeral
  // check compares against the sessions closed so far).
  void on_final_state(const std::string& server, std::int64_t last_zxid,
                      std::uint64_t tree_digest,
                      const std::vector<std::int64_t>& ephemeral_owners);

  // The first violation seen, if any.
  const std::optional<EnsembleViolation>& violation() const {
    return violation_;
  }
  bool ok() const { return !violation_.has_value(); }

  // Counters for traces.
  std::uint64_t commits_seen() const { return commits_seen_; }  // on_commit calls
  std::uint64_t committed_zxids() const { return chain_.size(); }  // distinct
  std::uint64_t leaders_established() const { return leaders_established_; }
  // The greatest committed zxid, 0 before the first commit.
  std::int64_t last_committed_zxid() const;

 private:
  using ServerIndex = std::uint32_t;

  // One committed txn: what it was built on, what it was, who saw it first.
  struct Committed {
    std::int64_t prev_zxid = 0;
    std::uint64_t digest = 0;
    ServerIndex first_server = 0;
    bool snapshot_only = false;  // known from a leader's snapshot, txn unseen
    // The committed txns between the previous chain entry and this one are
    // unknown: they reached a leader inside a snapshot (on_leader_snapshot)
    // and may be reported one by one later, each filling in the gap.
    bool gap_below = false;
  };
  // What the current incarnation of a server has reported.
  struct Incarnation {
    std::uint32_t number = 1;               // 1 for the first, +1 per on_start
    std::optional<std::int64_t> last_zxid;  // last commit or snapshot
    bool last_was_snapshot = false;
  };
  // The first report of a session's close, or of a final state at a zxid.
  struct Seen {
    std::int64_t zxid = 0;     // the close's zxid, or the final state's
    std::uint64_t digest = 0;  // the final tree's digest (0 for a close)
    ServerIndex server = 0;    // who reported it first
  };

  ServerIndex index_of(const std::string& server);
  const std::string& name_of(ServerIndex i) const;
  void fail(const char* invariant, const std::string& server,
            std::string message);

  // The helpers of on_commit, in the order it runs them; each returns true
  // when it recorded a problem.
  bool commit_breaks_incarnation(const std::string& server, std::int64_t zxid,
                                 std::int64_t prev_zxid);
  bool commit_conflicts(const std::string& server, std::int64_t zxid,
                        std::int64_t prev_zxid, std::uint64_t digest);
  bool commit_breaks_chain(const std::string& server, std::int64_t zxid,
                           std::int64_t prev_zxid);
  bool commit_breaks_primary_order(const std::string& server,
                                   std::int64_t zxid);
  // True if `zxid` lies in an unknown stretch below a snapshot point: it
  // may be a committed txn nobody has reported one by one yet.
  bool in_gap(std::int64_t zxid) const;
  void check_ephemerals(const std::string& server, std::int64_t zxid,
                        const std::vector<std::int64_t>& owners,
                        const char* when);

  std::optional<EnsembleViolation> violation_;
  std::map<std::string, ServerIndex> server_index_;
  std::vector<std::string> server_names_;        // by ServerIndex
  std::vector<Incarnation> incarnations_;        // by ServerIndex
  std::map<std::int64_t, Committed> chain_;      // committed zxid -> txn
  std::map<std::int64_t, ServerIndex> leaders_;  // epoch -> its leader
  // epoch -> the last zxid of its leader's initial history (when reported).
  std::map<std::int64_t, std::int64_t> established_history_;
  std::map<std::int64_t, Seen> closed_sessions_;  // session -> first close
  std::map<std::int64_t, Seen> final_states_;    // last zxid -> first final
  std::uint64_t commits_seen_ = 0;
  std::uint64_t leaders_established_ = 0;
};

}  // namespace zsim::checkers
