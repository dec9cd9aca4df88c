// semaphore and semaphore-naive: 3 servers, 5 clients share a semaphore of
// 2 leases (core/recipes/semaphore.h) under /semaphore; each holder acts on
// a lease resource "/pool" (lease_resource.h) inside its tenure, with its
// lease (token and the leases it saw beside it):
//
//   acquire; 3 times: work (where a pause bites), and if the lease is still
//   held (connected), act; release; rest
//
// A pause longer than the session timeout while holding loses the lease (its
// node goes with the session) and lets a third contender take it while the
// paused holder's handle has not yet noticed: only the fence keeps its
// action off the resource. Judged from what happened:
//   lease-resource       the resource's judgement: at most 2 holders at once
//                        in the order of its accepted actions;
//   no-stale-lease       no action is accepted under a lease whose node had
//                        been deleted before the node of a lease the resource
//                        had already accepted was created (the commit log);
//   lease-ownership      every accepted token is the czxid of a node of
//                        /semaphore/leases owned by a session of the acting
//                        incarnation;
//   every-client-holds-after-heal  (liveness) every client has an accepted
//                        action since the heal.
// semaphore-naive: the same run on a resource that does not fence (the
// holders act on what their handle believes): a paused holder wakes and acts
// beside two newer ones -- lease-resource or no-stale-lease fails.
//
// Both share the lock scenario's faults (connections break often, so create
// replies are lost often: the protected names are exercised).
#include "core/recipes/semaphore.h"
#include "scenarios/recipes/cluster.h"
#include "scenarios/recipes/fence_checks.h"
#include "scenarios/recipes/lease_resource.h"
#include "scenarios/recipes/line_text.h"
#include "scenarios/recipes/recipe_scenario.h"
#include "scenarios/recipes/scenarios.h"

#include <fmt/format.h>

#include <memory>
#include <set>

namespace zsim::scenarios::recipes {

namespace {

namespace cr = core::recipes;
constexpr const char* kPath = "/semaphore";
constexpr int kLeases = 2;

ClientBody lease_holder(std::shared_ptr<LeaseResource> pool) {
  return [pool](ClientCtx& me) {
    while (true) {
      cr::SemaphoreOptions so;
      so.path = kPath;
      so.leases = kLeases;
      so.id = me.unique_id();
      so.data = me.name();
      cr::Semaphore sem(me.zk(), so);
      while (true) {
        const cr::Acquire a = sem.acquire(seconds(60));
        if (a == cr::Acquire::kLost) break;
        if (a == cr::Acquire::kTimedOut) continue;
        for (int i = 0; i < 3; ++i) {
          me.sleep(millis(60));
          if (sem.state() != cr::LockState::kHeld) break;
          pool->act(me, sem.token(), sem.others());
        }
        if (sem.state() == cr::LockState::kLost) break;
        sem.release();
        me.sleep(millis(static_cast<int64_t>(me.random().below(300))));
      }
    }
  };
}

class LeaseJudge final : public Check {
 public:
  explicit LeaseJudge(std::shared_ptr<const LeaseResource> pool) : pool_(std::move(pool)) {}
  std::string name() const override { return "lease-resource"; }
  bool judge_unfinished() const override { return true; }
  std::optional<Violation> judge(const Cluster& c) const override {
    (void)c;
    if (pool_->violation().empty()) return std::nullopt;
    return Violation{sim::Verdict::kInvariant, pool_->violation(), ""};
  }

 private:
  std::shared_ptr<const LeaseResource> pool_;
};

// An accepted action under lease t is stale if the resource had already
// accepted a lease whose node was created after t's node was deleted.
class NoStaleLease final : public Check {
 public:
  explicit NoStaleLease(std::shared_ptr<const LeaseResource> pool) : pool_(std::move(pool)) {}
  std::string name() const override { return "no-stale-lease"; }
  bool judge_unfinished() const override { return true; }
  std::optional<Violation> judge(const Cluster& c) const override {
    int64_t newest = 0;  // the newest lease accepted so far
    const LeaseAction* newest_by = nullptr;
    for (const LeaseAction& a : pool_->actions()) {
      if (!a.accepted) continue;
      const NodeLife* node = c.commits().node(a.token);
      if (node != nullptr && node->deleted_zxid && newest > *node->deleted_zxid) {
        return Violation{sim::Verdict::kInvariant,
                         fmt::format("{} accepted a stale lease: {} (incarnation {}) acted at {} with lease 0x{:x}, "
                                     "whose node {} was deleted at zxid 0x{:x}, after {} (incarnation {}) had acted "
                                     "at {} with lease 0x{:x}, created after that",
                                     pool_->name(), a.actor, a.incarnation, format_time(a.at), a.token, node->path,
                                     *node->deleted_zxid, newest_by->actor, newest_by->incarnation,
                                     format_time(newest_by->at), newest),
                         a.actor};
      }
      if (a.token > newest) {
        newest = a.token;
        newest_by = &a;
      }
    }
    return std::nullopt;
  }

 private:
  std::shared_ptr<const LeaseResource> pool_;
};

class LeaseRefusals final : public Check {
 public:
  explicit LeaseRefusals(std::shared_ptr<const LeaseResource> pool) : pool_(std::move(pool)) {}
  std::string name() const override { return "fence-refuses-only-lost-leases"; }
  bool judge_unfinished() const override { return true; }
  std::optional<Violation> judge(const Cluster& c) const override {
    return refused_while_live(c, pool_->actions(), pool_->name());
  }

 private:
  std::shared_ptr<const LeaseResource> pool_;
};

class LeaseOwnership final : public Check {
 public:
  explicit LeaseOwnership(std::shared_ptr<const LeaseResource> pool) : pool_(std::move(pool)) {}
  std::string name() const override { return "lease-ownership"; }
  bool judge_unfinished() const override { return true; }
  std::optional<Violation> judge(const Cluster& c) const override {
    const std::string leases = std::string(kPath) + "/leases/";
    for (const LeaseAction& a : pool_->actions()) {
      if (!a.accepted) continue;
      const NodeLife* node = c.commits().node(a.token);
      const bool in_leases = node != nullptr && node->path.rfind(leases, 0) == 0;
      const ClientRecord* actor = c.client_named(a.actor);
      if (in_leases && actor != nullptr && actor->held(node->owner, a.incarnation)) continue;
      return Violation{sim::Verdict::kInvariant,
                       fmt::format("{} (incarnation {}) acted at {} with lease 0x{:x}, which names {}: not a node "
                                   "of {} owned by its session",
                                   a.actor, a.incarnation, format_time(a.at), a.token,
                                   node == nullptr ? std::string("no committed node") : node->path, leases),
                       a.actor};
    }
    return std::nullopt;
  }

 private:
  std::shared_ptr<const LeaseResource> pool_;
};

class EveryClientLeasesAfterHeal final : public GoalCheck {
 public:
  explicit EveryClientLeasesAfterHeal(std::shared_ptr<const LeaseResource> pool) : pool_(std::move(pool)) {}
  std::string name() const override { return "every-client-holds-after-heal"; }

 protected:
  std::string why_not(const Cluster& c) const override {
    const auto healed = c.healed_at();
    if (!healed) return "not healed yet";
    std::set<std::string> held;
    const auto& actions = pool_->actions();
    for (auto it = actions.rbegin(); it != actions.rend() && it->at >= *healed; ++it) {
      if (it->accepted) held.insert(it->actor);
    }
    std::string out;
    for (const ClientRecord& r : c.client_records()) {
      if (held.count(r.name) == 0) out += (out.empty() ? "" : ", ") + r.name;
    }
    if (out.empty()) return "";
    return fmt::format("{} not held a lease of {} since the heal; {}; {}", out, kPath,
                       line_text(c, std::string(kPath) + "/locks"),
                       line_text(c, std::string(kPath) + "/leases"));
  }

 private:
  std::shared_ptr<const LeaseResource> pool_;
};

FaultModel semaphore_faults() {
  FaultModel m = FaultModel::everything();
  m.stream_reset_max = sim::Ratio{1, 12};
  return m;
}

Scenario semaphore_scenario(std::string name, std::string summary, Fencing fencing) {
  return recipe_scenario({
      .name = std::move(name),
      .summary = std::move(summary),
      .shape = {.voters = 3, .clients = 5},
      .faults = semaphore_faults(),
      .setup =
          [fencing](Cluster& c) {
            auto pool = std::make_shared<LeaseResource>("/pool", kLeases, fencing);
            c.clients(lease_holder(pool), Until::kRunEnds);
            c.add_check(std::make_unique<LeaseJudge>(pool));
            c.add_check(std::make_unique<NoStaleLease>(pool));
            c.add_check(std::make_unique<LeaseOwnership>(pool));
            c.add_check(std::make_unique<LeaseRefusals>(pool));
            c.add_check(std::make_unique<EveryClientLeasesAfterHeal>(pool));
          },
  });
}

}  // namespace

void register_semaphore(std::vector<Scenario>& out) {
  out.push_back(semaphore_scenario(
      "semaphore", "3 servers, 5 clients share 2 leases (protected names, token) and act on a fenced resource",
      Fencing::kTokens));
  out.push_back(semaphore_scenario(
      "semaphore-naive", "the semaphore on an unfenced resource: a paused holder acts beside 2 newer ones",
      Fencing::kNone));
}

}  // namespace zsim::scenarios::recipes
