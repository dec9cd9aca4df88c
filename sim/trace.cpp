#include "sim/trace.h"

#include "sim/rng.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace zsim::sim {
namespace {

std::uint64_t hash_field(std::uint64_t h, const io::TraceField& f) {
  h = hash_bytes(f.key, h);
  h = mix64(h ^ static_cast<std::uint64_t>(f.kind));
  switch (f.kind) {
    case io::TraceField::Kind::kInt: return mix64(h ^ static_cast<std::uint64_t>(f.i));
    case io::TraceField::Kind::kUint:
    case io::TraceField::Kind::kHex:
    case io::TraceField::Kind::kBool: return mix64(h ^ f.u);
    case io::TraceField::Kind::kStr: return hash_bytes(f.s, h);
  }
  return h;
}

bool needs_quotes(std::string_view s) {
  if (s.empty()) return true;
  for (char c : s) {
    if (c == ' ' || c == '"' || c == '=' || c == '\\' || c < 0x21 || c > 0x7e) return true;
  }
  return false;
}

void append_quoted(std::string& out, std::string_view s) {
  out += '"';
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7e) {
      fmt::format_to(std::back_inserter(out), "\\x{:02x}", static_cast<unsigned char>(c));
    } else {
      out += c;
    }
  }
  out += '"';
}

}  // namespace

void Trace::set_sink(Sink sink, TraceFormat format) {
  sink_ = std::move(sink);
  format_ = format;
}

void Trace::event(Time t, std::string_view host, std::string_view kind,
                  std::initializer_list<io::TraceField> fields, std::initializer_list<io::TraceField> extras) {
  std::uint64_t h = mix64(static_cast<std::uint64_t>(to_ns(t)));
  h = hash_bytes(host, h);
  h = hash_bytes(kind, mix64(h));
  for (const io::TraceField& f : fields) h = hash_field(h, f);
  h = mix64(h);
  fingerprint_ = mix64(fingerprint_ ^ h) + events_;
  ++events_;
  if (observer_) observer_(Record{t, host, kind, {fields.begin(), fields.size()}, {extras.begin(), extras.size()}, false, h});
  if (!sink_) return;
  const std::string line = format_ == TraceFormat::kJson
                               ? format_json(t, host, kind, fields)
                               : format_text(t, host, kind, {fields.begin(), fields.size()});
  sink_(line, h);
}

void Trace::note(Time t, std::string_view host, std::string_view kind,
                 std::initializer_list<io::TraceField> fields) {
  if (observer_) observer_(Record{t, host, kind, {fields.begin(), fields.size()}, {}, true, 0});
}

std::string Trace::format_text(Time t, std::string_view host, std::string_view kind,
                               std::span<const io::TraceField> fields) {
  std::string out;
  out.reserve(96);
  fmt::format_to(std::back_inserter(out), "t={} host={} ev={}", format_time(t), host, kind);
  for (const io::TraceField& f : fields) {
    fmt::format_to(std::back_inserter(out), " {}=", f.key);
    switch (f.kind) {
      case io::TraceField::Kind::kInt: fmt::format_to(std::back_inserter(out), "{}", f.i); break;
      case io::TraceField::Kind::kUint: fmt::format_to(std::back_inserter(out), "{}", f.u); break;
      case io::TraceField::Kind::kHex: fmt::format_to(std::back_inserter(out), "0x{:x}", f.u); break;
      case io::TraceField::Kind::kBool: out += f.u != 0 ? "true" : "false"; break;
      case io::TraceField::Kind::kStr:
        if (needs_quotes(f.s)) {
          append_quoted(out, f.s);
        } else {
          out += f.s;
        }
        break;
    }
  }
  return out;
}

std::string Trace::format_json(Time t, std::string_view host, std::string_view kind,
                               std::initializer_list<io::TraceField> fields) const {
  // ordered_json keeps the field order of the text form.
  nlohmann::ordered_json j;
  j["t"] = format_time(t);
  j["t_ns"] = to_ns(t);
  j["host"] = host;
  j["ev"] = kind;
  for (const io::TraceField& f : fields) {
    const std::string key(f.key);
    switch (f.kind) {
      case io::TraceField::Kind::kInt: j[key] = f.i; break;
      case io::TraceField::Kind::kUint: j[key] = f.u; break;
      case io::TraceField::Kind::kHex: j[key] = fmt::format("0x{:x}", f.u); break;
      case io::TraceField::Kind::kBool: j[key] = f.u != 0; break;
      case io::TraceField::Kind::kStr: j[key] = std::string(f.s); break;
    }
  }
  // Invalid UTF-8 in a payload string must not throw: replace it.
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace zsim::sim
