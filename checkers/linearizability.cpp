#include "checkers/linearizability.h"

#include <fmt/core.h>

#include <algorithm>
#include <functional>
#include <map>
#include <numeric>

#include "checkers/check_assert.h"
#include "checkers/models.h"
#include "checkers/quote.h"
#include "checkers/wgl.h"
#include "checkers/zookeeper_order.h"
#include "checkers/znode_model.h"

namespace zsim::checkers {

const std::vector<ModelInfo>& known_models() {
  static const std::vector<ModelInfo> models = {
      {"register", "read, write v"},
      {"cas-register", "read, write v, cas [old new] (output false: compare failed)"},
      {"kv", "get/put/append on string values, per `key`"},
      {"set", "add v, remove v, read -> all elements"},
      {"queue", "FIFO: enqueue v, dequeue -> v (nil when empty)"},
      {"mutex", "acquire, release"},
      {"multi-register", "txn [[:read r v] [:write r v] ...] (Knossos)"},
      {"znode", "ZooKeeper tree: create, delete, setData, getData, exists, "
                "getChildren, multi"},
  };
  return models;
}

const char* verdict_name(Verdict v) {
  switch (v) {
    case Verdict::ok: return "ok";
    case Verdict::violation: return "violation";
    case Verdict::unknown: return "unknown";
  }
  return "?";
}

namespace {

class UnionFind {
 public:
  std::size_t add() {
    parent_.push_back(parent_.size());
    return parent_.size() - 1;
  }
  std::size_t find(std::size_t x) {
    while (parent_[x] != x) {
      parent_[x] = parent_[parent_[x]];
      x = parent_[x];
    }
    return x;
  }
  void unite(std::size_t a, std::size_t b) {
    a = find(a);
    b = find(b);
    if (a != b) parent_[std::max(a, b)] = std::min(a, b);
  }

 private:
  std::vector<std::size_t> parent_;
};

struct Group {
  std::vector<std::string> resources;  // sorted
  std::vector<std::size_t> ops;        // history indices
};

std::string group_name(const std::vector<std::string>& resources) {
  if (resources.size() == 1 && resources[0].empty()) return "whole history";
  std::string name;
  for (std::size_t i = 0; i < resources.size() && i < 6; ++i) {
    if (i > 0) name += " ";
    name += resources[i].empty() ? "(no key)" : resources[i];
  }
  if (resources.size() > 6) name += fmt::format(" (+{} more)", resources.size() - 6);
  return name;
}

// Groups ops that share resources, transitively (union-find). Groups come
// out sorted by name, so reports do not depend on hash or input order.
template <class M>
std::vector<Group> partition_ops(const M& model, const History& h,
                                 const std::vector<std::size_t>& kept) {
  std::map<std::string, std::size_t> ids;
  UnionFind uf;
  std::vector<std::size_t> op_root(kept.size());
  std::vector<std::string> touched;
  for (std::size_t k = 0; k < kept.size(); ++k) {
    touched.clear();
    model.resources(h.ops[kept[k]], &touched);
    if (touched.empty()) touched.push_back("");
    std::size_t first = 0;
    for (std::size_t t = 0; t < touched.size(); ++t) {
      auto [it, fresh] = ids.emplace(touched[t], 0);
      if (fresh) it->second = uf.add();
      if (t == 0) first = it->second;
      uf.unite(first, it->second);
    }
    op_root[k] = first;
  }
  std::map<std::size_t, Group> by_root;
  for (const auto& [name, id] : ids) by_root[uf.find(id)].resources.push_back(name);
  for (std::size_t k = 0; k < kept.size(); ++k) {
    by_root[uf.find(op_root[k])].ops.push_back(kept[k]);
  }
  std::vector<Group> groups;
  for (auto& [root, g] : by_root) groups.push_back(std::move(g));
  std::sort(groups.begin(), groups.end(), [](const Group& a, const Group& b) {
    return a.resources < b.resources;
  });
  return groups;
}

template <class M>
void explain_violation(const M& model, const History& h,
                       const PartitionInput<M>& in,
                       const std::vector<std::size_t>& index,
                       PartitionReport* report,
                       const std::vector<std::int32_t>& prefix) {
  typename M::State state = model.init();
  typename M::State next = state;
  std::vector<bool> done(in.ops.size(), false);
  for (std::int32_t p : prefix) {
    const auto i = static_cast<std::size_t>(p);
    const bool legal = model.step(state, in.ops[i], &next);
    CHECKERS_ASSERT(legal);  // the search only keeps legal steps
    if (!model.preserves_state(in.ops[i])) state = next;
    done[i] = true;
  }
  report->state_after = model.describe(state);
  // The completed op that returns first among those not linearized is the
  // one the search could not get past.
  std::optional<std::size_t> blocker;
  for (std::size_t i = 0; i < in.ops.size(); ++i) {
    if (done[i] || in.unknown[i]) continue;
    if (!blocker || in.ret[i] < in.ret[*blocker]) blocker = i;
  }
  if (!blocker) return;
  auto add = [&](std::size_t i, std::string why) {
    report->stuck.push_back(index[i]);
    report->stuck_reasons.push_back(describe_op(h.ops[index[i]]) + ": " + why);
  };
  const bool blocker_legal = model.step(state, in.ops[*blocker], &next);
  add(*blocker, blocker_legal
                    ? "possible here, but every way on from it dead-ends"
                    : "not possible when the state is " + report->state_after);
  for (std::size_t i = 0; i < in.ops.size(); ++i) {
    if (done[i] || i == *blocker || in.call[i] > in.ret[*blocker]) continue;
    if (!model.step(state, in.ops[i], &next)) {
      add(i, "concurrent, and not possible in that state either");
    }
  }
}

template <class M>
PartitionReport check_group(const M& model, const History& h, const Group& g,
                            const std::vector<std::optional<typename M::Op>>& encoded,
                            SearchBudget* budget) {
  PartitionReport report;
  report.name = group_name(g.resources);
  report.ops = g.ops;
  std::stable_sort(report.ops.begin(), report.ops.end(),
                   [&](std::size_t a, std::size_t b) {
                     return h.ops[a].call_time < h.ops[b].call_time;
                   });
  PartitionInput<M> in;
  for (std::size_t i : report.ops) {
    in.ops.push_back(*encoded[i]);
    in.call.push_back(h.ops[i].call_time);
    in.ret.push_back(h.ops[i].return_time);
    in.unknown.push_back(h.ops[i].status == Status::info);
  }
  WglSearch<M> search(model, in, budget);
  SearchOutcome out = search.run();
  report.verdict = out.verdict;
  for (std::int32_t p : out.linearization) {
    report.linearization.push_back(report.ops[static_cast<std::size_t>(p)]);
  }
  if (out.verdict == Verdict::violation) {
    explain_violation(model, h, in, report.ops, &report, out.linearization);
    const std::size_t doomed = out.doomed_op < 0 ? 0 : report.ops[static_cast<std::size_t>(out.doomed_op)];
    if (out.doomed_op >= 0 &&
        std::find(report.stuck.begin(), report.stuck.end(), doomed) == report.stuck.end()) {
      report.stuck.push_back(doomed);
      report.stuck_reasons.push_back(
          describe_op(h.ops[doomed]) +
          ": never possible: no state at its time can have the value it needs "
          "(its only writer is overwritten before its call, comes after it, "
          "or does not exist)");
    }
  }
  return report;
}

// ------------------------------------------------------------ scheduling

// A partition's search, run (again, from nothing) under the budget's
// current slice.
struct SearchJob {
  std::string name;
  std::size_t ops = 0;  // its size: smaller ones go first
  std::function<PartitionReport(SearchBudget*)> run;
  PartitionReport report;  // the latest run's
  bool decided = false;    // ok or violation
  bool stuck = false;      // out of memory: another slice would not help
};

constexpr std::uint64_t kSliceBaseStates = 4096;
constexpr std::uint64_t kSliceStatesPerOp = 8;
constexpr std::uint64_t kSliceGrowth = 4;

std::size_t open_jobs(const std::vector<SearchJob>& jobs) {
  std::size_t n = 0;
  for (const SearchJob& j : jobs) n += (!j.decided && !j.stuck) ? 1 : 0;
  return n;
}

// Runs one job under a slice (0: no slice) and records what it cost.
void run_job(SearchJob* job, std::uint64_t slice, SearchBudget* budget) {
  const std::uint64_t states_before = budget->states();
  const std::uint64_t states_so_far = job->report.states;
  const std::size_t peak_so_far = job->report.peak_memory_bytes;
  budget->begin_search(slice);
  job->report = job->run(budget);
  job->report.states = states_so_far + (budget->states() - states_before);
  job->report.peak_memory_bytes = std::max(peak_so_far, budget->search_peak_bytes());
  if (job->report.verdict != Verdict::unknown) {
    job->decided = true;
    return;
  }
  job->report.unknown_reason = budget->reason();
  if (budget->stop() == SearchBudget::Stop::memory) job->stuck = true;
}

// Searches the jobs in rounds, smallest first, with slices growing by
// kSliceGrowth (see linearizability.h). Returns the index of the job that
// found a violation, or -1. Afterwards every job that is not decided says
// why in its report.
int run_rounds(std::vector<SearchJob>* jobs, SearchBudget* budget) {
  std::vector<std::size_t> order(jobs->size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return (*jobs)[a].ops < (*jobs)[b].ops;
  });
  int violation = -1;
  for (std::uint64_t factor = 1; violation < 0 && open_jobs(*jobs) > 0 && !budget->over();
       factor *= kSliceGrowth) {
    for (std::size_t i : order) {
      SearchJob& job = (*jobs)[i];
      if (job.decided || job.stuck) continue;
      if (budget->over()) break;
      const std::uint64_t slice =
          open_jobs(*jobs) == 1 ? 0 : (kSliceBaseStates + kSliceStatesPerOp * job.ops) * factor;
      run_job(&job, slice, budget);
      if (job.report.verdict == Verdict::violation) {
        violation = static_cast<int>(i);
        break;
      }
    }
    if (factor > (std::uint64_t{1} << 40)) factor = std::uint64_t{1} << 40;  // no overflow
  }
  for (SearchJob& job : *jobs) {
    if (job.decided || job.stuck) continue;  // a stuck job keeps its reason
    job.report.verdict = Verdict::unknown;
    if (violation >= 0) {
      job.report.unknown_reason = "left undecided: the violation in " +
                                  (*jobs)[static_cast<std::size_t>(violation)].name +
                                  " decides the history";
    } else if (budget->over()) {
      job.report.unknown_reason = job.report.states == 0 ? "not searched: " + budget->reason()
                                                         : budget->reason();
    }
  }
  return violation;
}

Verdict verdict_of_jobs(const std::vector<SearchJob>& jobs, int violation) {
  if (violation >= 0) return Verdict::violation;
  for (const SearchJob& j : jobs) {
    if (j.report.verdict != Verdict::ok) return Verdict::unknown;
  }
  return Verdict::ok;
}

std::string first_unknown_reason(const std::vector<PartitionReport>& parts) {
  for (const PartitionReport& p : parts) {
    if (p.verdict == Verdict::unknown && !p.unknown_reason.empty()) {
      return parts.size() > 1 ? p.unknown_reason + " in partition " + p.name : p.unknown_reason;
    }
  }
  return "the budget ran out";
}

// ------------------------------------------------------- keys as one state

// --no-partition for models whose keys are independent instances: one
// state holding every key's state, so the whole history is one search.
// No pruning hooks: a key's write does not overwrite the whole state, and
// the state is not one value.
template <class M>
class KeyedModel {
 public:
  using State = std::vector<typename M::State>;
  struct Op {
    std::int32_t key = 0;
    typename M::Op op;
  };

  explicit KeyedModel(M inner) : inner_(std::move(inner)) {}
  State init() const { return State(names_.size(), inner_.init()); }
  std::optional<Op> encode(const Operation& o, std::string* error) {
    auto e = inner_.encode(o, error);
    if (!e) return std::nullopt;
    auto [it, fresh] = keys_.emplace(key_resource(o), 0);
    if (fresh) {
      it->second = static_cast<std::int32_t>(names_.size());
      names_.push_back(it->first);
    }
    return Op{it->second, std::move(*e)};
  }
  bool step(const State& s, const Op& op, State* next) const {
    const auto k = static_cast<std::size_t>(op.key);
    typename M::State after = s[k];
    if (!inner_.step(s[k], op.op, &after)) return false;
    if (inner_.preserves_state(op.op)) return true;  // *next unspecified
    *next = s;
    (*next)[k] = std::move(after);
    return true;
  }
  bool preserves_state(const Op& op) const { return inner_.preserves_state(op.op); }
  bool is_read(const Op& op) const { return inner_.is_read(op.op); }
  std::uint64_t hash(const State& s) const {
    std::uint64_t h = 0x6b6579u + s.size();
    for (const auto& part : s) h = mix64(h ^ inner_.hash(part));
    return h;
  }
  std::string describe(const State& s) const {
    std::string out = "{";
    for (std::size_t k = 0; k < s.size(); ++k) {
      if (k > 0) out += ", ";
      out += (names_[k].empty() ? std::string("(no key)") : names_[k]) + " " + inner_.describe(s[k]);
    }
    return out + "}";
  }
  std::size_t state_bytes(const State& s) const {
    std::size_t n = sizeof(State) + heap_block_bytes(s.size() * sizeof(typename M::State));
    for (const auto& part : s) n += inner_.state_bytes(part) - sizeof(typename M::State);
    return n;
  }
  void resources(const Operation&, std::vector<std::string>* out) const { out->push_back(""); }

 private:
  M inner_;
  std::map<std::string, std::int32_t> keys_;
  std::vector<std::string> names_;
};

// ------------------------------------------------------------ the check

std::vector<std::size_t> group_ops_by_call(const History& h, std::vector<std::size_t> ops) {
  std::stable_sort(ops.begin(), ops.end(), [&](std::size_t a, std::size_t b) {
    return h.ops[a].call_time < h.ops[b].call_time;
  });
  return ops;
}

template <class M>
std::vector<Group> groups_of(const M& model, const History& h, const std::vector<std::size_t>& kept,
                             bool partition) {
  if (partition) return partition_ops(model, h, kept);
  Group all;
  all.resources.push_back("");
  all.ops = kept;
  return {all};
}

// Linearizability: one job per partition, in rounds.
template <class M>
void check_linearizable(const M& model, const History& h, const std::vector<std::size_t>& kept,
                        const std::vector<std::optional<typename M::Op>>& encoded,
                        const CheckOptions& options, SearchBudget* budget, CheckResult* result) {
  std::vector<SearchJob> jobs;
  for (Group& g : groups_of(model, h, kept, options.partition)) {
    SearchJob job;
    job.name = group_name(g.resources);
    job.ops = g.ops.size();
    job.report.name = job.name;
    job.report.ops = group_ops_by_call(h, g.ops);
    job.run = [&model, &h, &encoded, g = std::move(g)](SearchBudget* b) {
      return check_group(model, h, g, encoded, b);
    };
    jobs.push_back(std::move(job));
  }
  const int violation = run_rounds(&jobs, budget);
  result->verdict = verdict_of_jobs(jobs, violation);
  for (SearchJob& j : jobs) result->partitions.push_back(std::move(j.report));
  std::sort(result->partitions.begin(), result->partitions.end(),
            [](const PartitionReport& a, const PartitionReport& b) { return a.name < b.name; });
}

// ZooKeeper's order: each partition's projection first (cheap, and a
// violation there is one of the whole history), then the whole history.
template <class M>
void check_zookeeper(const M& model, const History& h, const std::vector<std::size_t>& kept,
                     const std::vector<std::optional<typename M::Op>>& encoded,
                     const CheckOptions& options, SearchBudget* budget, CheckResult* result) {
  std::vector<Group> groups = groups_of(model, h, kept, options.partition);
  if (groups.size() > 1) {
    std::vector<SearchJob> jobs;
    for (Group& g : groups) {
      SearchJob job;
      job.name = group_name(g.resources) + " (alone)";
      job.ops = g.ops.size();
      job.run = [&model, &h, &encoded, ops = g.ops, name = job.name](SearchBudget* b) {
        PartitionReport r = check_zookeeper_order(model, h, ops, encoded, b);
        r.name = name;
        return r;
      };
      job.report.name = job.name;
      job.report.ops = group_ops_by_call(h, g.ops);
      jobs.push_back(std::move(job));
    }
    const int violation = run_rounds(&jobs, budget);
    if (violation >= 0 || budget->over()) {
      result->verdict = verdict_of_jobs(jobs, violation);
      for (SearchJob& j : jobs) result->partitions.push_back(std::move(j.report));
      return;
    }
  }
  SearchJob whole;
  whole.name = "all sessions (zookeeper order)";
  whole.run = [&](SearchBudget* b) { return check_zookeeper_order(model, h, kept, encoded, b); };
  run_job(&whole, 0, budget);
  result->verdict = whole.report.verdict;
  result->partitions.push_back(std::move(whole.report));
}

template <class M>
CheckOutcome check_with(M model, const History& h, const CheckOptions& options) {
  CheckOutcome outcome;
  CheckResult result;
  result.model = options.model;
  result.consistency = options.consistency;
  std::vector<std::optional<typename M::Op>> encoded(h.ops.size());
  std::vector<std::size_t> kept;
  for (std::size_t i = 0; i < h.ops.size(); ++i) {
    if (h.ops[i].status == Status::fail) continue;
    std::string error;
    encoded[i] = model.encode(h.ops[i], &error);
    if (!error.empty()) {
      outcome.error = CheckError{error, h.ops[i].source_line};
      return outcome;
    }
    if (encoded[i]) kept.push_back(i);
  }
  result.ops_checked = kept.size();
  result.ops_dropped = h.ops.size() - kept.size();
  SearchBudget budget(options.limits);
  if (options.consistency == Consistency::zookeeper) {
    check_zookeeper(model, h, kept, encoded, options, &budget, &result);
  } else {
    check_linearizable(model, h, kept, encoded, options, &budget, &result);
  }
  result.states_explored = budget.states();
  result.peak_memory_bytes = budget.peak_bytes();
  result.elapsed_s = budget.elapsed_s();
  if (result.verdict == Verdict::unknown) result.unknown_reason = first_unknown_reason(result.partitions);
  outcome.result = std::move(result);
  return outcome;
}

bool any_key(const History& h) {
  return std::any_of(h.ops.begin(), h.ops.end(), [](const Operation& o) { return o.key.has_value(); });
}

// Checks with the model, or — without partitions, when keys are present —
// with every key's instance in one state.
template <class M>
CheckOutcome check_keyed(M model, const History& h, const CheckOptions& options) {
  if (options.partition || !any_key(h)) return check_with(std::move(model), h, options);
  return check_with(KeyedModel<M>(std::move(model)), h, options);
}

}  // namespace

CheckOutcome check_history(const History& h, const CheckOptions& options) {
  const std::string& m = options.model;
  const Value& init = options.init;
  if (m == "register") return check_keyed(RegisterModel(false, init), h, options);
  if (m == "cas-register") return check_keyed(RegisterModel(true, init), h, options);
  if (m == "kv") return check_keyed(KeyValueModel(init), h, options);
  if (m == "set") return check_keyed(SetModel(init), h, options);
  if (m == "queue") return check_keyed(QueueModel(init), h, options);
  if (m == "mutex") return check_keyed(MutexModel(init), h, options);
  if (m == "multi-register") return check_with(MultiRegisterModel(init), h, options);
  if (m == "znode") {
    std::string error;
    auto model = ZnodeModel::make(init, &error);
    if (!model) return CheckOutcome{std::nullopt, CheckError{error, 0}};
    return check_with(std::move(*model), h, options);
  }
  std::string names;
  for (const ModelInfo& info : known_models()) {
    names += names.empty() ? "" : ", ";
    names += info.name;
  }
  return CheckOutcome{std::nullopt,
                      CheckError{fmt::format("unknown model {} (known: {})", quote_input(m), names), 0}};
}

}  // namespace zsim::checkers
