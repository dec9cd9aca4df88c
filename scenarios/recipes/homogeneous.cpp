// network-is-homogeneous-naive / network-is-homogeneous: lesson 8 of the
// course ("the network is homogeneous", tools/lessons.cpp). A rolling
// upgrade: two releases of one program share a service registry
// (core/recipes/service_registry.h). c1 and c2 run release 1, c3 and c4
// release 2, which added a field to the registry entry: the instance's
// zone. c5 discovers with release 1, c6 with release 2. Every fault, as in
// `registry`: instances restart with new addresses and re-register after
// expiries, discovery clients lose sessions and watches.
//
//   naive: the entry is "address=A" (release 1) or "address=A;zone=Z"
//          (release 2), read by strict decoders: release 1 refuses a field
//          it does not know (zone), release 2 requires the zone. Each
//          release sees only its own instances.
//   fixed: the entry is a versioned, tolerant service record
//          (core/recipes/service_record.h): "service-record/1;address=A
//          [;zone=Z]"; unknown fields are ignored, the added field is
//          optional, and the major version is checked.
//
// Judged from what really happened, once the faults heal (check
// discovery-views, liveness): in the settled ensemble's tree the registry
// holds exactly c1..c4, each registered by its latest session with the
// entry of its running process; and every discovery client, of either
// release, lists exactly those instances with their addresses. A client
// that refused entries says which and why.
#include "core/recipes/service_record.h"
#include "core/recipes/service_registry.h"
#include "scenarios/recipes/recipe_scenario.h"
#include "scenarios/recipes/scenarios.h"

#include <fmt/format.h>

#include <map>
#include <memory>
#include <optional>
#include <variant>

namespace zsim::scenarios::recipes {

namespace {

namespace r = core::recipes;

constexpr const char* kRegistry = "/service_registry";
constexpr int kInstances = 4;  // c1, c2: release 1; c3, c4: release 2
constexpr int kClients = 6;    // c5: release 1, c6: release 2 (discovery)

int release_of(int index) { return index == 1 || index == 2 || index == 5 ? 1 : 2; }

std::string address_of(const std::string& name, uint32_t incarnation) {
  return fmt::format("{}.sim:{}", name, 7000 + incarnation);
}

std::string zone_of(int index) { return fmt::format("z{}", index % 2 + 1); }

// --- the naive encoding: no version, strict decoders -----------------------

std::string naive_entry(int release, const std::string& address, const std::string& zone) {
  return release == 1 ? fmt::format("address={}", address) : fmt::format("address={};zone={}", address, zone);
}

// What a reader made of an entry: the address, or why it refused it.
struct Read {
  std::optional<std::string> address;
  std::string why;
};

Read refuse(std::string why) { return Read{std::nullopt, std::move(why)}; }

// Release 1 knows "address"; release 2 requires "address" and "zone".
// Anything else is refused.
Read naive_decode(int release, const std::string& entry) {
  std::map<std::string, std::string> fields;
  std::size_t at = 0;
  while (at <= entry.size()) {
    const std::size_t end = std::min(entry.find(';', at), entry.size());
    const std::string pair = entry.substr(at, end - at);
    const std::size_t eq = pair.find('=');
    if (eq == std::string::npos) return refuse("malformed");
    const std::string key = pair.substr(0, eq);
    if (key != "address" && !(release == 2 && key == "zone")) {
      return refuse("unknown field " + key);
    }
    fields[key] = pair.substr(eq + 1);
    at = end + 1;
  }
  if (fields.count("address") == 0) return refuse("no address");
  if (release == 2 && fields.count("zone") == 0) {
    return refuse("missing field zone");
  }
  return Read{fields["address"], ""};
}

// --- the two worlds ---------------------------------------------------------

struct Encoding {
  bool tolerant = false;

  // What instance `index` (incarnation `inc`) writes in its node.
  std::string entry(int index, const std::string& name, uint32_t inc) const {
    const int release = release_of(index);
    if (!tolerant) return naive_entry(release, address_of(name, inc), zone_of(index));
    return r::encode_service_record({address_of(name, inc), release == 1 ? "" : zone_of(index)});
  }
  // The address a reader of `release` finds in `entry`, or why not.
  Read read(int release, const std::string& entry) const {
    if (!tolerant) return naive_decode(release, entry);
    auto rec = r::decode_service_record(entry);
    if (auto* why = std::get_if<std::string>(&rec)) return refuse(*why);
    return Read{std::get<r::ServiceRecord>(rec).address, ""};
  }
};

// What each discovery client concluded, per process (a restarted process
// starts with none).
struct Views {
  struct View {
    uint32_t incarnation = 0;
    bool valid = false;
    r::ServiceView instances;                   // name -> address, as decoded
    std::map<std::string, std::string> refused;  // name -> "entry": why
  };
  std::map<std::string, View> by_client;
};

ClientBody instance(Encoding enc) {
  return [enc](ClientCtx& me) {
    const std::string entry = enc.entry(me.index(), me.name(), me.incarnation());
    while (true) {
      r::ServiceInstance self(me.zk(), {.path = kRegistry, .name = me.name(), .address = entry});
      (void)self.maintain(seconds(60), [] { return false; });
    }
  };
}

ClientBody discovery(Encoding enc, std::shared_ptr<Views> views) {
  return [enc, views](ClientCtx& me) {
    Views::View& mine = views->by_client[me.name()];
    mine = Views::View{me.incarnation(), false, {}, {}};
    const int release = release_of(me.index());
    while (true) {
      r::ServiceDiscovery d(me.zk(), kRegistry);
      (void)d.follow(
          seconds(60),
          [&mine, &enc, release](const r::ServiceView& raw) {
            mine.instances.clear();
            mine.refused.clear();
            for (const auto& [name, entry] : raw) {
              const Read read = enc.read(release, entry);
              if (read.address) {
                mine.instances.emplace(name, *read.address);
              } else {
                mine.refused.emplace(name, fmt::format("\"{}\": {}", entry, read.why));
              }
            }
            mine.valid = true;
          },
          [] { return false; });
    }
  };
}

std::string describe(const r::ServiceView& v) {
  std::string out;
  for (const auto& [name, address] : v) out += fmt::format("{}{}={}", out.empty() ? "" : ", ", name, address);
  return "{" + out + "}";
}

class DiscoveryViews final : public GoalCheck {
 public:
  DiscoveryViews(Encoding enc, std::shared_ptr<Views> views) : enc_(enc), views_(std::move(views)) {}
  std::string name() const override { return "discovery-views"; }

 private:
  std::string why_not(const Cluster& c) const override {
    if (!c.healed_at()) return "not healed yet";
    const core::DataTree* tree = c.converged_tree();
    if (tree == nullptr) return "the ensemble has not settled";
    // The truth: every instance registered by its latest session, with the
    // entry its running process writes, and nothing else.
    r::ServiceView live;  // name -> address
    std::size_t registered = 0;
    if (const core::Znode* parent = tree->find(kRegistry); parent != nullptr) registered = parent->children.size();
    for (const ClientRecord& rec : c.client_records()) {
      if (rec.index > kInstances) continue;
      const core::Znode* n = tree->find(fmt::format("{}/{}", kRegistry, rec.name));
      if (n == nullptr || tree->sessions().count(n->ephemeral_owner) == 0) {
        return fmt::format("{} is not registered", rec.name);
      }
      const int64_t latest = rec.sessions.empty() ? 0 : rec.sessions.back().id;
      if (n->ephemeral_owner != latest) {
        return fmt::format("{}'s node belongs to session 0x{:x}, not to its latest session 0x{:x}", rec.name,
                           n->ephemeral_owner, latest);
      }
      const std::string entry = enc_.entry(rec.index, rec.name, rec.incarnation);
      if (n->data != entry) return fmt::format("{}'s node holds \"{}\", not \"{}\"", rec.name, n->data, entry);
      live.emplace(rec.name, address_of(rec.name, rec.incarnation));
    }
    if (registered != live.size()) return fmt::format("the registry holds {} nodes, not the {} instances", registered, live.size());
    // Every discovery client, of either release, lists exactly them.
    for (const ClientRecord& rec : c.client_records()) {
      if (rec.index <= kInstances) continue;
      auto v = views_->by_client.find(rec.name);
      if (v == views_->by_client.end() || v->second.incarnation != rec.incarnation || !v->second.valid) {
        return fmt::format("{} (incarnation {}) has no view yet", rec.name, rec.incarnation);
      }
      if (v->second.instances != live) {
        std::string refused;
        for (const auto& [name, why] : v->second.refused) {
          refused += fmt::format("{}{} {}", refused.empty() ? "" : "; ", name, why);
        }
        return fmt::format("{} (release {}) lists {}, but the live instances are {}{}", rec.name,
                           release_of(rec.index), describe(v->second.instances), describe(live),
                           refused.empty() ? "" : fmt::format(" -- it refused {}", refused));
      }
    }
    return "";
  }

  Encoding enc_;
  std::shared_ptr<Views> views_;
};

Scenario homogeneous(bool tolerant) {
  return recipe_scenario({
      .name = tolerant ? "network-is-homogeneous" : "network-is-homogeneous-naive",
      .summary = tolerant ? "lesson 8, fixed: two releases share a registry in a versioned, tolerant encoding; "
                            "every discovery client lists every live instance"
                          : "deliberately broken (lesson 8): release 2 adds a field to registry entries; strict "
                            "decoders of each release refuse the other's entries",
      .shape = ClusterShape{.voters = 3, .clients = kClients},
      .faults = FaultModel::everything(),
      .setup =
          [tolerant](Cluster& c) {
            const Encoding enc{tolerant};
            auto views = std::make_shared<Views>();
            for (int i = 1; i <= kClients; ++i) {
              c.client(i, i <= kInstances ? instance(enc) : discovery(enc, views), Until::kRunEnds);
            }
            c.add_check(std::make_unique<DiscoveryViews>(enc, views));
          },
  });
}

}  // namespace

void register_homogeneous(std::vector<Scenario>& out) {
  out.push_back(homogeneous(false));
  out.push_back(homogeneous(true));
}

}  // namespace zsim::scenarios::recipes
