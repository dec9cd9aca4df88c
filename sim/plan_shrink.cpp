#include "sim/plan_shrink.h"

#include "core/io/int128.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>

namespace zsim::sim {
namespace {

// Shorter lengths for a positive duration, simplest first: rounded down to a
// whole second, a tenth, a hundredth, a millisecond, then halved (in whole
// milliseconds). Each is strictly shorter and at least a millisecond.
std::vector<Duration> shorter(Duration d) {
  std::vector<Duration> out;
  auto add = [&](Duration c) {
    if (c >= millis(1) && c < d && std::find(out.begin(), out.end(), c) == out.end()) out.push_back(c);
  };
  for (Duration unit : {seconds(1), millis(100), millis(10), millis(1)}) add(d / unit * unit);
  add(d / 2 / millis(1) * millis(1));  // halved, in whole milliseconds: plans stay readable
  return out;
}

// A smaller magnitude for a signed quantity (a clock jump): halved toward 0.
std::vector<Duration> smaller_jump(Duration d) {
  std::vector<Duration> out;
  if (d / 2 != Duration{0} && std::llabs(d.count()) >= millis(2).count()) out.push_back(d / 2);
  return out;
}

// A lower ratio that is still a fault (a disk fault at 0 would switch it
// off, a loss at 0 would be a different event), on a grid a reader can
// take in: rounded down to hundredths, then halved in thousandths; nothing
// below 1/1000 (lower changes nothing a reader cares about, and spends runs).
std::vector<Ratio> lower(Ratio r) {
  std::vector<Ratio> out;
  if (r.num == 0 || r.den == 0) return out;
  auto add = [&](Ratio c) {
    // c < r, compared exactly: c.num/c.den < r.num/r.den.
    const bool less = static_cast<uint128>(c.num) * r.den < static_cast<uint128>(r.num) * c.den;
    if (c.num > 0 && less && std::find(out.begin(), out.end(), c) == out.end()) out.push_back(c);
  };
  const auto per = [&r](std::uint64_t grid) {
    return static_cast<std::uint64_t>(static_cast<uint128>(r.num) * grid / r.den);
  };
  add(Ratio{per(100), 100});
  add(Ratio{per(1000) / 2, 1000});
  return out;
}

// Earlier times for the event at `at`, never before `floor` (the event
// before it): rounded down to a second, to a tenth, halfway to the floor.
std::vector<Duration> earlier(Duration at, Duration floor) {
  std::vector<Duration> out;
  auto add = [&](Duration c) {
    if (c >= floor && c < at && std::find(out.begin(), out.end(), c) == out.end()) out.push_back(c);
  };
  for (Duration unit : {seconds(1), millis(100), millis(10), millis(1)}) add(at / unit * unit);
  if (at - floor >= millis(2)) add(floor + (at - floor) / 2 / millis(1) * millis(1));
  return out;
}

// Partitions with one host fewer (each side keeps at least one), or, for
// an isolation with `except`, without the hosts that still reach it.
std::vector<FaultEvent> fewer_hosts(const FaultEvent& e) {
  std::vector<FaultEvent> out;
  if (e.kind == FaultKind::kPartition && e.shape == PartitionShape::kIsolate && e.groups.size() > 1) {
    FaultEvent c = e;
    c.groups.resize(1);
    out.push_back(std::move(c));
  }
  const bool power = e.kind == FaultKind::kPowerLoss || e.kind == FaultKind::kPowerLossAt;
  if (e.kind != FaultKind::kPartition && !power) return out;
  for (std::size_t g = 0; g < e.groups.size(); ++g) {
    // A power loss of one host is a crash: keep at least two.
    const std::size_t keep = power ? 2 : 1;
    if (e.groups[g].size() <= keep) continue;
    for (std::size_t h = 0; h < e.groups[g].size(); ++h) {
      FaultEvent c = e;
      c.groups[g].erase(c.groups[g].begin() + static_cast<std::ptrdiff_t>(h));
      out.push_back(std::move(c));
    }
  }
  return out;
}

// Every one-step simplification of one event, the plan's shape kept.
std::vector<FaultEvent> simpler_events(const FaultEvent& e, Duration floor) {
  std::vector<FaultEvent> out = fewer_hosts(e);
  auto with = [&](auto change) {
    FaultEvent c = e;
    change(c);
    out.push_back(std::move(c));
  };
  switch (e.kind) {
    case FaultKind::kClockJump:
      for (Duration d : smaller_jump(e.duration)) with([d](FaultEvent& c) { c.duration = d; });
      break;
    case FaultKind::kClockDrift:
      if (std::llabs(e.drift_ppm) >= 2) with([](FaultEvent& c) { c.drift_ppm /= 2; });
      break;
    case FaultKind::kLoss:
    case FaultKind::kDuplicate:
    case FaultKind::kStreamReset:
    case FaultKind::kDiskCorruptRead:
    case FaultKind::kDiskLyingSync:
      for (Ratio r : lower(e.ratio)) with([r](FaultEvent& c) { c.ratio = r; });
      break;
    default:
      // Pause lengths and downtimes; 0 (down until the liveness phase) is
      // left alone: it is not a length.
      if (e.duration > Duration{0}) {
        for (Duration d : shorter(e.duration)) with([d](FaultEvent& c) { c.duration = d; });
      }
      break;
  }
  if (e.within > Duration{0}) {
    for (Duration d : shorter(e.within)) with([d](FaultEvent& c) { c.within = d; });
  }
  if (e.stagger > Duration{0}) {
    with([](FaultEvent& c) {
      c.stagger = Duration{0};
      c.reacher = FaultEvent::Reacher::kInPlace;  // no order to place it in
    });
    for (Duration d : shorter(e.stagger)) with([d](FaultEvent& c) { c.stagger = d; });
  }
  if (e.reacher != FaultEvent::Reacher::kInPlace) {
    with([](FaultEvent& c) { c.reacher = FaultEvent::Reacher::kInPlace; });
  }
  for (Duration at : earlier(e.at, floor)) with([at](FaultEvent& c) { c.at = at; });
  return out;
}

std::string describe(const FaultPlan& before, const FaultPlan& after) {
  if (after.events.size() < before.events.size()) {
    return fmt::format("dropped {} event{}", before.events.size() - after.events.size(),
                       before.events.size() - after.events.size() == 1 ? "" : "s");
  }
  for (std::size_t i = 0; i < after.events.size(); ++i) {
    if (!(after.events[i] == before.events[i])) return "simplified: " + print_event(after.events[i]);
  }
  return "no change";
}

}  // namespace

std::vector<FaultPlan> removal_steps(const FaultPlan& plan, std::size_t chunk) {
  std::vector<FaultPlan> out;
  const std::size_t n = plan.events.size();
  if (chunk == 0 || n == 0) return out;
  for (std::size_t start = 0; start < n; start += chunk) {
    FaultPlan c;
    for (std::size_t i = 0; i < n; ++i) {
      if (i < start || i >= start + chunk) c.events.push_back(plan.events[i]);
    }
    out.push_back(std::move(c));
  }
  return out;
}

std::vector<FaultPlan> simplification_steps(const FaultPlan& plan) {
  std::vector<FaultPlan> out;
  for (std::size_t i = 0; i < plan.events.size(); ++i) {
    const Duration floor = i == 0 ? Duration{0} : plan.events[i - 1].at;
    for (FaultEvent& e : simpler_events(plan.events[i], floor)) {
      FaultPlan c = plan;
      c.events[i] = std::move(e);
      out.push_back(std::move(c));
    }
  }
  return out;
}

namespace {

class Search {
 public:
  Search(FaultPlan plan, const ShrinkCallbacks& cb, const ShrinkOptions& o) : cb_(cb), o_(o) {
    result_.plan = std::move(plan);
  }

  ShrinkResult run() {
    // Removal to a fixpoint, then one simplification, and again: a
    // simpler event can make another one unnecessary.
    while (!done()) {
      const bool removed = remove_events();
      if (done()) break;
      const bool simplified = simplify_events();
      if (!removed && !simplified) break;
    }
    return result_;
  }

 private:
  bool done() const { return result_.budget_spent || result_.stopped; }

  // ddmin's removal: chunks of half the plan, then quarters, ... then
  // single events; after a removal, the same chunk size again.
  bool remove_events() {
    bool any = false;
    std::size_t chunk = std::max<std::size_t>(1, result_.plan.events.size() / 2);
    while (!done() && !result_.plan.events.empty()) {
      if (take_first(removal_steps(result_.plan, chunk))) {
        any = true;
        chunk = std::min(chunk, std::max<std::size_t>(1, result_.plan.events.size() / 2));
        continue;
      }
      if (chunk == 1) break;
      chunk = std::max<std::size_t>(1, chunk / 2);
    }
    return any;
  }

  // One pass over the events: each is simplified as far as it goes (the
  // same event again after a step) before the next; a pass costs about
  // the number of candidate steps, not its square.
  bool simplify_events() {
    bool any = false;
    for (std::size_t i = 0; i < result_.plan.events.size() && !done();) {
      const Duration floor = i == 0 ? Duration{0} : result_.plan.events[i - 1].at;
      std::vector<FaultPlan> candidates;
      for (FaultEvent& e : simpler_events(result_.plan.events[i], floor)) {
        FaultPlan c = result_.plan;
        c.events[i] = std::move(e);
        candidates.push_back(std::move(c));
      }
      if (take_first(std::move(candidates))) {
        any = true;
      } else {
        ++i;
      }
    }
    return any;
  }

  // Runs the valid candidates in order, a batch at a time; takes the first
  // that still fails. False if none does (or the search must stop).
  bool take_first(std::vector<FaultPlan> candidates) {
    if (cb_.valid) {
      std::erase_if(candidates, [this](const FaultPlan& p) { return !cb_.valid(p); });
    }
    const std::size_t batch = std::max<std::size_t>(1, o_.batch);
    for (std::size_t at = 0; at < candidates.size(); at += batch) {
      if (cb_.should_stop && cb_.should_stop()) {
        result_.stopped = true;
        return false;
      }
      const std::size_t room = o_.max_runs - result_.runs;
      if (room == 0) {
        result_.budget_spent = true;
        return false;
      }
      const std::size_t n = std::min({batch, candidates.size() - at, room});
      std::vector<FaultPlan> some(candidates.begin() + static_cast<std::ptrdiff_t>(at),
                                  candidates.begin() + static_cast<std::ptrdiff_t>(at + n));
      const std::vector<bool> fails = cb_.still_fails(some);
      result_.runs += n;
      for (std::size_t i = 0; i < n && i < fails.size(); ++i) {
        if (!fails[i]) continue;
        accept(std::move(some[i]));
        return true;
      }
    }
    return false;
  }

  void accept(FaultPlan plan) {
    ShrinkProgress p;
    p.step = describe(result_.plan, plan);
    result_.plan = std::move(plan);
    ++result_.steps;
    p.runs = result_.runs;
    p.events = result_.plan.events.size();
    if (cb_.on_step) cb_.on_step(p);
  }

  const ShrinkCallbacks& cb_;
  const ShrinkOptions& o_;
  ShrinkResult result_;
};

}  // namespace

ShrinkResult shrink_plan(const FaultPlan& plan, const ShrinkCallbacks& callbacks, const ShrinkOptions& options) {
  return Search(plan, callbacks, options).run();
}

}  // namespace zsim::sim
