// rwlock: 3 servers, 5 clients take a read/write lock (core/recipes/
// rw_lock.h) under /rwlock -- each time a write lock with chance 1/3, else
// a read lock -- and, while holding it, read or write a fenced resource
// (rw_resource.h) with the lock's token:
//
//   acquire; twice: work (where a pause bites), and if still held, act;
//   release; rest
//
// Under every fault, client pauses longer than the sessions included.
// Judged from what happened:
//   rw-resource          the resource's judgement: no writer beside any
//                        other holder, no stale token accepted;
//   rw-ownership         every accepted token is the czxid of a node of
//                        /rwlock of the right kind (read-/write-) owned by a
//                        session of the acting incarnation;
//   every-client-holds-after-heal  (liveness) every client has an accepted
//                        action since the heal.
#include "core/recipes/rw_lock.h"
#include "core/recipes/sequence.h"
#include "scenarios/recipes/cluster.h"
#include "scenarios/recipes/recipe_scenario.h"
#include "scenarios/recipes/rw_resource.h"
#include "scenarios/recipes/scenarios.h"

#include <fmt/format.h>

#include <memory>
#include <set>

namespace zsim::scenarios::recipes {

namespace {

namespace cr = core::recipes;
constexpr const char* kPath = "/rwlock";

ClientBody rw_holder(std::shared_ptr<RwResource> db) {
  return [db](ClientCtx& me) {
    while (true) {
      core::Client& zk = me.zk();
      bool lost = false;
      while (!lost) {
        const bool write = me.random().below(3) == 0;
        // A fresh id per acquisition: a node left by an earlier one (its
        // release could not reach the ensemble) is never taken for this one.
        cr::ExclusiveLock lock(zk, cr::rw_lock_options(kPath, me.unique_id(), write ? cr::LockRole::kWrite : cr::LockRole::kRead,
                                                       me.name()));
        cr::Acquire a = cr::Acquire::kTimedOut;
        while (a == cr::Acquire::kTimedOut) a = lock.acquire(seconds(60));
        if (a == cr::Acquire::kLost) break;
        for (int i = 0; i < 2; ++i) {
          me.sleep(millis(60));
          if (lock.state() != cr::LockState::kHeld) break;
          db->act(me, write ? Access::kWrite : Access::kRead, lock.token());
        }
        lost = lock.state() == cr::LockState::kLost;
        lock.release();
        me.sleep(millis(static_cast<int64_t>(me.random().below(300))));
      }
    }
  };
}

class RwJudge final : public Check {
 public:
  explicit RwJudge(std::shared_ptr<const RwResource> db) : db_(std::move(db)) {}
  std::string name() const override { return "rw-resource"; }
  bool judge_unfinished() const override { return true; }
  std::optional<Violation> judge(const Cluster& c) const override {
    (void)c;
    if (db_->violation().empty()) return std::nullopt;
    return Violation{sim::Verdict::kInvariant, db_->violation(), ""};
  }

 private:
  std::shared_ptr<const RwResource> db_;
};

class RwOwnership final : public Check {
 public:
  explicit RwOwnership(std::shared_ptr<const RwResource> db) : db_(std::move(db)) {}
  std::string name() const override { return "rw-ownership"; }
  bool judge_unfinished() const override { return true; }
  std::optional<Violation> judge(const Cluster& c) const override {
    for (const RwAction& a : db_->actions()) {
      if (!a.accepted) continue;
      const NodeLife* node = c.commits().node(a.token);
      const std::string kind = a.access == Access::kWrite ? "write-" : "read-";
      const bool in_line = node != nullptr && node->path.rfind(std::string(kPath) + "/", 0) == 0 &&
                           node->path.find(kind) != std::string::npos;
      const ClientRecord* actor = c.client_named(a.actor);
      if (in_line && actor != nullptr && actor->held(node->owner, a.incarnation)) continue;
      return Violation{sim::Verdict::kInvariant,
                       fmt::format("{} (incarnation {}) made a {} at {} with token 0x{:x}, which names {}: not a "
                                   "{}node of {} owned by its session",
                                   a.actor, a.incarnation, to_string(a.access), format_time(a.at), a.token,
                                   node == nullptr ? std::string("no committed node") : node->path, kind, kPath),
                       a.actor};
    }
    return std::nullopt;
  }

 private:
  std::shared_ptr<const RwResource> db_;
};

class RwLiveness final : public Check {
 public:
  explicit RwLiveness(std::shared_ptr<const RwResource> db) : db_(std::move(db)) {}
  std::string name() const override { return "every-client-holds-after-heal"; }
  bool settled(const Cluster& c) const override { return pending(c).empty(); }
  std::string pending(const Cluster& c) const override {
    const auto healed = c.healed_at();
    if (!healed) return "not healed yet";
    std::set<std::string> held;
    const auto& actions = db_->actions();
    for (auto it = actions.rbegin(); it != actions.rend() && it->at >= *healed; ++it) {
      if (it->accepted) held.insert(it->actor);
    }
    std::string out;
    for (const ClientRecord& r : c.client_records()) {
      if (held.count(r.name) == 0) out += (out.empty() ? "" : ", ") + r.name;
    }
    return out.empty() ? "" : fmt::format("{} not held {} since the heal", out, kPath);
  }

 private:
  std::shared_ptr<const RwResource> db_;
};

}  // namespace

void register_rwlock(std::vector<Scenario>& out) {
  out.push_back(recipe_scenario({
      .name = "rwlock",
      .summary = "3 servers, 5 clients take a read/write lock and read or write a fenced resource",
      .shape = {.voters = 3, .clients = 5},
      .faults = FaultModel::everything(),
      .setup =
          [](Cluster& c) {
            auto db = std::make_shared<RwResource>("/db");
            c.clients(rw_holder(db), Until::kRunEnds);
            c.add_check(std::make_unique<RwJudge>(db));
            c.add_check(std::make_unique<RwOwnership>(db));
            c.add_check(std::make_unique<RwLiveness>(db));
          },
  }));
}

}  // namespace zsim::scenarios::recipes
