#include "core/io/int128.h"
#include "sim/network.h"

#include "core/assert.h"

#include <algorithm>

namespace zsim::sim {

struct Network::Conn {
  enum class State : std::uint8_t { kConnecting, kOpen, kBroken };

  std::uint64_t id = 0;
  HostId host[2] = {0, 0};
  EventTag tag[2];
  Port port = 0;
  io::StreamHandlers handlers[2];
  io::Transport::ConnectedFn on_connected;
  State state = State::kConnecting;
  // An end is closed once it can hear nothing more: it called close(), was
  // told of the close/break, or its host died. The server end starts closed
  // and opens at accept.
  bool closed[2] = {false, true};
  // Per direction (indexed by the sending side): when the last message
  // arrives, so later ones never overtake it (FIFO).
  std::int64_t last_arrival[2] = {0, 0};
};

Network::Network(EventLoop& loop, Trace& trace, Rng rng, HostDirectory& hosts, NetworkOptions options)
    : loop_(loop), trace_(trace), rng_(rng), hosts_(hosts), options_(options) {}

Network::~Network() = default;

void Network::ensure_sized() {
  const std::size_t n = hosts_.host_count();
  if (n == sized_for_) return;
  std::vector<std::uint8_t> blocked(n * n, 0);
  std::vector<std::int64_t> busy(n * n, 0);
  for (std::size_t a = 0; a < sized_for_; ++a) {
    for (std::size_t b = 0; b < sized_for_; ++b) {
      blocked[a * n + b] = blocked_[a * sized_for_ + b];
      busy[a * n + b] = link_busy_until_[a * sized_for_ + b];
    }
  }
  blocked_.swap(blocked);
  link_busy_until_.swap(busy);
  egress_busy_until_.resize(n, 0);
  sized_for_ = n;
}

Network::Conn* Network::find(ConnId end) {
  auto it = conns_.find(conn_of(end));
  return it == conns_.end() ? nullptr : &it->second;
}

void Network::set_link_latency(HostId from, HostId to, LatencyModel model) {
  link_latency_[{from, to}] = model;
}

Duration Network::sample_latency(HostId from, HostId to) {
  auto it = link_latency_.find({from, to});
  const LatencyModel& m = it == link_latency_.end() ? options_.latency : it->second;
  switch (m.kind) {
    case LatencyModel::Kind::kConstant: return m.min;
    case LatencyModel::Kind::kUniform:
      return Duration{rng_.between(m.min.count(), std::max(m.min, m.max).count())};
    case LatencyModel::Kind::kExponential: {
      const std::int64_t tail = rng_.exponential(m.mean.count());
      return std::min(m.min + Duration{tail}, std::max(m.min, m.max));
    }
  }
  return m.min;
}

namespace {

// Reserves a sender (a link or a host's interface) that is busy until
// `busy_until` for `bytes` at `per_ms` bytes per millisecond, from `ready`
// on: returns when the last byte has left, or nullopt if more than
// `queue_max` bytes would be waiting. Integer arithmetic only.
std::optional<std::int64_t> reserve(std::int64_t& busy_until, std::int64_t ready, std::uint64_t per_ms_rate,
                                    std::uint64_t bytes, std::uint64_t queue_max) {
  const std::int64_t start = std::max(ready, busy_until);
  const auto per_ms = static_cast<uint128>(per_ms_rate);
  const auto queued_bytes = static_cast<std::uint64_t>(static_cast<uint128>(start - ready) * per_ms / 1'000'000);
  if (queued_bytes + bytes > queue_max) return std::nullopt;
  const auto tx_ns = static_cast<std::int64_t>((static_cast<uint128>(bytes) * 1'000'000 + per_ms - 1) / per_ms);
  busy_until = start + tx_ns;
  return busy_until;
}

}  // namespace

std::optional<Time> Network::transmit(HostId from, HostId to, std::uint64_t bytes) {
  const Duration latency = sample_latency(from, to);
  if (options_.link_bytes_per_ms == 0 && options_.host_egress_bytes_per_ms == 0) return loop_.now() + latency;
  // The host's interface first (shared by its links), then the link.
  std::int64_t sent = to_ns(loop_.now());
  if (options_.host_egress_bytes_per_ms != 0) {
    const auto out = reserve(egress_busy_until_[from], sent, options_.host_egress_bytes_per_ms, bytes,
                             options_.link_queue_bytes_max);
    if (!out) return std::nullopt;
    sent = *out;
  }
  if (options_.link_bytes_per_ms != 0) {
    const auto out = reserve(link_busy_until_[edge(from, to)], sent, options_.link_bytes_per_ms, bytes,
                             options_.link_queue_bytes_max);
    if (!out) return std::nullopt;
    sent = *out;
  }
  return time_from_ns(sent) + latency;
}

void Network::trace_drop(HostId from, HostId to, std::uint64_t bytes, const char* reason, std::uint64_t msg) {
  ++stats_.messages_dropped;
  trace_.event(loop_.now(), hosts_.name_of(from), "net.drop",
               {{"to", hosts_.name_of(to)}, {"bytes", bytes}, {"reason", reason}}, {{"msg", msg}});
}

std::pair<std::uint64_t, Network::MessageLabel> Network::observe_message(io::Port port, bool to_listener,
                                                                         std::string_view bytes) {
  if (!trace_.has_observer()) return {0, {}};
  MessageLabel label = labeler_ ? labeler_(port, to_listener, bytes) : MessageLabel{};
  if (label.kind.empty()) label.kind = "data";
  return {next_msg_++, std::move(label)};
}

// --- Streams ---------------------------------------------------------------

void Network::listen(HostId self, Port port, io::Transport::AcceptFn on_accept) {
  const bool inserted = listeners_.emplace(std::pair{self, port}, std::move(on_accept)).second;
  ZSIM_ASSERT_MSG(inserted, "port already listening");
  trace_.event(loop_.now(), hosts_.name_of(self), "net.listen", {{"port", std::uint32_t{port}}});
}

ConnId Network::connect(HostId self, HostId to, Port port, io::StreamHandlers handlers,
                        io::Transport::ConnectedFn on_connected) {
  ensure_sized();
  ZSIM_ASSERT(to < hosts_.host_count());
  const std::uint64_t id = next_conn_++;
  Conn& c = conns_[id];
  c.id = id;
  c.host[0] = self;
  c.host[1] = to;
  c.tag[0] = hosts_.tag_of(self);
  c.port = port;
  c.handlers[0] = std::move(handlers);
  c.on_connected = std::move(on_connected);
  trace_.event(loop_.now(), hosts_.name_of(self), "net.connect",
               {{"conn", end_id(id, 0)}, {"to", hosts_.name_of(to)}, {"port", std::uint32_t{port}}});
  if (is_blocked(self, to)) {
    c.state = Conn::State::kBroken;  // the SYN is lost; nobody answers
    notify_closed(id, 0, io::CloseReason::kTimedOut, options_.connect_timeout);
  } else if (!hosts_.is_up(to)) {
    c.state = Conn::State::kBroken;  // an RST comes back from the host's stack
    notify_closed(id, 0, io::CloseReason::kRefused, 2 * sample_latency(self, to));
  } else {
    loop_.schedule_after(sample_latency(self, to), [this, id] { on_syn(id); }, hosts_.tag_of(to));
  }
  return end_id(id, 0);
}

void Network::on_syn(std::uint64_t id) {
  auto it = conns_.find(id);
  if (it == conns_.end() || it->second.state != Conn::State::kConnecting) return;
  Conn& c = it->second;
  const HostId client = c.host[0];
  const HostId server = c.host[1];
  if (is_blocked(server, client) || is_blocked(client, server)) {
    c.state = Conn::State::kBroken;
    notify_closed(id, 0, io::CloseReason::kTimedOut, options_.connect_timeout);
    return;
  }
  auto listener = listeners_.find({server, c.port});
  if (listener == listeners_.end()) {
    c.state = Conn::State::kBroken;
    notify_closed(id, 0, io::CloseReason::kRefused, sample_latency(server, client));
    return;
  }
  c.state = Conn::State::kOpen;
  c.closed[1] = false;
  c.tag[1] = hosts_.tag_of(server);
  ++stats_.connections_opened;
  trace_.event(loop_.now(), hosts_.name_of(server), "net.accept",
               {{"conn", end_id(id, 1)}, {"from", hosts_.name_of(client)}, {"port", std::uint32_t{c.port}}});
  // The client hears "connected" one latency later; nothing the server sends
  // may arrive before that.
  const Time connected_at = loop_.now() + sample_latency(server, client);
  c.last_arrival[1] = to_ns(connected_at);
  loop_.schedule_at(
      connected_at,
      [this, id] {
        Conn* cc = find(end_id(id, 0));
        if (cc == nullptr || cc->state != Conn::State::kOpen || cc->closed[0]) return;
        auto fn = std::move(cc->on_connected);
        trace_.event(loop_.now(), hosts_.name_of(cc->host[0]), "net.connected", {{"conn", end_id(id, 0)}});
        if (fn) fn(end_id(id, 0));
      },
      c.tag[0]);
  // Last: the accept callback may send or close, which may touch conns_.
  c.handlers[1] = listener->second(end_id(id, 1), client);
}

bool Network::send(HostId self, ConnId end, Bytes bytes) {
  Conn* c = find(end);
  const int side = side_of(end);
  if (c == nullptr || c->closed[side]) return false;
  ZSIM_ASSERT(c->host[side] == self);
  if (c->state == Conn::State::kConnecting) return false;  // not connected yet
  const int dst = 1 - side;
  const HostId from = c->host[side];
  const HostId to = c->host[dst];
  const std::uint64_t size = bytes.size();
  ++stats_.messages_sent;
  stats_.bytes_sent += size;
  count_bytes(from, to, size);
  // Plain variables, not a structured binding: the lambdas below capture
  // them, which clang before 16 (the fuzz build's) refuses for bindings.
  const auto observed = observe_message(c->port, side == 0, bytes);
  const std::uint64_t msg = observed.first;
  const MessageLabel& label = observed.second;
  // A message dropped at once: its drop is its only event, so it carries the label.
  auto drop_now = [&](const char* reason) {
    ++stats_.messages_dropped;
    trace_.event(loop_.now(), hosts_.name_of(from), "net.drop",
                 {{"to", hosts_.name_of(to)}, {"bytes", size}, {"reason", reason}},
                 {{"msg", msg}, {"kind", label.kind}, {"detail", label.detail}});
  };
  if (c->state == Conn::State::kBroken) {
    drop_now("broken");
    return true;
  }
  if (is_blocked(from, to)) {
    break_conn(*c, "partition");
    drop_now("partition");
    return true;
  }
  if (rng_.chance(options_.stream_reset.num, options_.stream_reset.den)) {
    break_conn(*c, "reset");
    drop_now("reset");
    return true;
  }
  const std::optional<Time> arrival = transmit(from, to, size);
  if (!arrival) {
    break_conn(*c, "overflow");
    drop_now("overflow");
    return true;
  }
  const std::int64_t at = std::max(to_ns(*arrival), c->last_arrival[side]);
  c->last_arrival[side] = at;
  trace_.event(loop_.now(), hosts_.name_of(from), "net.send",
               {{"conn", end}, {"to", hosts_.name_of(to)}, {"bytes", size}},
               {{"msg", msg}, {"kind", label.kind}, {"detail", label.detail}});
  const std::uint64_t id = c->id;
  loop_.schedule_at(
      time_from_ns(at),
      [this, id, dst, msg, payload = std::move(bytes)]() mutable {
        Conn* cc = find(end_id(id, dst));
        if (cc == nullptr || cc->state != Conn::State::kOpen || cc->closed[dst]) {
          const HostId f = cc != nullptr ? cc->host[1 - dst] : 0;
          const HostId t = cc != nullptr ? cc->host[dst] : 0;
          if (cc != nullptr) {
            trace_drop(f, t, payload.size(), "broken", msg);
          } else {
            ++stats_.messages_dropped;
            // Untraced (it never was): only an observer hears of it.
            if (msg != 0) trace_.note(loop_.now(), "sim", "net.lost", {{"msg", msg}});
          }
          return;
        }
        ++stats_.messages_delivered;
        trace_.event(loop_.now(), hosts_.name_of(cc->host[dst]), "net.deliver",
                     {{"conn", end_id(id, dst)}, {"bytes", std::uint64_t{payload.size()}}}, {{"msg", msg}});
        // The handler may close the connection and erase `cc`.
        cc->handlers[dst].on_message(std::move(payload));
      },
      c->tag[dst]);
  return true;
}

void Network::close(HostId self, ConnId end) {
  Conn* c = find(end);
  const int side = side_of(end);
  if (c == nullptr || c->closed[side]) return;
  ZSIM_ASSERT(c->host[side] == self);
  c->closed[side] = true;
  c->handlers[side] = {};
  c->on_connected = nullptr;
  const std::uint64_t id = c->id;
  trace_.event(loop_.now(), hosts_.name_of(self), "net.close", {{"conn", end}});
  if (c->state == Conn::State::kConnecting) {
    c->state = Conn::State::kBroken;  // on_syn will find it gone
  } else if (c->state == Conn::State::kOpen) {
    // The FIN travels behind the data already sent.
    const int dst = 1 - side;
    const Time arrival = loop_.now() + sample_latency(c->host[side], c->host[dst]);
    const std::int64_t at = std::max(to_ns(arrival), c->last_arrival[side]);
    c->last_arrival[side] = at;
    loop_.schedule_at(
        time_from_ns(at),
        [this, id, dst] {
          Conn* cc = find(end_id(id, dst));
          if (cc == nullptr || cc->state != Conn::State::kOpen || cc->closed[dst]) return;
          notify_closed(id, dst, io::CloseReason::kClosedByPeer, Duration{0});
        },
        c->tag[dst]);
  }
  maybe_erase(id);
}

void Network::break_conn(Conn& c, const char* reason) {
  if (c.state == Conn::State::kBroken) return;
  c.state = Conn::State::kBroken;
  ++stats_.connections_broken;
  trace_.event(loop_.now(), hosts_.name_of(c.host[0]), "net.break",
               {{"conn", end_id(c.id, 0)}, {"peer", hosts_.name_of(c.host[1])}, {"reason", reason}});
  for (int side = 0; side < 2; ++side) {
    if (c.closed[side]) continue;
    const Duration after{rng_.between(options_.break_detect_min.count(),
                                      std::max(options_.break_detect_min, options_.break_detect_max).count())};
    notify_closed(c.id, side, io::CloseReason::kReset, after);
  }
}

void Network::notify_closed(std::uint64_t id, int side, io::CloseReason reason, Duration after) {
  Conn* c = find(end_id(id, side));
  ZSIM_ASSERT(c != nullptr);
  loop_.schedule_after(
      after,
      [this, id, side, reason] {
        Conn* cc = find(end_id(id, side));
        if (cc == nullptr || cc->closed[side]) return;
        cc->closed[side] = true;
        auto on_closed = std::move(cc->handlers[side].on_closed);
        cc->handlers[side] = {};
        cc->on_connected = nullptr;
        trace_.event(loop_.now(), hosts_.name_of(cc->host[side]), "net.closed",
                     {{"conn", end_id(id, side)}, {"reason", io::to_string(reason)}});
        maybe_erase(id);
        if (on_closed) on_closed(reason);
      },
      c->tag[side]);
}

void Network::count_bytes(HostId from, HostId to, std::uint64_t size) {
  const std::size_t need = std::max<std::size_t>(from, to) + 1;
  if (bytes_by_.size() < need) {
    bytes_by_.resize(need, 0);
    bytes_to_.resize(need, 0);
  }
  bytes_by_[from] += size;
  bytes_to_[to] += size;
}

void Network::maybe_erase(std::uint64_t id) {
  auto it = conns_.find(id);
  if (it != conns_.end() && it->second.closed[0] && it->second.closed[1]) conns_.erase(it);
}

// --- Datagrams ---------------------------------------------------------------

void Network::bind(HostId self, Port port, io::Transport::DatagramFn on_datagram) {
  const bool inserted = bindings_.emplace(std::pair{self, port}, std::move(on_datagram)).second;
  ZSIM_ASSERT_MSG(inserted, "port already bound");
}

void Network::send_datagram(HostId self, HostId to, Port port, Bytes bytes) {
  ensure_sized();
  ZSIM_ASSERT(to < hosts_.host_count());
  const std::uint64_t size = bytes.size();
  ++stats_.messages_sent;
  stats_.bytes_sent += size;
  count_bytes(self, to, size);
  const auto observed = observe_message(port, true, bytes);  // (see send())
  const std::uint64_t msg = observed.first;
  const MessageLabel& label = observed.second;
  trace_.event(loop_.now(), hosts_.name_of(self), "net.send",
               {{"dgram", true}, {"to", hosts_.name_of(to)}, {"port", std::uint32_t{port}}, {"bytes", size}},
               {{"msg", msg}, {"kind", label.kind}, {"detail", label.detail}});
  if (is_blocked(self, to)) return trace_drop(self, to, size, "partition", msg);
  if (!hosts_.is_up(to)) return trace_drop(self, to, size, "host_down", msg);
  if (rng_.chance(options_.datagram_loss.num, options_.datagram_loss.den)) {
    return trace_drop(self, to, size, "loss", msg);
  }
  int copies = 1;
  // The duplicate is a message of its own for observers (`of=` the original).
  std::uint64_t dup_msg = 0;
  if (rng_.chance(options_.datagram_duplicate.num, options_.datagram_duplicate.den)) {
    copies = 2;
    ++stats_.messages_duplicated;
    if (msg != 0) dup_msg = next_msg_++;
    trace_.event(loop_.now(), hosts_.name_of(self), "net.dup", {{"to", hosts_.name_of(to)}, {"bytes", size}},
                 {{"msg", dup_msg}, {"of", msg}});
  }
  for (int copy = 0; copy < copies; ++copy) {
    const std::uint64_t copy_msg = copy == 0 ? msg : dup_msg;
    const std::optional<Time> arrival = transmit(self, to, size);
    if (!arrival) {
      trace_drop(self, to, size, "overflow", copy_msg);
      continue;
    }
    Bytes payload = copy + 1 < copies ? bytes : std::move(bytes);
    loop_.schedule_at(
        *arrival,
        [this, self, to, port, copy_msg, payload = std::move(payload)]() mutable {
          if (is_blocked(self, to)) return trace_drop(self, to, payload.size(), "partition", copy_msg);
          auto it = bindings_.find({to, port});
          if (it == bindings_.end()) return trace_drop(self, to, payload.size(), "no_port", copy_msg);
          ++stats_.messages_delivered;
          trace_.event(loop_.now(), hosts_.name_of(to), "net.deliver",
                       {{"dgram", true}, {"from", hosts_.name_of(self)}, {"bytes", std::uint64_t{payload.size()}}},
                       {{"msg", copy_msg}});
          it->second(self, std::move(payload));
        },
        hosts_.tag_of(to));
  }
}

// --- Faults ------------------------------------------------------------------

bool Network::is_blocked(HostId from, HostId to) const {
  if (from >= sized_for_ || to >= sized_for_) return false;
  return blocked_[edge(from, to)] != 0;
}

void Network::set_blocked(HostId from, HostId to, bool blocked) {
  ensure_sized();
  ZSIM_ASSERT(from < sized_for_ && to < sized_for_);
  blocked_[edge(from, to)] = blocked ? 1 : 0;
  if (!blocked) return;
  std::vector<std::uint64_t> crossing;
  for (const auto& [id, c] : conns_) {
    if (c.state == Conn::State::kBroken) continue;
    if ((c.host[0] == from && c.host[1] == to) || (c.host[0] == to && c.host[1] == from)) {
      crossing.push_back(id);
    }
  }
  for (std::uint64_t id : crossing) {
    auto it = conns_.find(id);
    if (it != conns_.end()) break_conn(it->second, "partition");
  }
}

void Network::heal() {
  std::fill(blocked_.begin(), blocked_.end(), 0);
}

void Network::on_host_crash(HostId h) {
  std::erase_if(listeners_, [h](const auto& kv) { return kv.first.first == h; });
  std::erase_if(bindings_, [h](const auto& kv) { return kv.first.first == h; });
  std::vector<std::uint64_t> touched;
  for (const auto& [id, c] : conns_) {
    if (c.host[0] == h || c.host[1] == h) touched.push_back(id);
  }
  for (std::uint64_t id : touched) {
    auto it = conns_.find(id);
    if (it == conns_.end()) continue;
    Conn& c = it->second;
    for (int side = 0; side < 2; ++side) {
      if (c.host[side] == h && !c.closed[side]) {
        c.closed[side] = true;
        c.handlers[side] = {};
        if (side == 0) c.on_connected = nullptr;
      }
    }
    break_conn(c, "crash");
    maybe_erase(id);
  }
}

}  // namespace zsim::sim
