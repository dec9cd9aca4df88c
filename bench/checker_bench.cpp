// Checker speed on generated histories: one register (cas-register) and a
// key-value store, 1–50 clients, 100–100,000 operations, linearizable and
// corrupted, with and without unknown (info) ops. Corruption changes one
// read in the middle: it returns a value no op wrote (corrupt:1), or a
// stale value, overwritten well before the read was called (corrupt:2).
// Reports ops/s (items_per_second) and the memo's peak memory
// (peak_memo_MB). Results and commands: docs/performance.md, ## Checker.
//
// Histories come from a sequential execution: op k takes effect at time
// 10k, its interval is stretched around that point so up to ~2×clients ops
// overlap, and each client runs one op at a time. Written values are unique,
// as workloads should make them. Deterministic: a fixed splitmix64 seed.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "checkers/history.h"
#include "checkers/history_io.h"
#include "checkers/linearizability.h"

namespace {

using zsim::checkers::CheckOptions;
using zsim::checkers::History;
using zsim::checkers::Operation;
using zsim::checkers::Status;
using zsim::checkers::Value;

class Rng {
 public:
  explicit Rng(std::uint64_t seed) : s_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (s_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  std::int64_t below(std::int64_t n) { return static_cast<std::int64_t>(next() % static_cast<std::uint64_t>(n)); }

 private:
  std::uint64_t s_;
};

struct Spec {
  int clients;
  int ops;
  int corrupt;  // 0: none; 1: a read of a value never written; 2: stale
  bool info;
  int keys;  // 0: one register (cas-register); else kv with this many keys
};

History generate(const Spec& spec) {
  Rng rng(0x5eed + static_cast<std::uint64_t>(spec.clients * 131 + spec.ops));
  History h;
  const std::int64_t spread = 10 * spec.clients;
  std::vector<std::int64_t> last_return(static_cast<std::size_t>(spec.clients), -1);
  std::vector<std::int64_t> process(static_cast<std::size_t>(spec.clients));
  for (int c = 0; c < spec.clients; ++c) process[static_cast<std::size_t>(c)] = c;
  std::vector<std::int64_t> reg(static_cast<std::size_t>(std::max(spec.keys, 1)), 0);
  std::vector<std::string> kv(static_cast<std::size_t>(std::max(spec.keys, 1)));
  std::int64_t next_value = 1;
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
        op.input = Value::of_int(next_value);
        if (happens) reg[0] = next_value;
        ++next_value;
      } else {
        const std::int64_t expect = rng.below(2) == 0 ? reg[0] : reg[0] + 1;
        op.f = "cas";
        op.input = Value::of_vector({Value::of_int(expect), Value::of_int(next_value)});
        op.output = Value::of_bool(expect == reg[0]);
        if (happens && expect == reg[0]) reg[0] = next_value;
        ++next_value;
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
      process[c] += spec.clients;  // Jepsen retires a process after info
    }
    last_return[c] = op.return_time;
    if (!info && (op.f == "read" || op.f == "get")) reads.push_back(h.ops.size());
    if (spec.keys == 0) {
      seen.push_back(Value::of_int(reg[0]));
    } else {
      seen.push_back(Value::of_string(kv[static_cast<std::size_t>(op.key->integer)]));
    }
    h.ops.push_back(std::move(op));
  }
  if (spec.corrupt == 2 && !reads.empty()) {
    // A read in the middle returns the value of its key from 4×clients ops
    // before: written, then overwritten long before the read was called.
    const std::size_t at = reads[reads.size() / 2];
    Operation& r = h.ops[at];
    std::size_t back = at - std::min<std::size_t>(at, static_cast<std::size_t>(4 * spec.clients));
    if (spec.keys != 0) {
      while (back > 0 && !(h.ops[back].key == r.key)) --back;
    }
    r.output = seen[back];
  } else if (spec.corrupt == 1 && !reads.empty()) {
    // A read in the middle returns a value no op wrote.
    Operation& r = h.ops[reads[reads.size() / 2]];
    if (spec.keys == 0) {
      r.output = Value::of_int(-1);
    } else {
      r.output = Value::of_string("stale");
    }
  }
  return h;
}

void run(benchmark::State& state, const Spec& spec) {
  const History h = generate(spec);
  CheckOptions options;
  options.model = spec.keys == 0 ? "cas-register" : "kv";
  options.init = spec.keys == 0 ? Value::of_int(0) : Value::nil();
  options.limits.time_s_max = 60;
  double peak_mb = 0;
  zsim::checkers::Verdict verdict = zsim::checkers::Verdict::unknown;
  for (auto _ : state) {
    auto out = zsim::checkers::check_history(h, options);
    if (!out.result) {
      state.SkipWithError(out.error->message.c_str());
      return;
    }
    verdict = out.result->verdict;
    peak_mb = static_cast<double>(out.result->peak_memory_bytes) / 1e6;
  }
  const auto expected = spec.corrupt != 0 ? zsim::checkers::Verdict::violation : zsim::checkers::Verdict::ok;
  if (verdict != expected) state.SkipWithError(("unexpected verdict " + std::string(verdict_name(verdict))).c_str());
  state.SetItemsProcessed(state.iterations() * spec.ops);
  state.counters["peak_memo_MB"] = peak_mb;
}

void BM_Register(benchmark::State& state) {
  run(state, Spec{static_cast<int>(state.range(0)), static_cast<int>(state.range(1)),
                  static_cast<int>(state.range(2)), state.range(3) != 0, 0});
}

void BM_KeyValue(benchmark::State& state) {
  run(state, Spec{static_cast<int>(state.range(0)), static_cast<int>(state.range(1)),
                  static_cast<int>(state.range(2)), state.range(3) != 0,
                  static_cast<int>(state.range(4))});
}

// Args: clients, ops, corrupt (0 none, 1 never-written value, 2 stale), info.
BENCHMARK(BM_Register)
    ->ArgNames({"clients", "ops", "corrupt", "info"})
    ->Args({1, 100, 0, 0})->Args({1, 100, 1, 0})
    ->Args({5, 100000, 0, 0})->Args({5, 100000, 1, 0})->Args({5, 100000, 2, 0})
    ->Args({20, 1000, 0, 0})->Args({20, 1000, 1, 0})->Args({20, 1000, 2, 0})
    ->Args({20, 1000, 0, 1})->Args({20, 1000, 1, 1})->Args({20, 1000, 2, 1})
    ->Args({50, 1000, 0, 1})->Args({50, 1000, 1, 1})->Args({50, 1000, 2, 1})
    ->Args({10, 10000, 0, 1})->Args({10, 10000, 1, 1})->Args({10, 10000, 2, 1})
    ->Unit(benchmark::kMillisecond);

// Args: clients, ops, corrupt, info, keys.
BENCHMARK(BM_KeyValue)
    ->ArgNames({"clients", "ops", "corrupt", "info", "keys"})
    ->Args({10, 10000, 0, 0, 10})->Args({10, 10000, 1, 0, 10})
    ->Args({10, 10000, 0, 1, 10})->Args({10, 10000, 1, 1, 10})->Args({10, 10000, 2, 1, 10})
    ->Args({50, 1700, 0, 0, 100})->Args({50, 1700, 1, 0, 100})
    ->Args({10, 100000, 0, 0, 100})->Args({10, 100000, 1, 0, 100})
    ->Args({10, 1000, 0, 0, 1})->Args({10, 1000, 1, 0, 1})
    ->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
