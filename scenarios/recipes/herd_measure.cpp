#include "scenarios/recipes/herd_measure.h"

#include "core/assert.h"
#include "core/client/client.h"
#include "core/recipes/herd_election.h"
#include "core/recipes/herd_free_election.h"
#include "scenarios/ensemble_world.h"
#include "sim/simulator.h"

#include <fmt/format.h>

#include <deque>
#include <memory>

namespace zsim::scenarios::recipes {

const char* to_string(HerdRecipe r) { return r == HerdRecipe::kHerd ? "herd" : "herd-free"; }

namespace {

constexpr const char* kLine = "/election";

// One candidate host's state, shared with the driver.
struct Candidate {
  std::string name;
  bool leading = false;
  bool close = false;   // the driver asks the leader to close its session
  bool closed = false;
  bool rejoin = false;  // the driver lets it join again
  uint64_t notifications = 0;
};

std::unique_ptr<core::recipes::Election> candidacy(HerdRecipe recipe, core::Client& zk, const std::string& id) {
  namespace r = core::recipes;
  if (recipe == HerdRecipe::kHerd) {
    r::HerdElectionOptions o;
    o.path = kLine;
    o.id = id;
    o.data = id;
    return std::make_unique<r::HerdElection>(zk, o);
  }
  r::HerdFreeElectionOptions o;
  o.path = kLine;
  o.id = id;
  o.data = id;
  return std::make_unique<r::HerdFreeElection>(zk, o);
}

class CandidateProcess final : public sim::Process {
 public:
  CandidateProcess(io::Env& env, HerdRecipe recipe, std::vector<io::HostId> server_hosts, Candidate& c) {
    env.fibers.spawn("candidate", [&env, recipe, servers = std::move(server_hosts), &c] {
      for (int round = 0;; ++round) {
        core::ClientOptions o;
        o.servers = servers;
        o.session_timeout = seconds(4);
        core::Client zk(env, o);
        zk.set_watcher([&c](const core::WatchedEvent& e) {
          if (e.type != core::EventType::None) ++c.notifications;
        });
        auto e = candidacy(recipe, zk, fmt::format("{}r{}", c.name, round));
        while (!c.close) {
          if (e->campaign(seconds(600)) == core::recipes::Leadership::kLost) break;
          while (e->leading() && !c.close) {
            c.leading = true;
            env.fibers.sleep(millis(5));  // polls the driver's flag: no traffic
          }
          c.leading = false;
        }
        c.leading = false;
        zk.close();
        c.closed = true;
        while (!c.rejoin) env.fibers.sleep(millis(5));
        c.close = c.closed = c.rejoin = false;
      }
    });
  }
};

struct World {
  explicit World(const HerdMeasureOptions& options)
      : sim(sim_options(options)), ensemble(sim, ensemble_spec()) {}

  static sim::SimOptions sim_options(const HerdMeasureOptions& options) {
    sim::SimOptions o;
    o.seed = options.seed;
    o.allow_buggify = false;
    o.network.host_egress_bytes_per_ms = options.egress_bytes_per_ms;
    return o;
  }
  static EnsembleSpec ensemble_spec() {
    EnsembleSpec s;
    s.voters = 3;
    return s;
  }

  const core::DataTree* tree() const {
    if (!ensemble.converged()) return nullptr;
    const core::Server* s = ensemble.server(0);
    return s == nullptr ? nullptr : &s->tree();
  }
  std::size_t in_line() const {
    const core::DataTree* t = tree();
    const core::Znode* n = t == nullptr ? nullptr : t->find(kLine);
    return n == nullptr ? 0 : n->children.size();
  }
  Candidate* leader() {
    Candidate* out = nullptr;
    for (Candidate& c : candidates) {
      if (c.leading) {
        if (out != nullptr) return nullptr;  // two believe it: not settled
        out = &c;
      }
    }
    return out;
  }

  sim::Simulator sim;
  EnsembleWorld ensemble;
  std::deque<Candidate> candidates;  // stable addresses
};

}  // namespace

HerdMeasurement measure_herd(HerdRecipe recipe, int candidates, const HerdMeasureOptions& options) {
  ZSIM_ASSERT(candidates >= 2 && options.changes >= 1);
  HerdMeasurement m;
  m.recipe = recipe;
  m.candidates = candidates;
  World w(options);
  for (int i = 1; i <= candidates; ++i) {
    Candidate& c = w.candidates.emplace_back();
    c.name = fmt::format("c{}", i);
    const io::HostId h = w.sim.add_host(c.name, [&c, recipe, servers = w.ensemble.hosts()](io::Env& env) {
      return std::make_unique<CandidateProcess>(env, recipe, servers, c);
    });
    w.sim.start(h);
  }
  const auto n = static_cast<std::size_t>(candidates);
  auto formed = [&] { return w.in_line() == n && w.leader() != nullptr; };
  if (!w.sim.run_until_true(formed, options.form_budget)) {
    m.error = fmt::format("the line of {} did not form within {} ({} in line)", candidates,
                          format_duration(options.form_budget), w.in_line());
    return m;
  }
  w.sim.run_for(seconds(2));
  const sim::NetworkStats& net = w.sim.network().stats();
  double notifications = 0, woken = 0, bytes = 0, messages = 0, handover_ns = 0;
  for (int k = 0; k < options.changes; ++k) {
    Candidate* old = w.leader();
    if (old == nullptr) {
      m.error = "no single leader before a change";
      return m;
    }
    std::vector<uint64_t> before;
    for (const Candidate& c : w.candidates) before.push_back(c.notifications);
    const uint64_t b0 = net.bytes_sent, m0 = net.messages_sent;
    const Time t0 = w.sim.now();
    old->close = true;
    auto next = [&] {
      Candidate* l = w.leader();
      return l != nullptr && l != old && old->closed;
    };
    if (!w.sim.run_until_true(next, seconds(30))) {
      m.error = fmt::format("no new leader within 30 s after change {}", k + 1);
      return m;
    }
    handover_ns += static_cast<double>(to_ns(w.sim.now()) - to_ns(t0));
    w.sim.run_for(options.settle);
    const Duration window = w.sim.now() - t0;
    const uint64_t b1 = net.bytes_sent, m1 = net.messages_sent;
    // The old leader's own watch on its node may fire as its session
    // closes: it is leaving, not woken.
    int woke = 0;
    uint64_t heard = 0;
    for (std::size_t i = 0; i < w.candidates.size(); ++i) {
      if (&w.candidates[i] == old) continue;
      heard += w.candidates[i].notifications - before[i];
      if (w.candidates[i].notifications > before[i]) ++woke;
    }
    notifications += static_cast<double>(heard);
    woken += woke;
    // The background over an equally long quiet window (pings), before the
    // old leader rejoins.
    const uint64_t qb0 = net.bytes_sent, qm0 = net.messages_sent;
    w.sim.run_for(window);
    bytes += static_cast<double>(b1 - b0) - static_cast<double>(net.bytes_sent - qb0);
    messages += static_cast<double>(m1 - m0) - static_cast<double>(net.messages_sent - qm0);
    // The old leader joins again at the end of the line (unmeasured).
    old->rejoin = true;
    if (!w.sim.run_until_true(formed, seconds(30))) {
      m.error = fmt::format("the line did not form again after change {}", k + 1);
      return m;
    }
    w.sim.run_for(seconds(1));
    ++m.changes;
  }
  m.notifications_per_change = notifications / m.changes;
  m.woken_per_change = woken / m.changes;
  m.bytes_per_change = bytes / m.changes;
  m.messages_per_change = messages / m.changes;
  m.handover_ms = handover_ns / 1e6 / m.changes;
  return m;
}

}  // namespace zsim::scenarios::recipes
