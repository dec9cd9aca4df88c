// zsim::testing::Cluster: a user's composition (resources, bodies, goals,
// checks) run as a recipe scenario (scenarios/recipes/recipe_scenario.h)
// under the spec's seed and fault plan.
#include "checkers/linearizability.h"
#include "checkers/report.h"
#include "scenarios/recipes/check.h"
#include "scenarios/recipes/cluster.h"
#include "scenarios/recipes/recipe_scenario.h"
#include "scenarios/scenario.h"
#include "zsim/testing.h"

#include <fmt/format.h>

#include <exception>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <utility>

namespace zsim::testing {

namespace recipes = scenarios::recipes;

// --- View ---------------------------------------------------------------------

Time View::now() const { return cluster_.now(); }
std::optional<Time> View::healed_at() const { return cluster_.healed_at(); }
const CommitLog& View::commits() const { return cluster_.commits(); }
const core::DataTree* View::converged_tree() const { return cluster_.converged_tree(); }
const std::deque<recipes::ClientRecord>& View::clients() const { return cluster_.client_records(); }

// --- History ------------------------------------------------------------------

namespace {

// One process per client incarnation: each runs its operations one at a time.
std::int64_t process_of(const ClientCtx& me) {
  return static_cast<std::int64_t>(me.index()) * 1000 + me.incarnation();
}

}  // namespace

std::size_t History::invoke(const ClientCtx& me, std::string f, checkers::Value input,
                            std::optional<checkers::Value> key) {
  checkers::Operation op;
  op.process = process_of(me);
  if (me.session_id() != 0) op.session = me.session_id();
  op.f = std::move(f);
  op.input = std::move(input);
  op.key = std::move(key);
  op.call_time = to_ns(me.global_now());
  op.return_time = -1;  // open
  op.status = checkers::Status::info;
  ops_.push_back(std::move(op));
  return ops_.size() - 1;
}

void History::ok(const ClientCtx& me, std::size_t i, checkers::Value output) {
  checkers::Operation& op = ops_.at(i);
  op.status = checkers::Status::ok;
  op.output = std::move(output);
  op.return_time = to_ns(me.global_now());
}

void History::fail(const ClientCtx& me, std::size_t i) {
  checkers::Operation& op = ops_.at(i);
  op.status = checkers::Status::fail;
  op.return_time = to_ns(me.global_now());
}

void History::info(const ClientCtx& me, std::size_t i) {
  checkers::Operation& op = ops_.at(i);
  op.status = checkers::Status::info;
  op.return_time = to_ns(me.global_now());
}

checkers::History History::history(Time end) const {
  checkers::History h;
  h.ops = ops_;
  for (checkers::Operation& op : h.ops) {
    if (op.return_time < 0) op.return_time = to_ns(end);
  }
  return h;
}

// --- Cluster ------------------------------------------------------------------

struct Cluster::Composition {
  std::deque<FencedResource> resources;  // stable addresses
  History history;
  std::vector<ClientBody> bodies;  // by index - 1
  std::vector<Until> until;
  std::vector<std::pair<std::string, std::function<bool(const View&)>>> goals;
  std::vector<std::pair<std::string, std::function<std::string(const View&)>>> checks;
  std::vector<std::string> tracked;
};

namespace {

class EventuallyCheck final : public recipes::GoalCheck {
 public:
  EventuallyCheck(std::string what, std::function<bool(const View&)> goal)
      : what_(std::move(what)), goal_(std::move(goal)) {}
  std::string name() const override { return "eventually"; }

 protected:
  std::string why_not(const recipes::Cluster& c) const override {
    return goal_(View(c)) ? "" : "not yet: " + what_;
  }

 private:
  std::string what_;
  std::function<bool(const View&)> goal_;
};

class AlwaysCheck final : public recipes::Check {
 public:
  AlwaysCheck(std::string what, std::function<std::string(const View&)> check)
      : what_(std::move(what)), check_(std::move(check)) {}
  std::string name() const override { return what_; }
  std::optional<recipes::Violation> judge(const recipes::Cluster& c) const override {
    std::string problem = check_(View(c));
    if (problem.empty()) return std::nullopt;
    return recipes::Violation{sim::Verdict::kInvariant, std::move(problem), ""};
  }
  bool judge_unfinished() const override { return true; }

 private:
  std::string what_;
  std::function<std::string(const View&)> check_;
};

}  // namespace

Cluster::Cluster(ClusterSpec spec)
    : spec_(std::move(spec)), parts_(std::make_unique<Composition>()), uncaught_at_start_(std::uncaught_exceptions()) {
  if (spec_.servers < 1 || spec_.clients < 1) {
    throw std::invalid_argument(
        fmt::format("a cluster needs at least one server and one client (got {} and {})", spec_.servers, spec_.clients));
  }
  parts_->bodies.resize(static_cast<std::size_t>(spec_.clients));
  parts_->until.resize(static_cast<std::size_t>(spec_.clients), Until::kRunEnds);
}

Cluster::Cluster(Cluster&& other) noexcept
    : spec_(std::move(other.spec_)),
      parts_(std::move(other.parts_)),
      uncaught_at_start_(other.uncaught_at_start_),
      ran_(other.ran_),
      verdict_(std::move(other.verdict_)),
      message_(std::move(other.message_)),
      fingerprint_(other.fingerprint_),
      ended_at_(other.ended_at_) {
  other.ran_ = false;
}

Cluster::~Cluster() {
  // Unwinding after a run: the property failed with this spec. RapidCheck
  // runs the smallest failing case last, so the file ends up holding it.
  if (!ran_ || std::uncaught_exceptions() <= uncaught_at_start_) return;
  try {
    const std::filesystem::path path = regression_path(spec_);
    std::filesystem::create_directories(path.parent_path());
    std::ofstream out(path, std::ios::trunc);
    out << regression_text(spec_, verdict_, message_);
  } catch (...) {
    // A destructor must not throw; the counterexample is printed anyway.
  }
}

FencedResource& Cluster::fenced_resource(std::string name, Fencing fencing) {
  if (ran_) throw std::logic_error("fenced_resource() after run(): compose the cluster first");
  return parts_->resources.emplace_back(std::move(name), fencing);
}

History& Cluster::history() { return parts_->history; }

void Cluster::clients(ClientBody body, Until until) {
  for (int i = 1; i <= spec_.clients; ++i) client(i, body, until);
}

void Cluster::client(int index, ClientBody body, Until until) {
  if (ran_) throw std::logic_error("client() after run(): compose the cluster first");
  if (index < 1 || index > spec_.clients) {
    throw std::out_of_range(fmt::format("client {} does not exist: the clients are 1..{}", index, spec_.clients));
  }
  if (!body) throw std::invalid_argument(fmt::format("client {}: the body is empty", index));
  parts_->bodies[static_cast<std::size_t>(index - 1)] = std::move(body);
  parts_->until[static_cast<std::size_t>(index - 1)] = until;
}

void Cluster::eventually(std::string what, std::function<bool(const View&)> goal) {
  if (ran_) throw std::logic_error("eventually() after run(): compose the cluster first");
  parts_->goals.emplace_back(std::move(what), std::move(goal));
}

void Cluster::always(std::string what, std::function<std::string(const View&)> check) {
  if (ran_) throw std::logic_error("always() after run(): compose the cluster first");
  parts_->checks.emplace_back(std::move(what), std::move(check));
}

void Cluster::track_data(std::string path) { parts_->tracked.push_back(std::move(path)); }

bool Cluster::run() {
  if (ran_) throw std::logic_error("run() twice: a Cluster runs its spec once");
  for (std::size_t i = 0; i < parts_->bodies.size(); ++i) {
    if (!parts_->bodies[i]) {
      throw std::logic_error(fmt::format("client c{} has no body: call clients(...) or client({}, ...)", i + 1, i + 1));
    }
  }
  Composition* parts = parts_.get();
  recipes::RecipeScenarioSpec rs;
  rs.name = spec_.property.empty() ? "property" : spec_.property;
  rs.summary = "a property of zsim::testing";
  rs.shape.voters = spec_.servers;
  rs.shape.clients = spec_.clients;
  rs.shape.session_timeout_min = spec_.session_timeout_min;
  rs.shape.session_timeout_max = spec_.session_timeout_max;
  rs.safety_phase = spec_.safety_phase;
  rs.liveness_budget = spec_.liveness_budget;
  rs.setup = [parts](recipes::Cluster& c) {
    for (FencedResource& r : parts->resources) c.attach_resource(r);
    for (std::size_t i = 0; i < parts->bodies.size(); ++i) c.client(static_cast<int>(i + 1), parts->bodies[i], parts->until[i]);
    for (const auto& [what, goal] : parts->goals) c.add_check(std::make_unique<EventuallyCheck>(what, goal));
    for (const auto& [what, check] : parts->checks) c.add_check(std::make_unique<AlwaysCheck>(what, check));
    for (const std::string& path : parts->tracked) c.track_data(path);
  };
  const scenarios::Scenario s = recipes::recipe_scenario(std::move(rs));
  if (std::string problem = scenarios::validate_for(s, spec_.plan); !problem.empty()) {
    throw std::invalid_argument("the fault plan does not fit the cluster: " + problem);
  }
  scenarios::RunOptions options;
  options.seed = spec_.seed;
  options.plan = spec_.plan;
  ran_ = true;
  const scenarios::RunResult r = scenarios::run_scenario(s, options);
  verdict_ = sim::to_string(r.verdict);
  message_ = r.message;
  fingerprint_ = r.fingerprint;
  ended_at_ = Time(Duration(r.sim_time_ns));
  return ok();
}

bool Cluster::ok() const { return ran_ && verdict_ == "ok"; }

CheckReport Cluster::check_history(const std::string& model, bool zookeeper_guarantee) const {
  const checkers::History h = parts_->history.history(ended_at_);
  checkers::CheckOptions options;
  options.model = model;
  options.consistency = zookeeper_guarantee ? checkers::Consistency::zookeeper : checkers::Consistency::linearizable;
  const checkers::CheckOutcome outcome = checkers::check_history(h, options);
  CheckReport report;
  if (outcome.error) {
    report.explanation = "the history cannot be checked: " + outcome.error->message;
    return report;
  }
  report.ok = outcome.result->verdict == checkers::Verdict::ok;
  report.unknown = outcome.result->verdict == checkers::Verdict::unknown;
  if (!report.ok) report.explanation = checkers::format_text_report(h, *outcome.result);
  return report;
}

}  // namespace zsim::testing
