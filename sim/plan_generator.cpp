// Generated fault plans: the seeded generator, the fault budget every plan
// (generated or written by hand) must keep, and swarm draws. The plan's
// text form and its validation are in fault_plan.cpp.
#include "sim/fault_plan.h"

#include "core/assert.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <map>
#include <set>

namespace zsim::sim {
namespace {

Ratio draw_ratio(Rng& rng, Ratio max) {
  if (max.num == 0) return Ratio{0, 1};
  // Scale to a denominator of 1000 so ratios print short.
  const std::uint64_t max_permille = max.num * 1000 / max.den;
  return Ratio{rng.below(max_permille + 1), 1000};
}

std::vector<std::string> pick_subset(Rng& rng, std::vector<std::string> from, std::size_t count) {
  // Partial Fisher-Yates on a copy; `from` is in a fixed order.
  for (std::size_t i = 0; i < count && i < from.size(); ++i) {
    std::swap(from[i], from[i + rng.below(from.size() - i)]);
  }
  from.resize(std::min(count, from.size()));
  return from;
}

bool chance(Rng& rng, Ratio r) { return r.num > 0 && rng.chance(r.num, r.den); }

void add_partition(Rng& rng, const PlanOptions& o, Duration at, FaultPlan& plan) {
  std::vector<std::string> all = o.servers;
  all.insert(all.end(), o.clients.begin(), o.clients.end());
  if (all.size() < 2) return;
  FaultEvent e;
  e.at = at;
  e.kind = FaultKind::kPartition;
  // Drawn before the shape, as it always was: a scenario that leaves the
  // shares at their defaults keeps the plans (and fingerprints) it had.
  const bool role_pick = !o.role_targets.empty() && chance(rng, o.role_share);
  // Isolations take their share; the other shapes split the rest evenly
  // (at the default quarter, one even draw of the four shapes).
  const bool even = o.isolate_share.num == 1 && o.isolate_share.den == 4;
  const std::uint64_t shape = even                             ? rng.below(4)
                              : chance(rng, o.isolate_share) ? 1
                                                             : std::array<std::uint64_t, 3>{0, 2, 3}[rng.below(3)];
  const bool role_isolate = shape == 1 && role_pick;
  std::vector<std::string> shuffled = pick_subset(rng, all, all.size());
  if (shape == 0 || (shape == 2 && all.size() < 3)) {
    e.shape = PartitionShape::kSplit;
    const std::size_t cut = 1 + rng.below(shuffled.size() - 1);
    e.groups = {{shuffled.begin(), shuffled.begin() + static_cast<std::ptrdiff_t>(cut)},
                {shuffled.begin() + static_cast<std::ptrdiff_t>(cut), shuffled.end()}};
  } else if (shape == 1) {
    e.shape = PartitionShape::kIsolate;
    if (role_isolate) {
      e.groups = {{o.role_targets[rng.below(o.role_targets.size())]}};
      // Half the time its clients still reach it: a leader cut off from its
      // peers goes on taking writes it cannot replicate (a stale tail).
      if (!o.clients.empty() && chance(rng, o.isolate_except_share)) {
        e.groups.push_back(pick_subset(rng, o.clients, 1 + rng.below(o.clients.size())));
      }
    } else {
      const auto& pool = o.servers.empty() ? all : o.servers;
      e.groups = {{pool[rng.below(pool.size())]}};
    }
  } else if (shape == 2) {
    e.shape = PartitionShape::kBridge;
    const std::string bridge = shuffled.back();
    shuffled.pop_back();
    const std::size_t cut = 1 + rng.below(shuffled.size() - 1);
    e.groups = {{shuffled.begin(), shuffled.begin() + static_cast<std::ptrdiff_t>(cut)},
                {bridge},
                {shuffled.begin() + static_cast<std::ptrdiff_t>(cut), shuffled.end()}};
  } else {
    e.shape = PartitionShape::kOneWay;
    const std::size_t cut = 1 + rng.below(shuffled.size() - 1);
    e.groups = {{shuffled.begin(), shuffled.begin() + static_cast<std::ptrdiff_t>(cut)},
                {shuffled.begin() + static_cast<std::ptrdiff_t>(cut), shuffled.end()}};
  }
  for (auto& g : e.groups) std::sort(g.begin(), g.end());
  plan.events.push_back(std::move(e));
}

constexpr Duration kForever = Duration{INT64_MAX};

// What the generator knows of the servers (and clients) at a moment: who is
// down until when, whose disk is faulty, and how many role-targeted faults
// are in force (each hits some server the plan cannot name).
class Budget {
 public:
  Budget(const PlanOptions& o, int max_down)
      : max_down_(max_down), busy_until_(o.servers.size(), Duration{0}), disk_faulty_(o.servers.size()),
        client_busy_until_(o.clients.size(), Duration{0}) {}

  int down(Duration t) const {
    int n = 0;
    for (std::size_t i = 0; i < busy_until_.size(); ++i) n += busy_until_[i] > t || disk_faulty_[i] ? 1 : 0;
    for (Duration end : role_busy_) n += end > t ? 1 : 0;
    return n;
  }
  bool room_for(Duration t, int more) const { return down(t) + more <= max_down_; }
  bool any_disk_faulty() const {
    return std::any_of(disk_faulty_.begin(), disk_faulty_.end(), [](bool b) { return b; });
  }
  bool idle(std::size_t s, Duration t) const { return busy_until_[s] <= t; }
  bool disk_faulty(std::size_t s) const { return disk_faulty_[s]; }
  bool role_busy(Duration t) const {
    return std::any_of(role_busy_.begin(), role_busy_.end(), [t](Duration end) { return end > t; });
  }
  // Servers that are up and whose disk is sound at t.
  std::vector<std::size_t> healthy(Duration t) const {
    std::vector<std::size_t> out;
    for (std::size_t s = 0; s < busy_until_.size(); ++s) {
      if (idle(s, t) && !disk_faulty_[s]) out.push_back(s);
    }
    return out;
  }
  void busy(std::size_t s, Duration until) { busy_until_[s] = std::max(busy_until_[s], until); }
  void role(Duration until) { role_busy_.push_back(until); }
  void set_disk_faulty(std::size_t s) { disk_faulty_[s] = true; }

  int clients_down(Duration t) const {
    int n = 0;
    for (Duration b : client_busy_until_) n += b > t ? 1 : 0;
    return n;
  }
  std::vector<std::size_t> idle_clients(Duration t) const {
    std::vector<std::size_t> out;
    for (std::size_t c = 0; c < client_busy_until_.size(); ++c) {
      if (client_busy_until_[c] <= t) out.push_back(c);
    }
    return out;
  }
  void client_busy(std::size_t c, Duration until) { client_busy_until_[c] = until; }

 private:
  int max_down_;
  std::vector<Duration> busy_until_;
  std::vector<bool> disk_faulty_;
  std::vector<Duration> role_busy_;
  std::vector<Duration> client_busy_until_;
};

class Generator {
 public:
  Generator(Rng rng, const PlanOptions& o)
      : rng_(std::move(rng)),
        o_(o),
        max_down_(o.max_servers_down >= 0 ? o.max_servers_down : static_cast<int>((o.servers.size() + 1) / 2) - 1),
        budget_(o, max_down_) {}

  FaultPlan run() {
    collect_kinds();
    if (kinds_.empty() || o_.duration.count() <= 0) return plan_;
    const Duration min_gap = millis(10);
    Duration t{0};
    constexpr int kMaxEvents = 10'000;  // a limit on everything
    for (int n = 0; n < kMaxEvents; ++n) {
      t += min_gap + Duration{rng_.exponential(o_.fault_gap_mean.count())};
      if (t >= o_.duration) break;
      add(kinds_[rng_.below(kinds_.size())], t);
    }
    std::stable_sort(plan_.events.begin(), plan_.events.end(),
                     [](const FaultEvent& a, const FaultEvent& b) { return a.at < b.at; });
    return plan_;
  }

 private:
  enum Kind { kPartitionOrHeal, kCrash, kPause, kClock, kLoss, kDup, kReset, kDisk, kPower, kPoint, kClient };

  void collect_kinds() {
    const bool servers = !o_.servers.empty() && max_down_ > 0;
    if (o_.partitions) kinds_.push_back(kPartitionOrHeal);
    if (o_.crashes && servers) kinds_.push_back(kCrash);
    if (o_.pauses && servers) kinds_.push_back(kPause);
    if (o_.clock_faults && !o_.servers.empty()) kinds_.push_back(kClock);
    if (o_.loss) kinds_.push_back(kLoss);
    if (o_.duplicates) kinds_.push_back(kDup);
    if (o_.stream_resets) kinds_.push_back(kReset);
    if (o_.disk_faults && servers) kinds_.push_back(kDisk);
    if (o_.power_loss && o_.servers.size() >= 2) kinds_.push_back(kPower);
    if (o_.crash_points && servers && !o_.crash_sites.empty()) kinds_.push_back(kPoint);
    if ((o_.client_crashes || o_.client_pauses) && !o_.clients.empty() && o_.clients_down_max > 0) {
      kinds_.push_back(kClient);
    }
  }

  Duration length(Duration t, Duration max) {
    const Duration room = o_.duration - t;
    return Duration{std::min(rng_.between(millis(50).count(), std::max(millis(50), max).count()), room.count())};
  }

  // A role target for this fault, or "" for a named host (a third of the
  // time when the scenario allows roles).
  std::string maybe_role() {
    if (o_.role_targets.empty() || !chance(rng_, o_.role_share)) return "";
    return o_.role_targets[rng_.below(o_.role_targets.size())];
  }

  void add(Kind kind, Duration t) {
    FaultEvent e;
    e.at = t;
    switch (kind) {
      case kPartitionOrHeal:
        if (partitioned_ && rng_.chance(2, 3)) {
          e.kind = FaultKind::kHeal;
          plan_.events.push_back(e);
          partitioned_ = false;
        } else {
          add_partition(rng_, o_, t, plan_);
          partitioned_ = true;
        }
        return;
      case kCrash:
      case kPause: return add_crash_or_pause(kind == kCrash, t);
      case kClock:
        e.host = o_.servers[rng_.below(o_.servers.size())];
        if (rng_.chance(1, 2)) {
          e.kind = FaultKind::kClockJump;
          e.duration = Duration{rng_.between(-o_.clock_jump_max.count(), o_.clock_jump_max.count())};
        } else {
          e.kind = FaultKind::kClockDrift;
          e.drift_ppm = rng_.between(-o_.drift_ppm_max, o_.drift_ppm_max);
        }
        plan_.events.push_back(e);
        return;
      case kLoss:
      case kDup:
      case kReset:
        e.kind = kind == kLoss ? FaultKind::kLoss : kind == kDup ? FaultKind::kDuplicate : FaultKind::kStreamReset;
        e.ratio = draw_ratio(rng_, kind == kLoss  ? o_.loss_max
                                   : kind == kDup ? o_.duplicate_max
                                                  : o_.stream_reset_max);
        plan_.events.push_back(e);
        return;
      case kDisk: return add_disk_fault(t);
      case kPower: return add_power_loss(t);
      case kPoint: return add_crash_point(t);
      case kClient: return add_client_fault(t);
    }
  }

  void add_crash_or_pause(bool crash, Duration t) {
    if (!budget_.room_for(t, 1)) return;
    FaultEvent e;
    e.at = t;
    const Duration len = length(t, o_.down_max);
    if (len < millis(1)) return;
    if (std::string role = maybe_role(); !role.empty()) {
      e.host = role;
      e.kind = crash ? FaultKind::kCrash : FaultKind::kPause;
      e.duration = len;
      budget_.role(t + len);
      plan_.events.push_back(e);
      return;
    }
    std::vector<std::size_t> idle;
    for (std::size_t i = 0; i < o_.servers.size(); ++i) {
      if (budget_.idle(i, t)) idle.push_back(i);
    }
    if (idle.empty()) return;
    const std::size_t s = idle[rng_.below(idle.size())];
    e.host = o_.servers[s];
    if (!crash) {
      e.kind = FaultKind::kPause;
      e.duration = len;
      budget_.busy(s, t + len);
      plan_.events.push_back(e);
      return;
    }
    e.kind = FaultKind::kCrash;
    plan_.events.push_back(e);
    if (budget_.disk_faulty(s)) {
      // It forgot what it acknowledged: down until the liveness phase.
      budget_.busy(s, kForever);
      return;
    }
    budget_.busy(s, t + len);
    FaultEvent r;
    r.at = t + len;
    r.kind = FaultKind::kRestart;
    r.host = o_.servers[s];
    plan_.events.push_back(r);
  }

  void add_disk_fault(Duration t) {
    FaultEvent e;
    e.at = t;
    e.kind = rng_.chance(1, 2) ? FaultKind::kDiskCorruptRead : FaultKind::kDiskLyingSync;
    if (o_.disk_fault_servers_max >= 0 && disk_hosts_.size() >= static_cast<std::size_t>(o_.disk_fault_servers_max)) {
      if (disk_hosts_.empty()) return;  // 0: no disk faults at all
      e.host = disk_hosts_[rng_.below(disk_hosts_.size())];
    } else {
      // A new faulty disk counts against the budget from now on; it must be
      // on a server that is up (a crashed one would restart faulty).
      if (!budget_.room_for(t, 1) || budget_.role_busy(t)) return;
      std::vector<std::size_t> candidates = budget_.healthy(t);
      if (candidates.empty()) return;
      const std::size_t s = candidates[rng_.below(candidates.size())];
      budget_.set_disk_faulty(s);
      e.host = o_.servers[s];
      disk_hosts_.push_back(e.host);
    }
    e.ratio = draw_ratio(rng_, o_.disk_fault_max);
    plan_.events.push_back(e);
  }

  void add_power_loss(Duration t) {
    // Correlated: beyond the crash budget on purpose (ZAB loses nothing it
    // acknowledged even if every server loses power), but not while a
    // role-targeted fault is in force, and never on a faulty disk.
    if (budget_.role_busy(t)) return;
    std::vector<std::size_t> up = budget_.healthy(t);
    if (up.size() < 2) return;
    const std::size_t k = 2 + rng_.below(up.size() - 1);
    if (budget_.any_disk_faulty() && !budget_.room_for(t, static_cast<int>(k))) return;
    std::vector<std::string> names;
    for (std::size_t i : up) names.push_back(o_.servers[i]);
    names = pick_subset(rng_, names, k);
    FaultEvent e;
    e.at = t;
    e.kind = FaultKind::kPowerLoss;
    e.duration = length(t, o_.power_loss_max);
    if (e.duration < millis(1)) return;
    // Half the power losses bring the servers back one by one (in the
    // shuffled order): those that come back first elect among themselves.
    if (chance(rng_, o_.power_stagger_share)) {
      e.stagger = Duration{rng_.between(millis(100).count(), seconds(2).count())};
    } else {
      std::sort(names.begin(), names.end());
    }
    // Half of them strike when one of the servers reaches a protocol step.
    if (o_.crash_points && !o_.crash_sites.empty() && chance(rng_, o_.power_at_site_share)) {
      e.kind = FaultKind::kPowerLossAt;
      e.site = o_.crash_sites[rng_.below(o_.crash_sites.size())];
      e.within = Duration{rng_.between(millis(500).count(), seconds(3).count())};
      if (e.stagger.count() > 0) {
        const std::uint64_t where = rng_.below(3);
        e.reacher = where == 0 ? FaultEvent::Reacher::kInPlace
                    : where == 1 ? FaultEvent::Reacher::kFirst
                                 : FaultEvent::Reacher::kLast;
      }
    }
    const Duration room = o_.duration - t;
    if (e.within + e.duration + e.stagger > room) return;
    e.groups = {names};
    for (std::size_t i : up) {
      if (std::find(names.begin(), names.end(), o_.servers[i]) != names.end()) {
        budget_.busy(i, t + e.within + e.duration + e.stagger);
      }
    }
    plan_.events.push_back(e);
  }

  void add_crash_point(Duration t) {
    if (!budget_.room_for(t, 1)) return;
    FaultEvent e;
    e.at = t;
    e.kind = FaultKind::kCrashAt;
    e.site = o_.crash_sites[rng_.below(o_.crash_sites.size())];
    // Armed for a while, then down for a while; all inside the safety phase.
    const Duration room = o_.duration - t;
    if (room < millis(200)) return;
    e.within = Duration{std::min(rng_.between(millis(500).count(), seconds(3).count()), room.count() / 2)};
    e.duration = Duration{std::min(rng_.between(millis(50).count(), std::max(millis(50), o_.down_max).count()),
                                   room.count() - e.within.count())};
    const Duration until = t + e.within + e.duration;
    if (std::string role = maybe_role(); !role.empty()) {
      e.host = role;
      budget_.role(until);
    } else {
      std::vector<std::size_t> candidates = budget_.healthy(t);
      if (candidates.empty()) return;
      const std::size_t s = candidates[rng_.below(candidates.size())];
      e.host = o_.servers[s];
      budget_.busy(s, until);
    }
    plan_.events.push_back(e);
  }

  void add_client_fault(Duration t) {
    if (budget_.clients_down(t) >= o_.clients_down_max) return;
    std::vector<std::size_t> idle = budget_.idle_clients(t);
    if (idle.empty()) return;
    const std::size_t c = idle[rng_.below(idle.size())];
    const Duration len = length(t, o_.client_down_max);
    if (len < millis(1)) return;
    const bool crash = o_.client_crashes && (!o_.client_pauses || rng_.chance(1, 2));
    budget_.client_busy(c, t + len);
    FaultEvent e;
    e.at = t;
    e.host = o_.clients[c];
    if (!crash) {
      e.kind = FaultKind::kPause;
      e.duration = len;
      plan_.events.push_back(e);
      return;
    }
    e.kind = FaultKind::kCrash;
    plan_.events.push_back(e);
    FaultEvent r;
    r.at = t + len;
    r.kind = FaultKind::kRestart;
    r.host = o_.clients[c];
    plan_.events.push_back(r);
  }

  Rng rng_;
  const PlanOptions& o_;
  int max_down_;
  Budget budget_;
  std::vector<Kind> kinds_;
  std::vector<std::string> disk_hosts_;
  bool partitioned_ = false;
  FaultPlan plan_;
};

}  // namespace

FaultPlan generate_plan(Rng rng, const PlanOptions& options) { return Generator(std::move(rng), options).run(); }

// --- The fault budget ---------------------------------------------------------

namespace {

// The budget check's view of one server over the plan's timeline.
struct ServerState {
  bool crashed = false;
  Duration up_at = kForever;  // when a timed crash ends (kForever: never by itself)
  Duration paused_until{0};
  bool disk_faulty = false;
};

class BudgetCheck {
 public:
  BudgetCheck(const std::vector<std::string>& servers, int max_down, Duration safety_phase)
      : max_down_(max_down), safety_phase_(safety_phase) {
    for (const auto& s : servers) state_[s];
  }

  std::string run(const FaultPlan& plan) {
    std::vector<const FaultEvent*> events;
    for (const FaultEvent& e : plan.events) events.push_back(&e);
    std::stable_sort(events.begin(), events.end(), [](auto* a, auto* b) { return a->at < b->at; });
    for (const FaultEvent* e : events) {
      advance(e->at);
      if (std::string p = apply(*e); !p.empty()) return fmt::format("{}: {}", print_event(*e), p);
      if (std::string p = over_budget(e->at); !p.empty()) return fmt::format("{}: {}", print_event(*e), p);
    }
    return "";
  }

 private:
  ServerState* server(const std::string& name) {
    auto it = state_.find(name);
    return it == state_.end() ? nullptr : &it->second;
  }

  void advance(Duration t) {
    for (auto& [name, s] : state_) {
      if (s.crashed && s.up_at <= t) {
        s.crashed = false;
        s.up_at = kForever;
      }
    }
    std::erase_if(role_busy_, [t](Duration end) { return end <= t; });
  }

  std::string crash(ServerState& s, const std::string& name, Duration t, Duration length) {
    if (s.disk_faulty && length.count() > 0 && t + length < safety_phase_) {
      return fmt::format("{}'s disk is faulty: once it crashes it must stay down until the liveness phase "
                         "(its restart would bring back a server that forgot what it acknowledged)",
                         name);
    }
    s.crashed = true;
    s.up_at = length.count() > 0 ? t + length : kForever;
    return "";
  }

  std::string apply(const FaultEvent& e) {
    const Duration t = e.at;
    if (is_role_target(e.host)) {
      if (e.kind == FaultKind::kCrash || e.kind == FaultKind::kPause) role_busy_.push_back(t + e.duration);
      if (e.kind == FaultKind::kCrashAt) {
        role_busy_.push_back(e.within.count() > 0 ? t + e.within + e.duration : kForever);
      }
      return "";
    }
    ServerState* s = server(e.host);
    switch (e.kind) {
      case FaultKind::kCrash:
        if (s != nullptr) return crash(*s, e.host, t, e.duration);
        return "";
      case FaultKind::kRestart:
        if (s == nullptr) return "";
        if (s->disk_faulty && t < safety_phase_) {
          return fmt::format("{}'s disk is faulty: it may restart only in the liveness phase", e.host);
        }
        s->crashed = false;
        s->up_at = kForever;
        return "";
      case FaultKind::kPause:
        if (s != nullptr) s->paused_until = std::max(s->paused_until, t + e.duration);
        return "";
      case FaultKind::kCrashAt:
        if (s == nullptr) return "";
        if (s->disk_faulty) return fmt::format("{}'s disk is faulty: a crash point would restart it early", e.host);
        // It crashes at some moment while armed: count it down throughout.
        s->paused_until = std::max(s->paused_until, e.within.count() > 0 ? t + e.within + e.duration : kForever);
        return "";
      case FaultKind::kPowerLoss:
      case FaultKind::kPowerLossAt:
        for (const std::string& h : e.groups.empty() ? std::vector<std::string>{} : e.groups[0]) {
          ServerState* p = server(h);
          if (p == nullptr) continue;
          if (p->disk_faulty) return fmt::format("{}'s disk is faulty: a power loss would restart it early", h);
          if (e.kind == FaultKind::kPowerLoss) {
            p->crashed = true;
            p->up_at = t + e.duration + e.stagger;
          } else {
            // Down at some moment while armed: count it down throughout.
            p->paused_until = std::max(p->paused_until, e.within.count() > 0
                                                            ? t + e.within + e.duration + e.stagger
                                                            : kForever);
          }
        }
        return "";
      case FaultKind::kDiskCorruptRead:
      case FaultKind::kDiskLyingSync:
        if (s == nullptr || s->disk_faulty || e.ratio.num == 0) return "";
        if (s->crashed && s->up_at != kForever) {
          return fmt::format("{} gets a faulty disk while it is down and would restart with it", e.host);
        }
        s->disk_faulty = true;
        return "";
      default: return "";
    }
  }

  // While some disk is faulty, the faulty servers and the ones down must
  // stay within what the ensemble can lose.
  std::string over_budget(Duration t) {
    int down = static_cast<int>(role_busy_.size());
    bool faulty = false;
    std::string who;
    for (const auto& [name, s] : state_) {
      faulty = faulty || s.disk_faulty;
      if (s.disk_faulty || s.crashed || s.paused_until > t) {
        ++down;
        who += (who.empty() ? "" : " ") + name;
      }
    }
    if (!faulty || down <= max_down_) return "";
    return fmt::format("{} servers down or disk-faulty at once ({}{}) while a disk is faulty; the ensemble can "
                       "lose at most {}",
                       down, who, role_busy_.empty() ? "" : fmt::format(" and {} role targets", role_busy_.size()),
                       max_down_);
  }

  int max_down_;
  Duration safety_phase_;
  std::map<std::string, ServerState> state_;
  std::vector<Duration> role_busy_;
};

}  // namespace

std::string check_fault_budget(const FaultPlan& plan, const std::vector<std::string>& servers, int max_down,
                               Duration safety_phase) {
  return BudgetCheck(servers, max_down, safety_phase).run(plan);
}

// --- Swarm ----------------------------------------------------------------------

std::string SwarmDraw::to_string() const {
  std::string out;
  for (const auto& k : kinds_on) out += (out.empty() ? "" : " ") + k;
  if (out.empty()) out = "(no faults)";
  return fmt::format("{}; gap x{}/{}", out, gap_num, gap_den);
}

PlanOptions draw_swarm(Rng rng, const PlanOptions& options, SwarmDraw* draw) {
  PlanOptions o = options;
  SwarmDraw d;
  // Every kind the scenario allows is kept with probability 1/2, in a fixed
  // order so a draw depends only on the seed.
  struct Switch {
    const char* name;
    bool* on;
  };
  bool roles = !o.role_targets.empty();
  const Switch switches[] = {
      {"partitions", &o.partitions},       {"crashes", &o.crashes},
      {"pauses", &o.pauses},               {"clock", &o.clock_faults},
      {"loss", &o.loss},                   {"duplicates", &o.duplicates},
      {"stream-resets", &o.stream_resets}, {"disk", &o.disk_faults},
      {"power-loss", &o.power_loss},       {"crash-points", &o.crash_points},
      {"client-crashes", &o.client_crashes}, {"client-pauses", &o.client_pauses},
      {"roles", &roles},
  };
  for (const Switch& s : switches) {
    if (!*s.on) continue;
    *s.on = rng.chance(1, 2);
    if (*s.on) d.kinds_on.emplace_back(s.name);
  }
  if (!roles) o.role_targets.clear();
  // How hard: the mean gap between faults from four times the scenario's
  // (calm) to a quarter of it (a storm).
  static constexpr std::uint64_t kGaps[][2] = {{4, 1}, {2, 1}, {1, 1}, {1, 2}, {1, 4}};
  const auto& g = kGaps[rng.below(std::size(kGaps))];
  d.gap_num = g[0];
  d.gap_den = g[1];
  o.fault_gap_mean = Duration{o.fault_gap_mean.count() * static_cast<std::int64_t>(g[0]) /
                              static_cast<std::int64_t>(g[1])};
  if (draw != nullptr) *draw = std::move(d);
  return o;
}

}  // namespace zsim::sim
