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
#pragma once

#include "core/io/time.h"
#include "core/io/trace.h"

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <string>
#include <string_view>

namespace zsim::sim {

enum class TraceFormat : std::uint8_t { kText, kJson };

class Trace {
 public:
  // Receives each formatted line (without the newline) and the hash that
  // event contributed to the fingerprint.
  using Sink = std::function<void(std::string_view line, std::uint64_t event_hash)>;

  // Lines go nowhere until a sink is set; the fingerprint is always kept.
  void set_sink(Sink sink, TraceFormat format = TraceFormat::kText);
  void clear_sink() { sink_ = nullptr; }
  bool has_sink() const { return static_cast<bool>(sink_); }

  void event(Time t, std::string_view host, std::string_view kind,
             std::initializer_list<io::TraceField> fields);

  std::uint64_t fingerprint() const { return fingerprint_; }
  std::uint64_t events() const { return events_; }

 private:
  std::string format_text(Time t, std::string_view host, std::string_view kind,
                          std::initializer_list<io::TraceField> fields) const;
  std::string format_json(Time t, std::string_view host, std::string_view kind,
                          std::initializer_list<io::TraceField> fields) const;

  Sink sink_;
  TraceFormat format_ = TraceFormat::kText;
  std::uint64_t fingerprint_ = 0x5a51'3000'0000'0001ULL;
  std::uint64_t events_ = 0;
};

}  // namespace zsim::sim
