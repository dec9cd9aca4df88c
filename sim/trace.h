// Trace: the run's structured event log and its fingerprint.
//
// Every traced event is one line
//   t=<sim time> host=<name> ev=<kind> key=value ...
// or, in JSON mode, one object per line with the same fields. Values are
// integers, 0x-hex integers or strings; never wall time, pointers or thread
// ids, so the same seed gives the same lines in every build type.
//
// The fingerprint is a running 64-bit hash over the *structured* fields of
// every event (not over the formatted text), so it is the same whether or not
// lines are printed, and costs no formatting when nothing is printed. Lines
// are formatted only when a sink wants them.
//
// An observer (zsim run --diagram, --trace-format shiviz) sees every event as
// structured fields, plus `extras`: fields only observers see (a message's id
// and what it carries), and notes: events only observers see (a client
// operation's call and return, a check's witness). Extras and notes are
// neither hashed nor printed, so observing a run never changes it.
#pragma once

#include "core/io/time.h"
#include "core/io/trace.h"

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>

namespace zsim::sim {

enum class TraceFormat : std::uint8_t { kText, kJson };

class Trace {
 public:
  // Receives each formatted line (without the newline) and the hash that
  // event contributed to the fingerprint.
  using Sink = std::function<void(std::string_view line, std::uint64_t event_hash)>;

  // One event as an observer sees it. Views are valid during the call only.
  struct Record {
    Time t;
    std::string_view host;
    std::string_view kind;
    std::span<const io::TraceField> fields;  // hashed and printed
    std::span<const io::TraceField> extras;  // for observers only
    bool note = false;                       // an observer-only event
    std::uint64_t hash = 0;                  // what it added to the fingerprint (0: a note)
  };
  using Observer = std::function<void(const Record&)>;

  // Lines go nowhere until a sink is set; the fingerprint is always kept.
  void set_sink(Sink sink, TraceFormat format = TraceFormat::kText);
  void clear_sink() { sink_ = nullptr; }
  bool has_sink() const { return static_cast<bool>(sink_); }

  void event(Time t, std::string_view host, std::string_view kind,
             std::initializer_list<io::TraceField> fields,
             std::initializer_list<io::TraceField> extras = {});

  // Observers see every event (and notes); at most one, none by default.
  void set_observer(Observer observer) { observer_ = std::move(observer); }
  bool has_observer() const { return static_cast<bool>(observer_); }
  // An event for the observer only: not hashed, not printed, not counted.
  void note(Time t, std::string_view host, std::string_view kind, std::initializer_list<io::TraceField> fields);

  // The text form of one event (what a text sink receives).
  static std::string format_text(Time t, std::string_view host, std::string_view kind,
                                 std::span<const io::TraceField> fields);

  std::uint64_t fingerprint() const { return fingerprint_; }
  std::uint64_t events() const { return events_; }

 private:
  std::string format_json(Time t, std::string_view host, std::string_view kind,
                          std::initializer_list<io::TraceField> fields) const;

  Sink sink_;
  Observer observer_;
  TraceFormat format_ = TraceFormat::kText;
  std::uint64_t fingerprint_ = 0x5a51'3000'0000'0001ULL;
  std::uint64_t events_ = 0;
};

}  // namespace zsim::sim
