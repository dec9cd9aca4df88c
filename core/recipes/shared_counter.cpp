#include "core/recipes/shared_counter.h"

#include "core/recipes/protected_create.h"

#include <charconv>

namespace zsim::core::recipes {

std::optional<int64_t> parse_counter(std::string_view text) {
  int64_t v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return v;
}

Code ensure_counter(Client& zk, const CounterOptions& o) {
  const size_t slash = o.path.rfind('/');
  if (slash != 0 && slash != std::string::npos) {
    if (const Code c = ensure_path(zk, o.path.substr(0, slash)); c != Code::Ok) return c;
  }
  const Code c = zk.create(o.path, "0").code();
  return c == Code::NodeExists ? Code::Ok : c;
}

Result<int64_t> read_counter(Client& zk, const CounterOptions& o) {
  auto r = zk.get_data(o.path);
  if (!r.ok()) return r.status();
  const auto v = parse_counter(r.value().data);
  if (!v) return Status(Code::BadArguments, o.path + ": not a counter: " + r.value().data);
  return *v;
}

Result<int64_t> add(Client& zk, const CounterOptions& o, int64_t delta) {
  for (int attempt = 0; attempt < o.attempts_max; ++attempt) {
    auto r = zk.get_data(o.path);
    if (r.code() == Code::ConnectionLoss) {
      if (const Code c = await_reconnect(zk, o.reconnect_wait); c != Code::Ok) return Status(c, o.path);
      continue;
    }
    if (!r.ok()) return r.status();
    const auto v = parse_counter(r.value().data);
    if (!v) return Status(Code::BadArguments, o.path + ": not a counter: " + r.value().data);
    const int64_t next = *v + delta;
    auto w = zk.set_data(o.path, std::to_string(next), r.value().stat.version);
    if (w.ok()) return next;
    if (w.code() != Code::BadVersion) return w.status();  // ConnectionLoss here: unknown, not retried
  }
  return Status(Code::BadVersion, o.path + ": lost every race");
}

}  // namespace zsim::core::recipes
