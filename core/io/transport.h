// io::Transport: the network as one host's process sees it.
//
// Two kinds of communication:
//  - Streams (TCP-like): connect / accept, FIFO, no loss, no duplicates while
//    the connection lives. A partition, a crash of the peer or a loss burst
//    breaks a connection; each end learns of the break at its own time
//    (on_closed), through what would be a timeout or a reset. Bytes sent
//    after the break, or still in flight when it happened, are lost.
//  - Datagrams (UDP-like): may be lost, duplicated, delayed and reordered.
//
// Payloads are bytes: what crosses the network is what would cross a real
// one, so the protocol code owns its encoding.
//
// Threading: all callbacks run from the host's event loop, never inline from
// the call that triggered them, each to completion.
#pragma once

#include "core/io/function.h"

#include <cstdint>
#include <string>
#include <string_view>

namespace zsim::io {

using Bytes = std::string;

// A host in the ensemble, as numbered by whoever built it (the simulator
// numbers hosts 0..n-1 in the order they were added).
using HostId = std::uint32_t;
using Port = std::uint16_t;

// Identifies one end of one stream connection on this host. 0 is never a
// connection. Ids are not reused within a run.
using ConnId = std::uint64_t;

enum class CloseReason : std::uint8_t {
  kClosedByPeer,   // the peer called close(): an orderly shutdown
  kReset,          // the connection broke (partition, loss, peer crash)
  kRefused,        // connect: nothing listens on that port / host is down
  kTimedOut,       // connect: no answer within the connect timeout
  kClosedLocally,  // this end called close() (never reported to itself)
};

const char* to_string(CloseReason r);

// What a stream end hears. Set once per connection, before any event.
struct StreamHandlers {
  UniqueFunction<void(Bytes)> on_message;
  // Called once; no on_message follows it. Not called after close().
  UniqueFunction<void(CloseReason)> on_closed;
};

class Transport {
 public:
  virtual ~Transport() = default;

  virtual HostId self() const = 0;

  // Accepts connections on `port` until the process ends. For each new
  // inbound connection `on_accept(conn, peer)` runs and returns the handlers
  // for it. REQUIRES: nothing else listens on `port` in this process.
  using AcceptFn = UniqueFunction<StreamHandlers(ConnId conn, HostId peer)>;
  virtual void listen(Port port, AcceptFn on_accept) = 0;

  // Opens a stream to (host, port). Exactly one of these happens later:
  // on_connected(conn) after which `handlers` receive events; or
  // handlers.on_closed(kRefused | kTimedOut | kReset). Returns the id the
  // connection will have.
  using ConnectedFn = UniqueFunction<void(ConnId conn)>;
  virtual ConnId connect(HostId host, Port port, StreamHandlers handlers,
                         ConnectedFn on_connected) = 0;

  // Queues bytes on a connection. Returns false if this end already knows
  // the connection is closed (then nothing is sent). True does not mean the
  // bytes will arrive: the connection may break while they are in flight.
  virtual bool send(ConnId conn, Bytes bytes) = 0;

  // Closes this end. The peer's on_closed(kClosedByPeer) runs after the
  // bytes already sent have been delivered. Idempotent.
  virtual void close(ConnId conn) = 0;

  // Datagrams: receive on `port` until the process ends.
  // REQUIRES: nothing else is bound to `port` in this process.
  using DatagramFn = UniqueFunction<void(HostId from, Bytes bytes)>;
  virtual void bind(Port port, DatagramFn on_datagram) = 0;

  // Sends one datagram; it may be lost, duplicated or reordered.
  virtual void send_datagram(HostId host, Port port, Bytes bytes) = 0;
};

}  // namespace zsim::io
