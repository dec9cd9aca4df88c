// auto-healer: keeps 3 workers alive (core/recipes/auto_healer.h) on 3
// healthy servers. c1..c3 are healers: a LeaderSelector over the herd-free
// election (/healer); the leader tends /workers. c4..c7 are worker hosts:
// each runs an agent that starts the workers the healer launches on it --
// a worker is a fiber of the host's process with a session of its own
// (ClientCtx::open_session) holding EPHEMERAL /workers/<id>. The launcher
// (the simulation's orchestrator API) starts a worker only on a host that
// is up and not paused, round robin. Clients crash and pause (one at a
// time, up to 4 s, past their 1-2 s sessions): worker hosts take their
// workers down with them, healers lose leadership.
//
// Judged from the committed tree over time, never from the healer's belief
// (check workers-restored, liveness): replaying the commit log's creates
// and deletes of /workers/*, every time the live count fell below 3 it was
// back to 3 within the budget (the longest session timeout, for the death
// to be noticed and a deposed healer to be replaced, plus the launch grace,
// for a launch lost with its host, plus 3 s); and after the heal the
// settled tree has at least 3 workers, each owned by a live session.
#include "core/recipes/auto_healer.h"
#include "core/recipes/herd_free_election.h"
#include "core/recipes/leader_selector.h"
#include "scenarios/recipes/recipe_scenario.h"
#include "scenarios/recipes/scenarios.h"

#include <fmt/format.h>

#include <algorithm>
#include <deque>
#include <iterator>
#include <map>
#include <memory>

namespace zsim::scenarios::recipes {

namespace {

namespace r = core::recipes;

constexpr const char* kWorkers = "/workers";
constexpr int kHealers = 3;
constexpr int kWorkerHosts = 4;
constexpr int kWanted = 3;
constexpr Duration kLaunchGrace = seconds(3);

// The orchestrator: which worker hosts there are, and the workers waiting
// to start on each.
struct Launcher {
  struct Slot {
    io::HostId host = 0;
    bool registered = false;
    std::deque<std::string> queue;
  };
  const sim::Simulator* sim = nullptr;
  std::map<int, Slot> slots;  // by client index
  std::size_t next = 0;       // round robin

  bool launch(const std::string& id) {
    for (std::size_t tried = 0; tried < slots.size(); ++tried) {
      auto it = slots.begin();
      std::advance(it, static_cast<std::ptrdiff_t>(next++ % slots.size()));
      const sim::HostInfo h = sim->host_info(it->second.host);
      if (!it->second.registered || !h.up || h.paused) continue;
      it->second.queue.push_back(id);
      return true;
    }
    return false;
  }
};

// Every healer's candidacy: a herd-free election on /healer, re-entered
// whenever leadership ends; `lead` runs while this healer leads.
template <typename Lead>
void run_for_healer(ClientCtx& me, Lead lead) {
  r::LeaderSelectorHooks hooks;
  hooks.session = [&me]() -> core::Client& { return me.zk(); };
  hooks.candidacy = [&me](core::Client& zk) -> std::unique_ptr<r::Election> {
    r::HerdFreeElectionOptions o;
    o.path = "/healer";
    o.id = me.unique_id();
    o.data = me.name();
    return std::make_unique<r::HerdFreeElection>(zk, o);
  };
  hooks.lead = std::move(lead);
  r::LeaderSelector(std::move(hooks), seconds(60)).run();
}

ClientBody healer_with(std::shared_ptr<Launcher> launcher) {
  return [launcher](ClientCtx& me) {
    r::AutoHealer healer(r::AutoHealerOptions{.path = kWorkers, .workers = kWanted, .launch_grace = kLaunchGrace},
                         r::AutoHealerHooks{.launch = [launcher](const std::string& id) { return launcher->launch(id); },
                                            .new_id = [&me] { return me.unique_id(); },
                                            .now = [&me] { return me.env().clock.now(); }});
    run_for_healer(me, [&healer](r::Election& e) { healer.tend(e); });
  };
}

// The naive healer of the course example (auto-healer-read-once-naive):
// elected like the real one, but when it takes over it reads /workers once
// -- no watch -- launches the missing workers, and then only waits for its
// leadership to end. It believes the workers it counted stay alive. A
// worker that dies later is replaced only if the healer itself changes.
void tend_read_once(r::Election& e, Launcher& launcher, ClientCtx& me) {
  core::Client& zk = e.client();
  (void)zk.create(kWorkers, "", core::CreateMode::Persistent);  // NodeExists: fine
  auto children = zk.get_children(kWorkers);  // no watch
  if (!children.ok() || !e.leading()) return;
  for (auto i = static_cast<int>(children.value().size()); i < kWanted; ++i) {
    if (!launcher.launch(me.unique_id())) break;
  }
  while (e.leading()) (void)zk.wait_event(zk.event_count(), seconds(1));
}

ClientBody healer_read_once(std::shared_ptr<Launcher> launcher) {
  return [launcher](ClientCtx& me) {
    run_for_healer(me, [&launcher, &me](r::Election& e) { tend_read_once(e, *launcher, me); });
  };
}

ClientBody worker_host(std::shared_ptr<Launcher> launcher) {
  return [launcher](ClientCtx& me) {
    Launcher::Slot& slot = launcher->slots[me.index()];
    slot.host = me.record().host;
    slot.registered = true;
    slot.queue.clear();  // launches sent to the dead incarnation are lost with it
    while (true) {
      while (!slot.queue.empty()) {
        const std::string id = slot.queue.front();
        slot.queue.pop_front();
        me.env().fibers.spawn("worker", [&me, id] {
          std::unique_ptr<core::Client> zk = me.open_session();
          if (r::register_worker(*zk, kWorkers, id, me.name(), seconds(10)) != core::Code::Ok) return;
          // Works until its session is gone (a pause past it; a crash takes
          // the whole process).
          while (zk->state() != core::ClientState::kExpired && zk->state() != core::ClientState::kClosed) {
            me.sleep(millis(200));
          }
        });
      }
      me.sleep(millis(20));
    }
  };
}

class WorkersRestored final : public Check {
 public:
  // `after_heal`: a failure during the faults need only be repaired within
  // the budget after the heal (a storm may keep the quorum away to its end).
  explicit WorkersRestored(Duration budget, bool after_heal = false) : budget_(budget), after_heal_(after_heal) {}
  std::string name() const override { return "workers-restored"; }
  bool settled(const Cluster& c) const override { return why_not(c).empty(); }
  std::string pending(const Cluster& c) const override { return why_not(c); }

  // When the count last fell short (by the committed creates and deletes):
  // the worker's death that was not repaired.
  std::optional<Time> moment(const Cluster& c) const override {
    std::vector<std::pair<int64_t, int>> changes;  // zxid, +1 / -1
    std::map<int64_t, Time> at;
    for (const auto& [czxid, n] : c.commits().nodes()) {
      if (n.path.rfind(std::string(kWorkers) + "/", 0) != 0) continue;
      changes.emplace_back(czxid, +1);
      at[czxid] = n.created_at;
      if (n.deleted_zxid) {
        changes.emplace_back(*n.deleted_zxid, -1);
        at[*n.deleted_zxid] = *n.deleted_at;
      }
    }
    std::sort(changes.begin(), changes.end(),
              [](const auto& a, const auto& b) { return a.first != b.first ? a.first < b.first : a.second > b.second; });
    int live = 0;
    bool reached = false;
    std::optional<Time> short_since;
    for (const auto& [zxid, delta] : changes) {
      live += delta;
      if (live >= kWanted) {
        if (short_since && at[zxid] - *short_since > budget_) return short_since;  // repaired too late
        reached = true;
        short_since.reset();
      } else if (reached && !short_since && delta < 0) {
        short_since = at[zxid];
      }
    }
    return short_since;
  }

  std::optional<Violation> judge(const Cluster& c) const override {
    // Replay the committed creates and deletes of /workers/* in zxid order.
    struct Change {
      int64_t zxid;
      Time at;
      int delta;
      std::string path;
    };
    std::vector<Change> changes;
    for (const auto& [czxid, n] : c.commits().nodes()) {
      if (n.path.rfind(std::string(kWorkers) + "/", 0) != 0) continue;
      changes.push_back(Change{czxid, n.created_at, +1, n.path});
      if (n.deleted_zxid) changes.push_back(Change{*n.deleted_zxid, *n.deleted_at, -1, n.path});
    }
    std::sort(changes.begin(), changes.end(), [](const Change& a, const Change& b) {
      return a.zxid != b.zxid ? a.zxid < b.zxid : a.delta > b.delta;
    });
    int live = 0;
    bool reached = false;
    std::optional<std::pair<Time, std::string>> short_since;
    Duration longest{0};
    int failures = 0;
    for (const Change& ch : changes) {
      live += ch.delta;
      if (live >= kWanted) {
        if (short_since) {
          const Time from = after_heal_ && c.healed_at() ? std::max(short_since->first, *c.healed_at())
                                                         : short_since->first;
          const Duration gap = ch.at - from;
          longest = std::max(longest, gap);
          if (gap > budget_) {
            return Violation{sim::Verdict::kLiveness,
                             fmt::format("{} went at {} and {} workers were alive again only at {}, {} later{}: "
                                         "more than the budget of {}",
                                         short_since->second, format_time(short_since->first), kWanted,
                                         format_time(ch.at), format_duration(gap),
                                         from == short_since->first ? "" : " than the heal", format_duration(budget_)),
                             ""};
          }
        }
        short_since.reset();
        reached = true;
      } else if (reached && !short_since && ch.delta < 0) {
        short_since = std::make_pair(ch.at, ch.path);
        ++failures;
      }
    }
    c.sim().trace_event("check.workers", {{"failures", static_cast<uint64_t>(failures)},
                                          {"longest_ms", static_cast<int64_t>(longest.count() / 1'000'000)}});
    const std::string w = why_not(c);
    if (!w.empty()) return Violation{sim::Verdict::kLiveness, w, ""};
    return std::nullopt;
  }

 private:
  std::string why_not(const Cluster& c) const {
    if (!c.healed_at()) return "not healed yet";
    const core::DataTree* tree = c.converged_tree();
    if (tree == nullptr) return "the ensemble has not settled";
    const core::Znode* parent = tree->find(kWorkers);
    int alive = 0;
    if (parent != nullptr) {
      for (const std::string& child : parent->children) {
        const core::Znode* n = tree->find(fmt::format("{}/{}", kWorkers, child));
        if (n != nullptr && tree->sessions().count(n->ephemeral_owner) != 0) ++alive;
      }
    }
    if (alive < kWanted) return fmt::format("{} of {} workers alive", alive, kWanted);
    return "";
  }

  Duration budget_;
  bool after_heal_;
};

// Every auto-healer scenario's hosts: kHealers healers whose bodies `healer`
// makes, then the worker hosts, all sharing one launcher; judged by
// workers-restored with `budget` (counted from the later of the failure and
// the heal when `after_heal`).
void healer_hosts(Cluster& c, ClientBody (*healer)(std::shared_ptr<Launcher>), Duration budget, bool after_heal) {
  auto launcher = std::make_shared<Launcher>();
  launcher->sim = &c.sim();
  for (int i = 1; i <= kHealers + kWorkerHosts; ++i) {
    c.client(i, i <= kHealers ? healer(launcher) : worker_host(launcher), Until::kRunEnds);
  }
  c.add_check(std::make_unique<WorkersRestored>(budget, after_heal));
}

}  // namespace

void register_auto_healer(std::vector<Scenario>& out) {
  const ClusterShape shape{.voters = 3, .clients = kHealers + kWorkerHosts};
  const Duration budget = shape.session_timeout_max + kLaunchGrace + seconds(3);
  out.push_back(recipe_scenario({
      .name = "auto-healer",
      .summary = "3 healthy servers; an elected healer keeps 3 workers alive on 4 hosts that crash and pause",
      .shape = shape,
      .faults = FaultModel::clients_only(),
      .setup =
          [budget](Cluster& c) { healer_hosts(c, healer_with, budget, /*after_heal=*/false); },
  }));
  // The same healer under every fault the generator has: the servers crash,
  // lose power, pause and lose their disks' writes, the network partitions
  // and drops. A worker's death is noticed only when the ensemble can
  // expire its session, and a healer acts only through a quorum -- which a
  // storm of faults may keep away until it ends (seed 452: power losses,
  // pauses and isolated leaders one after another from 2 s to 18 s). So a
  // failure is judged against the same budget, counted from the later of
  // the failure and the heal.
  const Duration storm_budget = budget;
  out.push_back(recipe_scenario({
      .name = "auto-healer-storm",
      .summary = "3 servers, every fault; an elected healer keeps 3 workers alive on 4 hosts that crash and pause",
      .shape = shape,
      .faults = FaultModel::everything(),
      .setup =
          [storm_budget](Cluster& c) { healer_hosts(c, healer_with, storm_budget, /*after_heal=*/true); },
  }));
  // The course example's naive healer (zsim lesson auto-healer): the same
  // hosts and faults as auto-healer, the healers elected the same way, but
  // each reads the workers once per leadership and never watches. A worker
  // that dies while the same healer leads is never replaced: caught by
  // workers-restored (fewer than 3 workers for longer than the budget, or
  // at the end).
  out.push_back(recipe_scenario({
      .name = "auto-healer-read-once-naive",
      .summary = "deliberately broken: the elected healer counts the workers once and never watches; dead ones "
                 "are not replaced",
      .shape = shape,
      .faults = FaultModel::clients_only(),
      .setup =
          [budget](Cluster& c) { healer_hosts(c, healer_read_once, budget, /*after_heal=*/false); },
  }));
}

}  // namespace zsim::scenarios::recipes
