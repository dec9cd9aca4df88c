#include "core/server/server.h"

#include "core/assert.h"
#include "core/limits.h"
#include "core/tree/path.h"
#include "core/txn/apply.h"

#include <algorithm>

namespace zsim::core {
namespace {

int64_t now_ms(io::Env& env) { return to_ns(env.clock.now()) / 1'000'000; }

// The request a write op becomes (reads never get here).
Request to_request(const wire::Op& op) {
  return std::visit(
      [](const auto& o) -> Request {
        using T = std::decay_t<decltype(o)>;
        if constexpr (std::is_same_v<T, CreateRequest> || std::is_same_v<T, DeleteRequest> ||
                      std::is_same_v<T, SetDataRequest> || std::is_same_v<T, CheckRequest> ||
                      std::is_same_v<T, MultiRequest>) {
          return o;
        } else if constexpr (std::is_same_v<T, wire::CloseOp>) {
          return CloseSessionRequest{};
        } else {
          ZSIM_ASSERT_MSG(false, "not a write op");
          return CloseSessionRequest{};
        }
      },
      op);
}

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
  if (std::holds_alternative<SetDataTxn>(txn.body)) return wire::StatReply{op.stat.value_or(Stat{})};
  return wire::EmptyReply{};
}

const char* txn_kind(const Txn& t) {
  static constexpr const char* kNames[] = {"error", "create", "delete", "setData",
                                           "check", "multi",  "createSession", "closeSession"};
  return kNames[t.body.index()];
}

}  // namespace

Server::Server(io::Env& env, ServerOptions options)
    : env_(env), options_(options), log_(env.disk) {
  Result<DataTree> recovered = log_.recover();
  if (!recovered.ok()) {
    env_.trace.event("zk.recovery_failed", {{"error", recovered.status().to_string()}});
    return;
  }
  tree_ = std::move(recovered).value();
  next_zxid_ = tree_.last_zxid() + 1;
  const Time now = env_.clock.now();
  // Sessions survive in the tree; each gets a whole timeout from now, as
  // ZooKeeper's session tracker does after a restart.
  for (const auto& [id, timeout_ms] : tree_.sessions()) {
    Session& s = sessions_[id];
    s.timeout_ms = timeout_ms;
    s.created = true;
    s.expires_at = now + millis(timeout_ms);
    if ((id >> 56) == options_.server_id) last_session_id_ = std::max(last_session_id_, id);
  }
  env_.trace.event("zk.recovered", {{"zxid", io::Hex{static_cast<uint64_t>(tree_.last_zxid())}},
                                    {"nodes", uint64_t{tree_.node_count()}},
                                    {"sessions", uint64_t{sessions_.size()}},
                                    {"replayed", log_.recovery_info().txns_replayed},
                                    {"cut", log_.recovery_info().cut_reason}});
  // Make what recovery decided (a cut log tail) durable before serving:
  // nothing may be acknowledged on top of a log that could still change.
  log_.sync([this](bool ok) {
    if (!ok) {
      env_.trace.event("zk.sync_failed", {});
      return;
    }
    start_serving();
  });
}

void Server::start_serving() {
  serving_ = true;
  env_.trace.event("zk.serving", {{"port", uint32_t{options_.client_port}}});
  env_.net.listen(options_.client_port, [this](io::ConnId conn, io::HostId) { return on_accept(conn); });
  env_.clock.schedule(options_.tick, [this] { on_tick(); });
  env_.clock.schedule(options_.reap_interval, [this] { on_reap(); });
}

Server::~Server() = default;

int32_t Server::min_session_timeout_ms() const {
  return static_cast<int32_t>(2 * options_.tick.count() / 1'000'000);
}
int32_t Server::max_session_timeout_ms() const {
  return static_cast<int32_t>(20 * options_.tick.count() / 1'000'000);
}

// --- connections ---------------------------------------------------------------

io::StreamHandlers Server::on_accept(io::ConnId conn) {
  io::StreamHandlers h;
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

int64_t Server::next_session_id() {
  // Named after the zxid its createSession txn will get: zxids never repeat,
  // so neither do session ids, across restarts too (a reused id would let a
  // client of a dead session take over a new one).
  const int64_t id = (static_cast<int64_t>(options_.server_id) << 56) | (next_zxid_ & ((int64_t{1} << 56) - 1));
  ZSIM_ASSERT(id > last_session_id_);
  last_session_id_ = id;
  return id;
}

void Server::touch(Session& s) {
  s.expires_at = env_.clock.now() + millis(s.timeout_ms);
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
  const int64_t sid = next_session_id();
  Session& s = sessions_[sid];
  s.timeout_ms = timeout_ms;
  s.conn = conn;
  touch(s);
  conns_[conn].session_id = sid;
  ++stats_.sessions_created;
  env_.trace.event("zk.session_create", {{"session", io::Hex{static_cast<uint64_t>(sid)}}, {"timeout_ms", timeout_ms}});
  submit_write(sid, conn, 0, CreateSessionRequest{timeout_ms});
}

void Server::attach(io::ConnId conn, int64_t session_id) {
  auto it = sessions_.find(session_id);
  if (it == sessions_.end() || it->second.closing || !it->second.created) {
    // Gone (or going): the client learns its session expired.
    send(conn, wire::ConnectResponse{0, 0});
    return drop_connection(conn, "session expired");
  }
  Session& s = it->second;
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
  // Reads queued for the old connection have no one to answer to.
  std::erase_if(s.queue, [&](const Item& item) { return item.kind == Item::Kind::kRead; });
  touch(s);
  send(conn, wire::ConnectResponse{s.timeout_ms, session_id});
}

void Server::on_tick() {
  env_.clock.schedule(options_.tick, [this] { on_tick(); });
  const Time now = env_.clock.now();
  std::vector<int64_t> expired;
  for (auto& [sid, s] : sessions_) {
    if (s.created && !s.closing && s.expires_at <= now) expired.push_back(sid);
  }
  for (int64_t sid : expired) {
    sessions_.at(sid).closing = true;
    ++stats_.sessions_expired;
    env_.trace.event("zk.session_expire", {{"session", io::Hex{static_cast<uint64_t>(sid)}}});
    submit_write(sid, 0, 0, CloseSessionRequest{});
  }
}

void Server::on_reap() {
  env_.clock.schedule(options_.reap_interval, [this] { on_reap(); });
  for (const std::string& path : tree_.reap_candidates(now_ms(env_))) {
    submit_write(0, 0, 0, DeleteContainerRequest{path});
  }
}

// --- the pipeline -------------------------------------------------------------------

void Server::on_request(io::ConnId conn, Connection& c, wire::RequestFrame req) {
  auto sit = sessions_.find(c.session_id);
  if (sit == sessions_.end()) return drop_connection(conn, "session gone");
  Session& s = sit->second;
  auto reply_now = [&](Code err, wire::ReplyBody body) {
    send(conn, wire::ReplyFrame{req.xid, tree_.last_zxid(), err, std::move(body)});
  };
  if (s.conn != conn) return reply_now(Code::SessionMoved, wire::EmptyReply{});
  if (s.closing) return reply_now(Code::SessionExpired, wire::EmptyReply{});
  touch(s);
  if (std::holds_alternative<wire::PingOp>(req.op)) {
    return send(conn, wire::ReplyFrame{wire::kPingXid, tree_.last_zxid(), Code::Ok, wire::EmptyReply{}});
  }
  if (auto* sw = std::get_if<wire::SetWatchesOp>(&req.op)) {
    std::vector<WatchDelivery> fired = watches_.reregister(tree_, sw->relative_zxid, conn, sw->watches);
    for (const WatchDelivery& d : fired) send(conn, wire::Notification{d.event.type, d.event.path});
    return send(conn, wire::ReplyFrame{wire::kSetWatchesXid, tree_.last_zxid(), Code::Ok, wire::EmptyReply{}});
  }
  if (s.queue.size() >= options_.session_queue_max) return drop_connection(conn, "too many requests in flight");
  if (wire::is_write(req.op)) {
    if (oversized(req.op)) return drop_connection(conn, "packet larger than jute.maxbuffer");
    if (std::holds_alternative<wire::CloseOp>(req.op)) s.closing = true;
    return submit_write(c.session_id, conn, req.xid, to_request(req.op));
  }
  if (s.queue.empty()) {
    send(conn, answer_read(conn, req.xid, req.op));
  } else {
    s.queue.push_back(Item{Item::Kind::kRead, conn, req.xid, 0, std::move(req.op)});
  }
}

void Server::submit_write(int64_t session_id, io::ConnId conn, int32_t xid, const Request& request) {
  PrepareContext ctx;
  ctx.session_id = session_id;
  ctx.cxid = xid;
  ctx.zxid = next_zxid_++;
  ctx.time_ms = now_ms(env_);
  // A closing session's own close (client close or expiry) goes through;
  // anything else it sends fails with SessionExpired.
  auto sit = sessions_.find(session_id);
  const bool closing_itself = std::holds_alternative<CloseSessionRequest>(request);
  ctx.session_check = sit != sessions_.end() && sit->second.closing && !closing_itself ? Code::SessionExpired : Code::Ok;
  Txn txn = prepare(tree_, pending_, request, ctx);
  log_.append(txn);
  unapplied_.push_back(std::move(txn));
  if (sit != sessions_.end() && (conn != 0 || std::holds_alternative<CreateSessionRequest>(request))) {
    sit->second.queue.push_back(Item{Item::Kind::kWrite, conn, xid, ctx.zxid, wire::PingOp{}});
  }
  log_.sync([this](bool ok) {
    if (!ok) {
      env_.trace.event("zk.sync_failed", {});
      serving_ = false;
      return;
    }
    on_synced();
  });
  if (options_.unsafe_ack_before_sync) env_.clock.schedule(Duration{0}, [this] { on_synced(); });
}

void Server::on_synced() {
  const int64_t durable =
      options_.unsafe_ack_before_sync ? log_.last_appended_zxid() : log_.last_synced_zxid();
  while (!unapplied_.empty() && unapplied_.front().header.zxid <= durable) {
    Txn txn = std::move(unapplied_.front());
    unapplied_.pop_front();
    apply_next(txn);
  }
  if (txns_since_snapshot_ >= options_.snapshot_every_txns && !snapshot_in_flight_ && unapplied_.empty()) {
    snapshot_in_flight_ = true;
    txns_since_snapshot_ = 0;
    log_.snapshot(tree_, [this](bool ok) {
      snapshot_in_flight_ = false;
      env_.trace.event("zk.snapshot", {{"ok", ok}});
    });
  }
}

void Server::apply_next(const Txn& txn) {
  ApplyResult result = apply(tree_, txn);
  pending_.forget_applied(txn.header.zxid);
  ++stats_.txns_applied;
  ++txns_since_snapshot_;
  env_.trace.event("zk.apply", {{"zxid", io::Hex{static_cast<uint64_t>(txn.header.zxid)}},
                                {"type", txn_kind(txn)},
                                {"session", io::Hex{static_cast<uint64_t>(txn.header.session_id)}},
                                {"err", code_name(result.code)}});
  // Watchers hear of the change before anyone hears the reply.
  notify(result.events);
  const int64_t sid = txn.header.session_id;
  auto sit = sessions_.find(sid);
  if (sit == sessions_.end()) return;
  Session& s = sit->second;
  if (!s.queue.empty() && s.queue.front().kind == Item::Kind::kWrite && s.queue.front().zxid == txn.header.zxid) {
    const Item item = std::move(s.queue.front());
    s.queue.pop_front();
    if (std::holds_alternative<CreateSessionTxn>(txn.body)) {
      s.created = true;
      if (s.conn == item.conn) send(item.conn, wire::ConnectResponse{s.timeout_ms, sid});
    } else if (item.conn != 0 && s.conn == item.conn) {
      send(item.conn, wire::ReplyFrame{item.xid, tree_.last_zxid(), result.code, reply_body(txn, result)});
    }
  }
  if (std::holds_alternative<CloseSessionTxn>(txn.body)) {
    const io::ConnId conn = s.conn;
    sessions_.erase(sit);
    env_.trace.event("zk.session_closed", {{"session", io::Hex{static_cast<uint64_t>(sid)}}});
    if (conn != 0) drop_connection(conn, "session closed");
    return;
  }
  answer_ready_reads(sid);
}

void Server::answer_ready_reads(int64_t session_id) {
  auto sit = sessions_.find(session_id);
  if (sit == sessions_.end()) return;
  Session& s = sit->second;
  while (!s.queue.empty() && s.queue.front().kind == Item::Kind::kRead) {
    Item item = std::move(s.queue.front());
    s.queue.pop_front();
    if (item.conn == s.conn) send(item.conn, answer_read(item.conn, item.xid, item.op));
  }
}

wire::ReplyFrame Server::answer_read(io::ConnId conn, int32_t xid, const wire::Op& op) {
  ++stats_.reads_served;
  wire::ReplyFrame reply{xid, tree_.last_zxid(), Code::Ok, wire::EmptyReply{}};
  auto bad_path = [&](const std::string& path) {
    if (validate_path(path).ok()) return false;
    reply.err = Code::BadArguments;
    return true;
  };
  if (const auto* g = std::get_if<wire::GetDataOp>(&op)) {
    if (bad_path(g->path)) return reply;
    Result<NodeData> r = tree_.get_data(g->path);
    if (!r.ok()) {
      reply.err = r.code();
      return reply;
    }
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
    if (c->watch) watches_.add(conn, c->path, WatchKind::Child);
    reply.body = wire::ChildrenReply{r.value().children, r.value().stat};
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
