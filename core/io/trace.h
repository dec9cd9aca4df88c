// io::Tracer: structured, deterministic trace events from protocol code.
//
// Each event becomes one line `t=<time> host=<name> ev=<kind> key=value ...`
// (or a JSON object) and feeds the run's fingerprint. Values are integers,
// hex integers (zxids) or strings: never pointers, wall time or thread ids.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string_view>

namespace zsim::io {

// Prints as 0x... (zxids, session ids).
struct Hex {
  std::uint64_t value;
};

struct TraceField {
  enum class Kind : std::uint8_t { kInt, kUint, kHex, kStr, kBool };

  TraceField(std::string_view k, std::int64_t v) : key(k), kind(Kind::kInt), i(v) {}
  TraceField(std::string_view k, int v) : key(k), kind(Kind::kInt), i(v) {}
  TraceField(std::string_view k, std::uint64_t v) : key(k), kind(Kind::kUint), u(v) {}
  TraceField(std::string_view k, std::uint32_t v) : key(k), kind(Kind::kUint), u(v) {}
  TraceField(std::string_view k, Hex v) : key(k), kind(Kind::kHex), u(v.value) {}
  TraceField(std::string_view k, bool v) : key(k), kind(Kind::kBool), u(v ? 1 : 0) {}
  TraceField(std::string_view k, std::string_view v) : key(k), kind(Kind::kStr), s(v) {}
  TraceField(std::string_view k, const char* v) : key(k), kind(Kind::kStr), s(v) {}

  std::string_view key;
  Kind kind;
  std::int64_t i = 0;
  std::uint64_t u = 0;
  std::string_view s;
};

class Tracer {
 public:
  virtual ~Tracer() = default;

  // Records one event at the current time on this host. `kind` is a dotted
  // name, e.g. "zab.elected"; keys are [a-z_]+. Strings with spaces are
  // quoted in the text form.
  virtual void event(std::string_view kind,
                     std::initializer_list<TraceField> fields) = 0;
};

}  // namespace zsim::io
