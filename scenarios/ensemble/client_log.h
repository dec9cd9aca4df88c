// What the workload clients of an ensemble scenario saw, recorded as it
// happened, for checks that compare it with the committed history
// (scenarios/ensemble/replay.h, the watch check of watches.cpp):
//  - ClientOp: one operation -- the request, when it was called and
//    returned (simulated global time), how it ended, the reply's zxid and
//    body when a server answered, the xid it went out with (a write's txn
//    carries it as its cxid), and the session it ran in;
//  - SessionTimeline: what one client handle (one session) saw, in the
//    order it saw it: replies, watch events, connects and disconnects, each
//    with the last zxid the client had seen at that moment.
//
// RecordedSession owns one workload client's current handle and its
// recorder, and replaces both once the session has ended (or is
// abandoned), like EnsembleSession but recorded. The recorder lives as long
// as its handle, so nothing reports into a dead recorder; an operation
// still open when its host crashes never returns (`returned` false: its
// outcome is unknown).
//
// Internal to scenarios/. Single-threaded; the log outlives the client
// processes (the workload owns it).
#pragma once

#include "core/client/client.h"
#include "scenarios/session_client.h"
#include "sim/simulator.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace zsim::scenarios::ensemble {

struct ClientOp {
  std::string client;           // c1, c2, ...
  std::int64_t session = 0;     // the handle's session when the op returned
  std::size_t timeline = 0;     // index of the handle's SessionTimeline
  core::wire::Op op;
  Time call{};
  Time ret{};
  bool returned = false;        // false: its host crashed first (unknown)
  core::OpOutcome::Kind kind = core::OpOutcome::Kind::kUnknown;
  core::Code err = core::Code::Ok;
  bool replied = false;         // a server answered (a reply frame)
  std::int64_t zxid = 0;        // replied: the server's zxid when it answered
  std::int32_t xid = 0;         // 0: never sent
  core::wire::ReplyBody body;   // replied: the reply's body

  bool is_write() const { return core::wire::is_write(op); }
  // A server answered and said it was done (Ok), or said why not.
  bool answered() const { return returned && replied; }
};

struct Observation {
  enum class Kind : std::uint8_t { kReply, kEvent, kConnected, kDisconnected, kEnded };
  Kind kind = Kind::kReply;
  std::size_t op = 0;                      // kReply: index into ClientLog::ops
  core::EventType type = core::EventType::None;  // kEvent
  std::string path;                        // kEvent
  std::int64_t last_zxid = 0;              // the client's last zxid seen, then
};

struct SessionTimeline {
  std::string client;
  std::int64_t session = 0;  // 0 until the first connect
  std::vector<Observation> seen;
};

struct ClientLog {
  std::vector<ClientOp> ops;
  std::vector<SessionTimeline> sessions;
};

// Records one client handle into a ClientLog: its operations (as the
// handle's OpObserver) and, when `watcher()` is the handle's watcher, its
// watch events and state changes. Then calls `inner` (the workload's own
// watcher), if any.
class ClientRecorder final : public core::OpObserver {
 public:
  ClientRecorder(ClientLog& log, std::string client, sim::Simulator& sim)
      : log_(log), client_name_(std::move(client)), sim_(sim), timeline_(log.sessions.size()) {
    log_.sessions.push_back(SessionTimeline{client_name_, 0, {}});
  }

  // REQUIRES: called once, before the handle's first operation; the handle
  // dies before this recorder.
  void attach(core::Client& client, core::Watcher inner = nullptr) {
    client_ = &client;
    inner_ = std::move(inner);
    client.set_observer(this);
    client.set_watcher([this](const core::WatchedEvent& e) { on_event(e); });
  }

  std::uint64_t on_call(std::int64_t session_id, const core::wire::Op& op) override {
    ClientOp rec;
    rec.client = client_name_;
    rec.session = session_id;
    rec.timeline = timeline_;
    rec.op = op;
    rec.call = sim_.now();
    log_.ops.push_back(std::move(rec));
    return log_.ops.size() - 1;
  }

  void on_return(std::uint64_t token, const core::OpOutcome& out) override {
    ClientOp& rec = log_.ops.at(token);
    rec.returned = true;
    rec.ret = sim_.now();
    rec.kind = out.kind;
    rec.err = out.err;
    rec.replied = out.replied;
    rec.zxid = out.zxid;
    rec.xid = out.xid;
    if (client_ != nullptr) rec.session = client_->session_id();
    if (out.replied && out.body != nullptr) rec.body = *out.body;
    if (out.replied) push(Observation{Observation::Kind::kReply, token, core::EventType::None, "", last_zxid()});
  }

 private:
  std::int64_t last_zxid() const { return client_ == nullptr ? 0 : client_->last_zxid(); }

  void on_event(const core::WatchedEvent& e) {
    Observation o;
    o.last_zxid = last_zxid();
    if (e.type != core::EventType::None) {
      o.kind = Observation::Kind::kEvent;
      o.type = e.type;
      o.path = e.path;
    } else if (e.state == core::KeeperState::kSyncConnected) {
      o.kind = Observation::Kind::kConnected;
    } else if (e.state == core::KeeperState::kDisconnected) {
      o.kind = Observation::Kind::kDisconnected;
    } else {
      o.kind = Observation::Kind::kEnded;
    }
    push(std::move(o));
    if (inner_) inner_(e);
  }

  void push(Observation o) {
    SessionTimeline& t = log_.sessions.at(timeline_);
    if (client_ != nullptr && client_->session_id() != 0) t.session = client_->session_id();
    t.seen.push_back(std::move(o));
  }

  ClientLog& log_;
  std::string client_name_;
  sim::Simulator& sim_;
  std::size_t timeline_;
  core::Client* client_ = nullptr;
  core::Watcher inner_;
};

// One workload client's session with the ensemble, recorded: a handle with
// every server in its list (it starts at a random one and moves on at each
// failure), replaced once its session has ended or is abandoned.
class RecordedSession {
 public:
  RecordedSession(io::Env& env, std::vector<io::HostId> servers, Duration timeout, ClientLog& log,
                  std::string client, sim::Simulator& sim, core::Watcher inner = nullptr)
      : env_(env),
        servers_(std::move(servers)),
        timeout_(timeout),
        log_(log),
        client_name_(std::move(client)),
        sim_(sim),
        inner_(std::move(inner)) {}

  // The current handle; a new session if the last one ended.
  core::Client& get() {
    if (!client_ || finished_state(*client_)) fresh();
    return *client_;
  }
  bool has_handle() const { return client_ != nullptr; }
  // Leaves the session to expire on the servers; the next get() starts a
  // new one.
  void abandon() {
    client_.reset();
    recorder_.reset();
  }
  Duration timeout() const { return timeout_; }

 private:
  void fresh() {
    client_.reset();  // before its recorder
    recorder_ = std::make_unique<ClientRecorder>(log_, client_name_, sim_);
    core::ClientOptions o;
    o.servers = servers_;
    o.session_timeout = timeout_;
    client_ = std::make_unique<core::Client>(env_, o);
    recorder_->attach(*client_, inner_);
  }

  io::Env& env_;
  std::vector<io::HostId> servers_;
  Duration timeout_;
  ClientLog& log_;
  std::string client_name_;
  sim::Simulator& sim_;
  core::Watcher inner_;
  // Declared before the handle: the handle (which reports to it) dies first.
  std::unique_ptr<ClientRecorder> recorder_;
  std::unique_ptr<core::Client> client_;
};

}  // namespace zsim::scenarios::ensemble
