#include "scenarios/ensemble_world.h"

#include "core/assert.h"
#include "scenarios/ensemble_observer.h"

#include <fmt/format.h>

#include <map>
#include <set>
#include <utility>

namespace zsim::scenarios {

// What every server process of one world shares: the monitor, and the
// simulator to fail when it finds something.
struct EnsembleWorld::Shared {
  Shared(sim::Simulator& s, bool record) : sim(s), record_commits(record) {}
  sim::Simulator& sim;
  checkers::EnsembleMonitor monitor;
  std::map<std::int64_t, Time> closed_at;  // session -> first commit of its close (simulated time)
  std::set<std::string> failed_on_faulty_disk;  // servers whose process died while their disk was faulty
  std::set<std::string> wrecked;                // ... and died again on a sound disk: down for good
  std::set<std::string> retired;         // decommissioned by EnsembleWorld::retire: no server runs there
  std::set<std::string> awaiting_start;  // a spare named in the table, not started yet
  std::vector<io::HostId> hosts;         // member i's host, as EnsembleWorld::hosts()
  bool record_commits = false;
  CommitLog commits;
  EnsembleObserver::Probe probe;
  CommitListener* listener = nullptr;
};

namespace {

core::ServerOptions server_options(const EnsembleSpec& spec, std::int32_t server_id,
                                   std::vector<core::EnsembleMember> members) {
  core::ServerOptions o;
  o.server_id = server_id;
  o.ensemble = std::move(members);
  // ZooKeeper's timing at a tenth of its usual tick: elections, syncs and
  // session expiries all happen many times within a 20 s safety phase.
  o.tick_ms = 100;
  o.init_limit_ticks = 10;
  o.sync_limit_ticks = 5;
  o.session_timeout_ms_max = spec.session_timeout_ms_max;  // clients ask for 1-4 s
  o.finalize_wait_ms = 200;
  o.notification_interval_ms_min = 100;
  o.notification_interval_ms_max = 1600;
  o.reap_interval_ms = 1000;
  o.snapshot_every_txns = 200;  // snapshots and SNAP syncs under faults
  o.planted_bug = spec.bug;
  return o;
}

std::string violation_text(const checkers::EnsembleViolation& v) {
  return fmt::format("{}: {}", v.invariant, v.message);
}

// One server host's process: the server and its reporter to the monitor
// (and to the world's commit listener, if any).
class EnsembleServerProcess final : public sim::Process, private core::ReplicaObserver {
 public:
  EnsembleServerProcess(io::Env& env, std::shared_ptr<EnsembleWorld::Shared> shared, const std::string& name,
                        core::ServerOptions options)
      : shared_(std::move(shared)),
        name_(name),
        observer_(
            shared_->monitor, name,
            [s = shared_.get(), name](const checkers::EnsembleViolation& v) {
              s->sim.fail(sim::Verdict::kInvariant, violation_text(v), v.server.empty() ? name : v.server);
            },
            [s = shared_.get()](std::int64_t session) { s->closed_at.emplace(session, s->sim.now()); },
            shared_->record_commits ? &shared_->commits : nullptr),
        server_(env, with_observer(std::move(options), this)) {
    observer_.set_tree(&server_.tree());
    observer_.set_probe(&shared_->probe);
  }
  ~EnsembleServerProcess() override { observer_.set_tree(nullptr); }

  const core::Server& server() const { return server_; }

 private:
  static core::ServerOptions with_observer(core::ServerOptions o, core::ReplicaObserver* observer) {
    o.observer = observer;
    return o;
  }

  // core::ReplicaObserver: the monitor first, then the listener.
  void on_established(std::int64_t epoch, std::int64_t history_zxid) override {
    observer_.on_established(epoch, history_zxid);
  }
  void on_commit(const core::Txn& txn, std::int64_t prev_zxid) override {
    observer_.on_commit(txn, prev_zxid);
    if (shared_->listener != nullptr) shared_->listener->on_commit(name_, txn);
  }
  void on_snapshot(std::int64_t zxid) override {
    observer_.on_snapshot(zxid);
    if (shared_->listener != nullptr) shared_->listener->on_snapshot(name_, server_.tree());
  }
  void on_leader_snapshot(std::int64_t zxid) override {
    observer_.on_leader_snapshot(zxid);
    if (shared_->listener != nullptr) shared_->listener->on_snapshot(name_, server_.tree());
  }

  // The supervisor (systemd's Restart=on-failure): a server process that
  // died (ZooKeeper exits when recovery or a disk sync fails) is started
  // again a second later -- once its disk is sound: the fault budget keeps
  // a disk-faulty server down until the liveness phase heals its disk.
  //
  // A server that failed on a faulty disk and fails again once the disk is
  // sound had its state destroyed by that disk (a lying sync under its
  // snapshot, then a crash): in production it waits for an operator to wipe
  // it. It stays down, and the ensemble must settle without it
  // (EnsembleWorld::converged); the fault budget counted it as down anyway.
  void on_failed() override {
    sim::Simulator& sim = shared_->sim;
    const io::HostId h = *sim.find_host(name_);
    if (disk_faulty(sim, h)) {
      shared_->failed_on_faulty_disk.insert(name_);
    } else if (shared_->failed_on_faulty_disk.contains(name_)) {
      shared_->wrecked.insert(name_);
      sim.trace_event("sim.server_wrecked", {{"server", name_}});
      return;
    }
    supervise(sim, name_, sim.host_info(h).incarnation);
  }
  static bool disk_faulty(sim::Simulator& sim, io::HostId h) {
    const sim::DiskOptions& disk = sim.disk(h).options();
    return disk.corrupt_read.num > 0 || disk.lying_sync.num > 0;
  }
  static void supervise(sim::Simulator& sim, std::string name, std::uint32_t incarnation) {
    sim.at(kSupervisorDelay, [&sim, name = std::move(name), incarnation]() mutable {
      const io::HostId h = *sim.find_host(name);
      const sim::HostInfo info = sim.host_info(h);
      if (!info.up || info.incarnation != incarnation) return;  // crashed or restarted meanwhile
      if (disk_faulty(sim, h)) return supervise(sim, std::move(name), incarnation);
      sim.trace_event("sim.supervisor_restart", {{"server", name}});
      sim.crash(h);
      sim.restart(h);
    });
  }
  static constexpr Duration kSupervisorDelay = seconds(1);

  std::shared_ptr<EnsembleWorld::Shared> shared_;  // first: outlives the members below
  std::string name_;
  EnsembleObserver observer_;
  core::Server server_;
};

// What runs on a host an operator decommissioned: nothing (the process
// object stands for a machine that is gone, so that restarts do no harm).
class RetiredHost final : public sim::Process {};

}  // namespace

std::vector<std::string> ensemble_server_names(const EnsembleSpec& spec) {
  std::vector<std::string> names;
  for (int i = 1; i <= spec.voters; ++i) names.push_back(fmt::format("s{}", i));
  for (int i = 1; i <= spec.observers; ++i) names.push_back(fmt::format("o{}", i));
  return names;
}

EnsembleWorld::EnsembleWorld(sim::Simulator& sim, const EnsembleSpec& spec)
    : sim_(sim),
      shared_(std::make_shared<Shared>(sim, spec.record_commits)),
      names_(ensemble_server_names(spec)),
      members_(std::make_shared<std::vector<core::EnsembleMember>>()) {
  ZSIM_ASSERT(spec.voters >= 1);
  ZSIM_ASSERT(spec.observers >= 0);
  ZSIM_ASSERT(spec.spares >= 0);
  ZSIM_ASSERT(spec.voters + spec.observers <= 255);
  // Every member's HostId must be known before the first server starts:
  // add all hosts, fill the membership, then start. A host runs the member
  // the table names it as when its process starts (a spare: the member it
  // replaced), or nothing once retired.
  auto factory = [shared = shared_, members = members_, spec](const std::string& name) {
    return [shared, members, spec, name](io::Env& env) -> std::unique_ptr<sim::Process> {
      ZSIM_ASSERT_MSG(!members->empty(), "a server started before the membership was known");
      if (shared->retired.contains(name)) return std::make_unique<RetiredHost>();
      const io::HostId self = *shared->sim.find_host(name);
      for (const core::EnsembleMember& m : *members) {
        if (m.host != self) continue;
        shared->monitor.on_start(name);  // each process is a new incarnation
        return std::make_unique<EnsembleServerProcess>(env, shared, name,
                                                       server_options(spec, m.server_id, *members));
      }
      ZSIM_ASSERT_MSG(false, "a spare started before it replaced a member");
      return nullptr;
    };
  };
  for (std::size_t i = 0; i < names_.size(); ++i) {
    const std::int32_t server_id = static_cast<std::int32_t>(i) + 1;
    const io::HostId h = sim.add_host(names_[i], factory(names_[i]));
    hosts_.push_back(h);
    members_->push_back(core::EnsembleMember{server_id, h, static_cast<int>(i) >= spec.voters});
  }
  ZSIM_ASSERT(members_->size() == names_.size());
  for (int i = 1; i <= spec.spares; ++i) {
    std::string name = fmt::format("r{}", i);
    const io::HostId h = sim.add_host(name, factory(name));
    spares_.emplace_back(h, std::move(name));
  }
  shared_->hosts = hosts_;
  // Plans may target roles: @leader is the established leader, @follower a
  // server following one, @observer an observer observing one.
  sim.set_role_resolver([&sim, shared = shared_](std::string_view role) {
    std::vector<io::HostId> holders;
    for (io::HostId h : shared->hosts) {
      const auto* p = sim.process_as<EnsembleServerProcess>(h);
      if (p == nullptr) continue;
      const core::Server& s = p->server();
      const bool holds = (role == "@leader" && s.role() == core::Role::kLeading && s.serving()) ||
                         (role == "@follower" && s.role() == core::Role::kFollowing) ||
                         (role == "@observer" && s.role() == core::Role::kObserving);
      if (holds) holders.push_back(h);
    }
    return holders;
  });
  for (io::HostId h : hosts_) sim.start(h);
}

std::string EnsembleWorld::retire(std::size_t i) {
  ZSIM_ASSERT(i < hosts_.size());
  ZSIM_ASSERT_MSG(spares_used_ < spares_.size(), "no spare host left to replace a server onto");
  ZSIM_ASSERT(!shared_->retired.contains(names_[i]));
  const auto& [spare, spare_name] = spares_[spares_used_++];
  sim_.trace_event("ops.retire", {{"server", names_[i]}, {"replacement", spare_name}});
  shared_->retired.insert(names_[i]);
  sim_.crash(hosts_[i]);
  (*members_)[i].host = spare;
  hosts_[i] = spare;
  names_[i] = spare_name;
  shared_->hosts = hosts_;
  shared_->awaiting_start.insert(spare_name);
  return spare_name;
}

void EnsembleWorld::restart_member(std::size_t i) {
  ZSIM_ASSERT(i < hosts_.size());
  sim_.trace_event("ops.restart", {{"server", names_[i]}});
  sim_.crash(hosts_[i]);
  sim_.restart(hosts_[i]);
}

void EnsembleWorld::start_member(std::size_t i) {
  ZSIM_ASSERT(i < hosts_.size());
  sim_.trace_event("ops.start", {{"server", names_[i]}});
  shared_->awaiting_start.erase(names_[i]);
  sim_.start(hosts_[i]);
}

bool EnsembleWorld::leads(std::size_t i) const {
  const core::Server* s = server(i);
  return s != nullptr && s->role() == core::Role::kLeading && s->serving();
}

checkers::EnsembleMonitor& EnsembleWorld::monitor() { return shared_->monitor; }

std::optional<Time> EnsembleWorld::session_closed_at(std::int64_t session) const {
  const auto it = shared_->closed_at.find(session);
  if (it == shared_->closed_at.end()) return std::nullopt;
  return it->second;
}

const CommitLog& EnsembleWorld::commits() const { return shared_->commits; }

void EnsembleWorld::set_commit_probe(EnsembleObserver::Probe probe) { shared_->probe = std::move(probe); }

void EnsembleWorld::set_commit_listener(CommitListener* listener) { shared_->listener = listener; }

const core::Server* EnsembleWorld::server(std::size_t i) const {
  auto* p = sim_.process_as<EnsembleServerProcess>(hosts_.at(i));
  return p == nullptr ? nullptr : &p->server();
}

bool EnsembleWorld::converged() const {
  const core::Server* leader = nullptr;
  for (std::size_t i = 0; i < hosts_.size(); ++i) {
    if (shared_->wrecked.contains(names_[i])) continue;  // waits for an operator
    if (shared_->awaiting_start.contains(names_[i])) continue;
    const core::Server* s = server(i);
    if (s == nullptr || !s->serving()) return false;
    if (s->role() == core::Role::kLeading) {
      if (leader != nullptr) return false;
      leader = s;
    }
  }
  if (leader == nullptr) return false;
  for (std::size_t i = 0; i < hosts_.size(); ++i) {
    if (shared_->wrecked.contains(names_[i]) || shared_->awaiting_start.contains(names_[i])) continue;
    const core::Server* s = server(i);
    if (s == leader) continue;
    const bool learner = s->role() == core::Role::kFollowing || s->role() == core::Role::kObserving;
    if (!learner || s->leader_id() != leader->leader_id()) return false;
    if (s->last_applied_zxid() != leader->last_applied_zxid()) return false;
  }
  return true;
}

std::string EnsembleWorld::status() const {
  std::string out;
  for (std::size_t i = 0; i < hosts_.size(); ++i) {
    const core::Server* s = server(i);
    if (!out.empty()) out += ", ";
    if (s == nullptr) {
      out += names_[i] + (shared_->awaiting_start.contains(names_[i]) ? " not started yet" : " down");
      continue;
    }
    out += fmt::format("{} {}{} leader={} zxid=0x{:x}{}", names_[i], core::role_name(s->role()),
                       s->serving() ? "" : " (not serving)", s->leader_id(), s->last_applied_zxid(),
                       shared_->wrecked.contains(names_[i]) ? " (its faulty disk destroyed its state)" : "");
  }
  return out;
}

bool EnsembleWorld::check_final_states() {
  checkers::EnsembleMonitor& m = shared_->monitor;
  std::uint64_t reported = 0;
  for (std::size_t i = 0; i < hosts_.size(); ++i) {
    const core::Server* s = server(i);
    // A server that is not serving may hold a log tail no quorum accepted
    // (recovered from its disk, not yet truncated by a leader): only a
    // synchronized server's state is a committed one.
    if (s == nullptr || !s->serving()) continue;
    const FinalState f = final_state_of(*s);
    m.on_final_state(names_[i], f.last_zxid, f.tree_digest, f.ephemeral_owners);
    ++reported;
  }
  sim_.trace_event("check.ensemble", {{"servers", reported},
                                      {"commits", m.commits_seen()},
                                      {"zxids", m.committed_zxids()},
                                      {"leaders", m.leaders_established()},
                                      {"verdict", m.ok() ? "ok" : m.violation()->invariant.c_str()}});
  if (m.ok()) return true;
  sim_.fail(sim::Verdict::kInvariant, violation_text(*m.violation()), m.violation()->server);
  return false;
}

}  // namespace zsim::scenarios
