// Helpers shared by the checker tests: building histories by hand, random
// histories from a sequential execution (RapidCheck), and a brute-force
// reference checker that tries every order.
#pragma once

#include <rapidcheck.h>

#include <algorithm>
#include <functional>
#include <string>
#include <vector>

#include "checkers/history.h"
#include "checkers/linearizability.h"
#include "checkers/models.h"
#include "checkers/value.h"

namespace zsim::checkers::testing {

inline Operation op(std::int64_t process, std::string f, Value input, Value output,
                    std::int64_t call, std::int64_t ret, Status status = Status::ok) {
  Operation o;
  o.process = process;
  o.f = std::move(f);
  o.input = std::move(input);
  o.output = std::move(output);
  o.call_time = call;
  o.return_time = ret;
  o.status = status;
  return o;
}

// A uniform pick in [lo, hi): RapidCheck scales inRange by the test size,
// which would keep most histories tiny; size 100 makes it uniform.
template <class T>
T pick(T lo, T hi) {
  return *rc::gen::resize(100, rc::gen::inRange<T>(lo, hi));
}

inline Value I(std::int64_t i) { return Value::of_int(i); }
inline Value pair(std::int64_t a, std::int64_t b) { return Value::of_vector({I(a), I(b)}); }

inline Verdict verdict_of(const History& h, const std::string& model, Value init = Value::nil(),
                          Consistency c = Consistency::linearizable) {
  CheckOptions o;
  o.model = model;
  o.init = std::move(init);
  o.consistency = c;
  // A state budget, not seconds: a loaded machine must not turn a verdict
  // into "unknown". No history here comes near it.
  o.limits.time_s_max = 0;
  o.limits.states_max = 50'000'000;
  CheckOutcome out = check_history(h, o);
  if (!out.result) return Verdict::unknown;
  return out.result->verdict;
}

// Tries every order of the ops that respects real time (and, for unknown
// ops, also leaving them out). No memo, no greedy steps: the reference.
template <class M>
bool brute_force_linearizable(M model, const History& h) {
  std::vector<typename M::Op> ops;
  std::vector<const Operation*> src;
  for (const Operation& o : h.ops) {
    if (o.status == Status::fail) continue;
    std::string error;
    auto e = model.encode(o, &error);
    if (!e) continue;
    ops.push_back(*e);
    src.push_back(&o);
  }
  const std::size_t n = ops.size();
  std::vector<bool> placed(n, false);
  std::function<bool(const typename M::State&)> go = [&](const typename M::State& s) {
    bool all = true;
    for (std::size_t i = 0; i < n; ++i) {
      if (!placed[i] && src[i]->status != Status::info) all = false;
    }
    if (all) return true;
    for (std::size_t i = 0; i < n; ++i) {
      if (placed[i]) continue;
      bool minimal = true;  // nothing unplaced returned before i's call
      for (std::size_t j = 0; j < n; ++j) {
        if (!placed[j] && j != i && src[j]->status != Status::info &&
            src[j]->return_time < src[i]->call_time) {
          minimal = false;
        }
      }
      if (!minimal) continue;
      typename M::State next = s;
      if (!model.step(s, ops[i], &next)) continue;
      if (model.preserves_state(ops[i])) next = s;
      placed[i] = true;
      const bool ok = go(next);
      placed[i] = false;
      if (ok) return true;
    }
    return false;
  };
  return go(model.init());
}

// A random cas-register history built from a sequential execution: op k
// takes effect at time 100k, its interval is stretched randomly around that
// point, and each process runs one op at a time. Unknown ops may or may not
// have taken effect. The result is linearizable by construction.
inline History gen_register_history(int ops_max, bool with_info, bool with_cas = true) {
  const int n = pick<int>(1, ops_max + 1);
  History h;
  std::int64_t value = 0;
  std::vector<std::int64_t> busy_until;  // per process
  for (int k = 0; k < n; ++k) {
    const std::int64_t t = 100 * (k + 1);
    std::vector<std::size_t> free;
    for (std::size_t p = 0; p < busy_until.size(); ++p) {
      if (busy_until[p] < t) free.push_back(p);
    }
    std::size_t p;
    if (free.empty() || pick<int>(0, 4) == 0) {
      p = busy_until.size();
      busy_until.push_back(-1);
    } else {
      p = free[static_cast<std::size_t>(pick<int>(0, static_cast<int>(free.size())))];
    }
    const std::int64_t call =
        std::max(busy_until[p] + 1, t - pick<std::int64_t>(0, 250));
    const std::int64_t ret = t + pick<std::int64_t>(0, 250);
    const bool info = with_info && pick<int>(0, 5) == 0;
    const bool happens = !info || pick<int>(0, 2) == 0;
    const int kind = pick<int>(0, with_cas ? 3 : 2);
    Operation o;
    if (kind == 0) {
      o = op(static_cast<std::int64_t>(p), "read", Value::nil(), I(value), call, ret);
    } else if (kind == 1) {
      const std::int64_t v = pick<std::int64_t>(0, 4);
      o = op(static_cast<std::int64_t>(p), "write", I(v), I(v), call, ret);
      if (happens) value = v;
    } else {
      const std::int64_t from = pick<std::int64_t>(0, 4), to = pick<std::int64_t>(0, 4);
      const bool swapped = value == from;
      o = op(static_cast<std::int64_t>(p), "cas", pair(from, to),
             swapped ? Value::of_bool(true) : Value::of_bool(false), call, ret);
      if (happens && swapped) value = to;
    }
    if (info) o.status = Status::info;
    if (info && kind == 0) o.output = Value::nil();
    busy_until[p] = info ? INT64_MAX / 2 : ret;  // an unknown op retires its process
    h.ops.push_back(std::move(o));
  }
  return h;
}

// Like gen_register_history, but every written value is fresh (1, 2, ...;
// the register starts at 0), the shape the search's value rules (wgl.h)
// apply to. cas_mode: 0 no cas; 1 cas only from the current value (so no
// completed cas fails its comparison); 2 cas from the current value or an
// older one (failed comparisons happen). Unknown writes often go unobserved.
inline History gen_unique_register_history(int ops_max, bool with_info, int cas_mode) {
  const int n = pick<int>(1, ops_max + 1);
  History h;
  std::int64_t value = 0, fresh = 1;
  std::vector<std::int64_t> busy_until;  // per process
  for (int k = 0; k < n; ++k) {
    const std::int64_t t = 100 * (k + 1);
    std::vector<std::size_t> free;
    for (std::size_t p = 0; p < busy_until.size(); ++p) {
      if (busy_until[p] < t) free.push_back(p);
    }
    std::size_t p;
    if (free.empty() || pick<int>(0, 3) == 0) {
      p = busy_until.size();
      busy_until.push_back(-1);
    } else {
      p = free[static_cast<std::size_t>(pick<int>(0, static_cast<int>(free.size())))];
    }
    const std::int64_t call = std::max(busy_until[p] + 1, t - pick<std::int64_t>(0, 250));
    const std::int64_t ret = t + pick<std::int64_t>(0, 250);
    const bool info = with_info && pick<int>(0, 3) == 0;
    const bool happens = !info || pick<int>(0, 2) == 0;
    const int kind = pick<int>(0, cas_mode == 0 ? 2 : 3);
    Operation o;
    const auto proc = static_cast<std::int64_t>(p);
    if (kind == 0) {
      o = op(proc, "read", Value::nil(), I(value), call, ret);
    } else if (kind == 1) {
      const std::int64_t v = fresh++;
      o = op(proc, "write", I(v), I(v), call, ret);
      if (happens) value = v;
    } else {
      std::int64_t from = value;
      if (cas_mode == 2 && pick<int>(0, 2) == 0) from = pick<std::int64_t>(0, fresh);
      const std::int64_t to = fresh++;
      const bool swapped = value == from;
      o = op(proc, "cas", pair(from, to), Value::of_bool(swapped), call, ret);
      if (happens && swapped) value = to;
    }
    if (info) o.status = Status::info;
    if (info && kind == 0) o.output = Value::nil();
    busy_until[p] = info ? INT64_MAX / 2 : ret;  // an unknown op retires its process
    h.ops.push_back(std::move(o));
  }
  return h;
}

// Breaks one completed op of a unique-value history the way real bugs do:
// a read returns another written value (stale, or from the future) or one
// never written; a cas reports the other outcome; a write moves later.
inline void corrupt_unique(History* h) {
  if (h->ops.empty()) return;
  std::int64_t top = 0;
  for (const Operation& o : h->ops) {
    if (o.f == "write") top = std::max(top, o.input.integer);
    if (o.f == "cas") top = std::max(top, o.input.items[1].integer);
  }
  const auto k = static_cast<std::size_t>(pick<int>(0, static_cast<int>(h->ops.size())));
  Operation& o = h->ops[k];
  if (o.f == "read") {
    o.output = I(pick<std::int64_t>(0, top + 2));  // top + 1: never written
  } else if (o.f == "cas") {
    o.output = Value::of_bool(!(o.output.kind == Value::Kind::boolean && o.output.boolean));
  } else {
    const std::int64_t shift = pick<std::int64_t>(100, 400);
    o.call_time += shift;
    o.return_time += shift;
  }
}

// Changes one completed op's output (a read's value, a cas's outcome, or a
// write's timing), which usually — not always — breaks linearizability.
inline void corrupt(History* h) {
  if (h->ops.empty()) return;
  const auto k = static_cast<std::size_t>(pick<int>(0, static_cast<int>(h->ops.size())));
  Operation& o = h->ops[k];
  if (o.f == "read") {
    o.output = I(pick<int>(0, 4));
  } else if (o.f == "cas") {
    o.output = Value::of_bool(!(o.output.kind == Value::Kind::boolean && o.output.boolean));
  } else {
    o.input = I(pick<int>(0, 4));
  }
}

}  // namespace zsim::checkers::testing
