// insecure-network-naive / insecure-network-acl: lesson 4 of the course
// ("the network is secure", tools/lessons.cpp).
//
// 3 servers under every fault. c1 is the operator: it creates /app and
// /app/config and publishes new settings ("op:gen=<k> ...") until the
// faults heal. c2 is not malicious, only misconfigured: a stale deploy
// script of another team, pointed at the same ensemble, that every few
// seconds writes its own idea of the config ("stale-deploy: db=old-host")
// into /app/config. c3 and c4 consume the config: they watch it
// (ConfigWatcher) and apply every new value they read.
//
// Naive: every node has ZooKeeper's default ACL, world:anyone:cdrwa, so the
// stale script's write is accepted like the operator's, and the consumers
// apply a config no operator wrote. Fixed (-acl): the operator authenticates
// (addauth digest ops:<secret>) and creates /app and /app/config with
//   digest:ops:<hash>:cdrwa, world:anyone:r
// so everybody may read, only the operator may write, and nobody else may
// delete or re-create the config (delete and create need permissions on
// /app, which is locked too). The stale script gets NoAuth and changes
// nothing. Same faults, same clients, same timing.
//
// Judged from what really happened -- the commit log's values of
// /app/config and the values the consumers recorded as applied:
//   config-authorship (safety)  every value a consumer applied, and every
//                               committed value, was written by the
//                               operator ("op:" prefix).
#include "core/recipes/config_node.h"
#include "core/tree/acl.h"
#include "scenarios/recipes/recipe_scenario.h"
#include "scenarios/recipes/scenarios.h"

#include <fmt/format.h>

#include <memory>
#include <string>
#include <vector>

namespace zsim::scenarios::recipes {

namespace {

namespace r = core::recipes;

constexpr const char* kApp = "/app";
constexpr const char* kConfig = "/app/config";
constexpr const char* kOperatorAuth = "ops:s3cret";
constexpr const char* kOperatorPrefix = "op:";
constexpr const char* kStaleValue = "stale-deploy: db=old-host";

struct Applied {
  std::string client;
  r::ConfigValue value;
  Time at{};
};

struct AppliedLog {
  std::vector<Applied> all;
};

// The operator's list: it may do everything, everybody else may only read.
core::AclList operator_acl() {
  return {core::Acl{core::perms::kAll, core::AclId{"digest", core::digest_id(kOperatorAuth)}},
          core::Acl{core::perms::kRead, core::AclId{"world", "anyone"}}};
}

ClientBody operator_body(bool secured) {
  return [secured](ClientCtx& me) {
    const core::AclList acl = secured ? operator_acl() : core::open_acl();
    int n = 0;
    int acknowledged = 0;
    bool created = false;
    while (!me.stopping() || acknowledged == 0) {
      core::Client& zk = me.zk();
      // A new session after an expiry starts without identities: prove ours
      // on every handle (add_auth keeps one copy).
      if (secured) (void)zk.add_auth("digest", kOperatorAuth);
      const std::string value = fmt::format("{}gen={} by {}.{}", kOperatorPrefix, ++n, me.name(), me.incarnation());
      if (!created) {
        auto app = zk.create(kApp, "", core::CreateMode::Persistent, -1, acl);
        if (!app.ok() && app.code() != core::Code::NodeExists) {
          me.sleep(millis(200));
          continue;
        }
        auto cfg = zk.create(kConfig, value, core::CreateMode::Persistent, -1, acl);
        if (cfg.ok()) ++acknowledged;
        created = cfg.ok() || cfg.code() == core::Code::NodeExists;
      } else if (zk.set_data(kConfig, value).ok()) {
        ++acknowledged;
      }
      me.sleep(millis(300 + static_cast<int64_t>(me.random().below(700))));
    }
  };
}

// The stale deploy script: wakes up now and then and writes its config.
ClientBody stale_script_body() {
  return [](ClientCtx& me) {
    me.sleep(millis(1000 + static_cast<int64_t>(me.random().below(4000))));
    while (true) {
      core::Client& zk = me.zk();
      (void)zk.set_data(kConfig, kStaleValue);  // NoAuth when the config is protected
      me.sleep(millis(1000 + static_cast<int64_t>(me.random().below(2000))));
    }
  };
}

ClientBody consumer_body(std::shared_ptr<AppliedLog> log) {
  return [log](ClientCtx& me) {
    r::ConfigWatcher watcher(kConfig);
    while (true) {
      core::Client& zk = me.zk();
      (void)watcher.follow(
          zk, seconds(60),
          [&](const r::ConfigValue& v) { log->all.push_back(Applied{me.name(), v, me.global_now()}); },
          [] { return false; });
    }
  };
}

bool by_operator(const std::string& value) { return value.rfind(kOperatorPrefix, 0) == 0; }

class ConfigAuthorship final : public Check {
 public:
  explicit ConfigAuthorship(std::shared_ptr<AppliedLog> log) : log_(std::move(log)) {}
  std::string name() const override { return "config-authorship"; }
  bool judge_unfinished() const override { return true; }

  std::optional<Violation> judge(const Cluster& c) const override {
    for (const Applied& a : log_->all) {
      if (by_operator(a.value.data)) continue;
      return Violation{sim::Verdict::kInvariant,
                       fmt::format("consumers applied a config no operator wrote: {} applied \"{}\" (version {} of "
                                   "{}) at {} -- a client that was never meant to write it could, because the node "
                                   "is world-writable",
                                   a.client, a.value.data, a.value.version, kConfig, format_time(a.at)),
                       a.client};
    }
    const auto* history = c.commits().data_history(kConfig);
    if (history == nullptr) return std::nullopt;
    for (const auto& [zxid, v] : *history) {
      if (by_operator(v.data)) continue;
      return Violation{sim::Verdict::kInvariant,
                       fmt::format("a config no operator wrote was committed: version {} of {} (zxid 0x{:x}) at {} "
                                   "holds \"{}\"",
                                   v.version, kConfig, zxid, format_time(v.at), v.data),
                       ""};
    }
    return std::nullopt;
  }

 private:
  std::shared_ptr<AppliedLog> log_;
};

void insecure_network_setup(Cluster& c, bool secured) {
  auto log = std::make_shared<AppliedLog>();
  c.track_data(kConfig);
  c.client(1, operator_body(secured), Until::kBodyReturns);
  c.client(2, stale_script_body(), Until::kRunEnds);
  c.client(3, consumer_body(log), Until::kRunEnds);
  c.client(4, consumer_body(log), Until::kRunEnds);
  c.add_check(std::make_unique<ConfigAuthorship>(log));
}

Scenario insecure_network(bool secured) {
  return recipe_scenario({
      .name = secured ? "insecure-network-acl" : "insecure-network-naive",
      .summary = secured ? "lesson 4, fixed: /app/config is digest-protected; a stale deploy script gets NoAuth"
                         : "deliberately broken (lesson 4): a world-writable /app/config is rewritten by another "
                           "team's stale deploy script, and consumers apply it",
      .shape = ClusterShape{.voters = 3, .clients = 4},
      .faults = FaultModel::everything(),
      .setup = [secured](Cluster& c) { insecure_network_setup(c, secured); },
  });
}

}  // namespace

void register_insecure_network(std::vector<Scenario>& out) {
  out.push_back(insecure_network(false));
  out.push_back(insecure_network(true));
}

}  // namespace zsim::scenarios::recipes
