#include "core/io/int128.h"
#include "sim/simulator.h"

#include "core/assert.h"

#include <fmt/format.h>

#include <algorithm>

namespace zsim::sim {

const char* to_string(Verdict v) {
  switch (v) {
    case Verdict::kOk: return "ok";
    case Verdict::kLinearizability: return "linearizability";
    case Verdict::kInvariant: return "invariant";
    case Verdict::kLiveness: return "liveness";
    case Verdict::kCrash: return "crash";
  }
  return "unknown";
}

// One host: its state, its hardware (clock, disk) and the io::Env its
// process sees. Calls from a dead process (only possible from destructors
// running while it is torn down) are ignored.
class Simulator::Host final : public io::Clock,
                              public io::Transport,
                              public io::Storage,
                              public io::Random,
                              public io::Tracer,
                              public io::Fibers {
 public:
  Host(Simulator& sim, io::HostId id, std::string name, ProcessFactory factory)
      : sim_(sim),
        id_(id),
        name_(std::move(name)),
        factory_(std::move(factory)),
        disk_(sim.loop_, sim.root_.fork("disk/" + name_), sim.options_.disk),
        rng_(sim.root_.fork("host/" + name_)),
        env_{*this, *this, *this, *this, *this, *this, name_} {}

  // --- state -----------------------------------------------------------
  Simulator& sim_;
  const io::HostId id_;
  const std::string name_;
  ProcessFactory factory_;
  Disk disk_;
  Rng rng_;
  io::Env env_;
  std::unique_ptr<Process> process_;
  bool up_ = false;
  bool paused_ = false;
  Time paused_until_{};
  std::uint32_t incarnation_ = 1;
  // A disk fault was ever applied here: role targets never pick this host.
  bool disk_faulty_ = false;
  std::vector<EventId> held_;
  // Clock: local = base_local + (global - base_global) * (1e6 + drift) / 1e6.
  std::int64_t base_global_ns_ = 0;
  std::int64_t base_local_ns_ = 0;
  std::int64_t drift_ppm_ = 0;

  EventTag tag() const { return EventTag{id_ + 1, incarnation_}; }

  std::int64_t local_at(std::int64_t global_ns) const {
    const int128 elapsed = global_ns - base_global_ns_;
    return base_local_ns_ + static_cast<std::int64_t>(elapsed * (1'000'000 + drift_ppm_) / 1'000'000);
  }
  // Global time that passes while `local` passes on this clock (rounded up,
  // so a timer never fires early by its own clock).
  Duration to_global(Duration local) const {
    if (local.count() <= 0) return Duration{0};
    const int128 rate = 1'000'000 + drift_ppm_;
    return Duration{static_cast<std::int64_t>((static_cast<int128>(local.count()) * 1'000'000 + rate - 1) / rate)};
  }
  void rebase() {
    const std::int64_t g = to_ns(sim_.now());
    base_local_ns_ = local_at(g);
    base_global_ns_ = g;
  }

  // --- io::Clock ---------------------------------------------------------
  Time now() const override { return time_from_ns(local_at(to_ns(sim_.now()))); }
  io::TimerId schedule(Duration after, UniqueFunction<void()> fn) override {
    if (!up_) return 0;
    return sim_.loop_.schedule_after(to_global(after), std::move(fn), tag());
  }
  // Only this incarnation's own timers: an id from a previous life (or any
  // other event) is not this process's to cancel (io::Clock contract).
  bool cancel(io::TimerId id) override {
    const std::optional<EventTag> owner = sim_.loop_.tag_of(id);
    if (!owner || owner->owner != tag().owner || owner->incarnation != incarnation_) return false;
    return sim_.loop_.cancel(id);
  }

  // --- io::Transport -----------------------------------------------------
  io::HostId self() const override { return id_; }
  void listen(io::Port port, AcceptFn on_accept) override {
    if (up_) sim_.network_.listen(id_, port, std::move(on_accept));
  }
  io::ConnId connect(io::HostId host, io::Port port, io::StreamHandlers handlers,
                     ConnectedFn on_connected) override {
    if (!up_) return 0;
    return sim_.network_.connect(id_, host, port, std::move(handlers), std::move(on_connected));
  }
  bool send(io::ConnId conn, io::Bytes bytes) override {
    return up_ && sim_.network_.send(id_, conn, std::move(bytes));
  }
  void close(io::ConnId conn) override {
    if (up_) sim_.network_.close(id_, conn);
  }
  void bind(io::Port port, DatagramFn on_datagram) override {
    if (up_) sim_.network_.bind(id_, port, std::move(on_datagram));
  }
  void send_datagram(io::HostId host, io::Port port, io::Bytes bytes) override {
    if (up_) sim_.network_.send_datagram(id_, host, port, std::move(bytes));
  }

  // --- io::Storage -------------------------------------------------------
  std::optional<io::Bytes> read(const std::string& name) override { return disk_.read(name); }
  std::optional<std::uint64_t> size(const std::string& name) override { return disk_.size(name); }
  void append(const std::string& name, const io::Bytes& bytes) override {
    if (up_) disk_.append(name, bytes);
  }
  void truncate(const std::string& name, std::uint64_t length) override {
    if (up_) disk_.truncate(name, length);
  }
  void sync(const std::string& name, UniqueFunction<void(bool)> done) override {
    if (up_) disk_.sync(name, std::move(done), tag());
  }
  bool rename(const std::string& from, const std::string& to) override {
    return up_ && disk_.rename(from, to);
  }
  bool remove(const std::string& name) override { return up_ && disk_.remove(name); }
  std::vector<std::string> list() override { return disk_.list(); }

  // --- io::Random --------------------------------------------------------
  std::uint64_t next_u64() override { return rng_.next_u64(); }
  std::uint64_t below(std::uint64_t bound) override { return rng_.below(bound); }
  bool chance(std::uint64_t n, std::uint64_t d) override { return rng_.chance(n, d); }
  bool buggify(std::string_view site) override { return sim_.buggify(site); }
  void fault_site(std::string_view site) override {
    if (up_) sim_.on_fault_site(id_, site);
  }

  // --- io::Tracer --------------------------------------------------------
  void event(std::string_view kind, std::initializer_list<io::TraceField> fields) override {
    sim_.trace_.event(sim_.now(), name_, kind, fields);
  }

  // --- io::Fibers --------------------------------------------------------
  void spawn(std::string_view name, UniqueFunction<void()> body) override {
    if (up_) sim_.fibers_.spawn(tag(), name_ + "/" + std::string(name), std::move(body));
  }
  bool in_fiber() const override { return sim_.fibers_.in_fiber(); }
  io::Waker waker() override { return sim_.fibers_.waker(); }
  bool park(std::optional<Duration> timeout) override {
    std::optional<Duration> global;
    if (timeout) global = to_global(*timeout);
    return sim_.fibers_.park(global);
  }
  void wake(io::Waker w) override { sim_.fibers_.wake(w); }
  bool is_current(io::Waker w) const override { return sim_.fibers_.is_current(w); }
};

// --- Simulator ---------------------------------------------------------------

namespace {
std::string assert_context(const void* arg) {
  return static_cast<const Simulator*>(arg)->describe_position();
}

bool valid_host_name(std::string_view name) {
  if (name.empty() || name.size() > 32) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  });
}
}  // namespace

Simulator::Simulator(SimOptions options)
    : options_(std::move(options)),
      root_(options_.seed),
      network_(loop_, trace_, root_.fork("net"), *this, options_.network),
      fibers_(loop_, options_.fibers,
              [this](std::uint32_t owner, const std::string& what) { on_fiber_failure(owner, what); }),
      buggify_rng_(root_.fork("buggify")),
      role_rng_(root_.fork("roles")) {
  loop_.set_gate(this);
  buggify_enabled_ = options_.allow_buggify && buggify_rng_.chance(1, 2);
  set_assert_context(&assert_context, this);
}

Simulator::~Simulator() {
  trace_.clear_sink();  // teardown is not part of the run
  // Tear processes down while the loop and network still exist.
  for (auto& h : hosts_) {
    if (h->up_) {
      h->up_ = false;
      fibers_.destroy_owned_by(h->tag().owner);
      h->process_.reset();
    }
  }
  // Then drop what the processes left behind (network handlers, timers,
  // deliveries, sync callbacks) while the hosts and fibers still exist:
  // those callbacks may own the last copy of a Promise, whose destructor
  // wakes its waiters through the host's io::Fibers.
  for (auto& h : hosts_) network_.on_host_crash(h->id_);
  loop_.clear();
  set_assert_context(nullptr, nullptr);
}

io::HostId Simulator::add_host(std::string name, ProcessFactory factory) {
  ZSIM_ASSERT_MSG(valid_host_name(name), "host names are [a-z0-9_-]{1,32}");
  ZSIM_ASSERT_MSG(!find_host(name).has_value(), "duplicate host name");
  const auto id = static_cast<io::HostId>(hosts_.size());
  hosts_.push_back(std::make_unique<Host>(*this, id, std::move(name), std::move(factory)));
  return id;
}

std::optional<io::HostId> Simulator::find_host(std::string_view name) const {
  for (const auto& h : hosts_) {
    if (h->name_ == name) return h->id_;
  }
  return std::nullopt;
}

std::vector<std::string> Simulator::host_names() const {
  std::vector<std::string> names;
  for (const auto& h : hosts_) names.push_back(h->name_);
  return names;
}

Simulator::Host& Simulator::host(io::HostId h) {
  ZSIM_ASSERT(h < hosts_.size());
  return *hosts_[h];
}
const Simulator::Host& Simulator::host(io::HostId h) const {
  ZSIM_ASSERT(h < hosts_.size());
  return *hosts_[h];
}

HostInfo Simulator::host_info(io::HostId h) const {
  const Host& x = host(h);
  return HostInfo{x.name_, x.up_, x.paused_, x.incarnation_};
}

Process* Simulator::process(io::HostId h) { return host(h).process_.get(); }
io::Env& Simulator::env(io::HostId h) { return host(h).env_; }
Disk& Simulator::disk(io::HostId h) { return host(h).disk_; }

bool Simulator::is_up(io::HostId h) const { return host(h).up_; }
EventTag Simulator::tag_of(io::HostId h) const { return host(h).tag(); }
const std::string& Simulator::name_of(io::HostId h) const { return host(h).name_; }

GateDecision Simulator::decide(EventTag tag, EventId id) {
  ZSIM_ASSERT(tag.owner >= 1 && tag.owner <= hosts_.size());
  Host& h = *hosts_[tag.owner - 1];
  if (!h.up_ || h.incarnation_ != tag.incarnation) return GateDecision::kDrop;
  if (h.paused_) {
    h.held_.push_back(id);
    return GateDecision::kHold;
  }
  return GateDecision::kRun;
}

void Simulator::start(io::HostId id) {
  Host& h = host(id);
  if (h.up_) return;
  h.up_ = true;
  h.paused_ = false;
  // Each incarnation draws from its own stream: a restart does not replay
  // the random choices of the previous life, yet stays deterministic.
  h.rng_ = root_.fork(fmt::format("host/{}/{}", h.name_, h.incarnation_));
  trace_.event(now(), h.name_, "host.start", {{"incarnation", h.incarnation_}});
  h.process_ = h.factory_(h.env_);
}

void Simulator::restart(io::HostId id) { start(id); }

void Simulator::crash(io::HostId id) {
  Host& h = host(id);
  if (!h.up_) return;
  trace_.event(now(), h.name_, "host.crash", {{"incarnation", h.incarnation_}});
  const EventTag old_tag = h.tag();
  // Down first: destructors that run while the fibers unwind and the process
  // is destroyed must not reach the world (a crashed host sends nothing).
  h.up_ = false;
  finish_crash(id, old_tag);
}

void Simulator::finish_crash(io::HostId id, EventTag old_tag) {
  Host& h = host(id);
  fibers_.destroy_owned_by(old_tag.owner);
  h.process_.reset();
  // Everything addressed to the dead incarnation is dropped from here on.
  ++h.incarnation_;
  for (EventId e : h.held_) loop_.cancel(e);
  h.held_.clear();
  h.paused_ = false;
  network_.on_host_crash(id);
  h.disk_.crash();
}

void Simulator::crash_for(io::HostId id, Duration down_for) {
  Host& h = host(id);
  if (!h.up_) return;
  crash(id);
  if (down_for.count() <= 0) return;
  const std::uint32_t incarnation = h.incarnation_;  // the one a restart starts
  loop_.schedule_after(down_for, [this, id, incarnation] {
    if (!host(id).up_ && host(id).incarnation_ == incarnation) restart(id);
  });
}

void Simulator::crash_from_inside(io::HostId id, Duration down_for, std::string_view site) {
  Host& h = host(id);
  ZSIM_ASSERT(h.up_);
  trace_.event(now(), h.name_, "host.crash", {{"incarnation", h.incarnation_}, {"at", site}});
  const EventTag old_tag = h.tag();
  // Cut off now: the rest of the handler that reached the site runs, but
  // its sends, disk writes, timers and fibers go nowhere. The teardown must
  // not run under that handler's feet, so it is an event of its own, first
  // in line.
  h.up_ = false;
  loop_.schedule_after(Duration{0}, [this, id, old_tag, down_for] {
    finish_crash(id, old_tag);
    if (down_for.count() <= 0) return;
    const std::uint32_t incarnation = host(id).incarnation_;
    loop_.schedule_after(down_for, [this, id, incarnation] {
      if (!host(id).up_ && host(id).incarnation_ == incarnation) restart(id);
    });
  });
}

Duration Simulator::power_down_for(Duration down_for, Duration stagger, std::size_t i, std::size_t n) {
  if (n <= 1 || stagger.count() <= 0) return down_for;
  return down_for + Duration{static_cast<std::int64_t>(static_cast<int128>(stagger.count()) *
                                                        static_cast<int128>(i) / static_cast<int128>(n - 1))};
}

void Simulator::on_fault_site(io::HostId id, std::string_view site) {
  if (crash_points_.empty()) return;
  const Host& h = host(id);
  for (std::size_t i = 0; i < crash_points_.size(); ++i) {
    const CrashPoint& p = crash_points_[i];
    if (p.site != site || p.until < now()) continue;
    if (!p.power.empty()) {
      const auto me = std::find(p.power.begin(), p.power.end(), h.name_);
      if (me == p.power.end()) continue;
      CrashPoint fired = p;
      crash_points_.erase(crash_points_.begin() + static_cast<std::ptrdiff_t>(i));
      // The host that reached the site may be sent to the front or the back
      // of the restart order (what it was doing decides whom to bring back
      // first: a learner that just acked NEWLEADER, a leader that just
      // committed).
      if (fired.reacher != FaultEvent::Reacher::kInPlace) {
        std::erase(fired.power, h.name_);
        fired.power.insert(fired.reacher == FaultEvent::Reacher::kFirst ? fired.power.begin() : fired.power.end(),
                           h.name_);
      }
      trace_.event(now(), "sim", "fault.power_loss", {{"site", site}, {"by", h.name_}});
      for (std::size_t k = 0; k < fired.power.size(); ++k) {
        const Duration d = power_down_for(fired.down_for, fired.stagger, k, fired.power.size());
        const io::HostId other = *find_host(fired.power[k]);
        if (other == id) {
          crash_from_inside(id, d, site);
        } else {
          crash_for(other, d);  // not on the stack: only `id`'s handler runs now
        }
      }
      return;
    }
    bool match = p.target == h.name_;
    if (!match && is_role_target(p.target) && role_resolver_ && !h.disk_faulty_) {
      const std::vector<io::HostId> holders = role_resolver_(p.target);
      match = std::find(holders.begin(), holders.end(), id) != holders.end();
    }
    if (!match) continue;
    const Duration down_for = p.down_for;
    crash_points_.erase(crash_points_.begin() + static_cast<std::ptrdiff_t>(i));
    crash_from_inside(id, down_for, site);
    return;
  }
}

void Simulator::pause(io::HostId id, Duration d) {
  Host& h = host(id);
  if (!h.up_ || d.count() <= 0) return;
  const Time until = now() + d;
  trace_.event(now(), h.name_, "host.pause", {{"for", format_duration(d)}});
  if (h.paused_ && h.paused_until_ >= until) return;
  h.paused_ = true;
  h.paused_until_ = until;
  const std::uint32_t incarnation = h.incarnation_;
  loop_.schedule_at(until, [this, id, incarnation] {
    if (host(id).incarnation_ == incarnation) end_pause(id);
  });
}

void Simulator::end_pause(io::HostId id) {
  Host& h = host(id);
  if (!h.paused_ || h.paused_until_ > now()) return;
  h.paused_ = false;
  trace_.event(now(), h.name_, "host.resume", {{"held", std::uint64_t{h.held_.size()}}});
  // Release held events in the order they were due.
  for (EventId e : h.held_) loop_.requeue(e, now());
  h.held_.clear();
}

void Simulator::clock_jump(io::HostId id, Duration delta) {
  Host& h = host(id);
  h.rebase();
  h.base_local_ns_ += delta.count();
  trace_.event(now(), h.name_, "host.clock_jump", {{"by", format_duration(delta)}});
}

void Simulator::set_clock_drift(io::HostId id, std::int64_t ppm) {
  ZSIM_ASSERT(ppm > -1'000'000 && ppm < 1'000'000);
  Host& h = host(id);
  h.rebase();
  h.drift_ppm_ = ppm;
  trace_.event(now(), h.name_, "host.clock_drift", {{"ppm", ppm}});
}

void Simulator::apply_partition(const FaultEvent& e) {
  auto ids = [&](const std::vector<std::string>& names) {
    std::vector<io::HostId> out;
    for (const auto& n : names) {
      auto h = find_host(n);
      ZSIM_ASSERT_MSG(h.has_value(), "plan names an unknown host (validate_plan first)");
      out.push_back(*h);
    }
    return out;
  };
  auto block_both = [&](const std::vector<io::HostId>& a, const std::vector<io::HostId>& b) {
    for (io::HostId x : a) {
      for (io::HostId y : b) {
        network_.set_blocked(x, y, true);
        network_.set_blocked(y, x, true);
      }
    }
  };
  switch (e.shape) {
    case PartitionShape::kSplit: block_both(ids(e.groups[0]), ids(e.groups[1])); break;
    case PartitionShape::kIsolate: {
      std::vector<io::HostId> rest;
      const auto isolated = ids(e.groups[0]);
      const auto reachable = e.groups.size() > 1 ? ids(e.groups[1]) : std::vector<io::HostId>{};
      for (const auto& h : hosts_) {
        if (std::find(isolated.begin(), isolated.end(), h->id_) != isolated.end()) continue;
        if (std::find(reachable.begin(), reachable.end(), h->id_) != reachable.end()) continue;
        rest.push_back(h->id_);
      }
      block_both(isolated, rest);
      break;
    }
    case PartitionShape::kBridge: block_both(ids(e.groups[0]), ids(e.groups[2])); break;
    case PartitionShape::kOneWay:
      for (io::HostId x : ids(e.groups[0])) {
        for (io::HostId y : ids(e.groups[1])) network_.set_blocked(x, y, true);
      }
      break;
  }
}

std::optional<io::HostId> Simulator::resolve_target(const std::string& name) {
  if (!is_role_target(name)) {
    auto h = find_host(name);
    ZSIM_ASSERT_MSG(h.has_value(), "plan names an unknown host (validate_plan first)");
    return h;
  }
  if (!role_resolver_) return std::nullopt;
  std::vector<io::HostId> holders = role_resolver_(name);
  std::erase_if(holders, [this](io::HostId h) { return !host(h).up_ || host(h).disk_faulty_; });
  if (holders.empty()) return std::nullopt;
  std::sort(holders.begin(), holders.end());
  return holders[role_rng_.below(holders.size())];
}

void Simulator::apply(const FaultEvent& e) {
  const bool one_host = e.kind != FaultKind::kPartition && e.kind != FaultKind::kHeal &&
                        e.kind != FaultKind::kLoss && e.kind != FaultKind::kDuplicate &&
                        e.kind != FaultKind::kStreamReset && e.kind != FaultKind::kPowerLoss &&
                        e.kind != FaultKind::kCrashAt && e.kind != FaultKind::kPowerLossAt;
  const bool isolate_role = e.kind == FaultKind::kPartition && e.shape == PartitionShape::kIsolate &&
                            is_role_target(e.groups[0][0]);
  std::optional<io::HostId> target;
  if (one_host || isolate_role) {
    target = resolve_target(isolate_role ? e.groups[0][0] : e.host);
    if (!target) {
      trace_.event(now(), "sim", "fault.skipped", {{"event", print_event(e)}, {"why", "no host holds the role"}});
      return;
    }
  }
  if (target && (isolate_role || is_role_target(e.host))) {
    trace_.event(now(), "sim", "fault", {{"event", print_event(e)}, {"target", host(*target).name_}});
  } else {
    trace_.event(now(), "sim", "fault", {{"event", print_event(e)}});
  }
  switch (e.kind) {
    case FaultKind::kPartition:
      if (isolate_role) {
        FaultEvent named = e;
        named.groups[0][0] = host(*target).name_;
        apply_partition(named);
      } else {
        apply_partition(e);
      }
      break;
    case FaultKind::kHeal: network_.heal(); break;
    case FaultKind::kCrash: crash_for(*target, e.duration); break;
    case FaultKind::kRestart: restart(*target); break;
    case FaultKind::kPause: pause(*target, e.duration); break;
    case FaultKind::kClockJump: clock_jump(*target, e.duration); break;
    case FaultKind::kClockDrift: set_clock_drift(*target, e.drift_ppm); break;
    case FaultKind::kLoss: network_.options().datagram_loss = e.ratio; break;
    case FaultKind::kDuplicate: network_.options().datagram_duplicate = e.ratio; break;
    case FaultKind::kStreamReset: network_.options().stream_reset = e.ratio; break;
    case FaultKind::kDiskCorruptRead:
      disk(*target).options().corrupt_read = e.ratio;
      host(*target).disk_faulty_ = host(*target).disk_faulty_ || e.ratio.num > 0;
      break;
    case FaultKind::kDiskLyingSync:
      disk(*target).options().lying_sync = e.ratio;
      host(*target).disk_faulty_ = host(*target).disk_faulty_ || e.ratio.num > 0;
      break;
    case FaultKind::kPowerLoss:
      // Every named host loses power in the same instant: each keeps only
      // what its disk had synced.
      for (std::size_t k = 0; k < e.groups[0].size(); ++k) {
        crash_for(*resolve_target(e.groups[0][k]), power_down_for(e.duration, e.stagger, k, e.groups[0].size()));
      }
      break;
    case FaultKind::kPowerLossAt:
      crash_points_.push_back(CrashPoint{e.site, "", e.groups[0],
                                         e.within.count() > 0 ? now() + e.within : Time::max(), e.duration,
                                         e.stagger, e.reacher});
      break;
    case FaultKind::kCrashAt:
      crash_points_.push_back(CrashPoint{e.site, e.host, {},
                                         e.within.count() > 0 ? now() + e.within : Time::max(), e.duration,
                                         Duration{0}});
      break;
  }
}

void Simulator::schedule_plan(const FaultPlan& plan) {
  ZSIM_ASSERT_MSG(validate_plan(plan, host_names()).empty(), "invalid plan (validate_plan first)");
  for (const FaultEvent& e : plan.events) {
    loop_.schedule_after(e.at, [this, e] { apply(e); });
  }
}

void Simulator::heal_all() {
  trace_.event(now(), "sim", "heal_all", {});
  crash_points_.clear();
  network_.heal();
  network_.options().datagram_loss = Ratio{};
  network_.options().datagram_duplicate = Ratio{};
  network_.options().stream_reset = Ratio{};
  for (auto& h : hosts_) {
    if (h->paused_) {
      h->paused_until_ = now();
      end_pause(h->id_);
    }
  }
  // Crashed hosts come back over their disks as they are: a faulty disk
  // still misreads while the new process recovers from it (a server that
  // crashed with a faulty disk stayed down until now, so this is where its
  // forgetting meets the healed ensemble). Then the disks are sound again.
  for (auto& h : hosts_) {
    if (!h->up_ && h->incarnation_ > 1) restart(h->id_);
  }
  for (auto& h : hosts_) {
    h->disk_.options().corrupt_read = Ratio{};
    h->disk_.options().lying_sync = Ratio{};
  }
}

StopReason Simulator::run_until(Time t, std::uint64_t max_events) {
  if (failure_) return StopReason::kStopped;
  return loop_.run(t, max_events);
}

StopReason Simulator::run_for(Duration d, std::uint64_t max_events) {
  return run_until(now() + d, max_events);
}

bool Simulator::run_until_true(const std::function<bool()>& pred, Duration timeout,
                               std::uint64_t max_events) {
  const Time deadline = now() + timeout;
  std::uint64_t budget = max_events;
  while (!failure_) {
    if (pred()) return true;
    if (budget == 0 || now() >= deadline) return false;
    const StopReason r = loop_.run(deadline, 1);
    --budget;
    if (r == StopReason::kIdle) return pred();
  }
  return false;
}

void Simulator::at(Duration after, UniqueFunction<void()> fn) {
  loop_.schedule_after(after, std::move(fn));
}

void Simulator::fail(Verdict v, std::string message, std::string host_name) {
  if (failure_) return;  // the first failure is the one to report
  trace_.event(now(), "sim", "fail", {{"verdict", to_string(v)}, {"message", message}});
  failure_ = Failure{v, std::move(message), now(), std::move(host_name)};
  loop_.stop();
}

void Simulator::on_fiber_failure(std::uint32_t owner, const std::string& what) {
  const std::string host_name = owner >= 1 && owner <= hosts_.size() ? hosts_[owner - 1]->name_ : "";
  fail(Verdict::kCrash, host_name.empty() ? what : fmt::format("on host {}: {}", host_name, what), host_name);
}

void Simulator::trace_event(std::string_view kind, std::initializer_list<io::TraceField> fields) {
  trace_.event(now(), "sim", kind, fields);
}

void Simulator::note(std::string_view kind, std::initializer_list<io::TraceField> fields) {
  if (!trace_.has_observer()) return;
  const std::uint32_t owner = loop_.current_tag().owner;
  const std::string_view host_name =
      owner >= 1 && owner <= hosts_.size() ? std::string_view(hosts_[owner - 1]->name_) : std::string_view("sim");
  trace_.note(now(), host_name, kind, fields);
}

bool Simulator::buggify(std::string_view site) {
  if (!buggify_enabled_) return false;
  auto it = buggify_sites_.find(site);
  if (it == buggify_sites_.end()) {
    // A site's fate is drawn the first time it is reached, from its own
    // stream, so it does not depend on what other sites were reached first.
    Rng site_rng = buggify_rng_.fork(site);
    it = buggify_sites_.emplace(std::string(site), site_rng.chance(1, 4)).first;
  }
  return it->second && buggify_rng_.chance(1, 4);
}

std::uint64_t Simulator::fingerprint() const {
  return mix64(trace_.fingerprint() ^ mix64(loop_.order_fingerprint() + loop_.events_run()));
}

std::string Simulator::describe_position() const {
  const EventTag tag = loop_.current_tag();
  const std::string host_name =
      tag.owner >= 1 && tag.owner <= hosts_.size() ? hosts_[tag.owner - 1]->name_ : "-";
  return fmt::format("seed={} t={} host={}", options_.seed, format_time(now()), host_name);
}

}  // namespace zsim::sim
