// rwlock and rwlock-naive: 3 servers, 5 clients take a read/write lock
// (core/recipes/rw_lock.h) under /rwlock -- each time a write lock with
// chance 1/3, else a read lock, with a fresh lock object (and id) -- and,
// while holding it, read or write a fenced resource (rw_resource.h) with
// the lock's token:
//
//   acquire; twice: work (where a pause bites), and if still held, act;
//   release (if that gave up while the session lives, end the session:
//   nothing else would ever delete the node); rest
//
// Under every fault, client pauses longer than the sessions included.
// Judged from what happened:
//   rw-resource          the resource's judgement: no writer beside any
//                        other holder, no stale token accepted;
//   rw-ownership         every accepted token is the czxid of a node of
//                        /rwlock of the right kind (read-/write-) owned by a
//                        session of the acting incarnation;
//   fence-refuses-only-lost-locks  every refused action's node had been
//                        deleted by then (fence_checks.h): the fence only
//                        ever stops holders that lost their lock;
//   every-client-holds-after-heal  (liveness) every client has an accepted
//                        action since the heal; the message lists the line.
// rwlock-naive: readers wait on nothing -- a reader puts its read node in
// the line and reads at once. The fence keeps the resource consistent (the
// writer it overtook is refused), so fence-refuses-only-lost-locks is what
// catches it: it names the writer refused while its node was live.
#include "core/recipes/rw_lock.h"
#include "core/recipes/campaign.h"
#include "core/recipes/protected_create.h"
#include "core/recipes/sequence.h"
#include "scenarios/recipes/fence_checks.h"
#include "scenarios/recipes/cluster.h"
#include "scenarios/recipes/line_text.h"
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

enum class Outcome : uint8_t { kDone, kLost, kAbandon };

// The planted bug of rwlock-naive: a reader that waits on nothing. It puts
// its read node in the line (writers still wait for it) and reads at once,
// beside any writer that holds the lock.
Outcome naive_read(ClientCtx& me, RwResource& db) {
  core::Client& zk = me.zk();
  if (cr::ensure_path(zk, kPath) == core::Code::SessionExpired) return Outcome::kLost;
  auto made = cr::protected_create(zk, kPath, "read-", me.unique_id(), me.name(),
                                   core::CreateMode::EphemeralSequential);
  if (!made.ok()) return made.code() == core::Code::SessionExpired ? Outcome::kLost : Outcome::kDone;
  for (int i = 0; i < 2; ++i) {
    me.sleep(millis(60));
    if (zk.state() != core::ClientState::kConnected) break;
    db.act(me, Access::kRead, made.value().stat.czxid);
  }
  std::string node = made.value().path;
  cr::detail::leave_line(zk, node);
  return Outcome::kDone;
}

// One acquisition, read or write, with a fresh lock object (and id).
Outcome hold_once(ClientCtx& me, RwResource& db, bool write) {
  cr::ExclusiveLock lock(me.zk(), cr::rw_lock_options(kPath, me.unique_id(),
                                                      write ? cr::LockRole::kWrite : cr::LockRole::kRead, me.name()));
  cr::Acquire a = cr::Acquire::kTimedOut;
  while (a == cr::Acquire::kTimedOut) a = lock.acquire(seconds(60));
  if (a == cr::Acquire::kLost) return Outcome::kLost;
  for (int i = 0; i < 2; ++i) {
    me.sleep(millis(60));
    if (lock.state() != cr::LockState::kHeld) break;
    db.act(me, write ? Access::kWrite : Access::kRead, lock.token());
  }
  if (lock.state() == cr::LockState::kLost) return Outcome::kLost;
  lock.release();
  // release() gives up when the handle stays disconnected past its
  // reconnect_wait while the session lives (an ensemble without a quorum
  // expires nobody): the node stays in the line, and no later lock object
  // carries its id to find it again. Left alone, it blocks every writer for
  // as long as this session lives (rwlock seeds 31 and 98 of the prototype):
  // end the session instead, and the node goes with it.
  if (me.zk().state() != core::ClientState::kConnected) return Outcome::kAbandon;
  return Outcome::kDone;
}

ClientBody rw_holder(std::shared_ptr<RwResource> db, bool naive_readers) {
  return [db, naive_readers](ClientCtx& me) {
    while (true) {
      const bool write = me.random().below(3) == 0;
      const Outcome o = !write && naive_readers ? naive_read(me, *db) : hold_once(me, *db, write);
      if (o == Outcome::kAbandon) me.new_session();
      if (o == Outcome::kDone) me.sleep(millis(static_cast<int64_t>(me.random().below(300))));
      // kLost: me.zk() opens a new session
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

class RwRefusals final : public Check {
 public:
  explicit RwRefusals(std::shared_ptr<const RwResource> db) : db_(std::move(db)) {}
  std::string name() const override { return "fence-refuses-only-lost-locks"; }
  bool judge_unfinished() const override { return true; }
  std::optional<Violation> judge(const Cluster& c) const override {
    return refused_while_live(c, db_->actions(), db_->name());
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
    return out.empty() ? "" : fmt::format("{} not held {} since the heal; {}", out, kPath, line_text(c, kPath));
  }

 private:
  std::shared_ptr<const RwResource> db_;
};

Scenario rwlock_scenario(std::string name, std::string summary, bool naive_readers) {
  return recipe_scenario({
      .name = std::move(name),
      .summary = std::move(summary),
      .shape = {.voters = 3, .clients = 5},
      .faults = FaultModel::everything(),
      .setup =
          [naive_readers](Cluster& c) {
            auto db = std::make_shared<RwResource>("/db");
            c.clients(rw_holder(db, naive_readers), Until::kRunEnds);
            c.add_check(std::make_unique<RwJudge>(db));
            c.add_check(std::make_unique<RwOwnership>(db));
            c.add_check(std::make_unique<RwRefusals>(db));
            c.add_check(std::make_unique<RwLiveness>(db));
          },
  });
}

}  // namespace

void register_rwlock(std::vector<Scenario>& out) {
  out.push_back(rwlock_scenario("rwlock",
                                "3 servers, 5 clients take a read/write lock and read or write a fenced resource",
                                false));
  out.push_back(rwlock_scenario("rwlock-naive", "the read/write lock with readers that wait on nothing", true));
}

}  // namespace zsim::scenarios::recipes
