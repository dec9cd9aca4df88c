// Simulator: one deterministic world — hosts, their clocks, disks and
// processes, the network between them, fibers, faults and the trace.
//
// Everything that happens is an event in one EventLoop, so a run is a pure
// function of (seed, scenario, fault plan): same inputs, same fingerprint,
// in every build type. Randomness comes from the run's seed through forked
// streams ("net", "faults", "host/<name>/<incarnation>", ...).
//
// A host runs one process at a time, built by the host's ProcessFactory from
// an io::Env that the host implements (its clock, disk, network endpoint,
// random stream, tracer and fibers). crash() destroys the process and its
// fibers, drops its timers and in-flight deliveries, and cuts its disk back
// to what was durable; restart() builds a new process over that disk.
// pause() holds everything addressed to the host (a GC pause) and releases
// it in order when the pause ends.
//
// Single-threaded. Several Simulators may live on different threads (a
// sweep); they share nothing.
#pragma once

#include "core/io/env.h"
#include "sim/disk.h"
#include "sim/event_loop.h"
#include "sim/fault_plan.h"
#include "sim/fiber.h"
#include "sim/network.h"
#include "sim/rng.h"
#include "sim/trace.h"

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace zsim::sim {

// A process running on a host. Scenarios derive from it.
class Process {
 public:
  virtual ~Process() = default;
};

using ProcessFactory = std::function<std::unique_ptr<Process>(io::Env& env)>;

// How a run ended. The order is the order of severity of what was found.
enum class Verdict : std::uint8_t {
  kOk,
  kLinearizability,  // the history is not linearizable (or breaks the model)
  kInvariant,        // a safety invariant broke
  kLiveness,         // the system did not recover within its budget
  kCrash,            // an exception escaped a fiber, or the run hit a budget
};

const char* to_string(Verdict v);

struct Failure {
  Verdict verdict = Verdict::kOk;
  std::string message;
  Time at{};
  std::string host;  // where it happened, "" if nowhere in particular
};

struct SimOptions {
  std::uint64_t seed = 1;
  NetworkOptions network;
  DiskOptions disk;
  FiberOptions fibers;
  // Whether buggify() may be enabled; the seed decides if it is.
  bool allow_buggify = true;
};

struct HostInfo {
  std::string name;
  bool up = false;
  bool paused = false;
  std::uint32_t incarnation = 0;
};

class Simulator final : private HostDirectory, private EventLoop::Gate {
 public:
  explicit Simulator(SimOptions options);
  ~Simulator() override;
  Simulator(const Simulator&) = delete;
  Simulator& operator=(const Simulator&) = delete;

  // --- The world ----------------------------------------------------------
  // Adds a host (down until start()). Names must be unique, [a-z0-9_-]+.
  io::HostId add_host(std::string name, ProcessFactory factory);
  std::optional<io::HostId> find_host(std::string_view name) const;
  std::vector<std::string> host_names() const;
  HostInfo host_info(io::HostId h) const;
  // The running process, or nullptr while the host is down.
  Process* process(io::HostId h);
  template <typename T>
  T* process_as(io::HostId h) { return dynamic_cast<T*>(process(h)); }
  // The host's Env (valid for the simulator's lifetime).
  io::Env& env(io::HostId h);

  // --- Faults and control (take effect now; trace themselves) --------------
  void start(io::HostId h);
  void crash(io::HostId h);
  void restart(io::HostId h);
  void pause(io::HostId h, Duration d);
  void clock_jump(io::HostId h, Duration delta);
  void set_clock_drift(io::HostId h, std::int64_t ppm);
  void apply(const FaultEvent& e);
  // Role targets in plans ("@leader", ...): the scenario says which hosts
  // hold a role right now; the simulator picks one of them (from its own
  // random stream), skipping hosts that are down or whose disk was ever
  // given a fault (check_fault_budget). An event whose role nobody holds
  // does nothing (traced as fault.skipped).
  using RoleResolver = std::function<std::vector<io::HostId>(std::string_view role)>;
  void set_role_resolver(RoleResolver resolver) { role_resolver_ = std::move(resolver); }
  // Called by a host's io::Random::fault_site(): crashes the host there if
  // the plan armed that site for it.
  void on_fault_site(io::HostId h, std::string_view site);
  // Schedules every event of a plan relative to now. REQUIRES: the plan
  // passed validate_plan() against host_names().
  void schedule_plan(const FaultPlan& plan);
  // The start of a liveness phase: heal partitions, stop loss, duplicates,
  // resets and disk faults, end pauses and restart every crashed host.
  void heal_all();

  // --- Running -------------------------------------------------------------
  Time now() const { return loop_.now(); }
  StopReason run_for(Duration d, std::uint64_t max_events = UINT64_MAX);
  StopReason run_until(Time t, std::uint64_t max_events = UINT64_MAX);
  // Runs until pred() holds (checked after every event), or until `timeout`
  // passes. Returns whether pred() held.
  bool run_until_true(const std::function<bool()>& pred, Duration timeout,
                      std::uint64_t max_events = UINT64_MAX);
  // Schedules a simulator-level callback (not owned by any host).
  void at(Duration after, UniqueFunction<void()> fn);

  // Records the first failure and stops the loop.
  void fail(Verdict v, std::string message, std::string host = "");
  const std::optional<Failure>& failure() const { return failure_; }

  // --- Observation ---------------------------------------------------------
  Trace& trace() { return trace_; }
  void trace_event(std::string_view kind, std::initializer_list<io::TraceField> fields);
  // An observer-only event (Trace::note) on the host whose event is running
  // ("sim" between host events): never hashed or printed. Check observed()
  // first where building the fields costs.
  void note(std::string_view kind, std::initializer_list<io::TraceField> fields);
  bool observed() const { return trace_.has_observer(); }
  Network& network() { return network_; }
  Disk& disk(io::HostId h);
  EventLoop& loop() { return loop_; }
  FiberScheduler& fibers() { return fibers_; }
  std::uint64_t seed() const { return options_.seed; }
  Rng fork_rng(std::string_view label) const { return root_.fork(label); }
  bool buggify_enabled() const { return buggify_enabled_; }

  // Same seed and plan give the same value; covers every traced event and
  // the order and times of every event run.
  std::uint64_t fingerprint() const;

  // For assertion reports: "seed=7 t=1.250000000 host=s2".
  std::string describe_position() const;

 private:
  class Host;

  // HostDirectory
  std::size_t host_count() const override { return hosts_.size(); }
  bool is_up(io::HostId h) const override;
  EventTag tag_of(io::HostId h) const override;
  const std::string& name_of(io::HostId h) const override;
  // Gate
  GateDecision decide(EventTag tag, EventId id) override;

  void on_fiber_failure(std::uint32_t owner, const std::string& what);
  std::optional<io::HostId> resolve_target(const std::string& host);
  // Crashes `h` now and, if `down_for` > 0, restarts it that much later
  // (unless something restarted it meanwhile).
  void crash_for(io::HostId h, Duration down_for);
  // The first half of a crash from inside the host's own code (a crash
  // point): the host is cut off at once; the teardown runs as its own event.
  void crash_from_inside(io::HostId h, Duration down_for, std::string_view site);
  void finish_crash(io::HostId h, EventTag old_tag);
  void end_pause(io::HostId h);
  void apply_partition(const FaultEvent& e);
  bool buggify(std::string_view site);
  Host& host(io::HostId h);
  const Host& host(io::HostId h) const;

  friend class Host;

  SimOptions options_;
  Rng root_;
  EventLoop loop_;
  Trace trace_;
  Network network_;
  FiberScheduler fibers_;
  std::vector<std::unique_ptr<Host>> hosts_;
  std::optional<Failure> failure_;
  Rng buggify_rng_;
  bool buggify_enabled_ = false;
  std::map<std::string, bool, std::less<>> buggify_sites_;
  RoleResolver role_resolver_;
  Rng role_rng_;
  // Armed crash points, in the order they were armed.
  struct CrashPoint {
    std::string site;
    std::string target;  // crash-at: a host name or a role
    // power-loss-at: every host here loses power when one of them reaches
    // the site, and they come back in this order over `stagger`.
    std::vector<std::string> power;
    Time until{};        // disarmed after this (Time::max(): never)
    Duration down_for{0};
    Duration stagger{0};
    FaultEvent::Reacher reacher = FaultEvent::Reacher::kInPlace;
  };
  // How long the i-th of n hosts of a power loss stays down.
  static Duration power_down_for(Duration down_for, Duration stagger, std::size_t i, std::size_t n);
  std::vector<CrashPoint> crash_points_;
};

}  // namespace zsim::sim
