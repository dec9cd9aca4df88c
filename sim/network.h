// Network: simulated streams and datagrams between hosts.
//
// Streams are TCP-like: FIFO and lossless while the connection lives. A
// connection breaks when a partition blocks either direction between its
// ends, when either host crashes, when a stream-reset fault hits a message,
// or when a link's queue overflows. Bytes in flight at the break are lost,
// and each end learns of the break at its own time (a detection delay drawn
// per end), as with keepalive timeouts and resets. A paused host does not
// break its connections: deliveries to it wait until it resumes.
//
// Datagrams are UDP-like: lost with the loss ratio, duplicated with the
// duplicate ratio, and reordered because every copy draws its own latency.
//
// Latency comes from a model per link (a default for all links); a link may
// also have a capacity, which queues messages behind each other. Partitions
// are sets of blocked directed edges. Every send, delivery, drop, duplicate,
// connect and break is traced.
//
// Single-threaded; owned by the Simulator.
#pragma once

#include "core/io/transport.h"
#include "sim/event_loop.h"
#include "sim/rng.h"
#include "sim/trace.h"

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace zsim::sim {

using io::Bytes;
using io::ConnId;
using io::HostId;
using io::Port;

// A probability as a ratio of integers (never floating point).
struct Ratio {
  std::uint64_t num = 0;
  std::uint64_t den = 1;
  bool operator==(const Ratio&) const = default;
  bool is_zero() const { return num == 0; }
};

struct LatencyModel {
  enum class Kind : std::uint8_t {
    kConstant,     // always `min`
    kUniform,      // uniform in [min, max]
    kExponential,  // min + exponential(mean), capped at max: a long tail
  };
  Kind kind = Kind::kUniform;
  Duration min = micros(100);
  Duration mean = micros(500);
  Duration max = millis(2);
};

struct NetworkOptions {
  // One-way delay of every link without its own model.
  LatencyModel latency;
  // Datagram faults.
  Ratio datagram_loss;
  Ratio datagram_duplicate;
  // Chance that a stream message breaks its connection (a reset after a
  // burst of loss that TCP gave up on).
  Ratio stream_reset;
  // Link capacity in bytes per millisecond of simulated time; 0: unlimited.
  std::uint64_t link_bytes_per_ms = 0;
  // Each host's network interface: the bytes per millisecond it sends over
  // all its links together (0: unlimited). Unlike a link's capacity this is
  // shared, so a server answering many clients at once queues the answers
  // behind each other -- the herd effect's cost in time (lesson 3).
  std::uint64_t host_egress_bytes_per_ms = 0;
  // Bytes a link may have queued; beyond it datagrams are dropped and
  // streams break (a deliberate, traced drop: a limit on everything).
  std::uint64_t link_queue_bytes_max = 16 * 1024 * 1024;
  // How long a connect waits for an answer across a partition.
  Duration connect_timeout = millis(1000);
  // Each end of a broken connection learns of it after a delay drawn
  // uniformly from [min, max].
  Duration break_detect_min = millis(1);
  Duration break_detect_max = millis(200);
};

// What the network needs to know about hosts (implemented by the Simulator).
class HostDirectory {
 public:
  virtual ~HostDirectory() = default;
  virtual std::size_t host_count() const = 0;
  virtual bool is_up(HostId h) const = 0;
  // The tag that events for the host's current incarnation carry.
  virtual EventTag tag_of(HostId h) const = 0;
  virtual const std::string& name_of(HostId h) const = 0;
};

struct NetworkStats {
  std::uint64_t messages_sent = 0;
  std::uint64_t bytes_sent = 0;  // payload bytes of every message sent (streams and datagrams)
  std::uint64_t messages_delivered = 0;
  std::uint64_t messages_dropped = 0;
  std::uint64_t messages_duplicated = 0;
  std::uint64_t connections_opened = 0;
  std::uint64_t connections_broken = 0;
};

class Network {
 public:
  Network(EventLoop& loop, Trace& trace, Rng rng, HostDirectory& hosts, NetworkOptions options);
  ~Network();
  Network(const Network&) = delete;
  Network& operator=(const Network&) = delete;

  // --- Transport operations, on behalf of host `self` -------------------
  void listen(HostId self, Port port, io::Transport::AcceptFn on_accept);
  ConnId connect(HostId self, HostId to, Port port, io::StreamHandlers handlers,
                 io::Transport::ConnectedFn on_connected);
  bool send(HostId self, ConnId conn, Bytes bytes);
  void close(HostId self, ConnId conn);
  void bind(HostId self, Port port, io::Transport::DatagramFn on_datagram);
  void send_datagram(HostId self, HostId to, Port port, Bytes bytes);

  // --- Faults -------------------------------------------------------------
  // Blocks (or unblocks) messages from `from` to `to`. Blocking breaks the
  // live connections between them.
  void set_blocked(HostId from, HostId to, bool blocked);
  bool is_blocked(HostId from, HostId to) const;
  // Unblocks every edge.
  void heal();
  // The host crashed: its listeners, bindings and connection ends vanish;
  // peers learn of the broken connections in their own time.
  void on_host_crash(HostId h);

  NetworkOptions& options() { return options_; }
  const NetworkOptions& options() const { return options_; }
  void set_link_latency(HostId from, HostId to, LatencyModel model);

  const NetworkStats& stats() const { return stats_; }
  // Payload bytes host `h` sent, and bytes sent to it (streams and
  // datagrams, delivered or not): one host's traffic, e.g. what a client's
  // access pattern costs (the transport-cost lesson).
  std::uint64_t bytes_sent_by(HostId h) const { return h < bytes_by_.size() ? bytes_by_[h] : 0; }
  std::uint64_t bytes_sent_to(HostId h) const { return h < bytes_to_.size() ? bytes_to_[h] : 0; }

  // --- Observation (zsim run --diagram) ----------------------------------
  // What a message carries, in words: `kind` groups messages for colours and
  // filters ("vote", "PROPOSAL", "request", ...), `detail` is its fields.
  struct MessageLabel {
    std::string kind;
    std::string detail;
  };
  // Names a message from its bytes. `port` is the stream's listening port or
  // the datagram's destination port; `to_listener` is true for messages from
  // the connecting end (and for datagrams). The network knows no protocol:
  // the caller that does (tools/diagram) sets this.
  using Labeler = std::function<MessageLabel(io::Port port, bool to_listener, std::string_view bytes)>;
  void set_labeler(Labeler labeler) { labeler_ = std::move(labeler); }
  // While the trace has an observer, every message gets an id, carried as
  // the observer-only extra `msg=` on its net.send, net.deliver, net.drop
  // and net.dup events (with `kind=` and `detail=` on the first of them);
  // a message lost with a vanished connection gets a `net.lost` note.
  std::size_t live_connections() const { return conns_.size(); }

 private:
  struct Conn;
  enum class Side : std::uint8_t { kClient = 0, kServer = 1 };

  static ConnId end_id(std::uint64_t conn, int side) { return conn * 2 + static_cast<std::uint64_t>(side); }
  static std::uint64_t conn_of(ConnId end) { return end / 2; }
  static int side_of(ConnId end) { return static_cast<int>(end % 2); }

  Conn* find(ConnId end);
  // Index into the per-edge tables, which are laid out for sized_for_ hosts
  // (not for host_count(): hosts added since the last ensure_sized() must
  // not shift the rows). REQUIRES: from, to < sized_for_.
  std::size_t edge(HostId from, HostId to) const { return from * sized_for_ + to; }
  void ensure_sized();
  Duration sample_latency(HostId from, HostId to);
  // Reserves the link for `bytes` and returns when they arrive, or nullopt if
  // the link's queue is full.
  std::optional<Time> transmit(HostId from, HostId to, std::uint64_t bytes);

  void on_syn(std::uint64_t conn);
  void break_conn(Conn& c, const char* reason);
  void notify_closed(std::uint64_t conn, int side, io::CloseReason reason, Duration after);
  void maybe_erase(std::uint64_t conn);
  void trace_drop(HostId from, HostId to, std::uint64_t bytes, const char* reason, std::uint64_t msg);
  // A new message id and its label, or {0, {}} while nobody observes.
  std::pair<std::uint64_t, MessageLabel> observe_message(io::Port port, bool to_listener, std::string_view bytes);

  EventLoop& loop_;
  Trace& trace_;
  Rng rng_;
  HostDirectory& hosts_;
  NetworkOptions options_;
  NetworkStats stats_;
  std::vector<std::uint64_t> bytes_by_;  // by sending host
  std::vector<std::uint64_t> bytes_to_;  // by destination host
  void count_bytes(HostId from, HostId to, std::uint64_t size);

  std::map<std::pair<HostId, Port>, io::Transport::AcceptFn> listeners_;
  std::map<std::pair<HostId, Port>, io::Transport::DatagramFn> bindings_;
  std::map<std::uint64_t, Conn> conns_;  // ordered: breaks happen in id order
  std::uint64_t next_conn_ = 1;
  std::size_t sized_for_ = 0;
  std::vector<std::uint8_t> blocked_;           // per directed edge
  std::vector<std::int64_t> link_busy_until_;   // per directed edge, ns
  std::vector<std::int64_t> egress_busy_until_;  // per sending host, ns
  std::map<std::pair<HostId, HostId>, LatencyModel> link_latency_;
  Labeler labeler_;
  std::uint64_t next_msg_ = 1;  // observation only: never steers the run
};

}  // namespace zsim::sim
