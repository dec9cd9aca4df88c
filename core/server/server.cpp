#include "core/server/server.h"

#include "core/assert.h"
#include "core/limits.h"
#include "core/tree/path.h"
#include "core/txn/apply.h"

#include <algorithm>
#include <iterator>
#include <utility>

namespace zsim::core {
namespace {

int64_t clock_ms(io::Env& env) { return to_ns(env.clock.now()) / 1'000'000; }

// Data bigger than ZooKeeper's jute.maxbuffer never reaches the pipeline:
// the server drops the connection, the client sees ConnectionLoss.
bool oversized(const wire::Op& op) {
  auto too_big = [](const std::string& data) { return data.size() > limits::kDataBytesMax; };
  if (const auto* c = std::get_if<CreateRequest>(&op)) return too_big(c->data);
  if (const auto* s = std::get_if<SetDataRequest>(&op)) return too_big(s->data);
  if (const auto* m = std::get_if<MultiRequest>(&op)) {
    size_t total = 0;
    for (const MultiOp& o : m->ops) {
      if (const auto* c = std::get_if<CreateRequest>(&o)) total += c->data.size();
      if (const auto* s = std::get_if<SetDataRequest>(&o)) total += s->data.size();
    }
    return total > limits::kDataBytesMax;
  }
  return false;
}

// The reply body for an applied txn, by what the txn did.
wire::ReplyBody reply_body(const Txn& txn, const ApplyResult& r) {
  if (std::holds_alternative<MultiTxn>(txn.body)) return wire::MultiReply{r.ops};
  if (r.code != Code::Ok || r.ops.empty()) return wire::EmptyReply{};
  const OpResult& op = r.ops.front();
  if (std::holds_alternative<CreateTxn>(txn.body)) return wire::CreateReply{op.path, op.stat.value_or(Stat{})};
  if (std::holds_alternative<SetDataTxn>(txn.body) || std::holds_alternative<SetAclTxn>(txn.body)) {
    return wire::StatReply{op.stat.value_or(Stat{})};
  }
  return wire::EmptyReply{};
}

const char* txn_kind(const Txn& t) {
  static constexpr const char* kNames[] = {"error", "create", "delete", "setData",
                                           "check", "multi",  "createSession", "closeSession",
                                           "setACL"};
  static_assert(std::size(kNames) == std::variant_size_v<TxnBody>);
  return kNames[t.body.index()];
}

}  // namespace

const char* role_name(Role role) {
  switch (role) {
    case Role::kStandalone: return "standalone";
    case Role::kLooking: return "looking";
    case Role::kLeading: return "leading";
    case Role::kFollowing: return "following";
    case Role::kObserving: return "observing";
  }
  return "?";
}

Server::Server(io::Env& env, ServerOptions options)
    : env_(env), options_(std::move(options)), log_(env.disk, options_.log) {
  ZSIM_ASSERT_MSG(ensemble_error(options_).empty(), ensemble_error(options_).c_str());
  // Tokens name this incarnation's session requests; starting at a random
  // point keeps a late commit of an earlier incarnation's request from
  // matching a new one.
  next_token_ = static_cast<int32_t>(env_.random.below(1u << 30)) + 1;
  Result<DataTree> recovered = log_.recover();
  if (!recovered.ok()) {
    down_ = true;
    env_.trace.event("zk.recovery_failed", {{"error", recovered.status().to_string()}});
    if (options_.observer != nullptr) options_.observer->on_failed();
    return;
  }
  tree_ = std::move(recovered).value();
  next_zxid_ = tree_.last_zxid() + 1;
  env_.trace.event("zk.recovered", {{"zxid", io::Hex{static_cast<uint64_t>(tree_.last_zxid())}},
                                    {"nodes", uint64_t{tree_.node_count()}},
                                    {"sessions", uint64_t{tree_.sessions().size()}},
                                    {"replayed", log_.recovery_info().txns_replayed},
                                    {"cut", log_.recovery_info().cut_reason}});
  // Make what recovery decided (a cut log tail) durable before serving or
  // voting: nothing may be acknowledged on top of a log that could change.
  log_.sync([this](bool ok) {
    if (!ok) {
      down_ = true;
      env_.trace.event("zk.sync_failed", {});
      if (options_.observer != nullptr) options_.observer->on_failed();
      return;
    }
    if (is_ensemble()) {
      start_ensemble();
    } else {
      start_standalone();
    }
  });
}

void Server::start_standalone() {
  role_ = Role::kStandalone;
  serving_ = true;
  track_all_sessions();
  env_.trace.event("zk.serving", {{"port", uint32_t{options_.client_port}}});
  env_.net.listen(options_.client_port, [this](io::ConnId conn, io::HostId) { return on_accept(conn); });
  env_.clock.schedule(millis(options_.tick_ms), [this] { on_tick(); });
  env_.clock.schedule(millis(options_.reap_interval_ms), [this] { on_reap(); });
}

Server::~Server() { *alive_ = false; }

int32_t Server::min_session_timeout_ms() const {
  if (options_.session_timeout_ms_min > 0) return options_.session_timeout_ms_min;
  return static_cast<int32_t>(2 * options_.tick_ms);
}
int32_t Server::max_session_timeout_ms() const {
  if (options_.session_timeout_ms_max > 0) return options_.session_timeout_ms_max;
  return static_cast<int32_t>(20 * options_.tick_ms);
}

bool Server::leads() const {
  return role_ == Role::kStandalone || (role_ == Role::kLeading && established_);
}

// --- connections ---------------------------------------------------------------

io::StreamHandlers Server::on_accept(io::ConnId conn) {
  io::StreamHandlers h;
  // A server that is electing (or synchronizing) has no state to serve from:
  // the client moves on to another server.
  if (!serving_ || down_) {
    env_.net.close(conn);
    return h;
  }
  if (conns_.size() >= options_.connections_max) {
    ++stats_.connections_refused;
    env_.trace.event("zk.refuse", {{"conn", conn}, {"why", "too many connections"}});
    env_.net.close(conn);
    return h;
  }
  conns_[conn] = Connection{};
  h.on_message = [this, conn](io::Bytes bytes) { on_frame(conn, bytes); };
  h.on_closed = [this, conn](io::CloseReason) { on_connection_closed(conn); };
  return h;
}

void Server::send(io::ConnId conn, const wire::ServerFrame& frame) {
  if (conns_.count(conn) == 0) return;
  env_.net.send(conn, wire::encode(frame));
}

void Server::drop_connection(io::ConnId conn, const char* why) {
  env_.trace.event("zk.drop_connection", {{"conn", conn}, {"why", why}});
  env_.net.close(conn);
  on_connection_closed(conn);
}

void Server::drop_all_clients(const char* why) {
  if (!conns_.empty()) {
    env_.trace.event("zk.drop_clients", {{"count", uint64_t{conns_.size()}}, {"why", why}});
  }
  for (const auto& [conn, c] : conns_) env_.net.close(conn);
  conns_.clear();
  watches_ = WatchManager{};
  sessions_.clear();
  pending_connects_.clear();
  revalidating_.clear();
  touched_.clear();
}

void Server::on_connection_closed(io::ConnId conn) {
  auto it = conns_.find(conn);
  if (it == conns_.end()) return;
  const int64_t sid = it->second.session_id;
  conns_.erase(it);
  watches_.remove_watcher(conn);
  auto s = sessions_.find(sid);
  if (s != sessions_.end() && s->second.conn == conn) s->second.conn = 0;
}

void Server::on_frame(io::ConnId conn, const io::Bytes& bytes) {
  auto it = conns_.find(conn);
  if (it == conns_.end()) return;
  Result<wire::ClientFrame> frame = wire::decode_client_frame(bytes);
  if (!frame.ok()) return drop_connection(conn, "malformed frame");
  if (auto* c = std::get_if<wire::ConnectRequest>(&frame.value())) {
    if (it->second.handshake_started) return drop_connection(conn, "second handshake");
    it->second.handshake_started = true;
    return on_connect(conn, *c);
  }
  if (it->second.session_id == 0) return drop_connection(conn, "request before handshake");
  on_request(conn, it->second, std::get<wire::RequestFrame>(std::move(frame).value()));
}

// --- sessions ------------------------------------------------------------------

void Server::touch(int64_t session_id) {
  if (leads()) {
    touch_tracked(session_id);
  } else {
    touched_.insert(session_id);
  }
}

void Server::touch_tracked(int64_t session_id) {
  auto it = tracked_.find(session_id);
  if (it == tracked_.end() || it->second.closing) return;
  it->second.expires_at = env_.clock.now() + millis(it->second.timeout_ms);
}

void Server::track_all_sessions() {
  // Every session gets a whole timeout from now, as ZooKeeper's session
  // tracker does after a restart or a change of leader.
  tracked_.clear();
  const Time now = env_.clock.now();
  for (const auto& [id, timeout_ms] : tree_.sessions()) {
    tracked_[id] = TrackedSession{timeout_ms, now + millis(timeout_ms), false, -1};
  }
}

void Server::on_connect(io::ConnId conn, const wire::ConnectRequest& req) {
  // A client that has seen more than we have must find a server that has:
  // answering it from our older state would take it back in time.
  if (req.last_zxid_seen > tree_.last_zxid()) {
    ++stats_.connections_refused;
    env_.trace.event("zk.refuse", {{"conn", conn},
                                   {"client_zxid", io::Hex{static_cast<uint64_t>(req.last_zxid_seen)}},
                                   {"our_zxid", io::Hex{static_cast<uint64_t>(tree_.last_zxid())}}});
    return drop_connection(conn, "client is ahead of us");
  }
  if (req.session_id != 0) return attach(conn, req.session_id);
  const int32_t timeout_ms = std::clamp(req.timeout_ms, min_session_timeout_ms(), max_session_timeout_ms());
  const int32_t token = next_token_++;
  if (next_token_ <= 0) next_token_ = 1;
  pending_connects_[token] = conn;
  if (leads()) {
    submit_write(options_.server_id, 0, token, CreateSessionRequest{timeout_ms});
  } else {
    send_leader(quorum::CreateSession{token, timeout_ms});
  }
}

void Server::attach(io::ConnId conn, int64_t session_id) {
  const auto known = tree_.sessions().find(session_id);
  const auto tracked = tracked_.find(session_id);
  const bool closing = leads() && (tracked == tracked_.end() || tracked->second.closing);
  if (known == tree_.sessions().end() || closing) {
    // Gone (or going): the client learns its session expired.
    send(conn, wire::ConnectResponse{0, 0});
    return drop_connection(conn, "session expired");
  }
  if (leads()) return finish_attach(conn, session_id, known->second);
  // Our tree may hold a session whose closeSession the leader has already
  // decided: only the leader, which owns expiry, can say it lives. It makes
  // us the owner (requests through any other server then fail with
  // SessionMoved) and answers; the connect completes on that answer.
  if (auto old = revalidating_.find(session_id); old != revalidating_.end() && old->second != conn) {
    drop_connection(old->second, "superseded by a newer connect of its session");
  }
  revalidating_[session_id] = conn;
  send_leader(quorum::Revalidate{session_id});
}

void Server::on_revalidate_reply(int64_t session_id, bool valid) {
  const auto it = revalidating_.find(session_id);
  if (it == revalidating_.end()) return;  // the connection went meanwhile
  const io::ConnId conn = it->second;
  revalidating_.erase(it);
  if (conns_.count(conn) == 0) return;
  const auto known = tree_.sessions().find(session_id);
  if (!valid || known == tree_.sessions().end()) {
    send(conn, wire::ConnectResponse{0, 0});
    return drop_connection(conn, "session expired");
  }
  touched_.insert(session_id);
  finish_attach(conn, session_id, known->second);
}

void Server::drop_revalidating(const char* why) {
  std::map<int64_t, io::ConnId> waiting;
  waiting.swap(revalidating_);
  for (const auto& [session, conn] : waiting) {
    if (conns_.count(conn) != 0) drop_connection(conn, why);
  }
}

void Server::finish_attach(io::ConnId conn, int64_t session_id, int32_t timeout_ms) {
  LocalSession& s = sessions_[session_id];
  s.timeout_ms = timeout_ms;
  if (s.conn != 0 && s.conn != conn) {
    const io::ConnId old = s.conn;
    env_.trace.event("zk.session_move", {{"session", io::Hex{static_cast<uint64_t>(session_id)}},
                                         {"from_conn", old}, {"to_conn", conn}});
    // Requests still arriving on the old connection fail with SessionMoved
    // until it closes.
    watches_.remove_watcher(old);
  }
  s.conn = conn;
  conns_[conn].session_id = session_id;
  // Reads and syncs queued for the old connection have no one to answer to.
  std::erase_if(s.queue, [&](const Item& item) { return item.kind != Item::Kind::kWrite; });
  if (leads()) {
    tracked_.at(session_id).owner = options_.server_id;
    touch_tracked(session_id);
  }
  send(conn, wire::ConnectResponse{s.timeout_ms, session_id});
}

void Server::on_tick() {
  env_.clock.schedule(millis(options_.tick_ms), [this] { on_tick(); });
  expire_sessions();
}

void Server::expire_sessions() {
  if (!leads()) return;
  const Time now = env_.clock.now();
  std::vector<int64_t> expired;
  for (auto& [sid, s] : tracked_) {
    if (!s.closing && s.expires_at <= now) expired.push_back(sid);
  }
  for (int64_t sid : expired) {
    ++stats_.sessions_expired;
    env_.trace.event("zk.session_expire", {{"session", io::Hex{static_cast<uint64_t>(sid)}}});
    if (!submit_write(-1, sid, 0, CloseSessionRequest{})) return;
  }
}

void Server::on_reap() {
  env_.clock.schedule(millis(options_.reap_interval_ms), [this] { on_reap(); });
  if (!leads()) return;
  for (const std::string& path : tree_.reap_candidates(clock_ms(env_))) {
    if (!submit_write(-1, 0, 0, DeleteContainerRequest{path})) return;
  }
}

// --- the pipeline -------------------------------------------------------------------

void Server::on_request(io::ConnId conn, Connection& c, wire::RequestFrame req) {
  const int64_t session_id = c.session_id;
  auto sit = sessions_.find(session_id);
  if (sit == sessions_.end()) return drop_connection(conn, "session gone");
  LocalSession& s = sit->second;
  auto reply_now = [&](Code err, wire::ReplyBody body) {
    send(conn, wire::ReplyFrame{req.xid, tree_.last_zxid(), err, std::move(body)});
  };
  if (s.conn != conn) return reply_now(Code::SessionMoved, wire::EmptyReply{});
  touch(session_id);
  if (std::holds_alternative<wire::PingOp>(req.op)) {
    return send(conn, wire::ReplyFrame{wire::kPingXid, tree_.last_zxid(), Code::Ok, wire::EmptyReply{}});
  }
  if (auto* sw = std::get_if<wire::SetWatchesOp>(&req.op)) {
    std::vector<WatchDelivery> fired = watches_.reregister(tree_, sw->relative_zxid, conn, sw->watches);
    for (const WatchDelivery& d : fired) send(conn, wire::Notification{d.event.type, d.event.path});
    return send(conn, wire::ReplyFrame{wire::kSetWatchesXid, tree_.last_zxid(), Code::Ok, wire::EmptyReply{}});
  }
  if (auto* auth = std::get_if<wire::AuthOp>(&req.op)) return on_auth(conn, c, *auth);
  if (s.queue.size() >= options_.session_queue_max) return drop_connection(conn, "too many requests in flight");
  if (wire::is_write(req.op)) {
    if (oversized(req.op)) return drop_connection(conn, "packet larger than jute.maxbuffer");
    s.queue.push_back(Item{Item::Kind::kWrite, conn, req.xid, wire::PingOp{}, false});
    if (leads()) {
      submit_write(options_.server_id, session_id, req.xid, wire::to_request(req.op), c.auth);
    } else {
      send_leader(quorum::Forward{session_id, req.xid, std::move(req.op), c.auth});
    }
    return;
  }
  if (std::holds_alternative<wire::SyncOp>(req.op) && role_ != Role::kStandalone) {
    // Answered once every write the leader had proposed when the sync
    // reached it is applied here (ZooKeeper's sync is a write in disguise).
    s.queue.push_back(Item{Item::Kind::kSync, conn, req.xid, req.op, false});
    if (leads()) {
      sync_markers_.push_back(SyncMarker{last_proposed(), 0, session_id, req.xid});
      resolve_sync_markers();
    } else {
      send_leader(quorum::Forward{session_id, req.xid, std::move(req.op)});
    }
    return;
  }
  if (s.queue.empty()) {
    send(conn, answer_read(conn, req.xid, req.op, c.auth));
  } else {
    s.queue.push_back(Item{Item::Kind::kRead, conn, req.xid, std::move(req.op), false, c.auth});
  }
}

void Server::on_auth(io::ConnId conn, Connection& c, const wire::AuthOp& op) {
  const Status status = add_auth(c.auth, op.scheme, op.auth);
  env_.trace.event("zk.auth", {{"conn", conn}, {"scheme", op.scheme}, {"ok", status.ok()}});
  send(conn, wire::ReplyFrame{wire::kAuthXid, tree_.last_zxid(), status.code(), wire::EmptyReply{}});
  if (!status.ok()) drop_connection(conn, "auth failed");
}

bool Server::submit_write(int64_t origin, int64_t session_id, int32_t xid, const Request& request,
                          const AuthIds& auth) {
  ZSIM_ASSERT(leads());
  if (role_ == Role::kLeading && zab::counter_of(next_zxid_) > options_.zxid_counter_max) {
    // ZooKeeper's rollover: a new epoch starts the counter again. Not from
    // inside this handler: the caller still holds references into our maps.
    const uint64_t gen = generation_;
    env_.clock.schedule(Duration{0}, [this, gen] {
      if (gen == generation_) become_looking("zxid counter exhausted");
    });
    return false;
  }
  PrepareContext ctx;
  ctx.session_id = session_id;
  ctx.cxid = xid;
  ctx.zxid = next_zxid_++;
  ctx.time_ms = clock_ms(env_);
  ctx.auth = auth;
  if (std::holds_alternative<CreateSessionRequest>(request)) {
    // Named after the zxid of its createSession txn, under the asking
    // server's id: zxids never repeat, so neither do session ids (a reused
    // id would let a client of a dead session take over a new one).
    ZSIM_ASSERT(origin >= 0 && origin <= 255);
    ctx.session_id = (origin << 56) | (ctx.zxid & ((int64_t{1} << 56) - 1));
  } else if (session_id != 0) {
    // The session tracker's verdict: gone or closing sessions may only
    // close; a session attached elsewhere gets SessionMoved. Server-made
    // txns (origin -1: expiry, reaping) skip the ownership check.
    auto it = tracked_.find(session_id);
    const bool closing_itself = std::holds_alternative<CloseSessionRequest>(request);
    if (it == tracked_.end() || (it->second.closing && !closing_itself)) {
      ctx.session_check = Code::SessionExpired;
    } else if (origin >= 0 && it->second.owner >= 0 && it->second.owner != origin) {
      ctx.session_check = Code::SessionMoved;
    } else {
      if (origin >= 0) it->second.owner = origin;
      if (closing_itself) it->second.closing = true;
    }
  }
  Txn txn = prepare(tree_, pending_, request, ctx);
  if (role_ == Role::kLeading) {
    propose(std::move(txn));
    return true;
  }
  log_.append(txn);
  unapplied_.push_back(std::move(txn));
  const uint64_t gen = generation_;
  log_.sync([this, gen](bool ok) {
    if (gen != generation_) return;
    if (!ok) return fail_disk();
    on_standalone_synced();
  });
  if (planted(PlantedBug::kAckBeforeSync)) {
    env_.clock.schedule(Duration{0}, [this, gen] {
      if (gen == generation_) on_standalone_synced();
    });
  }
  return true;
}

void Server::fail_disk() {
  env_.trace.event("zk.sync_failed", {});
  const bool first = !down_;
  down_ = true;
  serving_ = false;
  ++generation_;
  drop_all_clients("disk failed");
  // Peers learn at once that this server is out, rather than by silence.
  for (const auto& [conn, l] : learners_) env_.net.close(conn);
  learners_.clear();
  if (leader_conn_ != 0) env_.net.close(leader_conn_);
  leader_conn_ = 0;
  if (first && options_.observer != nullptr) options_.observer->on_failed();
}

void Server::on_standalone_synced() {
  const int64_t durable =
      planted(PlantedBug::kAckBeforeSync) ? log_.last_appended_zxid() : log_.last_synced_zxid();
  while (!unapplied_.empty() && unapplied_.front().header.zxid <= durable) {
    Txn txn = std::move(unapplied_.front());
    unapplied_.pop_front();
    apply_txn(txn, true);
  }
  maybe_snapshot();
}

void Server::maybe_snapshot() {
  // Only a tree of committed txns is snapshotted: a snapshot is the floor
  // below which this server's log can never be truncated.
  if (!serving_ || !unreported_.empty()) return;
  if (txns_since_snapshot_ < options_.snapshot_every_txns || log_.snapshot_in_flight()) return;
  txns_since_snapshot_ = 0;
  log_.snapshot(tree_, [this](bool ok) { env_.trace.event("zk.snapshot", {{"ok", ok}}); });
}

void Server::apply_txn(const Txn& txn, bool committed) {
  const int64_t prev = tree_.last_zxid();
  ApplyResult result = apply(tree_, txn);
  pending_.forget_applied(txn.header.zxid);
  ++stats_.txns_applied;
  ++txns_since_snapshot_;
  env_.trace.event("zk.apply", {{"zxid", io::Hex{static_cast<uint64_t>(txn.header.zxid)}},
                                {"type", txn_kind(txn)},
                                {"session", io::Hex{static_cast<uint64_t>(txn.header.session_id)}},
                                {"err", code_name(result.code)}});
  if (committed) {
    report_commit(txn, prev);
  } else {
    unreported_.push_back(Unreported{txn, prev});
  }
  if (std::holds_alternative<MultiTxn>(txn.body)) env_.random.fault_site("server.multi-applied");
  if (std::holds_alternative<CloseSessionTxn>(txn.body)) env_.random.fault_site("server.session-closed");
  // Watchers hear of the change before anyone hears the reply.
  notify(result.events);
  const int64_t sid = txn.header.session_id;
  if (const auto* cs = std::get_if<CreateSessionTxn>(&txn.body)) {
    if (leads()) tracked_[sid] = TrackedSession{cs->timeout_ms, env_.clock.now() + millis(cs->timeout_ms), false, sid >> 56};
    auto pc = (sid >> 56) == options_.server_id ? pending_connects_.find(txn.header.cxid) : pending_connects_.end();
    if (pc != pending_connects_.end()) {
      const io::ConnId conn = pc->second;
      pending_connects_.erase(pc);
      if (conns_.count(conn) != 0) {
        LocalSession& s = sessions_[sid];
        s.timeout_ms = cs->timeout_ms;
        s.conn = conn;
        conns_[conn].session_id = sid;
        ++stats_.sessions_created;
        env_.trace.event("zk.session_create",
                         {{"session", io::Hex{static_cast<uint64_t>(sid)}}, {"timeout_ms", cs->timeout_ms}});
        send(conn, wire::ConnectResponse{cs->timeout_ms, sid});
      }
    }
    return;
  }
  const bool closed = std::holds_alternative<CloseSessionTxn>(txn.body) && result.code == Code::Ok;
  if (closed) tracked_.erase(sid);
  auto sit = sessions_.find(sid);
  if (sit == sessions_.end()) return;
  LocalSession& s = sit->second;
  if (!s.queue.empty() && s.queue.front().kind == Item::Kind::kWrite && s.queue.front().xid == txn.header.cxid &&
      txn.header.cxid != 0) {
    const Item item = std::move(s.queue.front());
    s.queue.pop_front();
    if (s.conn == item.conn) {
      send(item.conn, wire::ReplyFrame{item.xid, tree_.last_zxid(), result.code, reply_body(txn, result)});
    }
  }
  if (closed) {
    const io::ConnId conn = s.conn;
    sessions_.erase(sit);
    env_.trace.event("zk.session_closed", {{"session", io::Hex{static_cast<uint64_t>(sid)}}});
    if (conn != 0) drop_connection(conn, "session closed");
    return;
  }
  answer_ready(sid);
}

void Server::report_commit(const Txn& txn, int64_t prev_zxid) {
  if (options_.observer != nullptr) options_.observer->on_commit(txn, prev_zxid);
}

void Server::answer_ready(int64_t session_id) {
  auto sit = sessions_.find(session_id);
  if (sit == sessions_.end()) return;
  LocalSession& s = sit->second;
  while (!s.queue.empty()) {
    Item& front = s.queue.front();
    if (front.kind == Item::Kind::kWrite || (front.kind == Item::Kind::kSync && !front.ready)) break;
    Item item = std::move(front);
    s.queue.pop_front();
    if (item.conn == s.conn) send(item.conn, answer_read(item.conn, item.xid, item.op, item.auth));
  }
}

void Server::mark_sync_ready(int64_t session_id, int32_t cxid) {
  auto sit = sessions_.find(session_id);
  if (sit == sessions_.end()) return;
  for (Item& item : sit->second.queue) {
    if (item.kind == Item::Kind::kSync && item.xid == cxid && !item.ready) {
      item.ready = true;
      break;
    }
  }
  answer_ready(session_id);
}
wire::ReplyFrame Server::answer_read(io::ConnId conn, int32_t xid, const wire::Op& op, const AuthIds& auth) {
  ++stats_.reads_served;
  wire::ReplyFrame reply{xid, tree_.last_zxid(), Code::Ok, wire::EmptyReply{}};
  auto bad_path = [&](const std::string& path) {
    if (validate_path(path).ok()) return false;
    reply.err = Code::BadArguments;
    return true;
  };
  // ZooKeeper checks a read's permission after finding the node and before
  // setting its watch (a refused read sets none).
  auto refused = [&](const std::string& path, int32_t perm) {
    const Znode* node = tree_.find(path);
    if (node == nullptr || acl_allows(node->acl, perm, auth)) return false;
    reply.err = Code::NoAuth;
    return true;
  };
  if (const auto* g = std::get_if<wire::GetDataOp>(&op)) {
    if (bad_path(g->path)) return reply;
    Result<NodeData> r = tree_.get_data(g->path);
    if (!r.ok()) {
      reply.err = r.code();
      return reply;
    }
    if (refused(g->path, perms::kRead)) return reply;
    if (g->watch) watches_.add(conn, g->path, WatchKind::Data);
    reply.body = wire::DataReply{r.value().data, r.value().stat};
  } else if (const auto* e = std::get_if<wire::ExistsOp>(&op)) {
    if (bad_path(e->path)) return reply;
    const std::optional<Stat> st = tree_.stat(e->path);
    if (e->watch) watches_.add(conn, e->path, st ? WatchKind::Data : WatchKind::Exist);
    if (!st) {
      reply.err = Code::NoNode;
      return reply;
    }
    reply.body = wire::StatReply{*st};
  } else if (const auto* c = std::get_if<wire::GetChildrenOp>(&op)) {
    if (bad_path(c->path)) return reply;
    Result<ChildList> r = tree_.get_children(c->path);
    if (!r.ok()) {
      reply.err = r.code();
      return reply;
    }
    if (refused(c->path, perms::kRead)) return reply;
    if (c->watch) watches_.add(conn, c->path, WatchKind::Child);
    reply.body = wire::ChildrenReply{r.value().children, r.value().stat};
  } else if (const auto* ga = std::get_if<wire::GetAclOp>(&op)) {
    if (bad_path(ga->path)) return reply;
    const Znode* node = tree_.find(ga->path);
    if (node == nullptr) {
      reply.err = Code::NoNode;
      return reply;
    }
    // getACL needs READ or ADMIN (ZooKeeper 3.6+); without ADMIN the digest
    // hashes are hidden ("alice:x") so they cannot be brute-forced.
    if (refused(ga->path, perms::kRead | perms::kAdmin)) return reply;
    const bool admin = acl_allows(node->acl, perms::kAdmin, auth);
    reply.body = wire::AclReply{admin ? node->acl : redact_digests(node->acl), node->stat()};
  } else if (const auto* sy = std::get_if<wire::SyncOp>(&op)) {
    if (bad_path(sy->path)) return reply;
    // Standalone: every write before it is applied already (FIFO).
    reply.body = wire::SyncReply{sy->path};
  } else if (const auto* aw = std::get_if<wire::AddWatchOp>(&op)) {
    if (bad_path(aw->path)) return reply;
    watches_.add(conn, aw->path,
                 aw->mode == wire::AddWatchMode::kPersistent ? WatchKind::Persistent : WatchKind::PersistentRecursive);
  } else {
    reply.err = Code::Unimplemented;
  }
  return reply;
}

void Server::notify(const std::vector<WatchEvent>& events) {
  if (events.empty()) return;
  for (const WatchDelivery& d : watches_.trigger(events)) {
    send(static_cast<io::ConnId>(d.watcher), wire::Notification{d.event.type, d.event.path});
  }
}

}  // namespace zsim::core
