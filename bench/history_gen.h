// Generated histories for the checker's benchmarks, tests and the
// `bench_gen_histories` program (which writes them to files for `zsim
// check`). Deterministic: every history is a pure function of its Spec.
//
// Each history is recorded from a simulated sequential object: op k takes
// effect at a point inside its interval, so the unmodified history is
// linearizable by construction. Three families:
//
//  - register (cas-register model): clients read, write and cas one
//    register. Written values are unique (1, 2, 3, ...), or drawn from
//    {0..values-1} when `values` is set, so that they repeat as real
//    systems' values do (the case where the checker's unique-value rules do
//    not apply). Optionally 1 in 20 ops is unknown (info; half of those took
//    effect), and the client that issued it is retired (Jepsen style).
//  - kv: the same with get/put/append on string values over `keys` keys.
//  - kv_c50: a key-value store under 50 clients in the style of the MIT
//    6.824 lab tests that Porcupine's kv test data comes from: values are
//    "x CLIENT SEQ y", appends dominate, a few clients are stuck behind long
//    retries, one key is hot, and every client's last op completes in one
//    burst at the end. In the "bad" variant some of those last reads return
//    "" for keys that hold data: a store that lost its state.
//
// Corruptions of a register or kv history (one read in the middle):
//   never_written — the read returns a value no op wrote;
//   stale — the read returns a value every writer of which was certainly
//     overwritten before the read was called (a completed write or
//     successful cas was called after the writer returned and returned
//     before the read was called). With unique values that is the value
//     from 4 × clients ops before; with repeated values the generator looks
//     for such a read and value, from the middle on (then from the start).
//     Either way the history is certainly not linearizable: no writer of
//     the value can be the last change before the read. With repeated
//     values and unknown ops there may be none — an unknown write is never
//     certainly overwritten, so every value some unknown op writes stays
//     possible — and the history is returned unchanged (the benchmarks and
//     tests check the verdict, so that cannot pass unnoticed).
#pragma once

#include <algorithm>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "checkers/history.h"
#include "checkers/value.h"

namespace zsim::bench {

// splitmix64: a tiny deterministic generator (no std distributions).
class GenRng {
 public:
  explicit GenRng(std::uint64_t seed) : s_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (s_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  // Uniform in [0, n). REQUIRES: n > 0.
  std::int64_t below(std::int64_t n) {
    return static_cast<std::int64_t>(next() % static_cast<std::uint64_t>(n));
  }

 private:
  std::uint64_t s_;
};

enum class Corruption { none, never_written, stale };

struct GenSpec {
  int clients = 5;
  int ops = 1000;
  Corruption corrupt = Corruption::none;
  bool info = false;  // 1 in 20 ops unknown
  int keys = 0;       // 0: one register (cas-register); else kv over this many keys
  int values = 0;     // register only: 0 = unique values; else drawn from {0..values-1}
  std::uint64_t seed = 0;  // varies the history; 0 for the benchmarked ones
};

namespace gen_detail {

inline bool is_read(const checkers::Operation& op) { return op.f == "read" || op.f == "get"; }

// The value a completed or unknown op writes, if it writes one (register).
inline std::optional<std::int64_t> written(const checkers::Operation& op) {
  if (op.f == "write") return op.input.integer;
  if (op.f == "cas" && !(op.status == checkers::Status::ok && op.output.kind == checkers::Value::Kind::boolean &&
                         !op.output.boolean)) {
    return op.input.items[1].integer;
  }
  return std::nullopt;
}

// A completed op that certainly changed the register (write, successful cas).
inline bool certain_change(const checkers::Operation& op) {
  return op.status == checkers::Status::ok && written(op).has_value();
}

// Whether a read of v during [call, ret] is certainly stale: every writer of
// v (and the initial value 0) is followed by a certain change that is
// called after the writer returned and returns before `call`, or is called
// after `ret`.
inline bool certainly_stale(const checkers::History& h, std::int64_t v, std::int64_t call, std::int64_t ret) {
  constexpr std::int64_t kNever = std::numeric_limits<std::int64_t>::max();
  auto overwritten_after = [&](std::int64_t t) {
    for (const auto& x : h.ops) {
      if (certain_change(x) && x.call_time > t && x.return_time < call) return true;
    }
    return false;
  };
  if (v == 0 && !overwritten_after(std::numeric_limits<std::int64_t>::min())) return false;
  for (const auto& w : h.ops) {
    const auto wv = written(w);
    if (!wv || *wv != v || w.call_time > ret) continue;
    const std::int64_t w_ret = w.status == checkers::Status::info ? kNever : w.return_time;
    if (w_ret == kNever || !overwritten_after(w_ret)) return false;
  }
  return true;
}

}  // namespace gen_detail

// A register or kv history (see the file header).
inline checkers::History generate_history(const GenSpec& spec) {
  using checkers::Operation;
  using checkers::Status;
  using checkers::Value;
  GenRng rng(0x5eed + static_cast<std::uint64_t>(spec.clients * 131 + spec.ops) +
             static_cast<std::uint64_t>(spec.values) * 7919 + (spec.seed == 0 ? 0 : GenRng(spec.seed).next()));
  checkers::History h;
  const std::int64_t spread = 10 * spec.clients;
  std::vector<std::int64_t> last_return(static_cast<std::size_t>(spec.clients), -1);
  std::vector<std::int64_t> process(static_cast<std::size_t>(spec.clients));
  for (int c = 0; c < spec.clients; ++c) process[static_cast<std::size_t>(c)] = c;
  std::vector<std::int64_t> reg(1, 0);
  std::vector<std::string> kv(static_cast<std::size_t>(std::max(spec.keys, 1)));
  std::int64_t next_value = 1;
  auto fresh = [&]() { return spec.values > 0 ? rng.below(spec.values) : next_value++; };
  std::vector<std::size_t> reads;
  std::vector<Value> seen;  // the register's (or key's) value after each op
  for (int k = 0; k < spec.ops; ++k) {
    const auto c = static_cast<std::size_t>(k % spec.clients);
    const std::int64_t t = 10 * static_cast<std::int64_t>(k);
    Operation op;
    op.process = process[c];
    op.call_time = std::max(last_return[c] + 1, t - rng.below(spread));
    op.return_time = t + rng.below(spread);
    const bool info = spec.info && rng.below(20) == 0;
    const bool happens = !info || rng.below(2) == 0;
    const std::int64_t roll = rng.below(10);
    if (spec.keys == 0) {
      if (roll < 5) {
        op.f = "read";
        op.output = Value::of_int(reg[0]);
      } else if (roll < 8) {
        op.f = "write";
        op.input = Value::of_int(fresh());
        if (happens) reg[0] = op.input.integer;
      } else {
        const std::int64_t other = spec.values > 0 ? rng.below(spec.values) : reg[0] + 1;
        const std::int64_t expect = rng.below(2) == 0 ? reg[0] : other;
        op.f = "cas";
        op.input = Value::of_vector({Value::of_int(expect), Value::of_int(fresh())});
        op.output = Value::of_bool(expect == reg[0]);
        if (happens && expect == reg[0]) reg[0] = op.input.items[1].integer;
      }
    } else {
      const auto key = static_cast<std::size_t>(rng.below(spec.keys));
      op.key = Value::of_int(static_cast<std::int64_t>(key));
      if (roll < 5) {
        op.f = "get";
        op.output = Value::of_string(kv[key]);
      } else if (roll < 8) {
        op.f = "put";
        op.input = Value::of_string(std::to_string(next_value++));
        if (happens) kv[key] = op.input.text;
      } else {
        op.f = "append";
        op.input = Value::of_string("," + std::to_string(next_value++));
        if (happens) kv[key] += op.input.text;
      }
    }
    if (info) {
      op.status = Status::info;
      op.output = Value::nil();
      process[c] += spec.clients;  // Jepsen retires a process after info
    }
    last_return[c] = op.return_time;
    if (!info && gen_detail::is_read(op)) reads.push_back(h.ops.size());
    if (spec.keys == 0) {
      seen.push_back(Value::of_int(reg[0]));
    } else {
      seen.push_back(Value::of_string(kv[static_cast<std::size_t>(op.key->integer)]));
    }
    h.ops.push_back(std::move(op));
  }
  if (reads.empty() || spec.corrupt == Corruption::none) return h;
  if (spec.corrupt == Corruption::never_written) {
    checkers::Operation& r = h.ops[reads[reads.size() / 2]];
    r.output = spec.keys == 0 ? Value::of_int(-1) : Value::of_string("stale");
    return h;
  }
  if (spec.keys == 0 && spec.values > 0) {
    // Repeated values: from the middle on (then from the start), the first
    // read for which some other value is certainly stale.
    for (std::size_t k = 0; k < reads.size(); ++k) {
      checkers::Operation& r = h.ops[reads[(reads.size() / 2 + k) % reads.size()]];
      for (std::int64_t v = 0; v < spec.values; ++v) {
        if (v == r.output.integer) continue;
        if (gen_detail::certainly_stale(h, v, r.call_time, r.return_time)) {
          r.output = Value::of_int(v);
          return h;
        }
      }
    }
    return h;  // none found: the caller's verdict check will say so
  }
  // Unique values: the value of the read's key from 4 × clients ops before,
  // written and then overwritten long before the read was called.
  const std::size_t at = reads[reads.size() / 2];
  checkers::Operation& r = h.ops[at];
  std::size_t back = at - std::min<std::size_t>(at, static_cast<std::size_t>(4 * spec.clients));
  if (spec.keys != 0) {
    while (back > 0 && !(h.ops[back].key == r.key)) --back;
  }
  r.output = seen[back];
  return h;
}

// The 6.824-style key-value history (see the file header). 50 clients, 10
// keys (key 0 hot), about `ops` operations.
inline checkers::History generate_kv_c50(bool bad, int ops = 2500) {
  using checkers::Operation;
  using checkers::Status;
  using checkers::Value;
  constexpr int kClients = 50;
  constexpr int kKeys = 10;
  GenRng rng(0xc50c50 + (bad ? 1 : 0) * 0 + static_cast<std::uint64_t>(ops));
  checkers::History h;
  std::vector<std::string> store(kKeys);
  std::vector<int> seq(kClients, 0);
  // Each client's next free time; ops are generated in order of their
  // linearization point, which is a shared clock advancing 1..3 per op.
  std::vector<std::int64_t> free_at(kClients, 0);
  std::int64_t now = 100;
  struct Pending {
    std::size_t op;
    int client;
  };
  for (int k = 0; k < ops; ++k) {
    now += 1 + rng.below(3);
    // The client that acts now: one that is free, picked at random.
    int c = static_cast<int>(rng.below(kClients));
    for (int tries = 0; tries < kClients && free_at[static_cast<std::size_t>(c)] > now; ++tries) {
      c = (c + 1) % kClients;
    }
    if (free_at[static_cast<std::size_t>(c)] > now) continue;
    const auto ci = static_cast<std::size_t>(c);
    // Key 0 takes a third of the traffic; the rest is spread evenly.
    const int key = rng.below(3) == 0 ? 0 : static_cast<int>(1 + rng.below(kKeys - 1));
    Operation op;
    op.process = c;
    op.key = Value::of_string(std::to_string(key));
    // The call is a little before the effect; the return a little after,
    // and for 1 op in 40 much later (a client stuck behind retries).
    op.call_time = std::max(free_at[ci], now - rng.below(40));
    const bool stuck = rng.below(40) == 0;
    op.return_time = now + (stuck ? 300 + rng.below(600) : rng.below(40));
    const std::int64_t roll = rng.below(20);
    std::string& cell = store[static_cast<std::size_t>(key)];
    const std::string value = "x " + std::to_string(c) + " " + std::to_string(seq[ci]++) + " y";
    if (roll < 8) {
      op.f = "get";
      op.output = Value::of_string(cell);
    } else if (roll < 18) {
      op.f = "append";
      op.input = Value::of_string(value);
      op.output = op.input;
      cell += value;
    } else {
      op.f = "put";
      op.input = Value::of_string(value);
      op.output = op.input;
      cell = value;
    }
    op.status = Status::ok;
    free_at[ci] = op.return_time + 1;
    h.ops.push_back(std::move(op));
  }
  // The end: every client's last op is a get, called while the store runs
  // and returning in one burst after everything else.
  const std::int64_t end = std::max(now, *std::max_element(free_at.begin(), free_at.end())) + 1000;
  int lost = 0;
  for (int c = 0; c < kClients; ++c) {
    const auto ci = static_cast<std::size_t>(c);
    const int key = c % kKeys;
    Operation op;
    op.process = c;
    op.key = Value::of_string(std::to_string(key));
    op.f = "get";
    op.call_time = std::max(free_at[ci], end - 500);
    op.return_time = end + c;
    op.output = Value::of_string(store[static_cast<std::size_t>(key)]);
    // The bad store forgets keys 1-4 and 6 for some of its last readers.
    if (bad && (key >= 1 && key <= 6 && key != 5) && c >= 20 && !store[static_cast<std::size_t>(key)].empty()) {
      op.output = Value::of_string("");
      ++lost;
    }
    op.status = Status::ok;
    h.ops.push_back(std::move(op));
  }
  (void)lost;
  return h;
}

}  // namespace zsim::bench
