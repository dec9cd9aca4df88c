// multi: 3 servers, 4 clients running `multi` transactions over several
// znodes under faults: transfers between four accounts (two versioned
// setData and a log create), passing a baton (delete the one child of
// /m/baton, create the next), multis that make, change and remove a node
// in one txn, and multis bound to fail (a stale version, an existing node).
// Each multi is all or nothing on every server, readers never see half of
// one, and what a client was told is what the servers applied.
#include "scenarios/ensemble/client_log.h"
#include "scenarios/ensemble/common.h"
#include "scenarios/ensemble/replay.h"
#include "scenarios/ensemble/workload_checks.h"
#include "scenarios/registry.h"

#include <map>
#include <set>

namespace zsim::scenarios {
namespace ensemble {
namespace {

constexpr int kAccounts = 4;
const std::string kRoot = "/m";
const std::string kAccountDir = "/m/acct";
const std::string kBatonDir = "/m/baton";
const std::string kLogDir = "/m/log";

std::string account(int i) { return fmt::format("{}/a{}", kAccountDir, i); }

core::CreateRequest plain(std::string path, std::string data) {
  return core::CreateRequest{std::move(path), std::move(data), static_cast<std::int32_t>(core::CreateMode::Persistent),
                             -1};
}

// The workload's invariants (workload_checks.h): a state that breaks one
// holds part of a multi.
std::string check_invariants(const core::DataTree& tree) { return multi_invariants(tree, kAccountDir, kBatonDir); }

// ---------------------------------------------------------------- clients

struct MultiClientState : ClientFlags {
  int made = 0;  // names and values made so far
};

class MultiClient final : public sim::Process {
 public:
  MultiClient(io::Env& env, std::vector<io::HostId> servers, sim::Simulator& sim, ClientLog& log,
              MultiClientState& state)
      : env_(env),
        session_(env, std::move(servers), millis(1000 + static_cast<std::int64_t>(env.random.below(3001))), log,
                 state.name, sim),
        sim_(sim),
        state_(state) {
    env_.fibers.spawn("multi", [this] { run(); });
  }

 private:
  void run() {
    setup();
    while (!state_.stop) {
      core::Client& zk = session_.get();
      if (!zk.wait_connected(seconds(1))) continue;
      if (!step(zk)) return;
      env_.fibers.sleep(millis(50 + static_cast<std::int64_t>(env_.random.below(150))));
    }
    // Liveness: one read of every account and the baton in a live session.
    while (!final_reads()) env_.fibers.sleep(millis(100));
    state_.done = true;
  }

  // The first client to get there makes the whole tree in one multi.
  void setup() {
    core::MultiRequest m;
    const auto create = [&](const std::string& path, const std::string& data) {
      m.ops.push_back(plain(path, data));
    };
    create(kRoot, "");
    create(kAccountDir, "");
    for (int i = 0; i < kAccounts; ++i) create(account(i), "0");
    create(kBatonDir, "");
    create(kBatonDir + "/b-start", "");
    create(kLogDir, "");
    while (true) {
      core::Client& zk = session_.get();
      if (!zk.wait_connected(seconds(1))) continue;
      const auto r = zk.multi(m);
      if (r.ok() || r.code() == Code::NodeExists) return;
      env_.fibers.sleep(millis(50));
    }
  }

  // One random action; false if the run has failed.
  bool step(core::Client& zk) {
    const std::uint64_t pick = env_.random.below(100);
    if (pick < 35) {
      transfer(zk);
    } else if (pick < 55) {
      return pass_baton(zk);
    } else if (pick < 65) {
      churn(zk);
    } else if (pick < 75) {
      doomed(zk);
    } else {
      read(zk);
    }
    return true;
  }

  int pick_account(int other = -1) {
    while (true) {
      const int i = static_cast<int>(env_.random.below(kAccounts));
      if (i != other) return i;
    }
  }

  // Moves an amount between two accounts read just before: both setData
  // carry the version read, so a transfer that raced another fails whole.
  void transfer(core::Client& zk) {
    const int from = pick_account();
    const int to = pick_account(from);
    auto a = zk.get_data(account(from));
    if (!a.ok()) return;
    auto b = zk.get_data(account(to));
    if (!b.ok()) return;
    const std::optional<std::int64_t> va = signed_value(a.value().data);
    const std::optional<std::int64_t> vb = signed_value(b.value().data);
    if (!va || !vb) return;  // the replay reports what was read
    const std::int64_t amount = 1 + static_cast<std::int64_t>(env_.random.below(10));
    core::MultiRequest m;
    m.ops.push_back(core::SetDataRequest{account(from), std::to_string(*va - amount), a.value().stat.version});
    m.ops.push_back(core::SetDataRequest{account(to), std::to_string(*vb + amount), b.value().stat.version});
    m.ops.push_back(plain(fmt::format("{}/{}-{}", kLogDir, state_.name, ++state_.made),
                          fmt::format("a{}->a{}:{}", from, to, amount)));
    (void)zk.multi(std::move(m));
  }

  // Deletes the one baton and creates the next in one multi. Every
  // committed state has exactly one, so a listing that does not is a
  // reader seeing half a multi.
  bool pass_baton(core::Client& zk) {
    auto kids = zk.get_children(kBatonDir);
    if (!kids.ok()) return true;
    if (kids.value().size() != 1) {
      sim_.fail(sim::Verdict::kInvariant,
                fmt::format("multi: {} read {} children of {}, not 1", state_.name, kids.value().size(), kBatonDir),
                state_.name);
      return false;
    }
    // Sometimes a wrong version: the delete fails, so must the create.
    const std::int32_t version = env_.random.chance(1, 5) ? 1 : 0;
    core::MultiRequest m;
    m.ops.push_back(core::DeleteRequest{kBatonDir + "/" + kids.value().front(), version});
    m.ops.push_back(plain(fmt::format("{}/b-{}-{}", kBatonDir, state_.name, ++state_.made), ""));
    (void)zk.multi(std::move(m));
    return true;
  }

  // Creates a node, changes it twice and removes it in one txn: each op is
  // validated against the ones before it, never against the tree alone.
  void churn(core::Client& zk) {
    const std::string path = fmt::format("{}/tmp-{}-{}", kRoot, state_.name, ++state_.made);
    core::MultiRequest m;
    m.ops.push_back(plain(path, "a"));
    m.ops.push_back(core::SetDataRequest{path, "b", 0});
    m.ops.push_back(core::CheckRequest{path, 1});
    m.ops.push_back(core::SetDataRequest{path, "c", 1});
    if (env_.random.chance(1, 2)) m.ops.push_back(core::DeleteRequest{path, 2});
    (void)zk.multi(std::move(m));
  }

  // A multi bound to fail at its last op (an account that exists, or a
  // version from the future): the earlier ops must not apply either.
  void doomed(core::Client& zk) {
    const int i = pick_account();
    core::MultiRequest m;
    m.ops.push_back(core::SetDataRequest{account(i), "999999", -1});
    m.ops.push_back(plain(fmt::format("{}/doomed-{}-{}", kLogDir, state_.name, ++state_.made), ""));
    if (env_.random.chance(1, 2)) {
      m.ops.push_back(plain(account(pick_account()), ""));
    } else {
      m.ops.push_back(core::CheckRequest{account(pick_account()), 1'000'000});
    }
    (void)zk.multi(std::move(m));
  }

  // Reads judged by the replay against the committed state they came from.
  void read(core::Client& zk) {
    const std::uint64_t pick = env_.random.below(3);
    if (pick == 0) {
      (void)zk.get_data(account(pick_account()));
    } else if (pick == 1) {
      (void)zk.get_children2(kBatonDir);
    } else {
      (void)zk.exists(account(pick_account()));
    }
  }

  bool final_reads() {
    core::Client& zk = session_.get();
    if (!zk.wait_connected(seconds(1))) return false;
    for (int i = 0; i < kAccounts; ++i) {
      if (!zk.get_data(account(i)).ok()) return false;
    }
    return zk.get_children2(kBatonDir).ok();
  }

  static std::optional<std::int64_t> signed_value(const std::string& v) {
    const bool negative = !v.empty() && v[0] == '-';
    const std::optional<std::int64_t> n = parse_int(negative ? v.substr(1) : v);
    if (!n) return std::nullopt;
    return negative ? -*n : *n;
  }

  io::Env& env_;
  RecordedSession session_;
  sim::Simulator& sim_;
  MultiClientState& state_;
};

// ---------------------------------------------------------------- checks

class MultiWorkload final : public EnsembleWorkload<MultiClientState> {
 public:
  MultiWorkload(sim::Simulator& sim, const EnsembleSpec& spec, int clients)
      : EnsembleWorkload(sim, spec, "has not read the accounts after the heal") {
    // Every server's tree, at every multi it applies: all or nothing there.
    world_.set_commit_probe([&sim](const std::string& server, const core::DataTree& tree, const core::Txn& txn) {
      if (!std::holds_alternative<core::MultiTxn>(txn.body)) return;
      if (std::string v = check_invariants(tree); !v.empty()) {
        sim.fail(sim::Verdict::kInvariant, fmt::format("multi: {} after 0x{:x}: {}", server, txn.header.zxid, v),
                 server);
      }
    });
    for (int c = 1; c <= clients; ++c) {
      MultiClientState& st = clients_.emplace_back();
      st.name = fmt::format("c{}", c);
      const std::vector<io::HostId> servers = world_.hosts();
      const io::HostId h = sim.add_host(st.name, [servers, &sim, this, &st](io::Env& env) {
        return std::make_unique<MultiClient>(env, servers, sim, log_, st);
      });
      sim.start(h);
    }
  }

  void check_clients(sim::Simulator& sim) override {
    CommittedReplay replay(world_.commits(), log_);
    MultiJudge judge;
    replay.before = [&judge](const core::DataTree& tree, const core::Txn& txn, const ClientOp* request) {
      return judge.before(tree, txn, request);
    };
    replay.after = [&judge](const core::DataTree& tree, const core::Txn& txn, const core::ApplyResult&,
                            const ClientOp* request) {
      if (std::string v = check_invariants(tree); !v.empty()) {
        return fmt::format("after 0x{:x}: {}", txn.header.zxid, v);
      }
      return judge.after(tree, txn, request);
    };
    if (!run_replay(sim, replay, "multi")) return;
    sim.trace_event("check.multi", {{"multis", judge.multis()}, {"failed", judge.failed()}});
  }

 private:
  ClientLog log_;
};

}  // namespace
}  // namespace ensemble

void register_ensemble_multi(std::vector<Scenario>& out) {
  using namespace ensemble;
  EnsembleSpec spec;
  spec.voters = 3;
  spec.record_commits = true;
  Scenario s = ensemble_scenario("multi",
                                 "3 servers: multi transactions (transfers, a baton, churn, doomed ones) are all or "
                                 "nothing on every server and to every reader",
                                 ensemble_faults(spec, 4));
  s.build = [spec](sim::Simulator& sim, const RunParams& p) {
    return std::make_unique<MultiWorkload>(sim, with_bug(spec, p), 4);
  };
  out.push_back(std::move(s));
}

}  // namespace zsim::scenarios
