// server-replacement: lesson 5's second form ("topology doesn't change"):
// the ensemble's servers are replaced, one at a time, by new machines, and a
// client that hard-coded the servers it was given at start-up loses the
// ensemble once the last of them is gone.
//
// The world: 3 voters s1..s3, spare machines r1..r3, client hosts c1..c3
// doing steady work (each writes its own counter node, /work/<name>, every
// 200 ms) and c4, the operator. The operator replaces s1, s2, s3 in turn,
// each no earlier than 12 s after the last began -- far longer than any
// client's outage under these faults -- the way an operator of ZooKeeper
// 3.4 does it, without dynamic reconfiguration (EnsembleWorld::retire):
//   1. wait until the ensemble has settled (every member synced);
//   2. decommission s_k (its machine is gone for good) and write the new
//      member table (server id k on r_k) into every member's configuration;
//   3. rolling restart of the two others, followers first, leader last,
//      each once the ensemble has settled again: they read the new table;
//   4. start r_k with an empty disk: it syncs from the leader;
//   5. once settled, publish the new connect list in /ops/ensemble.
// Steps 2-4 in this order keep every committed txn: from step 2 on, a txn
// commits only on both old members, so each of them holds everything, and
// the empty r_k can never be part of a quorum without one of them.
//
// Where clients learn the members: ZooKeeper 3.5+ with dynamic reconfig
// keeps the ensemble's configuration in /zookeeper/config (getConfig, with a
// watch) and clients call updateServerList with it. zsim has no reconfig, so
// the operator publishes the connect list in a znode of its own,
// /ops/ensemble ("r1,s2,s3": host names, resolved like DNS names), at start
// and after every replacement.
//
// The pair, same faults, same work, same check:
//   server-replacement-naive  the connect list is hard-coded: s1, s2, s3,
//                             for every session the client ever opens;
//   server-replacement        the client watches /ops/ensemble (re-reading
//                             it after every event, reconnects included, and
//                             in every new session) and hands each list to
//                             update_server_list (ClientCtx::set_servers);
//                             and a client cut off for longer than 4 s looks
//                             the ensemble up again out of band, by name (a
//                             DNS record the operator keeps current: what a
//                             ZooKeeper client re-resolving the DNS names of
//                             its connect string does, ZOOKEEPER-2184). The
//                             watch alone is not enough: the faults may keep
//                             a client from reading the list through two
//                             replacements (20 s and more in this fault
//                             model: seed 100), and a client whose every
//                             known server is gone can read nothing. Each
//                             such lookup is traced (ops.re_resolve).
//
// Fault model, and why: network faults only (partitions of every shape,
// the spares r1..r3 among the servers they cut off; loss, duplicates,
// stream resets; swarm). Server crash faults are off: a
// crash plan names s1..s3, so it would restart a decommissioned machine's
// server or crash a member in the middle of a replacement -- the operator's
// procedure assumes the ensemble it works on is healthy (that is step 1) and
// a real operator does not replace servers during an outage. Client crashes
// and pauses are off: a restarted process would boot from its deployment
// configuration (a bootstrap problem, not this lesson's), and a paused
// operator only delays the schedule.
//
// Judged once the faults heal (check reach-ensemble, liveness): the
// operator has replaced all three servers, and every worker has completed
// an operation since the faults healed. The naive clients cannot: the
// message says which servers they still believe in and when those were
// replaced.
#include "scenarios/recipes/recipe_scenario.h"
#include "scenarios/recipes/scenarios.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <map>
#include <memory>
#include <sstream>

namespace zsim::scenarios::recipes {

namespace {

constexpr const char* kEnsembleNode = "/ops/ensemble";
constexpr int kWorkers = 3;
constexpr int kServers = 3;
// The operator starts replacement k (0-based) no earlier than this.
constexpr Duration kFirstReplacement = seconds(5);
constexpr Duration kReplacementGap = seconds(12);
// A fixed client that has not been connected for this long looks the
// ensemble up again (longer than a session's timeout: a short outage is
// the watch's job).
constexpr Duration kAwayTooLong = seconds(4);

// What happened, for the check: the operator's replacements and every
// worker's completed operations.
struct Ops {
  struct Replacement {
    std::string old_name, new_name;
    Time at{};  // when the old machine was decommissioned
  };
  std::vector<Replacement> replaced;
  bool done = false;  // all replaced, and the last list published
  Time done_at{};
  struct Worker {
    std::vector<std::string> servers;  // the connect list it uses now
    std::vector<Time> ok;              // when each of its operations completed
  };
  std::map<std::string, Worker> workers;
  // The ensemble's DNS record (or deployment config service): the connect
  // list a client can look up out of band, by name, without the ensemble.
  // The operator updates it with every publication.
  std::vector<std::string> dns = {"s1", "s2", "s3"};
};

// "12.3 s": the scenario's times, as the course quotes them.
std::string secs(Time t) { return fmt::format("{:.1f} s", static_cast<double>(t.time_since_epoch().count()) / 1e9); }

std::string join(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : ",") + n;
  return out;
}

std::vector<std::string> split(const std::string& list) {
  std::vector<std::string> out;
  std::stringstream in(list);
  for (std::string name; std::getline(in, name, ',');) {
    if (!name.empty()) out.push_back(name);
  }
  return out;
}

// Host names to hosts; empty if any name is unknown (a garbled list).
std::vector<io::HostId> resolve(const Cluster& c, const std::vector<std::string>& names) {
  std::vector<io::HostId> hosts;
  for (const std::string& n : names) {
    const auto h = c.sim().find_host(n);
    if (!h) return {};
    hosts.push_back(*h);
  }
  return hosts;
}

// Writes `list` to /ops/ensemble until it is known written.
void publish(ClientCtx& me, const std::string& list) {
  while (true) {
    core::Client& zk = me.zk();
    (void)zk.create("/ops", "", core::CreateMode::Persistent);  // NodeExists: fine
    auto set = zk.set_data(kEnsembleNode, list);
    if (set.ok()) return;
    if (set.code() == core::Code::NoNode) {
      auto made = zk.create(kEnsembleNode, list, core::CreateMode::Persistent);
      if (made.ok()) return;
    }
    me.sleep(millis(100));
  }
}

// The operator (c4): the procedure in the header, three times.
ClientBody operator_body(Cluster* c, std::shared_ptr<Ops> ops) {
  return [c, ops](ClientCtx& me) {
    EnsembleWorld& world = c->ensemble();
    auto settle = [&] {
      while (!world.converged()) me.sleep(millis(50));
    };
    auto connect_to_members = [&] { me.set_servers(resolve(*c, world.names())); };
    publish(me, join(world.names()));
    for (std::size_t k = 0; k < static_cast<std::size_t>(kServers); ++k) {
      const Time not_before = Time{} + kFirstReplacement + kReplacementGap * static_cast<int64_t>(k);
      if (me.global_now() < not_before) me.sleep(not_before - me.global_now());
      settle();
      const std::string old_name = world.names()[k];
      const std::string new_name = world.retire(k);
      ops->replaced.push_back({old_name, new_name, me.global_now()});
      // Rolling restart: followers first, the leader last.
      std::vector<std::size_t> others;
      for (std::size_t j = 0; j < world.hosts().size(); ++j) {
        if (j != k && !world.leads(j)) others.push_back(j);
      }
      for (std::size_t j = 0; j < world.hosts().size(); ++j) {
        if (j != k && world.leads(j)) others.push_back(j);
      }
      for (std::size_t j : others) {
        settle();
        world.restart_member(j);
      }
      settle();
      world.start_member(k);
      settle();
      connect_to_members();
      ops->dns = world.names();
      publish(me, join(world.names()));
    }
    ops->done = true;
    ops->done_at = me.global_now();
  };
}

// One operation of a worker's steady work: bump its counter node.
bool work_once(ClientCtx& me, int64_t n) {
  core::Client& zk = me.zk();
  const std::string node = "/work/" + me.name();
  auto set = zk.set_data(node, std::to_string(n));
  if (set.ok()) return true;
  if (set.code() != core::Code::NoNode) return false;
  (void)zk.create("/work", "", core::CreateMode::Persistent);
  return zk.create(node, std::to_string(n), core::CreateMode::Persistent).ok();
}

// The naive worker: its connect list is the one it was deployed with.
ClientBody naive_worker(std::shared_ptr<Ops> ops) {
  return [ops](ClientCtx& me) {
    Ops::Worker& mine = ops->workers[me.name()];
    mine.servers = {"s1", "s2", "s3"};  // hard-coded, like ClientOptions.servers in its config file
    for (int64_t n = 0;; ++n) {
      if (work_once(me, n)) mine.ok.push_back(me.global_now());
      me.sleep(millis(200));
    }
  };
}

// The fixed worker: follows /ops/ensemble. It re-reads after every event the
// handle hears (a watch firing, a reconnect: a change it missed while away
// is not announced twice) and in every new session.
ClientBody fixed_worker(Cluster* c, std::shared_ptr<Ops> ops) {
  return [c, ops](ClientCtx& me) {
    Ops::Worker& mine = ops->workers[me.name()];
    mine.servers = {"s1", "s2", "s3"};  // where it starts: the list it was deployed with
    const core::Client* handle = nullptr;
    uint64_t seen = 0;
    bool fresh = false;  // whether the list is read since the last event
    Time connected_at = me.env().clock.now();  // host clock: when it was last seen connected
    for (int64_t n = 0;; ++n) {
      core::Client& zk = me.zk();
      if (zk.state() == core::ClientState::kConnected) connected_at = me.env().clock.now();
      if (me.env().clock.now() - connected_at > kAwayTooLong) {
        // Away so long that the servers it knows may all be gone: look the
        // ensemble up again by name, as a client whose connect string
        // holds DNS names re-resolves them (ZOOKEEPER-2184).
        connected_at = me.env().clock.now();
        if (ops->dns != mine.servers) {
          me.env().trace.event("ops.re_resolve", {{"servers", join(ops->dns)}});
          mine.servers = ops->dns;
          me.set_servers(resolve(*c, mine.servers));
        }
      }
      if (&zk != handle || zk.event_count() != seen) {
        handle = &zk;
        seen = zk.event_count();
        fresh = false;
      }
      if (!fresh) {
        auto node = zk.get_data(kEnsembleNode, /*watch=*/true);
        if (node.ok()) {
          std::vector<std::string> names = split(node->data);
          std::vector<io::HostId> hosts = resolve(*c, names);
          if (!hosts.empty()) {
            if (names != mine.servers) me.set_servers(std::move(hosts));
            mine.servers = std::move(names);
            fresh = true;
          }
        } else if (node.code() == core::Code::NoNode) {
          fresh = zk.exists(kEnsembleNode, /*watch=*/true).ok();  // not published yet: wait for it
        }
      }
      if (work_once(me, n)) mine.ok.push_back(me.global_now());
      me.sleep(millis(200));
    }
  };
}

class ReachEnsemble final : public GoalCheck {
 public:
  explicit ReachEnsemble(std::shared_ptr<Ops> ops) : ops_(std::move(ops)) {}
  std::string name() const override { return "reach-ensemble"; }

  // When the last server a stuck worker knows was decommissioned (else the
  // last replacement).
  // The number that tells the story, in the trace of a run that settled
  // (check.reach-ensemble): how many operations the workers completed after
  // the operator's last replacement. The naive run never settles; its
  // message carries the same count.
  std::optional<Violation> judge(const Cluster& c) const override {
    std::optional<Violation> v = GoalCheck::judge(c);
    if (!v) {
      c.sim().trace_event("check.reach-ensemble", {{"replaced", static_cast<uint64_t>(ops_->replaced.size())},
                                                   {"ops_after_last_replacement", ops_after_done()}});
    }
    return v;
  }

  std::optional<Time> moment(const Cluster& c) const override {
    const Ops::Worker* stuck = first_stuck(c);
    if (stuck != nullptr) {
      std::optional<Time> last;
      for (const Ops::Replacement& r : ops_->replaced) {
        for (const std::string& s : stuck->servers) {
          if (s == r.old_name) last = r.at;
        }
      }
      if (last) return last;
    }
    if (ops_->replaced.empty()) return std::nullopt;
    return ops_->replaced.back().at;
  }

 private:
  uint64_t ops_after_done() const {
    uint64_t n = 0;
    for (const auto& [name, w] : ops_->workers) {
      for (Time t : w.ok) n += t > ops_->done_at ? 1 : 0;
    }
    return n;
  }
  // Operations completed since the faults healed and the last replacement.
  std::size_t fresh_ops(const Cluster& c, const Ops::Worker& w) const {
    const Time since = std::max(*c.healed_at(), ops_->done_at);
    std::size_t n = 0;
    for (Time t : w.ok) n += t > since ? 1 : 0;
    return n;
  }
  const Ops::Worker* first_stuck(const Cluster& c) const {
    if (!c.healed_at() || !ops_->done) return nullptr;
    for (const auto& [name, w] : ops_->workers) {
      if (fresh_ops(c, w) == 0) return &w;
    }
    return nullptr;
  }

  std::string why_not(const Cluster& c) const override {
    if (!c.healed_at()) return "not healed yet";
    if (!ops_->done) {
      return fmt::format("the operator has replaced {} of {} servers", ops_->replaced.size(), kServers);
    }
    for (const auto& [name, w] : ops_->workers) {
      if (fresh_ops(c, w) > 0) continue;
      std::vector<std::string> replaced_by;
      std::optional<Time> first, last;
      for (const Ops::Replacement& r : ops_->replaced) {
        for (const std::string& s : w.servers) {
          if (s != r.old_name) continue;
          replaced_by.push_back(r.new_name);
          if (!first) first = r.at;
          last = r.at;
        }
      }
      const std::string last_ok = w.ok.empty() ? "never" : "at " + secs(w.ok.back());
      if (replaced_by.size() == w.servers.size()) {
        return fmt::format(
            "{} can no longer reach the ensemble: the servers it connects to, {}, were all replaced (by {}, at "
            "{}..{}) and nobody told it; its last successful operation was {} (the {} workers completed {} "
            "operations after the last replacement ended at {})",
            name, fmt::join(w.servers, ", "), fmt::join(replaced_by, ", "), secs(*first), secs(*last), last_ok,
            ops_->workers.size(), ops_after_done(), secs(ops_->done_at));
      }
      return fmt::format(
          "{} has completed no operation since the faults healed at {} (it connects to {}; the ensemble is {}); "
          "its last successful operation was {}",
          name, secs(*c.healed_at()), fmt::join(w.servers, ", "), fmt::join(c.ensemble().names(), ", "),
          last_ok);
    }
    return "";
  }

  std::shared_ptr<Ops> ops_;
};

Scenario replacement_scenario(std::string name, std::string summary, bool naive) {
  FaultModel faults;
  faults.server_faults = false;
  faults.client_faults = false;
  return recipe_scenario({
      .name = std::move(name),
      .summary = std::move(summary),
      .shape = ClusterShape{.voters = kServers, .clients = kWorkers + 1, .spares = kServers},
      .faults = faults,
      // Three replacements 12 s apart from 5 s on, each a few seconds long.
      .safety_phase = seconds(45),
      // The rest of the operator's procedure if the faults held it up, the
      // sessions left behind expiring, and one operation of each worker.
      .liveness_budget = seconds(40),
      .setup =
          [naive](Cluster& c) {
            auto ops = std::make_shared<Ops>();
            for (int i = 1; i <= kWorkers; ++i) {
              c.client(i, naive ? naive_worker(ops) : fixed_worker(&c, ops), Until::kRunEnds);
            }
            c.client(kWorkers + 1, operator_body(&c, ops), Until::kRunEnds);
            c.add_check(std::make_unique<ReachEnsemble>(ops));
          },
  });
}

}  // namespace

void register_server_replacement(std::vector<Scenario>& out) {
  out.push_back(replacement_scenario("server-replacement",
                                     "3 servers replaced one by one by new machines; clients follow the connect list "
                                     "the operator publishes in /ops/ensemble (update_server_list)",
                                     false));
  out.push_back(replacement_scenario("server-replacement-naive",
                                     "deliberately broken (lesson 5): clients hard-code the servers s1..s3; once all "
                                     "three are replaced they reach nothing",
                                     true));
}

}  // namespace zsim::scenarios::recipes
