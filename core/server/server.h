// Server: one ZooKeeper-style server process, standalone or a member of a
// ZAB ensemble (voter or observer).
//
// Event-driven: handlers run to completion on each delivered message or timer;
// nothing blocks. The client side is the same in every role:
//
//   connections -> sessions -> per-session FIFO of requests -> replies
//
// Reads are answered from this server's applied tree, but a read waits behind
// the earlier writes and syncs of its own session (per-session FIFO). Watch
// notifications of a txn go out before the reply of that txn, on the same
// stream, so a client sees the event before the data that follows the change.
//
// Writes take the path of the server's role:
//   standalone: prepare (txn with the next zxid; failed writes use one too)
//               -> append to the txn log -> group sync -> apply -> reply
//   leader:     prepare -> append + PROPOSAL to the followers -> ACKs of a
//               quorum, the leader's own (after its sync) among them
//               -> COMMIT (followers) / INFORM (observers) -> apply -> reply
//   follower, observer: forward to the leader; apply on COMMIT / INFORM and
//               reply to the waiting client (matched by session and xid)
// Followers log each PROPOSAL and ACK it only once it is synced to their log.
// A sync() waits until every write the leader had proposed when the sync
// reached it is applied here.
//
// Replication is ZAB as docs/zab.md describes it; the pure state machines
// are in core/zab. Election notifications are datagrams on the election
// port; everything else runs on one stream per learner, which the learner
// opens to the leader's quorum port. acceptedEpoch and currentEpoch are
// files on the disk. A server serves clients only when it is an established
// leader or a learner that received UPTODATE; while electing (LOOKING) it
// closes every client connection at once.
//
// Sessions: a connect without a session id asks the leader (or the
// standalone server) for one: a createSession txn, whose session id is the
// asking server's id in the top byte and the txn's zxid below it (zxids
// never repeat, so neither do session ids). A connect with a session id
// re-attaches it if this server's tree still holds the session (a learner
// tells the leader, which makes this server the session's owner: requests
// through any other server then fail with SessionMoved), unless the client
// has seen a newer zxid than this server has (it is refused, so a client
// never goes back in time). The leader (or standalone server) owns expiry:
// learners report the sessions their clients touched with every ping reply;
// an expired session is closed by a closeSession txn that deletes its
// ephemerals at one zxid on every server. Container and TTL nodes are reaped
// by deleteContainer txns.
//
// Crash safety: a txn is applied or acknowledged only once it is durable on
// this server (standalone) or on a quorum (ensemble); recovery rebuilds the
// tree from the newest snapshot and the log (core/server/txn_log.h), and
// the next leader's synchronization repairs what a crash left unfinished.
#pragma once

#include "core/io/env.h"
#include "core/proto/quorum.h"
#include "core/proto/wire.h"
#include "core/server/planted_bugs.h"
#include "core/server/txn_log.h"
#include "core/tree/data_tree.h"
#include "core/tree/watches.h"
#include "core/txn/prepare.h"
#include "core/zab/broadcast.h"
#include "core/zab/discovery.h"
#include "core/zab/election.h"

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace zsim::core {

// One server of an ensemble: its id (ZooKeeper's myid, 0..255, the top byte
// of the session ids it names) and where it runs.
struct EnsembleMember {
  int32_t server_id = 0;
  io::HostId host = 0;
  bool observer = false;
};

// What a server reports to the checkers' invariant monitor
// (checkers/ensemble_monitor.h). Calls happen synchronously, in the order the
// server does things; the observer must not call back into the server.
class ReplicaObserver {
 public:
  virtual ~ReplicaObserver() = default;
  // This server became the established leader of `epoch`; its initial
  // history (everything up to `history_zxid`) is now committed.
  virtual void on_established(int64_t epoch, int64_t history_zxid) = 0;
  // This server applied the committed txn `txn` on top of a tree at
  // `prev_zxid`. A txn applied before it is known to be committed (replayed
  // at recovery, or a proposal of a lost epoch) is reported once a leader's
  // history confirms it, and never if a sync truncates it.
  virtual void on_commit(const Txn& txn, int64_t prev_zxid) = 0;
  // This server replaced its tree with the leader's snapshot at `zxid`.
  virtual void on_snapshot(int64_t zxid) = 0;
  // This server became an established leader with a history that starts
  // from a snapshot at `zxid` it received (SNAP) from a leader that never
  // established: no txn up to `zxid` was reported one by one.
  virtual void on_leader_snapshot(int64_t zxid) = 0;
  // This process can no longer run: recovery or a disk sync failed, where
  // ZooKeeper would exit (and a supervisor like systemd would start it
  // again). Called once per process; the default does nothing.
  virtual void on_failed() {}
};

// Every knob of a server, units in the names. The ZAB timing follows
// ZooKeeper's: tickTime, initLimit and syncLimit in ticks.
struct ServerOptions {
  io::Port client_port = 2181;
  // The quorum port (learner streams) and the election port (datagrams).
  io::Port quorum_port = 2888;
  io::Port election_port = 3888;
  // This server's id: the top byte of the session ids it names. In an
  // ensemble it must be one of the members'.
  int32_t server_id = 1;
  // The ensemble (voters and observers, this server included). Empty: a
  // standalone server.
  std::vector<EnsembleMember> ensemble;

  // ZooKeeper's tickTime: sessions negotiate a timeout within
  // [session_timeout_ms_min, session_timeout_ms_max] (0: 2 and 20 ticks),
  // and expiry is checked every tick.
  int64_t tick_ms = 2000;
  int32_t session_timeout_ms_min = 0;
  int32_t session_timeout_ms_max = 0;
  // Discovery and synchronization must finish within init_limit_ticks; a
  // follower silent for sync_limit_ticks no longer counts for the leader's
  // quorum, and a leader silent that long makes its followers re-elect.
  int64_t init_limit_ticks = 10;
  int64_t sync_limit_ticks = 5;
  // Election: the wait for a better vote once a quorum agrees, and the
  // resend interval (doubling from min to max while nothing arrives).
  int64_t finalize_wait_ms = 200;
  int64_t notification_interval_ms_min = 200;
  int64_t notification_interval_ms_max = 6400;
  // How often container and TTL nodes are looked at for reaping.
  int64_t reap_interval_ms = 60'000;
  // A snapshot after this many txns.
  int64_t snapshot_every_txns = 5000;
  // The txn log's own limits (its cache of recent txns bounds DIFF syncs).
  TxnLogOptions log;
  // The largest zxid counter a leader uses before it forces a new election
  // (ZooKeeper: 0xffffffff). Lower only to test the rollover.
  int64_t zxid_counter_max = zab::kCounterMax;

  // A deliberately broken server, to prove the harness catches it: one
  // entry of the planted-bug catalog (core/server/planted_bugs.h), reachable
  // only through it. kNone in every real use.
  PlantedBug planted_bug = PlantedBug::kNone;

  // Limits: requests in flight per session, open client connections.
  size_t session_queue_max = 1000;
  size_t connections_max = 1000;

  // Invariant monitor (not owned; may be null).
  ReplicaObserver* observer = nullptr;
};

// A server's role (ZooKeeper's ServerState, plus standalone).
enum class Role : uint8_t { kStandalone, kLooking, kLeading, kFollowing, kObserving };
const char* role_name(Role role);

struct ServerStats {
  uint64_t txns_applied = 0;
  uint64_t reads_served = 0;
  uint64_t sessions_created = 0;
  uint64_t sessions_expired = 0;
  uint64_t connections_refused = 0;
  uint64_t elections = 0;     // times this server started an election
  uint64_t established = 0;   // times it became an established leader
  uint64_t proposals = 0;     // proposals it made as leader
};

class Server {
 public:
  // Recovers from the disk, then starts serving (standalone) or electing
  // (ensemble). If recovery fails the server stays down (serving() stays
  // false) and says why in the trace.
  // REQUIRES: an ensemble, if any, is valid (see ensemble_error()).
  Server(io::Env& env, ServerOptions options);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // "" if `options` describe a usable ensemble, else what is wrong.
  static std::string ensemble_error(const ServerOptions& options);

  bool serving() const { return serving_; }
  Role role() const { return role_; }
  // The leader this server follows or is (-1: none).
  int32_t leader_id() const { return static_cast<int32_t>(leader_sid_); }
  int64_t accepted_epoch() const { return accepted_epoch_; }
  int64_t current_epoch() const { return current_epoch_; }
  const DataTree& tree() const { return tree_; }
  const ServerStats& stats() const { return stats_; }
  int64_t last_applied_zxid() const { return tree_.last_zxid(); }
  int64_t last_logged_zxid() const { return log_.last_appended_zxid(); }
  // Negotiation bounds.
  int32_t min_session_timeout_ms() const;
  int32_t max_session_timeout_ms() const;

 private:
  struct Connection {
    int64_t session_id = 0;  // 0 until the handshake is done
    bool handshake_started = false;
    // Identities added by addauth on this connection (ZooKeeper keeps auth
    // per connection; the client re-sends it after a reconnect).
    AuthIds auth;
  };
  // One request of a session, waiting for its turn to be answered.
  struct Item {
    enum class Kind : uint8_t { kWrite, kRead, kSync };
    Kind kind = Kind::kRead;
    io::ConnId conn = 0;  // where the answer goes (if still attached)
    int32_t xid = 0;
    wire::Op op;          // kRead, kSync: what to answer
    bool ready = false;   // kSync: every write before it is applied here
    AuthIds auth{};       // kRead: the connection's identities when it came
  };
  // A session with a client connection here (any role).
  struct LocalSession {
    int32_t timeout_ms = 0;
    io::ConnId conn = 0;
    std::deque<Item> queue;
  };
  // A session as the leader (or standalone server) tracks it for expiry.
  struct TrackedSession {
    int32_t timeout_ms = 0;
    Time expires_at{};
    bool closing = false;
    int64_t owner = -1;  // the server its client is attached to (-1: unknown)
  };
  // A learner's stream at the leader.
  struct Learner {
    zab::ServerId sid = zab::kNoServer;  // from the host, never the payload
    bool observer = false;
    bool info = false;             // sent LEARNERINFO
    bool leader_info_sent = false;
    bool epoch_acked = false;      // sent ACKEPOCH
    zab::Zxid last_zxid = 0;       // from ACKEPOCH
    bool sync_sent = false;        // SYNC, its txns and NEWLEADER sent
    bool newleader_acked = false;
    bool forwarding = false;       // gets proposals and commits
    bool uptodate = false;         // UPTODATE sent: may forward client requests
    bool want_snapshot = false;    // from LEARNERINFO: only a SNAP will do
  };
  // A sync of a client, waiting for the leader to commit `zxid`.
  struct SyncMarker {
    zab::Zxid zxid = 0;
    io::ConnId learner = 0;  // 0: a client of the leader itself
    int64_t session_id = 0;
    int32_t cxid = 0;
  };
  // A txn in the tree not yet known to be committed, and the zxid before it.
  struct Unreported {
    Txn txn;
    int64_t prev_zxid = 0;
  };
  enum class LearnerStage : uint8_t { kConnecting, kInfoSent, kEpochAcked, kSyncing, kBroadcast };

  // --- start ---------------------------------------------------------------
  bool planted(PlantedBug bug) const { return options_.planted_bug == bug; }
  // The last zxid this server tells its peers it has: its log's, except
  // under the planted ZOOKEEPER-2355 bug (a recorded claim may be higher).
  zab::Zxid last_zxid_claimed() const;
  void start_standalone();
  void start_ensemble();
  bool is_ensemble() const { return !options_.ensemble.empty(); }
  // True when this server orders writes: standalone, or established leader.
  bool leads() const;

  // --- client connections (server.cpp) ---------------------------------------
  io::StreamHandlers on_accept(io::ConnId conn);
  void on_frame(io::ConnId conn, const io::Bytes& bytes);
  void on_connection_closed(io::ConnId conn);
  void drop_connection(io::ConnId conn, const char* why);
  void drop_all_clients(const char* why);
  void send(io::ConnId conn, const wire::ServerFrame& frame);

  // --- sessions ------------------------------------------------------------
  void on_connect(io::ConnId conn, const wire::ConnectRequest& req);
  void attach(io::ConnId conn, int64_t session_id);
  // Completes a re-attach the session's owner (leader) has validated.
  void finish_attach(io::ConnId conn, int64_t session_id, int32_t timeout_ms);
  void on_revalidate_reply(int64_t session_id, bool valid);
  void drop_revalidating(const char* why);
  void touch(int64_t session_id);
  void touch_tracked(int64_t session_id);
  void on_tick();
  void expire_sessions();
  void track_all_sessions();

  // --- the pipeline --------------------------------------------------------
  void on_request(io::ConnId conn, Connection& c, wire::RequestFrame req);
  // Standalone or leader: prepares a write and logs (standalone) or
  // proposes (leader) it. `origin`: the server whose client asked (-1: the
  // server itself, e.g. expiry); for createSession `xid` is the asking
  // server's token. False if the write was not taken (the zxid counter is
  // exhausted: an election follows).
  bool submit_write(int64_t origin, int64_t session_id, int32_t xid, const Request& request,
                    const AuthIds& auth = {});
  // addauth, handled on receipt: Ok, or AuthFailed and the connection closed.
  void on_auth(io::ConnId conn, Connection& c, const wire::AuthOp& op);
  void on_standalone_synced();
  // Applies a txn: tree, watches, replies to waiting clients. `committed`
  // false: known only to be logged (it waits in unreported_).
  void apply_txn(const Txn& txn, bool committed);
  void report_commit(const Txn& txn, int64_t prev_zxid);
  void answer_ready(int64_t session_id);
  void mark_sync_ready(int64_t session_id, int32_t cxid);
  wire::ReplyFrame answer_read(io::ConnId conn, int32_t xid, const wire::Op& op, const AuthIds& auth);
  void notify(const std::vector<WatchEvent>& events);
  void on_reap();
  void maybe_snapshot();
  void fail_disk();
  zab::Zxid last_proposed() const;

  // --- replication (server_zab.cpp) -------------------------------------------
  zab::ZabOptions zab_options() const;
  const EnsembleMember* member_by_host(io::HostId host) const;
  const EnsembleMember* member_by_id(zab::ServerId sid) const;
  int64_t now_ms();
  void load_epochs();
  void persist_epoch(const char* name, int64_t value, UniqueFunction<void(bool)> done);

  void become_looking(const char* why);
  void absorb_unapplied();
  void on_election_step(zab::ElectionStep step);
  void on_vote_datagram(io::HostId from, const io::Bytes& bytes);
  void on_half_tick();

  // Leader.
  void become_leader();
  io::StreamHandlers on_learner_accept(io::ConnId conn, io::HostId host);
  void on_learner_message(io::ConnId conn, const io::Bytes& bytes);
  void on_learner_closed(io::ConnId conn);
  void drop_learner(io::ConnId conn, const char* why);
  void on_later_epoch(zab::ServerId sid, int64_t their_epoch);
  void send_learner(io::ConnId conn, const quorum::Message& m);
  void leader_progress();
  void sync_learner(io::ConnId conn);
  void establish();
  void propose(Txn txn);
  void on_leader_synced();
  void on_proposal_acked(zab::ServerId from, zab::Zxid zxid);
  void commit_upto(const std::vector<zab::Zxid>& zxids);
  void resolve_sync_markers();
  void leader_half_tick();

  // Learner (follower or observer).
  void become_learner(zab::ServerId leader);
  void connect_to_leader();
  void on_leader_message(const io::Bytes& bytes);
  void send_leader(const quorum::Message& m);
  void on_sync_start(quorum::SyncStart m);
  void on_sync_txn(const Txn& txn);
  void reconnect_for_snapshot(const char* why);
  void try_ack_newleader();
  void flush_unreported();
  void on_proposal(Txn txn);
  void on_commit_msg(zab::Zxid zxid);
  void ack_synced();
  void learner_half_tick();

  io::Env& env_;
  ServerOptions options_;
  TxnLog log_;
  DataTree tree_;
  PendingChanges pending_;
  WatchManager watches_;
  ServerStats stats_;
  // Guards disk callbacks against running after destruction.
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
  bool serving_ = false;
  bool down_ = false;  // recovery or a disk sync failed: this process is dead
  Role role_ = Role::kStandalone;
  // Bumped on every role change: callbacks (disk syncs, epoch writes,
  // streams) of an earlier role see a different number and do nothing.
  uint64_t generation_ = 0;
  int64_t half_ticks_ = 0;  // half ticks since the process started
  int64_t mono_ms_ = 0;     // the clock in ms, never going back

  // Standalone and leader: the next zxid to prepare.
  int64_t next_zxid_ = 1;
  int64_t txns_since_snapshot_ = 0;
  int32_t next_token_ = 1;
  // Logged but not yet applied, in zxid order (standalone: not yet durable;
  // leader: not yet committed; learner: proposals not yet committed).
  std::deque<Txn> unapplied_;
  // Applied but not yet known to be committed (see server_zab.cpp).
  std::deque<Unreported> unreported_;
  // A SNAP's zxid, reported with unreported_ (-1: none).
  int64_t snapshot_unreported_ = -1;
  // Epoch file writes: the newest per file; an older one's late callback
  // must not rename its tmp file over a newer epoch.
  std::map<std::string, uint64_t> epoch_writes_;
  std::map<io::ConnId, Connection> conns_;
  // Connections waiting for their createSession txn, by token.
  std::map<int32_t, io::ConnId> pending_connects_;
  // Learner: re-attaching connections waiting for the leader's verdict on
  // their session (RevalidateReply), by session id; the newest connect of a
  // session wins.
  std::map<int64_t, io::ConnId> revalidating_;
  std::map<int64_t, LocalSession> sessions_;
  // Leader and standalone: every session, for expiry and ownership.
  std::map<int64_t, TrackedSession> tracked_;
  // Learner: sessions touched since the last ping reply.
  std::set<int64_t> touched_;

  // --- ZAB state ---
  std::optional<zab::QuorumVerifier> config_;
  std::unique_ptr<zab::Election> election_;
  int64_t accepted_epoch_ = 0;
  int64_t current_epoch_ = 0;
  zab::ServerId leader_sid_ = zab::kNoServer;
  int64_t init_deadline_tick_ = 0;
  // Leader.
  std::optional<zab::Discovery> discovery_;
  std::optional<zab::ProposalTracker> tracker_;
  std::optional<zab::QuorumLiveness> liveness_;
  bool accepted_persisted_ = false;  // acceptedEpoch = new epoch is durable
  bool current_persisted_ = false;   // currentEpoch = new epoch is durable
  bool leader_log_synced_ = false;   // the leader's log is durable for NEWLEADER
  // An epoch write or the leader's log sync is in flight (one at a time).
  bool disk_step_in_flight_ = false;
  bool established_ = false;
  zab::Zxid self_acked_ = 0;         // the leader's own acks, up to here
  std::map<io::ConnId, Learner> learners_;
  std::deque<SyncMarker> sync_markers_;
  // Learner.
  LearnerStage stage_ = LearnerStage::kConnecting;
  io::ConnId leader_conn_ = 0;
  int64_t leader_heard_tick_ = 0;
  int64_t new_epoch_ = 0;            // from LEADERINFO
  bool force_snap_ = false;          // need a SNAP (a TRUNC failed): say so
  zab::Zxid acked_upto_ = 0;         // proposals acked, up to here
  bool newleader_pending_ = false;   // NEWLEADER received, ACK not yet sent
  bool newleader_acked_ = false;
  // Planted ZOOKEEPER-2355 only: the last zxid recorded ahead of the log.
  zab::Zxid claimed_zxid_ = 0;
};

}  // namespace zsim::core
