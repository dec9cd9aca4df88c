// Server: one ZooKeeper-style server process (standalone for now; the ZAB
// ensemble builds on the same pipeline).
//
// Event-driven: handlers run to completion on each delivered message or timer;
// nothing blocks. The request pipeline is ZooKeeper's:
//
//   validate + prepare (txn with the next zxid; failed writes use one too)
//     -> append to the txn log -> group sync -> apply to the tree
//     -> watch notifications -> reply
//
// Reads are answered from the applied tree, but a read waits behind the
// earlier writes of its own session (per-session FIFO). Watch notifications
// of a txn go out before the reply of that txn, on the same FIFO stream, so
// a client sees the event before the data that follows the change.
//
// Sessions: a connect without a session id creates one (a createSession
// txn); a connect with one re-attaches it (moving it from an older
// connection, whose requests then fail with SessionMoved), unless the client
// has seen a newer zxid than this server has (it is refused, so a client
// never goes back in time) or the session is gone (ConnectResponse with
// session 0: expired). Sessions are touched by every request and ping and
// expire through a closeSession txn that deletes their ephemerals at one
// zxid. Container and TTL nodes are reaped by deleteContainer txns.
//
// Crash safety: nothing is applied or answered before its txn is synced, so
// nothing acknowledged is lost; recovery rebuilds the tree from the newest
// snapshot and the log (core/server/txn_log.h).
#pragma once

#include "core/io/env.h"
#include "core/proto/wire.h"
#include "core/server/txn_log.h"
#include "core/tree/data_tree.h"
#include "core/tree/watches.h"
#include "core/txn/prepare.h"

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>

namespace zsim::core {

struct ServerOptions {
  io::Port client_port = 2181;
  // This server's id; the top byte of the session ids it makes.
  int32_t server_id = 1;
  // ZooKeeper's tickTime: sessions negotiate a timeout within
  // [2, 20] ticks and expiry is checked every tick.
  Duration tick = millis(2000);
  // How often container and TTL nodes are looked at for reaping.
  Duration reap_interval = seconds(60);
  // A snapshot after this many txns.
  int64_t snapshot_every_txns = 5000;
  // A deliberately broken server, to prove the harness catches it: apply
  // and acknowledge each write as soon as it is appended to the log, before
  // the sync makes it durable. A crash then loses acknowledged writes.
  bool unsafe_ack_before_sync = false;
  // Limits: requests in flight per session, open connections.
  size_t session_queue_max = 1000;
  size_t connections_max = 1000;
};

struct ServerStats {
  uint64_t txns_applied = 0;
  uint64_t reads_served = 0;
  uint64_t sessions_created = 0;
  uint64_t sessions_expired = 0;
  uint64_t connections_refused = 0;
};

class Server {
 public:
  // Recovers from the disk and starts serving. If recovery fails the server
  // stays down (serving() is false) and says why in the trace.
  Server(io::Env& env, ServerOptions options);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  bool serving() const { return serving_; }
  const DataTree& tree() const { return tree_; }
  const ServerStats& stats() const { return stats_; }
  int64_t last_applied_zxid() const { return tree_.last_zxid(); }
  // Negotiation bounds, from the tick.
  int32_t min_session_timeout_ms() const;
  int32_t max_session_timeout_ms() const;

 private:
  struct Connection {
    int64_t session_id = 0;  // 0 until the handshake is done
    bool handshake_started = false;
  };
  // One request of a session, waiting for its turn to be answered.
  struct Item {
    enum class Kind : uint8_t { kWrite, kRead };
    Kind kind = Kind::kRead;
    io::ConnId conn = 0;  // where the answer goes (if still attached)
    int32_t xid = 0;
    int64_t zxid = 0;     // kWrite: its txn
    wire::Op op;          // kRead: what to answer
  };
  struct Session {
    int32_t timeout_ms = 0;
    io::ConnId conn = 0;
    Time expires_at{};
    bool closing = false;
    bool created = false;  // its createSession txn has been applied
    std::deque<Item> queue;
  };

  void start_serving();

  // --- connections ---------------------------------------------------------
  io::StreamHandlers on_accept(io::ConnId conn);
  void on_frame(io::ConnId conn, const io::Bytes& bytes);
  void on_connection_closed(io::ConnId conn);
  void drop_connection(io::ConnId conn, const char* why);
  void send(io::ConnId conn, const wire::ServerFrame& frame);

  // --- sessions ------------------------------------------------------------
  void on_connect(io::ConnId conn, const wire::ConnectRequest& req);
  void attach(io::ConnId conn, int64_t session_id);
  void touch(Session& s);
  void on_tick();
  int64_t next_session_id();

  // --- the pipeline --------------------------------------------------------
  void on_request(io::ConnId conn, Connection& c, wire::RequestFrame req);
  // Prepares, logs and queues a write. `session_id` 0 for server-made txns.
  void submit_write(int64_t session_id, io::ConnId conn, int32_t xid, const Request& request);
  void on_synced();
  void apply_next(const Txn& txn);
  void answer_ready_reads(int64_t session_id);
  wire::ReplyFrame answer_read(io::ConnId conn, int32_t xid, const wire::Op& op);
  void notify(const std::vector<WatchEvent>& events);
  void on_reap();

  io::Env& env_;
  ServerOptions options_;
  TxnLog log_;
  DataTree tree_;
  PendingChanges pending_;
  WatchManager watches_;
  ServerStats stats_;
  bool serving_ = false;

  int64_t next_zxid_ = 1;
  int64_t last_session_id_ = 0;
  int64_t txns_since_snapshot_ = 0;
  bool snapshot_in_flight_ = false;
  bool sync_in_flight_ = false;
  // Logged but not yet applied, in zxid order.
  std::deque<Txn> unapplied_;
  std::map<io::ConnId, Connection> conns_;
  std::map<int64_t, Session> sessions_;
};

}  // namespace zsim::core
