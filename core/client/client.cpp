#include "core/client/client.h"

#include "core/assert.h"

#include <algorithm>

namespace zsim::core {

const char* to_string(ClientState s) {
  switch (s) {
    case ClientState::kConnecting: return "CONNECTING";
    case ClientState::kConnected: return "CONNECTED";
    case ClientState::kExpired: return "EXPIRED";
    case ClientState::kClosed: return "CLOSED";
  }
  return "?";
}

const char* to_string(KeeperState s) {
  switch (s) {
    case KeeperState::kSyncConnected: return "SyncConnected";
    case KeeperState::kDisconnected: return "Disconnected";
    case KeeperState::kExpired: return "Expired";
    case KeeperState::kClosed: return "Closed";
  }
  return "?";
}

Client::Client(io::Env& env, ClientOptions options, Watcher watcher)
    : env_(env), options_(std::move(options)), watcher_(std::move(watcher)) {
  ZSIM_ASSERT_MSG(!options_.servers.empty(), "a client needs at least one server");
  ZSIM_ASSERT(options_.session_timeout.count() > 0);
  // Start at a random server so clients spread over the ensemble.
  server_index_ = env_.random.below(options_.servers.size());
  connect_next();
}

Client::~Client() {
  *alive_ = false;
  env_.clock.cancel(connect_timer_);
  env_.clock.cancel(ping_timer_);
  env_.clock.cancel(read_timer_);
  if (conn_ != 0) env_.net.close(conn_);
}

Code Client::final_state_code() const {
  return state_ == ClientState::kExpired ? Code::SessionExpired : Code::ConnectionLoss;
}

// --- connecting ------------------------------------------------------------------

void Client::connect_next() {
  if (state_ == ClientState::kExpired || state_ == ClientState::kClosed) return;
  const uint64_t attempt = ++attempt_;
  handshake_done_ = false;
  const io::HostId server = options_.servers[server_index_ % options_.servers.size()];
  ++server_index_;
  current_server_ = server;
  io::StreamHandlers handlers;
  handlers.on_message = [this, attempt](io::Bytes bytes) { on_message(attempt, bytes); };
  handlers.on_closed = [this, attempt](io::CloseReason why) { on_connection_lost(attempt, io::to_string(why)); };
  conn_ = env_.net.connect(server, options_.port, std::move(handlers),
                           [this, attempt](io::ConnId) { on_connected(attempt); });
  env_.trace.event("client.connecting", {{"server", server}, {"session", io::Hex{static_cast<uint64_t>(session_id_)}}});
  // ZooKeeper's connect timeout: the session timeout shared among servers.
  const Duration connect_timeout = options_.session_timeout / static_cast<int64_t>(options_.servers.size());
  env_.clock.cancel(connect_timer_);
  connect_timer_ = env_.clock.schedule(connect_timeout, [this, attempt] {
    if (attempt == attempt_ && !handshake_done_) on_connection_lost(attempt, "connect timeout");
  });
}

Status Client::update_server_list(std::vector<io::HostId> servers) {
  if (servers.empty()) return Status(Code::BadArguments, "update_server_list: the new server list is empty");
  if (state_ == ClientState::kExpired || state_ == ClientState::kClosed) return Status();
  env_.trace.event("client.server_list", {{"servers", static_cast<uint64_t>(servers.size())},
                                          {"session", io::Hex{static_cast<uint64_t>(session_id_)}}});
  options_.servers = std::move(servers);
  server_index_ = env_.random.below(options_.servers.size());
  const bool listed =
      std::find(options_.servers.begin(), options_.servers.end(), current_server_) != options_.servers.end();
  if (conn_ != 0 && !listed) on_connection_lost(attempt_, "server not in the new list");
  return Status();
}

void Client::on_connected(uint64_t attempt) {
  if (attempt != attempt_) return;
  last_heard_ = env_.clock.now();
  const auto timeout_ms = static_cast<int32_t>(options_.session_timeout.count() / 1'000'000);
  send_frame(wire::ConnectRequest{last_zxid_, timeout_ms, session_id_});
}

void Client::send_frame(const wire::ClientFrame& frame) {
  if (conn_ == 0) return;
  last_sent_ = env_.clock.now();
  env_.net.send(conn_, wire::encode(frame));
}

void Client::on_message(uint64_t attempt, const io::Bytes& bytes) {
  if (attempt != attempt_) return;
  last_heard_ = env_.clock.now();
  Result<wire::ServerFrame> frame = wire::decode_server_frame(bytes);
  if (!frame.ok()) return on_connection_lost(attempt, "malformed frame");
  if (const auto* resp = std::get_if<wire::ConnectResponse>(&frame.value())) return on_connect_response(*resp);
  if (!handshake_done_) return on_connection_lost(attempt, "frame before handshake");
  if (auto* reply = std::get_if<wire::ReplyFrame>(&frame.value())) return on_reply(std::move(*reply));
  on_notification(std::get<wire::Notification>(frame.value()));
}

void Client::on_connect_response(const wire::ConnectResponse& resp) {
  env_.clock.cancel(connect_timer_);
  connect_timer_ = 0;
  if (resp.session_id == 0) {
    env_.trace.event("client.expired", {{"session", io::Hex{static_cast<uint64_t>(session_id_)}}});
    close_connection();
    become(ClientState::kExpired, KeeperState::kExpired);
    fail_all(Code::SessionExpired, false);
    return;
  }
  session_id_ = resp.session_id;
  negotiated_timeout_ms_ = resp.timeout_ms;
  handshake_done_ = true;
  ever_connected_ = true;
  env_.trace.event("client.connected", {{"session", io::Hex{static_cast<uint64_t>(session_id_)}},
                                        {"timeout_ms", resp.timeout_ms}});
  become(ClientState::kConnected, KeeperState::kSyncConnected);
  // Auth first: the watches and requests that follow are checked with it.
  for (const wire::AuthOp& auth : auth_info_) send_frame(wire::RequestFrame{wire::kAuthXid, auth});
  const bool have_watches = !data_watches_.empty() || !exist_watches_.empty() || !child_watches_.empty() ||
                            !persistent_watches_.empty() || !recursive_watches_.empty();
  if (have_watches) {
    wire::SetWatchesOp sw;
    sw.relative_zxid = last_zxid_;
    sw.watches.data.assign(data_watches_.begin(), data_watches_.end());
    sw.watches.exist.assign(exist_watches_.begin(), exist_watches_.end());
    sw.watches.child.assign(child_watches_.begin(), child_watches_.end());
    sw.watches.persistent.assign(persistent_watches_.begin(), persistent_watches_.end());
    sw.watches.persistent_recursive.assign(recursive_watches_.begin(), recursive_watches_.end());
    send_frame(wire::RequestFrame{wire::kSetWatchesXid, std::move(sw)});
  }
  std::deque<Pending> waiting;
  waiting.swap(queued_);
  for (Pending& p : waiting) send_request(std::move(p));
  arm_timers();
}

void Client::close_connection() {
  env_.clock.cancel(ping_timer_);
  env_.clock.cancel(read_timer_);
  env_.clock.cancel(connect_timer_);
  ping_timer_ = read_timer_ = connect_timer_ = 0;
  if (conn_ != 0) env_.net.close(conn_);
  conn_ = 0;
  handshake_done_ = false;
  ++attempt_;  // whatever the old connection still says is stale
}

void Client::on_connection_lost(uint64_t attempt, const char* why) {
  if (attempt != attempt_) return;
  const bool was_connected = handshake_done_;
  env_.trace.event("client.disconnected", {{"why", why}, {"session", io::Hex{static_cast<uint64_t>(session_id_)}}});
  close_connection();
  // In flight: sent, maybe applied. Queued: never sent.
  fail_all(Code::ConnectionLoss, true);
  if (state_ == ClientState::kExpired || state_ == ClientState::kClosed) return;
  if (was_connected) become(ClientState::kConnecting, KeeperState::kDisconnected);
  // Straight on after losing a live connection; after a failed attempt,
  // wait a random while (up to a second, as ZooKeeper's client does) so a
  // down ensemble is not hammered.
  const Duration delay = was_connected ? millis(static_cast<int64_t>(env_.random.below(50)))
                                       : millis(static_cast<int64_t>(env_.random.below(1000)));
  std::weak_ptr<bool> alive = alive_;
  env_.clock.schedule(delay, [this, alive] {
    if (!alive.expired() && *alive.lock()) connect_next();
  });
}

void Client::become(ClientState s, KeeperState event) {
  if (state_ == s && !(s == ClientState::kConnected && event == KeeperState::kSyncConnected)) return;
  const ClientState before = state_;
  state_ = s;
  std::vector<io::Waker> waiters;
  waiters.swap(state_waiters_);
  for (const io::Waker& w : waiters) env_.fibers.wake(w);
  if (before == s) return;
  deliver(WatchedEvent{EventType::None, event, ""});
}

void Client::deliver(const WatchedEvent& event) {
  ++event_count_;
  std::vector<io::Waker> waiters;
  waiters.swap(event_waiters_);
  for (const io::Waker& w : waiters) env_.fibers.wake(w);
  if (watcher_) watcher_(event);
}

// --- timers ---------------------------------------------------------------------

void Client::arm_timers() {
  const Duration t = millis(negotiated_timeout_ms_);
  const uint64_t attempt = attempt_;
  env_.clock.cancel(ping_timer_);
  env_.clock.cancel(read_timer_);
  ping_timer_ = env_.clock.schedule(t / 3, [this, attempt] {
    if (attempt == attempt_) on_ping_timer();
  });
  read_timer_ = env_.clock.schedule(t * 2 / 3, [this, attempt] {
    if (attempt == attempt_) on_read_timer();
  });
}

void Client::on_ping_timer() {
  const Duration interval = millis(negotiated_timeout_ms_) / 3;
  const Time now = env_.clock.now();
  if (now - last_sent_ >= interval) send_frame(wire::RequestFrame{wire::kPingXid, wire::PingOp{}});
  const uint64_t attempt = attempt_;
  ping_timer_ = env_.clock.schedule(interval, [this, attempt] {
    if (attempt == attempt_) on_ping_timer();
  });
}

void Client::on_read_timer() {
  const Duration limit = millis(negotiated_timeout_ms_) * 2 / 3;
  const Time now = env_.clock.now();
  if (now - last_heard_ >= limit) return on_connection_lost(attempt_, "read timeout");
  const uint64_t attempt = attempt_;
  read_timer_ = env_.clock.schedule(last_heard_ + limit - now, [this, attempt] {
    if (attempt == attempt_) on_read_timer();
  });
}

// --- requests -------------------------------------------------------------------

void Client::submit(wire::Op op, ReplyFn done) {
  Pending p{0, std::move(op), std::move(done), 0};
  if (observer_ != nullptr) p.token = observer_->on_call(session_id_, p.op);
  if (state_ == ClientState::kExpired || state_ == ClientState::kClosed) {
    // Certainly not applied; answered from the loop, never inline.
    auto shared = std::make_shared<Pending>(std::move(p));
    const Code code = final_state_code();
    std::weak_ptr<bool> alive = alive_;
    env_.clock.schedule(Duration{0}, [this, alive, shared, code]() mutable {
      if (!alive.expired() && *alive.lock()) finish(*shared, code, wire::EmptyReply{}, last_zxid_, false);
    });
    return;
  }
  if (handshake_done_) return send_request(std::move(p));
  if (queued_.size() >= options_.queue_max) {
    auto shared = std::make_shared<Pending>(std::move(p));
    std::weak_ptr<bool> alive = alive_;
    env_.clock.schedule(Duration{0}, [this, alive, shared]() mutable {
      if (!alive.expired() && *alive.lock()) finish(*shared, Code::ConnectionLoss, wire::EmptyReply{}, last_zxid_, false);
    });
    return;
  }
  queued_.push_back(std::move(p));
}

void Client::send_request(Pending p) {
  p.xid = next_xid_++;
  send_frame(wire::RequestFrame{p.xid, p.op});
  in_flight_.push_back(std::move(p));
}

void Client::on_reply(wire::ReplyFrame reply) {
  if (reply.zxid > last_zxid_) last_zxid_ = reply.zxid;
  if (reply.xid == wire::kPingXid || reply.xid == wire::kSetWatchesXid) return;
  if (reply.xid == wire::kAuthXid) {
    // Only a scheme the server refuses fails, and it closes the connection.
    if (reply.err != Code::Ok) on_connection_lost(attempt_, "auth failed");
    return;
  }
  if (in_flight_.empty() || in_flight_.front().xid != reply.xid) {
    // Replies come in request order; anything else is a broken server.
    return on_connection_lost(attempt_, "reply out of order");
  }
  Pending p = std::move(in_flight_.front());
  in_flight_.pop_front();
  remember_watch(p.op, reply.err);
  if (std::holds_alternative<wire::CloseOp>(p.op) && reply.err == Code::Ok) {
    close_connection();
    become(ClientState::kClosed, KeeperState::kClosed);
  }
  finish(p, reply.err, std::move(reply.body), reply.zxid, false, true);
}

void Client::finish(Pending& p, Code err, wire::ReplyBody body, int64_t zxid, bool unknown, bool replied) {
  if (observer_ != nullptr) {
    OpOutcome out;
    out.replied = replied;
    out.xid = p.xid;
    out.kind = unknown ? OpOutcome::Kind::kUnknown : err == Code::Ok ? OpOutcome::Kind::kOk : OpOutcome::Kind::kFailed;
    out.err = err;
    out.zxid = zxid;
    out.body = &body;
    observer_->on_return(p.token, out);
  }
  ReplyFn done = std::move(p.done);
  if (done) done(err, std::move(body));
}

void Client::fail_all(Code code, bool in_flight_unknown) {
  std::deque<Pending> flight, queued;
  flight.swap(in_flight_);
  queued.swap(queued_);
  for (Pending& p : flight) finish(p, code, wire::EmptyReply{}, last_zxid_, in_flight_unknown);
  for (Pending& p : queued) finish(p, code, wire::EmptyReply{}, last_zxid_, false);
}

void Client::remember_watch(const wire::Op& op, Code err) {
  if (const auto* g = std::get_if<wire::GetDataOp>(&op)) {
    if (g->watch && err == Code::Ok) data_watches_.insert(g->path);
  } else if (const auto* e = std::get_if<wire::ExistsOp>(&op)) {
    if (e->watch && err == Code::Ok) data_watches_.insert(e->path);
    if (e->watch && err == Code::NoNode) exist_watches_.insert(e->path);
  } else if (const auto* c = std::get_if<wire::GetChildrenOp>(&op)) {
    if (c->watch && err == Code::Ok) child_watches_.insert(c->path);
  } else if (const auto* a = std::get_if<wire::AddWatchOp>(&op)) {
    if (err != Code::Ok) return;
    if (a->mode == wire::AddWatchMode::kPersistent) {
      persistent_watches_.insert(a->path);
    } else {
      recursive_watches_.insert(a->path);
    }
  }
}

void Client::on_notification(const wire::Notification& n) {
  // Standard watches fire once: forget them so a reconnect does not set
  // them again. Persistent ones stay.
  switch (n.type) {
    case EventType::NodeCreated:
    case EventType::NodeDataChanged:
      data_watches_.erase(n.path);
      exist_watches_.erase(n.path);
      break;
    case EventType::NodeDeleted:
      data_watches_.erase(n.path);
      exist_watches_.erase(n.path);
      child_watches_.erase(n.path);
      break;
    case EventType::NodeChildrenChanged: child_watches_.erase(n.path); break;
    default: break;
  }
  env_.trace.event("client.watch_event", {{"type", event_type_name(n.type)}, {"path", n.path}});
  deliver(WatchedEvent{n.type, KeeperState::kSyncConnected, n.path});
}

// --- blocking API ----------------------------------------------------------------

std::pair<Code, wire::ReplyBody> Client::call(wire::Op op) {
  ZSIM_ASSERT_MSG(env_.fibers.in_fiber(), "blocking client calls must run on a fiber");
  io::Promise<std::pair<Code, wire::ReplyBody>> promise(env_.fibers);
  io::Future<std::pair<Code, wire::ReplyBody>> reply = promise.future();
  submit(std::move(op), [promise](Code code, wire::ReplyBody body) mutable {
    promise.set({code, std::move(body)});
  });
  return std::move(reply.get());
}

namespace {
Status status_of(Code code, const std::string& path) {
  return code == Code::Ok ? Status() : Status(code, path);
}
}  // namespace

Result<wire::CreateReply> Client::create2(const std::string& path, std::string data, CreateMode mode,
                                          int64_t ttl_ms, AclList acl) {
  auto [code, body] =
      call(CreateRequest{path, std::move(data), static_cast<int32_t>(mode), ttl_ms, std::move(acl)});
  if (code != Code::Ok) return Status(code, path);
  return std::get<wire::CreateReply>(std::move(body));
}

Result<std::string> Client::create(const std::string& path, std::string data, CreateMode mode, int64_t ttl_ms,
                                   AclList acl) {
  Result<wire::CreateReply> r = create2(path, std::move(data), mode, ttl_ms, std::move(acl));
  if (!r.ok()) return r.status();
  return r.value().path;
}

Status Client::remove(const std::string& path, int32_t version) {
  return status_of(call(DeleteRequest{path, version}).first, path);
}

Result<Stat> Client::set_data(const std::string& path, std::string data, int32_t version) {
  auto [code, body] = call(SetDataRequest{path, std::move(data), version});
  if (code != Code::Ok) return Status(code, path);
  return std::get<wire::StatReply>(body).stat;
}

Result<wire::DataReply> Client::get_data(const std::string& path, bool watch) {
  auto [code, body] = call(wire::GetDataOp{path, watch});
  if (code != Code::Ok) return Status(code, path);
  return std::get<wire::DataReply>(std::move(body));
}

Result<std::optional<Stat>> Client::exists(const std::string& path, bool watch) {
  auto [code, body] = call(wire::ExistsOp{path, watch});
  if (code == Code::NoNode) return std::optional<Stat>{};
  if (code != Code::Ok) return Status(code, path);
  return std::optional<Stat>{std::get<wire::StatReply>(body).stat};
}

Result<wire::ChildrenReply> Client::get_children2(const std::string& path, bool watch) {
  auto [code, body] = call(wire::GetChildrenOp{path, watch, true});
  if (code != Code::Ok) return Status(code, path);
  return std::get<wire::ChildrenReply>(std::move(body));
}

Result<std::vector<std::string>> Client::get_children(const std::string& path, bool watch) {
  auto [code, body] = call(wire::GetChildrenOp{path, watch, false});
  if (code != Code::Ok) return Status(code, path);
  return std::get<wire::ChildrenReply>(std::move(body)).children;
}

Status Client::sync(const std::string& path) { return status_of(call(wire::SyncOp{path}).first, path); }

Result<std::vector<OpResult>> Client::multi(MultiRequest request) {
  auto [code, body] = call(std::move(request));
  if (code != Code::Ok) return Status(code, "multi");
  return std::get<wire::MultiReply>(std::move(body)).results;
}

Status Client::add_watch(const std::string& path, wire::AddWatchMode mode) {
  return status_of(call(wire::AddWatchOp{path, mode}).first, path);
}

Result<wire::AclReply> Client::get_acl(const std::string& path) {
  auto [code, body] = call(wire::GetAclOp{path});
  if (code != Code::Ok) return Status(code, path);
  return std::get<wire::AclReply>(std::move(body));
}

Result<Stat> Client::set_acl(const std::string& path, AclList acl, int32_t version) {
  auto [code, body] = call(SetAclRequest{path, std::move(acl), version});
  if (code != Code::Ok) return Status(code, path);
  return std::get<wire::StatReply>(body).stat;
}

Status Client::add_auth(const std::string& scheme, const std::string& auth) {
  AuthIds check;
  if (Status s = core::add_auth(check, scheme, auth); !s.ok()) return s;
  wire::AuthOp op{scheme, auth};
  if (std::find(auth_info_.begin(), auth_info_.end(), op) != auth_info_.end()) return Status();
  auth_info_.push_back(op);
  env_.trace.event("client.addauth", {{"scheme", scheme}, {"session", io::Hex{static_cast<uint64_t>(session_id_)}}});
  if (handshake_done_) send_frame(wire::RequestFrame{wire::kAuthXid, std::move(op)});
  return Status();
}

bool Client::wait_connected(Duration timeout) {
  const Time deadline = env_.clock.now() + timeout;
  while (state_ == ClientState::kConnecting) {
    const Time now = env_.clock.now();
    if (now >= deadline) return false;
    state_waiters_.push_back(env_.fibers.waker());
    (void)env_.fibers.park(deadline - now);
  }
  return state_ == ClientState::kConnected;
}

bool Client::wait_event(uint64_t seen, Duration timeout) {
  ZSIM_ASSERT_MSG(env_.fibers.in_fiber(), "wait_event must run on a fiber");
  const Time deadline = env_.clock.now() + timeout;
  while (event_count_ <= seen) {
    const Time now = env_.clock.now();
    if (now >= deadline) return false;
    // Drop tickets of fibers that gave up waiting, so a handle polled with
    // timeouts again and again keeps a small list.
    std::erase_if(event_waiters_, [&](const io::Waker& w) { return !env_.fibers.is_current(w); });
    event_waiters_.push_back(env_.fibers.waker());
    (void)env_.fibers.park(deadline - now);
  }
  return true;
}

void Client::close() {
  if (state_ == ClientState::kExpired || state_ == ClientState::kClosed) return;
  if (handshake_done_ && env_.fibers.in_fiber()) {
    io::Promise<Code> promise(env_.fibers);
    io::Future<Code> reply = promise.future();
    submit(wire::CloseOp{}, [promise](Code code, wire::ReplyBody) mutable { promise.set(code); });
    (void)reply.wait_for(options_.session_timeout);
  }
  close_connection();
  fail_all(Code::ConnectionLoss, true);
  become(ClientState::kClosed, KeeperState::kClosed);
}

}  // namespace zsim::core
