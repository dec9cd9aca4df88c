// sequential: 3 servers, 5 clients creating PERSISTENT_SEQUENTIAL children
// of /q; acknowledged names are unique and never lost, every child was
// created once, and sequence numbers follow commit (czxid) order and real
// time.
#include "scenarios/ensemble/common.h"
#include "scenarios/registry.h"

#include <functional>
#include <map>
#include <set>

namespace zsim::scenarios {
namespace ensemble {
namespace {

// ---------------------------------------------------------------- sequential

constexpr const char* kQueue = "/q";

struct SequentialCreate {
  std::string name;  // the child's name under /q (acknowledged only)
  std::int64_t czxid = 0;
  Time call{};
  Time ret{};
};

struct AuditedChild {
  std::string name;
  std::string data;
  std::int64_t czxid = 0;
};

struct SequentialClientState : ClientFlags {
  std::vector<SequentialCreate> acked;
  std::set<std::string> attempted;  // the data of every create it tried
  int attempts = 0;
  // Client 1 only: the final read of /q, after every other client is done
  // and the ensemble has settled.
  bool auditor = false;
  std::vector<AuditedChild> audit;
};

class SequentialClient final : public sim::Process {
 public:
  SequentialClient(io::Env& env, std::vector<io::HostId> servers, sim::Simulator& sim,
                   std::function<bool()> ready_for_audit, SequentialClientState& state)
      : env_(env), session_(env, std::move(servers)), sim_(sim), ready_for_audit_(std::move(ready_for_audit)),
        state_(state) {
    env_.fibers.spawn("sequential", [this] { run(); });
  }

 private:
  void run() {
    ensure_node(session_, env_.fibers, kQueue);
    while (!state_.stop) {
      if (!session_.get().wait_connected(seconds(1))) continue;
      create_one();
      env_.fibers.sleep(millis(20 + static_cast<std::int64_t>(env_.random.below(180))));
    }
    if (state_.auditor) {
      while (!ready_for_audit_()) env_.fibers.sleep(millis(50));
      while (!audit()) env_.fibers.sleep(millis(100));
    }
    state_.done = true;
  }


  void create_one() {
    core::Client& zk = session_.get();
    // Unique data names the attempt, so a child created twice shows.
    // (The count lives in the state: a restarted host goes on from it.)
    const std::string data = fmt::format("{}-{}", state_.name, ++state_.attempts);
    state_.attempted.insert(data);
    SequentialCreate c;
    c.call = sim_.now();
    auto r = zk.create2(std::string(kQueue) + "/item-", data, core::CreateMode::PersistentSequential);
    c.ret = sim_.now();
    if (!r.ok()) return;  // unknown or refused: the audit tells which
    const std::string& path = r.value().path;
    c.name = path.substr(path.rfind('/') + 1);
    c.czxid = r.value().stat.czxid;
    state_.acked.push_back(std::move(c));
  }

  // sync, then every child with its data and czxid. Any failure starts over.
  bool audit() {
    core::Client& zk = session_.get();
    if (!zk.wait_connected(seconds(1))) return false;
    if (!zk.sync(kQueue).ok()) return false;
    auto children = zk.get_children(kQueue);
    if (!children.ok()) return false;
    std::vector<AuditedChild> seen;
    for (const std::string& name : children.value()) {
      auto d = zk.get_data(std::string(kQueue) + "/" + name);
      if (!d.ok()) return false;
      seen.push_back(AuditedChild{name, d.value().data, d.value().stat.czxid});
    }
    state_.audit = std::move(seen);
    return true;
  }

  io::Env& env_;
  EnsembleSession session_;
  sim::Simulator& sim_;
  std::function<bool()> ready_for_audit_;
  SequentialClientState& state_;
};

std::optional<std::int64_t> sequence_of(const std::string& name) {
  if (name.size() < 10) return std::nullopt;
  return parse_int(name.substr(name.size() - 10));
}

class SequentialWorkload final : public EnsembleWorkload<SequentialClientState> {
 public:
  SequentialWorkload(sim::Simulator& sim, const EnsembleSpec& spec, int clients)
      : EnsembleWorkload(sim, spec, "has not finished (client 1: its final audit of /q)") {
    for (int c = 1; c <= clients; ++c) {
      SequentialClientState& st = clients_.emplace_back();
      st.name = fmt::format("c{}", c);
      st.auditor = c == 1;
    }
    for (auto& st : clients_) {
      const std::vector<io::HostId> servers = world_.hosts();
      // The audit waits for every other client and a settled ensemble: then
      // one leader has applied every acknowledged create, and so has the
      // server the auditor reads from.
      auto ready = [this, &st] {
        for (const auto& o : clients_) {
          if (&o != &st && !o.done) return false;
        }
        return world_.converged();
      };
      const io::HostId h = sim.add_host(st.name, [servers, &sim, ready, &st](io::Env& env) {
        return std::make_unique<SequentialClient>(env, servers, sim, ready, st);
      });
      sim.start(h);
    }
  }

  // Without the final audit, only the acknowledgements can be judged.
  void check_clients_unfinished(sim::Simulator& sim) override { check_real_time(sim); }

  void check_clients(sim::Simulator& sim) override {
    const std::vector<AuditedChild>& audit = clients_.front().audit;
    sim.trace_event("check.sequential", {{"children", std::uint64_t{audit.size()}}});
    if (!check_children(sim, audit)) return;
    if (!check_acked(sim, audit)) return;
    check_real_time(sim);
  }

 private:
  // Every child was created by one attempt, once; sequence numbers follow
  // czxid order.
  bool check_children(sim::Simulator& sim, std::vector<AuditedChild> audit) {
    std::set<std::string> attempted;
    for (const auto& c : clients_) attempted.insert(c.attempted.begin(), c.attempted.end());
    std::map<std::string, std::string> by_data;
    for (const auto& child : audit) {
      if (!sequence_of(child.name)) return fail(sim, fmt::format("child {} has no sequence number", child.name));
      if (attempted.count(child.data) == 0) {
        return fail(sim, fmt::format("child {} holds {}, which no client created", child.name, child.data));
      }
      auto [it, fresh] = by_data.emplace(child.data, child.name);
      if (!fresh) {
        return fail(sim, fmt::format("create {} was applied twice: {} and {}", child.data, it->second, child.name));
      }
    }
    std::sort(audit.begin(), audit.end(),
              [](const AuditedChild& a, const AuditedChild& b) { return *sequence_of(a.name) < *sequence_of(b.name); });
    for (std::size_t k = 1; k < audit.size(); ++k) {
      if (audit[k - 1].czxid >= audit[k].czxid) {
        return fail(sim, fmt::format("{} (czxid 0x{:x}) has a higher sequence number than {} (czxid 0x{:x})",
                                     audit[k].name, audit[k].czxid, audit[k - 1].name, audit[k - 1].czxid));
      }
    }
    return true;
  }

  // Acknowledged names are unique, present at the end, at the czxid the
  // acknowledgement gave.
  bool check_acked(sim::Simulator& sim, const std::vector<AuditedChild>& audit) {
    std::map<std::string, const AuditedChild*> present;
    for (const auto& child : audit) present[child.name] = &child;
    std::map<std::string, std::string> owner;
    for (const auto& c : clients_) {
      for (const auto& a : c.acked) {
        auto [it, fresh] = owner.emplace(a.name, c.name);
        if (!fresh) return fail(sim, fmt::format("{} was acknowledged to both {} and {}", a.name, it->second, c.name));
        auto p = present.find(a.name);
        if (p == present.end()) {
          return fail(sim,
                      fmt::format("acknowledged create {} (to {}, czxid 0x{:x}) is lost", a.name, c.name, a.czxid));
        }
        if (p->second->czxid != a.czxid) {
          return fail(sim, fmt::format("{} was acknowledged at czxid 0x{:x} but holds 0x{:x}", a.name, a.czxid,
                                       p->second->czxid));
        }
      }
    }
    return true;
  }

  // A create acknowledged before another was called got the lower number.
  bool check_real_time(sim::Simulator& sim) {
    std::vector<const SequentialCreate*> acked;
    for (const auto& c : clients_) {
      for (const auto& a : c.acked) acked.push_back(&a);
    }
    // Sweep in call order, keeping the highest number of the creates that
    // had returned before each call.
    std::vector<const SequentialCreate*> by_return = acked;
    std::sort(acked.begin(), acked.end(), [](auto* a, auto* b) { return a->call < b->call; });
    std::sort(by_return.begin(), by_return.end(), [](auto* a, auto* b) { return a->ret < b->ret; });
    std::size_t r = 0;
    const SequentialCreate* highest = nullptr;
    for (const SequentialCreate* b : acked) {
      for (; r < by_return.size() && by_return[r]->ret < b->call; ++r) {
        if (highest == nullptr || *sequence_of(by_return[r]->name) > *sequence_of(highest->name)) {
          highest = by_return[r];
        }
      }
      if (highest != nullptr && *sequence_of(highest->name) >= *sequence_of(b->name)) {
        return fail(sim, fmt::format("{} was acknowledged before the create that got {} was called", highest->name,
                                     b->name));
      }
    }
    return true;
  }

  static bool fail(sim::Simulator& sim, std::string message) {
    sim.fail(sim::Verdict::kInvariant, "sequential: " + message);
    return false;
  }
};

}  // namespace
}  // namespace ensemble

void register_ensemble_sequential(std::vector<Scenario>& out) {
  using namespace ensemble;
  EnsembleSpec seq_spec;
  seq_spec.voters = 3;
  Scenario seq = ensemble_scenario(
      "sequential", "3 servers: sequential creates under contention are unique, never lost, in commit order",
      ensemble_faults(seq_spec, 5));
  seq.build = [seq_spec](sim::Simulator& sim, const RunParams& p) {
    return std::make_unique<SequentialWorkload>(sim, with_bug(seq_spec, p), 5);
  };
  out.push_back(std::move(seq));

}

}  // namespace zsim::scenarios
