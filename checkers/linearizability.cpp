#include "checkers/linearizability.h"

#include <fmt/core.h>

#include <algorithm>
#include <map>
#include <numeric>

#include "checkers/check_assert.h"
#include "checkers/models.h"
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

Verdict combine(Verdict a, Verdict b) {
  if (a == Verdict::violation || b == Verdict::violation) return Verdict::violation;
  if (a == Verdict::unknown || b == Verdict::unknown) return Verdict::unknown;
  return Verdict::ok;
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
    result.partitions.push_back(check_zookeeper_order(model, h, kept, encoded, &budget));
    result.verdict = result.partitions.back().verdict;
  } else {
    result.verdict = Verdict::ok;
    for (const Group& g : partition_ops(model, h, kept)) {
      result.partitions.push_back(check_group(model, h, g, encoded, &budget));
      result.verdict = combine(result.verdict, result.partitions.back().verdict);
    }
  }
  result.states_explored = budget.states();
  result.peak_memory_bytes = budget.peak_bytes();
  result.elapsed_s = budget.elapsed_s();
  if (result.verdict == Verdict::unknown) result.unknown_reason = budget.reason();
  outcome.result = std::move(result);
  return outcome;
}

}  // namespace

CheckOutcome check_history(const History& h, const CheckOptions& options) {
  const std::string& m = options.model;
  const Value& init = options.init;
  if (m == "register") return check_with(RegisterModel(false, init), h, options);
  if (m == "cas-register") return check_with(RegisterModel(true, init), h, options);
  if (m == "kv") return check_with(KeyValueModel(init), h, options);
  if (m == "set") return check_with(SetModel(init), h, options);
  if (m == "queue") return check_with(QueueModel(init), h, options);
  if (m == "mutex") return check_with(MutexModel(init), h, options);
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
                      CheckError{fmt::format("unknown model '{}' (known: {})", m, names), 0}};
}

}  // namespace zsim::checkers
