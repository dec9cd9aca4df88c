// DiagramModel: what a space-time diagram of one run shows, collected from
// the run's events (zsim run --diagram; docs/diagram.md).
//
// The collector is pure: it reads plain events (the trace's events as an
// observer sees them, with the observer-only extras and notes of
// sim/trace.h) in the order the run made them, and builds plain data —
// hosts, messages, faults, client operations, the verdict — with host
// indices instead of pointers. Same events, same model; so the same seed
// gives the same model and the same HTML bytes.
//
// What it understands (everything else is kept as a host's event tick):
//   net.send / net.deliver / net.drop / net.dup (+ extras msg, kind, detail),
//   net.lost (note): messages, matched by their msg id; a message still on
//   its way to a host when it crashes is dropped there ("receiver crashed");
//   host.crash / host.start / host.pause / host.resume / host.clock_jump /
//   host.clock_drift: marks on a lifeline (a pause is a gap);
//   fault (sim): partitions open a band until `heal` or heal_all;
//   op.call / op.return (notes): client operations, named process:call_ns;
//   check.witness (note): the witness ops and the first violating one;
//   run.start, run.liveness, fail, run.end: title, phases and verdict.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace zsim::tools::diagram {

// One event as the collector reads it: fields and extras as text, in order.
struct DiagramEvent {
  std::int64_t t_ns = 0;
  std::string host;
  std::string kind;
  std::vector<std::pair<std::string, std::string>> fields;
  std::vector<std::pair<std::string, std::string>> extras;  // observer-only (sim/trace.h)
  bool note = false;
  std::string line;  // the trace line ("" for a note)

  // The value of the first field (else extra) named `key`, or "".
  const std::string& get(std::string_view key) const;
};

struct DiagramHost {
  std::string name;
  std::string role;  // "server", "observer", "client" or "host"
};

struct DiagramMessage {
  enum class End : std::uint8_t { kDelivered, kDropped, kInFlight };
  std::uint64_t id = 0;
  int from = 0;  // host index
  int to = 0;
  std::int64_t send_ns = 0;
  std::int64_t end_ns = 0;  // delivery or drop; the run's end while in flight
  End end = End::kInFlight;
  std::string kind;
  std::string detail;
  std::string drop_reason;
  std::uint64_t bytes = 0;
  bool datagram = false;
  bool duplicate = false;  // the second copy of a duplicated datagram
  std::string line;        // the send's trace line (or the drop's)
};

// A mark on one lifeline: crash, start, restart, pause (a gap until end_ns),
// clock jump, clock drift, or another event of the host (kind "event").
struct DiagramMark {
  int host = 0;
  std::int64_t t_ns = 0;
  std::int64_t end_ns = 0;  // pauses: when the host resumed (else t_ns)
  std::string kind;
  std::string label;
  std::string line;
};

// A partition in force from start to end, named by its fault.
struct DiagramBand {
  std::int64_t start_ns = 0;
  std::int64_t end_ns = 0;
  std::string label;  // "partition split s1 s2 | s3 s4 s5"
  std::string line;
};

// A fault or phase on the time axis (every `fault` event, heal_all, phases).
struct DiagramTick {
  std::int64_t t_ns = 0;
  std::string label;
  std::string line;
};

struct DiagramOp {
  int host = 0;
  std::int64_t process = 0;
  std::int64_t call_ns = 0;
  std::int64_t return_ns = -1;  // -1: still open when the run ended
  std::string f;
  std::string input;
  std::string output;
  std::string status = "info";  // ok, fail or info (unknown)
  bool witness = false;         // ordered by the checker before it got stuck
  bool stuck = false;           // could not come next
  bool first_violation = false; // the first of the stuck ops
};

struct DiagramModel {
  std::string scenario;
  std::string seed;
  std::string verdict = "ok";
  std::string message;  // the failure's message
  std::int64_t fail_ns = -1;
  // When the failing check says its trouble began (a check.moment note:
  // scenarios/recipes/check.h), -1 if it did not say.
  std::int64_t moment_ns = -1;
  std::int64_t end_ns = 0;
  std::vector<DiagramHost> hosts;  // servers, observers, clients, others; by number
  std::vector<DiagramMessage> messages;  // by send time, then id
  std::vector<DiagramMark> marks;
  std::vector<DiagramBand> bands;
  std::vector<DiagramTick> ticks;
  std::vector<DiagramOp> ops;  // by call time
  std::vector<std::string> kinds;  // message kinds present, sorted
  // The window the page opens on: around the violation, or the last faults.
  std::int64_t focus_start_ns = 0;
  std::int64_t focus_end_ns = 0;
};

class DiagramCollector {
 public:
  // REQUIRES: events come in the run's order (non-decreasing t_ns).
  void on_event(const DiagramEvent& e);
  // The model; call once, after the last event.
  DiagramModel finish();

 private:
  int host_index(const std::string& name);
  void on_message_event(const DiagramEvent& e);
  void on_host_event(const DiagramEvent& e, int host);
  void on_sim_event(const DiagramEvent& e);
  void on_op_note(const DiagramEvent& e, int host);
  void on_witness(const DiagramEvent& e);
  void close_bands(std::int64_t t_ns);
  void choose_focus(DiagramModel& m) const;

  DiagramModel m_;
  std::map<std::string, int> host_ids_;         // name -> index into m_.hosts (reordered at finish)
  std::map<std::uint64_t, std::size_t> by_msg_;  // msg id -> index into m_.messages
  std::map<std::pair<std::int64_t, std::int64_t>, std::size_t> by_op_;  // (process, call_ns) -> op
  std::map<int, std::size_t> open_pause_;        // host -> its open pause mark
  std::vector<std::size_t> open_bands_;
  std::vector<std::int64_t> fault_times_;
  std::optional<std::pair<std::int64_t, std::int64_t>> first_stuck_;
  std::int64_t last_ns_ = 0;
};

// A host's role by its name: s* server, o* observer, c* client.
std::string host_role(const std::string& name);

}  // namespace zsim::tools::diagram
