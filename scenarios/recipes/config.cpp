// config: a configuration znode (core/recipes/config_node.h) on 3 servers
// under every fault. c1 and c2 write /config by read-modify-write with a
// version check -- each value is "gen=<k> by=<writer>": the generation of
// the value it replaced plus one -- until the faults heal (and then until
// one of its writes landed). c3..c5 watch it
// (ConfigWatcher), publishing each value that moves them forward. Pauses
// outlast the sessions, so writes are lost in doubt and watchers lose their
// sessions and their watches.
//
// Judged from what really happened -- the commit log's values of /config
// (every create and setData committed) and the consumers' recorded
// observations:
//   config-history (safety)  every committed value has gen = version + 1
//                            (each was made from the value just before it:
//                            no update lost to a race); every value a
//                            consumer saw was committed, with that version;
//                            a consumer process never sees the config go
//                            back (mzxid strictly grows);
//   config-latest (liveness) after the heal, once the writers stopped,
//                            every consumer's running process holds the last
//                            committed value.
// config-unversioned-naive: the same, but the writers setData blindly
// (version -1): two writers that read the same value both write it, and
// one update is lost -- caught by config-history.
#include "core/recipes/config_node.h"
#include "scenarios/recipes/recipe_scenario.h"
#include "scenarios/recipes/scenarios.h"

#include <fmt/format.h>

#include <charconv>
#include <map>
#include <memory>
#include <vector>

namespace zsim::scenarios::recipes {

namespace {

namespace r = core::recipes;

constexpr const char* kConfig = "/config";
constexpr int kWriters = 2;

// The generation a value carries ("gen=<k> ..."), 0 for none.
int64_t generation(const std::string& value) {
  if (value.rfind("gen=", 0) != 0) return 0;
  int64_t g = 0;
  const char* end = value.data() + value.size();
  (void)std::from_chars(value.data() + 4, end, g);
  return g;
}

struct Observation {
  std::string client;
  uint32_t incarnation = 0;
  r::ConfigValue value;
  Time at{};
};

struct Observations {
  std::vector<Observation> all;
};

ClientBody writer(bool check_version) {
  return [check_version](ClientCtx& me) {
    int n = 0;
    int acknowledged = 0;
    // Until the heal, and then until one write of this process landed: a
    // writer cut off for the whole safety phase (seed 917) still writes,
    // so there is a last written value to end on.
    while (!me.stopping() || acknowledged == 0) {
      core::Client& zk = me.zk();
      r::ConfigWriter w(zk, r::ConfigWriterOptions{.path = kConfig, .check_version = check_version});
      const std::string by = fmt::format("{}.{}#{}", me.name(), me.incarnation(), ++n);
      if (w.update([&by](const std::string& old) { return fmt::format("gen={} by={}", generation(old) + 1, by); })
              .ok()) {
        ++acknowledged;
      }
      me.sleep(millis(100 + static_cast<int64_t>(me.random().below(200))));
    }
  };
}

ClientBody consumer(std::shared_ptr<Observations> seen) {
  return [seen](ClientCtx& me) {
    r::ConfigWatcher watcher(kConfig);  // one per process: its highest version survives new sessions
    while (true) {
      core::Client& zk = me.zk();
      (void)watcher.follow(
          zk, seconds(60),
          [&](const r::ConfigValue& v) { seen->all.push_back(Observation{me.name(), me.incarnation(), v, me.global_now()}); },
          [] { return false; });
    }
  };
}

class ConfigHistory final : public Check {
 public:
  explicit ConfigHistory(std::shared_ptr<Observations> seen) : seen_(std::move(seen)) {}
  std::string name() const override { return "config-history"; }
  bool judge_unfinished() const override { return true; }

  std::optional<Violation> judge(const Cluster& c) const override {
    const auto* history = c.commits().data_history(kConfig);
    if (history == nullptr) return std::nullopt;
    for (const auto& [zxid, v] : *history) {
      if (generation(v.data) == v.version + 1) continue;
      return Violation{sim::Verdict::kInvariant,
                       fmt::format("version {} of {} (zxid 0x{:x}) holds \"{}\": generation {} was not made from "
                                   "version {} -- an update was lost to a race",
                                   v.version, kConfig, zxid, v.data, generation(v.data), v.version - 1),
                       ""};
    }
    std::map<std::pair<std::string, uint32_t>, int64_t> last;  // (client, incarnation) -> mzxid
    for (const Observation& o : seen_->all) {
      auto h = history->find(o.value.mzxid);
      if (h == history->end() || h->second.version != o.value.version || h->second.data != o.value.data) {
        return Violation{sim::Verdict::kInvariant,
                         fmt::format("{} saw version {} \"{}\" (mzxid 0x{:x}) at {}, which was never committed", o.client,
                                     o.value.version, o.value.data, o.value.mzxid, format_time(o.at)),
                         o.client};
      }
      auto [it, first] = last.emplace(std::make_pair(o.client, o.incarnation), o.value.mzxid);
      if (!first && o.value.mzxid <= it->second) {
        return Violation{sim::Verdict::kInvariant,
                         fmt::format("{} (incarnation {}) went back: it saw version {} (mzxid 0x{:x}) at {} after a "
                                     "value of mzxid 0x{:x}",
                                     o.client, o.incarnation, o.value.version, o.value.mzxid, format_time(o.at),
                                     it->second),
                         o.client};
      }
      it->second = o.value.mzxid;
    }
    return std::nullopt;
  }

 private:
  std::shared_ptr<Observations> seen_;
};

class ConfigLatest final : public GoalCheck {
 public:
  explicit ConfigLatest(std::shared_ptr<Observations> seen) : seen_(std::move(seen)) {}
  std::string name() const override { return "config-latest"; }

 private:
  std::string why_not(const Cluster& c) const override {
    if (!c.healed_at()) return "not healed yet";
    for (const ClientRecord& rec : c.client_records()) {
      if (rec.index <= kWriters && !rec.done) return fmt::format("writer {} has not stopped", rec.name);
    }
    const core::DataTree* tree = c.converged_tree();
    if (tree == nullptr) return "the ensemble has not settled";
    const core::Znode* node = tree->find(kConfig);
    if (node == nullptr) return fmt::format("{} was never written", kConfig);
    for (const ClientRecord& rec : c.client_records()) {
      if (rec.index <= kWriters) continue;
      const Observation* latest = nullptr;
      for (auto it = seen_->all.rbegin(); it != seen_->all.rend() && latest == nullptr; ++it) {
        if (it->client == rec.name && it->incarnation == rec.incarnation) latest = &*it;
      }
      if (latest == nullptr) return fmt::format("{} (incarnation {}) has read no config yet", rec.name, rec.incarnation);
      if (latest->value.mzxid != node->mzxid) {
        return fmt::format("{} holds version {} \"{}\", but the last committed is version {} \"{}\"", rec.name,
                           latest->value.version, latest->value.data, node->version, node->data);
      }
    }
    return "";
  }

  std::shared_ptr<Observations> seen_;
};

void config_setup(Cluster& c, bool check_version) {
  auto seen = std::make_shared<Observations>();
  c.track_data(kConfig);
  for (int i = 1; i <= 5; ++i) {
    if (i <= kWriters) {
      c.client(i, writer(check_version), Until::kBodyReturns);
    } else {
      c.client(i, consumer(seen), Until::kRunEnds);
    }
  }
  c.add_check(std::make_unique<ConfigHistory>(seen));
  c.add_check(std::make_unique<ConfigLatest>(seen));
}

}  // namespace

void register_config(std::vector<Scenario>& out) {
  out.push_back(recipe_scenario({
      .name = "config",
      .summary = "3 servers; 2 writers update /config with version checks, 3 consumers watch it; none goes back, all "
                 "end on the last",
      .shape = ClusterShape{.voters = 3, .clients = 5},
      .faults = FaultModel::everything(),
      .setup = [](Cluster& c) { config_setup(c, true); },
  }));
  // The planted bug: writers setData without the version they read.
  out.push_back(recipe_scenario({
      .name = "config-unversioned-naive",
      .summary = "as config, but writers setData blindly (no version check): an update is lost (must fail)",
      .shape = ClusterShape{.voters = 3, .clients = 5},
      .faults = FaultModel::everything(),
      .setup = [](Cluster& c) { config_setup(c, false); },
  }));
}

}  // namespace zsim::scenarios::recipes
