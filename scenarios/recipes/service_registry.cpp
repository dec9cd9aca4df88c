// registry: service registration and discovery (core/recipes/
// service_registry.h) on 3 servers under every fault. c1..c3 are service
// instances: each keeps an EPHEMERAL /service_registry/<name> holding its
// address ("c1.sim:7001": the port names the process incarnation), and
// registers again after an expiry. c4..c6 are discovery clients: each keeps
// a cached view through child and data watches, re-reading on every
// wake-up. Client pauses (up to 4 s) outlast the 1-2 s sessions, so
// instances expire and re-register, and discovery clients lose their
// sessions and their watches.
//
// Judged from what really happened, once the faults heal (check
// registry-views, liveness): in the settled ensemble's tree, the children
// of /service_registry are exactly c1..c3, each owned by that client's
// latest session -- alive in the tree -- and holding the address of its
// running process; and every discovery client's latest view (published by
// its running process) equals that set, names and addresses. The run fails
// with what is missing if that is not reached within the liveness budget.
//
// Two naive variants share the shape, the faults and the check:
// registry-read-once-naive (lesson 5: discovery reads once) and
// registry-persistent-naive (the course example: instances register
// PERSISTENT nodes, made once, so a dead process's entry stays; the check
// names the dead address still listed).
#include "core/recipes/service_registry.h"
#include "scenarios/recipes/recipe_scenario.h"
#include "scenarios/recipes/scenarios.h"

#include <fmt/format.h>

#include <map>
#include <memory>

namespace zsim::scenarios::recipes {

namespace {

namespace r = core::recipes;

constexpr const char* kRegistry = "/service_registry";
constexpr int kInstances = 3;

std::string address_of(const std::string& name, uint32_t incarnation) {
  return fmt::format("{}.sim:{}", name, 7000 + incarnation);
}

// What the discovery clients believe: the latest view each process
// published (a restarted process starts with none).
struct Views {
  struct View {
    uint32_t incarnation = 0;
    bool valid = false;
    r::ServiceView instances;
    Time at{};
  };
  std::map<std::string, View> by_client;
};

ClientBody instance() {
  return [](ClientCtx& me) {
    const std::string address = address_of(me.name(), me.incarnation());
    while (true) {
      core::Client& zk = me.zk();  // a new session once the last one expired
      r::ServiceInstance self(zk, {.path = kRegistry, .name = me.name(), .address = address});
      (void)self.maintain(seconds(60), [] { return false; });
    }
  };
}

ClientBody discovery(std::shared_ptr<Views> views) {
  return [views](ClientCtx& me) {
    Views::View& mine = views->by_client[me.name()];
    mine = Views::View{me.incarnation(), false, {}, me.global_now()};
    while (true) {
      core::Client& zk = me.zk();
      r::ServiceDiscovery d(zk, kRegistry);
      (void)d.follow(
          seconds(60),
          [&mine, &me](const r::ServiceView& v) {
            mine.instances = v;
            mine.valid = true;
            mine.at = me.global_now();
          },
          [] { return false; });
    }
  };
}

// The naive discovery client of lesson 5 ("topology doesn't change"): it
// reads the registry once, when it starts, and trusts that list for good --
// no watch, no re-read. Instances that restart elsewhere (a new address),
// and ones registered after that read, it never learns of.
ClientBody discovery_read_once(std::shared_ptr<Views> views) {
  return [views](ClientCtx& me) {
    Views::View& mine = views->by_client[me.name()];
    mine = Views::View{me.incarnation(), false, {}, me.global_now()};
    while (!mine.valid) {
      core::Client& zk = me.zk();
      auto children = zk.get_children(kRegistry);
      r::ServiceView seen;
      bool complete = children.ok() || children.code() == core::Code::NoNode;
      if (children.ok()) {
        for (const std::string& child : *children) {
          auto node = zk.get_data(fmt::format("{}/{}", kRegistry, child));
          if (node.ok()) {
            seen.emplace(child, node->data);
          } else if (node.code() != core::Code::NoNode) {
            complete = false;
            break;
          }
        }
      }
      if (complete) {
        mine.instances = std::move(seen);
        mine.valid = true;
        mine.at = me.global_now();
      } else {
        me.sleep(millis(200));
      }
    }
    for (;;) me.sleep(seconds(60));  // the list it has is the list it keeps
  };
}

// The naive instance of the course example (registry-persistent-naive):
// it registers the way one writes a configuration entry -- a PERSISTENT
// node, made once; a node already there means "registered". Nothing removes
// the entry of a process that died, and a restarted process (a new address)
// finds the old entry and keeps it.
ClientBody instance_persistent() {
  return [](ClientCtx& me) {
    const std::string address = address_of(me.name(), me.incarnation());
    const std::string node = fmt::format("{}/{}", kRegistry, me.name());
    while (true) {
      core::Client& zk = me.zk();
      (void)zk.create(kRegistry, "", core::CreateMode::Persistent);  // NodeExists: fine
      auto created = zk.create(node, address, core::CreateMode::Persistent);
      if (created.ok() || created.code() == core::Code::NodeExists) break;
      me.sleep(millis(200));
    }
    for (;;) me.sleep(seconds(60));  // registered, it believes, for good
  };
}

std::string describe(const r::ServiceView& v) {
  std::string out;
  for (const auto& [name, address] : v) out += fmt::format("{}{}={}", out.empty() ? "" : ", ", name, address);
  return "{" + out + "}";
}

class RegistryViews final : public GoalCheck {
 public:
  explicit RegistryViews(std::shared_ptr<Views> views) : views_(std::move(views)) {}
  std::string name() const override { return "registry-views"; }

  // A stale PERSISTENT entry: when the instance's running process started
  // (just after the one that made the entry died). A stale view: when the
  // discovery client last read.
  std::optional<Time> moment(const Cluster& c) const override {
    const core::DataTree* tree = c.converged_tree();
    if (tree == nullptr) return std::nullopt;
    for (const ClientRecord& rec : c.client_records()) {
      if (rec.index > kInstances) continue;
      const core::Znode* n = tree->find(fmt::format("{}/{}", kRegistry, rec.name));
      if (n == nullptr || n->ephemeral_owner != 0 || n->data == address_of(rec.name, rec.incarnation)) continue;
      for (const SessionRecord& session : rec.sessions) {
        if (session.incarnation == rec.incarnation) return session.connected_at;
      }
    }
    for (const ClientRecord& rec : c.client_records()) {
      if (rec.index <= kInstances) continue;
      auto v = views_->by_client.find(rec.name);
      if (v != views_->by_client.end() && v->second.valid && v->second.incarnation == rec.incarnation) {
        return v->second.at;
      }
    }
    return std::nullopt;
  }

 private:
  std::string why_not(const Cluster& c) const override {
    if (!c.healed_at()) return "not healed yet";
    const core::DataTree* tree = c.converged_tree();
    if (tree == nullptr) return "the ensemble has not settled";
    // The truth: the registry's nodes whose sessions are alive.
    r::ServiceView truth;
    const core::Znode* parent = tree->find(kRegistry);
    if (parent != nullptr) {
      for (const std::string& child : parent->children) {
        const core::Znode* n = tree->find(fmt::format("{}/{}", kRegistry, child));
        // A PERSISTENT entry (owner 0) is listed whatever became of its
        // process: only registry-persistent-naive makes them.
        if (n != nullptr && (n->ephemeral_owner == 0 || tree->sessions().count(n->ephemeral_owner) != 0)) {
          truth.emplace(child, n->data);
        }
      }
    }
    // Every instance is registered by its latest session, with the address
    // of its running process.
    for (const ClientRecord& rec : c.client_records()) {
      if (rec.index > kInstances) continue;
      auto it = truth.find(rec.name);
      if (it == truth.end()) return fmt::format("{} is not registered (registry: {})", rec.name, describe(truth));
      const core::Znode* n = tree->find(fmt::format("{}/{}", kRegistry, rec.name));
      if (n->ephemeral_owner == 0) {
        if (it->second == address_of(rec.name, rec.incarnation)) continue;
        return fmt::format(
            "the registry still lists {} at {}, a process that died: its node is PERSISTENT, so nothing removed it "
            "({} runs at {} now, and discovery clients call the dead address)",
            rec.name, it->second, rec.name, address_of(rec.name, rec.incarnation));
      }
      const int64_t latest = rec.sessions.empty() ? 0 : rec.sessions.back().id;
      if (n->ephemeral_owner != latest) {
        return fmt::format("{}'s node belongs to session 0x{:x}, not to its latest session 0x{:x}", rec.name,
                           n->ephemeral_owner, latest);
      }
      if (it->second != address_of(rec.name, rec.incarnation)) {
        return fmt::format("{}'s node holds {}, not the address of its running process {}", rec.name, it->second,
                           address_of(rec.name, rec.incarnation));
      }
    }
    if (truth.size() != static_cast<std::size_t>(kInstances)) {
      return fmt::format("the registry holds more than the instances: {}", describe(truth));
    }
    // Every discovery client sees exactly that.
    for (const ClientRecord& rec : c.client_records()) {
      if (rec.index <= kInstances) continue;
      auto v = views_->by_client.find(rec.name);
      if (v == views_->by_client.end() || v->second.incarnation != rec.incarnation || !v->second.valid) {
        return fmt::format("{} (incarnation {}) has no view yet", rec.name, rec.incarnation);
      }
      if (v->second.instances != truth) {
        const double read_s = static_cast<double>(to_ns(v->second.at)) / 1e9;
        return fmt::format("{} sees {} (read at {:.2f} s), but the live registry is {}", rec.name,
                           describe(v->second.instances), read_s, describe(truth));
      }
    }
    return "";
  }

  std::shared_ptr<Views> views_;
};

}  // namespace

namespace {

// 3 service instances (c1..c3) running `instance` and 3 discovery clients
// (c4..c6) running `discovery`, judged by registry-views.
Scenario registry_scenario(std::string name, std::string summary, ClientBody (*instance)(),
                           ClientBody (*discovery)(std::shared_ptr<Views>)) {
  return recipe_scenario({
      .name = std::move(name),
      .summary = std::move(summary),
      .shape = ClusterShape{.voters = 3, .clients = 6},
      .faults = FaultModel::everything(),
      .setup =
          [instance, discovery](Cluster& c) {
            auto views = std::make_shared<Views>();
            for (int i = 1; i <= 6; ++i) {
              c.client(i, i <= kInstances ? instance() : discovery(views), Until::kRunEnds);
            }
            c.add_check(std::make_unique<RegistryViews>(views));
          },
  });
}

}  // namespace

void register_service_registry(std::vector<Scenario>& out) {
  out.push_back(registry_scenario("registry",
                                  "3 servers; 3 service instances register ephemerals, 3 discovery clients watch; "
                                  "views match the live sessions after the heal",
                                  instance, discovery));
  out.push_back(registry_scenario("registry-read-once-naive",
                                  "deliberately broken (lesson 5): discovery reads the registry once at start and "
                                  "never watches; restarted and late instances are never found",
                                  instance, discovery_read_once));
  out.push_back(registry_scenario("registry-persistent-naive",
                                  "deliberately broken (course example): instances register PERSISTENT nodes, "
                                  "made once; a dead process's address stays in the registry",
                                  instance_persistent, discovery));
}

}  // namespace zsim::scenarios::recipes
