// Client: a ZooKeeper client handle (the C/Java client's behaviour).
//
// A handle owns one session across connections. It connects to the servers
// in its list (starting at a random one, moving on at each failure), says
// which session it has and the last zxid it saw, and keeps the session alive
// with pings when idle (every third of the timeout). It declares a
// connection dead when nothing came for two thirds of the timeout.
//
// States and the events its watcher hears:
//   Connecting --handshake--> Connected          (SyncConnected)
//   Connected --connection lost--> Connecting    (Disconnected)
//   * --server says the session is gone--> Expired   (Expired)  [final]
//   * --close()--> Closed                        (Closed)   [final]
// When a connection breaks, every request in flight fails with
// ConnectionLoss: it may or may not have been applied. Requests made while
// connecting wait for the handshake (and fail with ConnectionLoss if that
// attempt fails). Watches survive reconnects: the handle re-registers them
// with its last zxid, and the server fires what was missed.
//
// Two APIs over one engine:
//  - async: submit(op, callback), callbacks run from the event loop;
//  - blocking: create(), get_data(), ... for code running on a fiber
//    (recipes, workload clients), which park until the reply.
// Watch events reach the watcher before the reply that reflects the change.
//
// Every operation can be reported to an OpObserver (histories for the
// checkers): ConnectionLoss and an expiry discovered while waiting make the
// outcome unknown; an error reply makes it a definite failure.
#pragma once

#include "core/errors.h"
#include "core/io/env.h"
#include "core/io/future.h"
#include "core/proto/wire.h"

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace zsim::core {

enum class ClientState : uint8_t { kConnecting, kConnected, kExpired, kClosed };
const char* to_string(ClientState s);

// ZooKeeper's Watcher.Event.KeeperState, as the watcher sees it.
enum class KeeperState : uint8_t { kSyncConnected, kDisconnected, kExpired, kClosed };
const char* to_string(KeeperState s);

struct WatchedEvent {
  EventType type = EventType::None;  // None for state changes
  KeeperState state = KeeperState::kSyncConnected;
  std::string path;                  // empty for state changes
};

using Watcher = std::function<void(const WatchedEvent&)>;

struct ClientOptions {
  std::vector<io::HostId> servers;
  io::Port port = 2181;
  Duration session_timeout = seconds(10);
  // Requests waiting for a connection, at most.
  size_t queue_max = 10'000;
};

// How an operation ended, for histories.
struct OpOutcome {
  enum class Kind : uint8_t { kOk, kFailed, kUnknown };
  Kind kind = Kind::kOk;
  Code err = Code::Ok;
  // A server's reply: the zxid its tree was at when it answered (for a
  // write, the write's own txn). Otherwise the last zxid the client saw.
  int64_t zxid = 0;
  const wire::ReplyBody* body = nullptr;  // kOk/kFailed: the reply's body
  // True when a server answered (a reply frame); false when the client
  // ended the op itself (ConnectionLoss, an expired or closed handle).
  bool replied = false;
  // The request's xid on the wire (a write's txn carries it as its cxid);
  // 0 if the op was never sent.
  int32_t xid = 0;
};

class OpObserver {
 public:
  virtual ~OpObserver() = default;
  // Returns a token passed back to on_return.
  virtual uint64_t on_call(int64_t session_id, const wire::Op& op) = 0;
  virtual void on_return(uint64_t token, const OpOutcome& outcome) = 0;
};

class Client {
 public:
  using ReplyFn = UniqueFunction<void(Code, wire::ReplyBody)>;

  Client(io::Env& env, ClientOptions options, Watcher watcher = nullptr);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  ClientState state() const { return state_; }
  int64_t session_id() const { return session_id_; }
  int32_t negotiated_timeout_ms() const { return negotiated_timeout_ms_; }
  int64_t last_zxid() const { return last_zxid_; }
  void set_observer(OpObserver* observer) { observer_ = observer; }
  void set_watcher(Watcher watcher) { watcher_ = std::move(watcher); }

  // --- async ---------------------------------------------------------------
  // Sends (or queues) one op; `done` runs exactly once, from the event loop.
  void submit(wire::Op op, ReplyFn done);

  // --- blocking, on a fiber --------------------------------------------------
  Result<std::string> create(const std::string& path, std::string data,
                             CreateMode mode = CreateMode::Persistent, int64_t ttl_ms = -1,
                             AclList acl = open_acl());
  // create2: the path and the new node's Stat.
  Result<wire::CreateReply> create2(const std::string& path, std::string data,
                                    CreateMode mode = CreateMode::Persistent, int64_t ttl_ms = -1,
                                    AclList acl = open_acl());
  Status remove(const std::string& path, int32_t version = -1);
  Result<Stat> set_data(const std::string& path, std::string data, int32_t version = -1);
  Result<wire::DataReply> get_data(const std::string& path, bool watch = false);
  // nullopt when the node does not exist (not an error).
  Result<std::optional<Stat>> exists(const std::string& path, bool watch = false);
  Result<std::vector<std::string>> get_children(const std::string& path, bool watch = false);
  Result<wire::ChildrenReply> get_children2(const std::string& path, bool watch = false);
  Status sync(const std::string& path);
  // The per-op results; the Status is the first failing op's code, if any.
  Result<std::vector<OpResult>> multi(MultiRequest request);
  Status add_watch(const std::string& path, wire::AddWatchMode mode);
  // The node's ACL and Stat (NoAuth without READ or ADMIN; digest hashes
  // shown as "user:x" without ADMIN).
  Result<wire::AclReply> get_acl(const std::string& path);
  // Replaces the node's ACL if `version` is -1 or its aversion; the new Stat.
  Result<Stat> set_acl(const std::string& path, AclList acl, int32_t version = -1);

  // --- authentication -------------------------------------------------------
  // addauth: this handle holds the identity from now on, for every later
  // request, on this connection and (re-sent first thing) on every later
  // one. Does not wait: like ZooKeeper's addAuthInfo it is sent at once (or
  // at the next handshake), ahead of any request submitted after it.
  // AuthFailed for a scheme other than digest or an auth that is not
  // user:password (nothing is sent then).
  Status add_auth(const std::string& scheme, const std::string& auth);
  // --- the ensemble's members ------------------------------------------------
  // ZooKeeper's updateServerList: `servers` replaces the list the handle
  // connects to. If the server of the current connection (or connection
  // attempt) is not in it, the handle drops that connection and moves to
  // one in the new list, keeping its session (in-flight requests fail with
  // ConnectionLoss, the watcher hears Disconnected, then SyncConnected).
  // A server still in the list keeps the connection (ZooKeeper may also
  // move some clients to balance the load; this handle does not). The next
  // attempt starts at a random server of the new list. No effect once the
  // handle expired or closed. An empty list is BadArguments and changes
  // nothing (ZooKeeper throws IllegalArgumentException): a list read from
  // data, say a config node, may be empty, and a client must not lose its
  // only way to the ensemble over it.
  Status update_server_list(std::vector<io::HostId> servers);
  const std::vector<io::HostId>& servers() const { return options_.servers; }
  // The server of the current connection or attempt (0 while between attempts).
  io::HostId current_server() const { return conn_ == 0 ? 0 : current_server_; }

  // Waits until Connected (true) or a final state / the timeout (false).
  bool wait_connected(Duration timeout);

  // --- events, for blocking code (recipes) ----------------------------------
  // Every event the watcher hears (a watch firing, a state change) is
  // counted. Blocking code notes event_count(), reads what it needs, and, if
  // it must wait, waits for an event after the one it noted: something it
  // read may have changed, so it reads again. A wake-up is only a hint to
  // re-read (any watch of the handle wakes every waiter), never a fact.
  uint64_t event_count() const { return event_count_; }
  // Parks until event_count() > seen (true) or `timeout` passes on this
  // host's clock (false). REQUIRES: in a fiber.
  bool wait_event(uint64_t seen, Duration timeout);
  // Closes the session (waits up to the session timeout for the reply).
  void close();

 private:
  struct Pending {
    int32_t xid = 0;
    wire::Op op;
    ReplyFn done;
    uint64_t token = 0;  // observer's
  };

  void connect_next();
  void on_connected(uint64_t attempt);
  void on_message(uint64_t attempt, const io::Bytes& bytes);
  void on_connection_lost(uint64_t attempt, const char* why);
  void on_connect_response(const wire::ConnectResponse& resp);
  void on_reply(wire::ReplyFrame reply);
  void on_notification(const wire::Notification& n);
  void send_frame(const wire::ClientFrame& frame);
  void send_request(Pending p);
  void fail_all(Code code, bool unknown);
  void finish(Pending& p, Code err, wire::ReplyBody body, int64_t zxid, bool unknown, bool replied = false);
  void remember_watch(const wire::Op& op, Code err);
  void become(ClientState s, KeeperState event);
  void deliver(const WatchedEvent& event);
  void arm_timers();
  void on_ping_timer();
  void on_read_timer();
  void close_connection();
  Code final_state_code() const;

  // Blocking helper: submits and parks until the reply.
  std::pair<Code, wire::ReplyBody> call(wire::Op op);

  io::Env& env_;
  ClientOptions options_;
  Watcher watcher_;
  OpObserver* observer_ = nullptr;

  ClientState state_ = ClientState::kConnecting;
  bool ever_connected_ = false;
  int64_t session_id_ = 0;
  int32_t negotiated_timeout_ms_ = 0;
  int64_t last_zxid_ = 0;
  int32_t next_xid_ = 1;
  size_t server_index_ = 0;
  io::HostId current_server_ = 0;  // of the connection conn_ names

  io::ConnId conn_ = 0;
  bool handshake_done_ = false;
  io::TimerId connect_timer_ = 0;
  io::TimerId ping_timer_ = 0;
  io::TimerId read_timer_ = 0;
  Time last_sent_{};
  Time last_heard_{};

  std::deque<Pending> in_flight_;  // sent, in xid order
  std::deque<Pending> queued_;     // waiting for the handshake
  // addauth calls, in order, without duplicates: re-sent after each handshake.
  std::vector<wire::AuthOp> auth_info_;
  // Watches to re-register after a reconnect.
  std::set<std::string> data_watches_, exist_watches_, child_watches_;
  std::set<std::string> persistent_watches_, recursive_watches_;
  // Fibers waiting in wait_connected().
  std::vector<io::Waker> state_waiters_;
  // Events the watcher heard, and the fibers waiting in wait_event().
  uint64_t event_count_ = 0;
  std::vector<io::Waker> event_waiters_;
  // Each connection attempt has a number; events of older attempts are
  // ignored.
  uint64_t attempt_ = 0;
  // Cleared by the destructor; callbacks scheduled on the clock check it.
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace zsim::core
