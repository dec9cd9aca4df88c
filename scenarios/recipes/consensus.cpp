// consensus: consensus by sequential proposals (core/recipes/consensus.h)
// on 3 servers under every fault. Each client incarnation proposes its own
// value ("<client>.<incarnation>") and then decides again and again until
// the heal, and once more after it; every decision is recorded.
//
// Judged from the decisions and the settled tree: agreement -- every
// decision of every decider is the same value; validity -- that value was
// proposed, and it is the value of the lowest proposal in the settled tree.
// consensus-naive decides the newest proposal instead, and is caught by
// agreement as soon as a proposal comes after someone decided.
#include "core/recipes/consensus.h"
#include "core/recipes/protected_create.h"
#include "core/recipes/sequence.h"
#include "scenarios/recipes/recipe_scenario.h"
#include "scenarios/recipes/scenarios.h"

#include <fmt/format.h>

#include <memory>
#include <set>

namespace zsim::scenarios::recipes {

namespace {

namespace qr = core::recipes;

struct Decision {
  std::string decider;  // "<client>.<incarnation>"
  std::string value;
  Time at{};
};

struct Decisions {
  std::set<std::string> proposed;
  std::vector<Decision> made;
};

// The naive decision: the value of the newest proposal (the highest
// sequence) -- it changes with every late proposer.
core::Result<std::optional<std::string>> decide_newest(core::Client& zk, const qr::ConsensusOptions& o) {
  auto kids = zk.get_children(o.path);
  if (!kids.ok()) return kids.status();
  if (kids.value().empty()) return std::optional<std::string>{};
  auto data = zk.get_data(qr::child_path(o.path, qr::sorted_by_sequence(std::move(kids).value()).back()));
  if (!data.ok()) return data.status();
  return std::optional<std::string>{data.value().data};
}

ClientBody decider(std::shared_ptr<Decisions> d, bool newest) {
  return [d, newest](ClientCtx& me) {
    qr::ConsensusOptions o;
    o.reconnect_wait = seconds(2);
    const std::string me_id = fmt::format("{}.{}", me.name(), me.incarnation());
    while (qr::ensure_path(me.zk(), o.path) != core::Code::Ok) me.sleep(millis(50));
    d->proposed.insert(me_id);
    while (!qr::propose(me.zk(), o, me_id).ok()) me.sleep(millis(50));
    bool last = false;
    while (!last) {
      last = me.stopping();
      auto r = newest ? decide_newest(me.zk(), o) : qr::decide(me.zk(), o);
      if (r.ok() && r.value().has_value()) {
        d->made.push_back(Decision{me_id, *r.value(), me.global_now()});
      } else if (last) {
        last = false;  // the final decision must be made
      }
      me.sleep(millis(100 + static_cast<int64_t>(me.random().below(200))));
    }
  };
}

class Agreement final : public Check {
 public:
  Agreement(std::shared_ptr<const Decisions> d, std::string path) : d_(std::move(d)), path_(std::move(path)) {}
  std::string name() const override { return "agreement"; }
  bool judge_unfinished() const override { return true; }
  std::optional<Violation> judge(const Cluster& c) const override {
    (void)c;
    for (const Decision& x : d_->made) {
      const Decision& first = d_->made.front();
      if (x.value == first.value) continue;
      return Violation{sim::Verdict::kInvariant,
                       fmt::format("{} decided {} at {}, but {} decided {} at {}", first.decider,
                                   first.value, format_time(first.at), x.decider, x.value, format_time(x.at)),
                       ""};
    }
    return std::nullopt;
  }

 private:
  std::shared_ptr<const Decisions> d_;
  std::string path_;
};

class Validity final : public Check {
 public:
  Validity(std::shared_ptr<const Decisions> d, std::string path) : d_(std::move(d)), path_(std::move(path)) {}
  std::string name() const override { return "validity"; }
  bool settled(const Cluster& c) const override { return c.converged_tree() != nullptr; }
  std::string pending(const Cluster& c) const override {
    return c.converged_tree() == nullptr ? "the ensemble has not settled" : "";
  }
  std::optional<Violation> judge(const Cluster& c) const override {
    const core::DataTree* tree = c.converged_tree();
    const core::Znode* parent = tree == nullptr ? nullptr : tree->find(path_);
    if (d_->made.empty()) return Violation{sim::Verdict::kLiveness, "nobody decided", ""};
    const std::string& value = d_->made.front().value;
    if (d_->proposed.count(value) == 0) {
      return Violation{sim::Verdict::kInvariant, fmt::format("{} was decided but never proposed", value),
                       ""};
    }
    if (parent == nullptr || parent->children.empty()) {
      return Violation{sim::Verdict::kInvariant, fmt::format("{} was decided, but {} holds no proposal",
                                                             value, path_),
                       ""};
    }
    std::vector<std::string> kids(parent->children.begin(), parent->children.end());
    const std::string lowest = qr::child_path(path_, qr::sorted_by_sequence(std::move(kids)).front());
    const core::Znode* n = tree->find(lowest);
    if (n != nullptr && n->data == value) return std::nullopt;
    return Violation{sim::Verdict::kInvariant,
                     fmt::format("{} was decided, but the lowest proposal {} holds {}", value, lowest,
                                 n == nullptr ? "nothing" : n->data),
                     ""};
  }

 private:
  std::shared_ptr<const Decisions> d_;
  std::string path_;
};

void consensus_setup(Cluster& c, bool newest) {
  auto d = std::make_shared<Decisions>();
  c.clients(decider(d, newest), Until::kBodyReturns);
  c.add_check(std::make_unique<Agreement>(d, "/c"));
  c.add_check(std::make_unique<Validity>(d, "/c"));
}

}  // namespace

void register_consensus(std::vector<Scenario>& out) {
  out.push_back(recipe_scenario({
      .name = "consensus",
      .summary = "consensus by sequential proposals: every decider decides the value of the lowest proposal",
      .shape = {.voters = 3, .clients = 5},
      .faults = FaultModel::everything(),
      .setup = [](Cluster& c) { consensus_setup(c, false); },
  }));
  out.push_back(recipe_scenario({
      .name = "consensus-naive",
      .summary = "consensus deciding the newest proposal: a restarted proposer changes what others decide",
      .shape = {.voters = 3, .clients = 5},
      .faults = FaultModel::everything(),
      .setup = [](Cluster& c) { consensus_setup(c, true); },
  }));
}

}  // namespace zsim::scenarios::recipes
