#include "scenarios/recipes/cluster.h"

#include "core/assert.h"

#include <fmt/format.h>

#include <utility>

namespace zsim::scenarios::recipes {

struct Cluster::Shared {
  ClusterShape shape;
  std::vector<io::HostId> servers;
  std::deque<ClientRecord> records;  // stable addresses
  std::vector<ClientBody> bodies;    // by index - 1
  std::vector<Until> until;
  std::deque<FencedResource> owned;      // fenced_resource()'s
  std::vector<FencedResource*> resources;  // every resource judged, in order
  bool stopping = false;
};

namespace {

// A client host's process: one incarnation's context, and the body on a
// fiber. A crash destroys both (the fiber unwinds); a restart runs the body
// again from the start.
class ClientProcess final : public sim::Process {
 public:
  ClientProcess(io::Env& env, sim::Simulator& sim, std::shared_ptr<Cluster::Shared> shared, std::size_t i)
      : shared_(std::move(shared)),
        ctx_(env, sim, shared_->records[i], shared_->shape, shared_->servers, shared_->stopping) {
    env.fibers.spawn("body", [this, i] {
      shared_->bodies[i](ctx_);
      shared_->records[i].done = true;
    });
  }

 private:
  std::shared_ptr<Cluster::Shared> shared_;  // first: outlives the context
  ClientCtx ctx_;
};

EnsembleSpec ensemble_spec(const ClusterShape& shape, core::PlantedBug bug) {
  EnsembleSpec spec;
  spec.voters = shape.voters;
  spec.observers = shape.observers;
  spec.spares = shape.spares;
  spec.bug = bug;
  spec.session_timeout_ms_max = static_cast<std::int32_t>(shape.server_session_timeout_max.count() / 1'000'000);
  return spec;
}

}  // namespace

Cluster::Cluster(sim::Simulator& sim, const ClusterShape& shape, core::PlantedBug bug)
    : sim_(sim),
      shape_(shape),
      world_(sim, ensemble_spec(shape, bug)),
      commits_(sim),
      shared_(std::make_shared<Shared>()) {
  ZSIM_ASSERT(shape.clients >= 1);
  ZSIM_ASSERT(shape.session_timeout_min.count() > 0 && shape.session_timeout_max >= shape.session_timeout_min);
  world_.set_commit_listener(&commits_);
  shared_->shape = shape;
  shared_->servers = world_.hosts();
  shared_->bodies.resize(static_cast<std::size_t>(shape.clients));
  shared_->until.resize(static_cast<std::size_t>(shape.clients), Until::kRunEnds);
  for (const std::string& name : client_names(shape)) {
    ClientRecord& r = shared_->records.emplace_back();
    r.name = name;
    r.index = static_cast<int>(shared_->records.size());
  }
}

Cluster::~Cluster() {
  world_.set_commit_listener(nullptr);
  for (FencedResource* r : shared_->resources) r->set_observer(nullptr);
}

FencedResource& Cluster::fenced_resource(std::string name, Fencing fencing) {
  FencedResource& r = shared_->owned.emplace_back(std::move(name), fencing);
  attach_resource(r);
  return r;
}

void Cluster::attach_resource(FencedResource& r) {
  ZSIM_ASSERT_MSG(!started_, "resources are added before start()");
  shared_->resources.push_back(&r);
  r.set_observer([this](const FencedResource& res, const ResourceAction& a) { on_action(res, a); });
}

void Cluster::clients(ClientBody body, Until until) {
  for (int i = 1; i <= shape_.clients; ++i) client(i, body, until);
}

void Cluster::client(int index, ClientBody body, Until until) {
  ZSIM_ASSERT_MSG(!started_, "bodies are set before start()");
  ZSIM_ASSERT(index >= 1 && index <= shape_.clients);
  shared_->bodies[static_cast<std::size_t>(index - 1)] = std::move(body);
  shared_->until[static_cast<std::size_t>(index - 1)] = until;
}

void Cluster::add_check(std::unique_ptr<Check> check) {
  ZSIM_ASSERT(check != nullptr);
  checks_.push_back(std::move(check));
}

void Cluster::start() {
  ZSIM_ASSERT(!started_);
  started_ = true;
  for (std::size_t i = 0; i < shared_->records.size(); ++i) {
    ZSIM_ASSERT_MSG(shared_->bodies[i] != nullptr, "every client needs a body");
    ClientRecord& r = shared_->records[i];
    r.host = sim_.add_host(r.name, [this, shared = shared_, i](io::Env& env) {
      return std::make_unique<ClientProcess>(env, sim_, shared, i);
    });
  }
  for (const ClientRecord& r : shared_->records) sim_.start(r.host);
}

const std::deque<ClientRecord>& Cluster::client_records() const { return shared_->records; }

const ClientRecord* Cluster::client_named(const std::string& name) const {
  for (const ClientRecord& r : shared_->records) {
    if (r.name == name) return &r;
  }
  return nullptr;
}

const core::DataTree* Cluster::converged_tree() const {
  if (!world_.converged()) return nullptr;
  const core::Server* s = world_.server(0);
  return s == nullptr ? nullptr : &s->tree();
}

std::pair<const core::DataTree*, std::string> Cluster::leader_tree() const {
  for (std::size_t i = 0; i < world_.hosts().size(); ++i) {
    if (world_.leads(i)) return {&world_.server(i)->tree(), world_.names()[i]};
  }
  return {nullptr, ""};
}

void Cluster::on_action(const FencedResource& r, const ResourceAction& a) {
  if (sim_.failure()) return;
  if (!r.violation().empty()) {
    sim_.fail(sim::Verdict::kInvariant, r.violation(), a.actor);
    return;
  }
  for (const auto& check : checks_) {
    if (auto v = check->on_action(*this, r, a)) {
      sim_.fail(v->verdict, fmt::format("{}: {}", check->name(), v->message), v->host);
      return;
    }
  }
}

bool Cluster::finished() const {
  if (!healed_at_) return false;
  for (std::size_t i = 0; i < shared_->records.size(); ++i) {
    if (shared_->until[i] == Until::kBodyReturns && !shared_->records[i].done) return false;
  }
  for (const auto& check : checks_) {
    if (!check->settled(*this)) return false;
  }
  return world_.converged();
}

void Cluster::on_liveness(sim::Simulator& sim) {
  healed_at_ = sim.now();
  shared_->stopping = true;
}

std::string Cluster::pending() const {
  std::string out;
  auto add = [&out](const std::string& s) {
    if (s.empty()) return;
    out += out.empty() ? "" : "; ";
    out += s;
  };
  for (std::size_t i = 0; i < shared_->records.size(); ++i) {
    if (shared_->until[i] == Until::kBodyReturns && !shared_->records[i].done) {
      add(shared_->records[i].name + " has not finished");
    }
  }
  for (const auto& check : checks_) {
    if (!check->settled(*this)) add(fmt::format("{}: {}", check->name(), check->pending(*this)));
  }
  if (!world_.converged()) add("ensemble not settled: " + world_.status());
  return out;
}

void Cluster::check(sim::Simulator& sim) {
  if (!world_.check_final_states()) return;
  judge(sim, false);
}

void Cluster::check_unfinished(sim::Simulator& sim) {
  if (!world_.check_final_states()) return;
  judge(sim, true);
  if (sim.failure() || !sim.observed()) return;
  // The run fails for its liveness goal: the first check still waiting says
  // when its trouble began.
  for (const auto& c : checks_) {
    if (c->settled(*this)) continue;
    note_moment(sim, *c);
    return;
  }
}

void Cluster::note_moment(sim::Simulator& sim, const Check& c) const {
  if (!sim.observed()) return;
  const std::optional<Time> at = c.moment(*this);
  if (!at) return;
  sim.note("check.moment", {{"check", c.name()}, {"at_ns", static_cast<int64_t>(at->time_since_epoch().count())}});
}

void Cluster::judge(sim::Simulator& sim, bool unfinished) {
  for (const FencedResource* resource : shared_->resources) {
    const FencedResource& r = *resource;
    sim.trace_event("check.resource", {{"resource", r.name()},
                                       {"accepted", r.accepted()},
                                       {"rejected", r.rejected()},
                                       {"tenures", r.tenures()}});
    if (!r.violation().empty()) {
      sim.fail(sim::Verdict::kInvariant, r.violation());
      return;
    }
  }
  for (const auto& c : checks_) {
    if (unfinished && !c->judge_unfinished()) continue;
    if (auto v = c->judge(*this)) {
      note_moment(sim, *c);
      sim.fail(v->verdict, fmt::format("{}: {}", c->name(), v->message), v->host);
      return;
    }
  }
}

}  // namespace zsim::scenarios::recipes
