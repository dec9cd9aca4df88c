// check_zookeeper_order: does a history keep ZooKeeper's promises?
//
// ZooKeeper does not promise linearizable reads: a follower answers reads
// from its own, possibly stale, copy. What it promises ("ordered sequential
// consistency", Lev-Ari et al., IPL 2017) is one total order of all
// operations such that
//   - each session's operations appear in the order the session issued them
//     (FIFO client order; so a session never reads older state than it has
//     already seen or written — no going back in time);
//   - writes respect real time: a write comes after every operation that
//     returned before the write was called (writes are linearizable);
//   - every op is legal in the model state at its place in the order.
// Reads are not pinned to real time against other sessions' writes, so a
// stale-but-legal follower read passes here while failing the strict check.
//
// The search is the WGL idea with a different candidate rule: an op can go
// next when its session's earlier ops are placed, and, for a write, when
// every op that returned before its call is placed. A session's placed ops
// are a prefix of it, so the memo key is one position per session. Unknown
// (info) writes may be placed, or skipped (never happened), when they come
// up; state-preserving ops are placed greedily, as in wgl.h. Whole history,
// no partitions: session order ties the keys together.
#pragma once

#include <algorithm>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <vector>

#include "checkers/check_assert.h"
#include "checkers/history.h"
#include "checkers/linearizability.h"
#include "checkers/search_budget.h"
#include "checkers/wgl.h"

namespace zsim::checkers {

template <class M>
class ZookeeperOrderSearch {
 public:
  using State = typename M::State;
  using Op = typename M::Op;

  ZookeeperOrderSearch(const M& model, const History& h,
                       const std::vector<std::size_t>& kept,
                       const std::vector<std::optional<Op>>& encoded,
                       SearchBudget* budget)
      : model_(model), h_(h), encoded_(encoded), budget_(budget) {
    std::map<std::int64_t, std::size_t> session_index;
    for (std::size_t i : kept) {
      auto [it, fresh] = session_index.emplace(h.ops[i].session_or_process(), 0);
      if (fresh) {
        it->second = sessions_.size();
        sessions_.emplace_back();
      }
      sessions_[it->second].push_back(i);
    }
    for (auto& ops : sessions_) {
      std::stable_sort(ops.begin(), ops.end(), [&](std::size_t a, std::size_t b) {
        return h.ops[a].call_time < h.ops[b].call_time;
      });
    }
    build_next_completed();
    pos_.assign(sessions_.size(), 0);
  }

  PartitionReport run() {
    PartitionReport report;
    report.name = "all sessions (zookeeper order)";
    for (const auto& ops : sessions_) report.ops.insert(report.ops.end(), ops.begin(), ops.end());
    std::sort(report.ops.begin(), report.ops.end());
    report.verdict = search();
    const auto& order = report.verdict == Verdict::ok ? placed_ : best_placed_;
    report.linearization = order;
    if (report.verdict == Verdict::violation) explain(&report);
    return report;
  }

 private:
  struct Frame {
    std::size_t session;
    bool skip;
    State before;
    bool greedy;
  };

  static constexpr std::int64_t kNever = std::numeric_limits<std::int64_t>::max();

  void build_next_completed() {
    next_completed_.resize(sessions_.size());
    for (std::size_t s = 0; s < sessions_.size(); ++s) {
      const auto& ops = sessions_[s];
      auto& next = next_completed_[s];
      next.assign(ops.size() + 1, kNever);
      for (std::size_t k = ops.size(); k-- > 0;) {
        const Operation& op = h_.ops[ops[k]];
        next[k] = op.status == Status::info ? next[k + 1] : op.return_time;
      }
    }
  }

  std::size_t head(std::size_t s) const { return sessions_[s][pos_[s]]; }

  // A write may go next only if nothing that returned before its call is
  // still unplaced.
  bool may_go_next(std::size_t s) const {
    const std::size_t op = head(s);
    if (model_.is_read(*encoded_[op])) return true;
    const std::int64_t call = h_.ops[op].call_time;
    for (std::size_t t = 0; t < sessions_.size(); ++t) {
      if (next_completed_[t][pos_[t]] < call) return false;
    }
    return true;
  }

  // Whether (positions, s) is new; remembers it. When the memo may not
  // grow (the memory budget), says "new" without remembering: the budget
  // is then exhausted and the search stops at its next step.
  bool remember(const State& s) {
    std::uint64_t hash = mix64(model_.hash(s));
    key_.clear();
    for (std::size_t p : pos_) {
      hash = mix64(hash ^ p);
      key_.push_back(p);
    }
    const std::size_t all = model_.state_bytes(s);
    const std::size_t heap = all > sizeof(State) ? all - sizeof(State) : 0;
    const std::size_t working = stack_.capacity() * (sizeof(Frame) + heap) + placed_.capacity() * 8 +
                                best_placed_.capacity() * 8 + key_.capacity() * 8;
    if (!budget_->use_memory(memo_.bytes() + memo_.growth_bytes(key_.size(), heap) + working)) return true;
    return memo_.insert(hash, key_, s, heap, nullptr) >= 0;
  }

  Verdict search() {
    State state = model_.init();
    State next = state;
    std::size_t remaining = 0;
    for (const auto& ops : sessions_) remaining += ops.size();
    std::size_t from_session = 0;
    bool from_skip = false;
    while (remaining > 0) {
      if (!budget_->spend_state() || budget_->exhausted()) return Verdict::unknown;
      bool moved = false;
      bool dead = false;
      for (std::size_t s = from_session; s < sessions_.size() && !moved && !dead; ++s) {
        if (pos_[s] == sessions_[s].size() || !may_go_next(s)) continue;
        const std::size_t op = head(s);
        const Op& mop = *encoded_[op];
        const bool unknown = h_.ops[op].status == Status::info;
        for (int choice = (s == from_session && from_skip) ? 1 : 0; choice < 2; ++choice) {
          const bool skip = choice == 1;
          if (skip && !unknown) break;
          const bool greedy = !skip && model_.preserves_state(mop);
          if (!skip && !model_.step(state, mop, &next)) continue;
          const State& after = (skip || greedy) ? state : next;
          ++pos_[s];
          if (remember(after)) {
            stack_.push_back(Frame{s, skip, state, greedy});
            if (!skip) placed_.push_back(op);
            if (!skip && !greedy) std::swap(state, next);
            --remaining;
            moved = true;
            break;
          }
          --pos_[s];
          if (greedy) {
            dead = true;
            break;
          }
        }
        from_skip = false;
      }
      if (moved) {
        from_session = 0;
        from_skip = false;
        continue;
      }
      if (!backtrack(&state, &remaining, &from_session, &from_skip)) {
        return Verdict::violation;
      }
    }
    return Verdict::ok;
  }

  bool backtrack(State* state, std::size_t* remaining, std::size_t* from_session,
                 bool* from_skip) {
    if (placed_.size() > best_placed_.size()) {
      best_placed_ = placed_;
      best_pos_ = pos_;
    }
    while (!stack_.empty()) {
      Frame f = std::move(stack_.back());
      stack_.pop_back();
      --pos_[f.session];
      if (!f.skip) placed_.pop_back();
      ++*remaining;
      *state = std::move(f.before);
      if (f.greedy) continue;
      if (!f.skip) {
        *from_session = f.session;
        *from_skip = true;
      } else {
        *from_session = f.session + 1;
        *from_skip = false;
      }
      return true;
    }
    return false;
  }

  void explain(PartitionReport* report) {
    State state = model_.init();
    State next = state;
    for (std::size_t op : best_placed_) {
      const bool legal = model_.step(state, *encoded_[op], &next);
      CHECKERS_ASSERT(legal);
      if (!model_.preserves_state(*encoded_[op])) state = next;
    }
    report->state_after = model_.describe(state);
    if (best_pos_.empty()) best_pos_.assign(sessions_.size(), 0);
    pos_ = best_pos_;
    for (std::size_t s = 0; s < sessions_.size(); ++s) {
      if (pos_[s] == sessions_[s].size()) continue;
      const std::size_t op = head(s);
      if (h_.ops[op].status == Status::info) continue;
      std::string why;
      if (!may_go_next(s)) {
        why = "a write that must wait for operations that returned before it was called";
      } else if (!model_.step(state, *encoded_[op], &next)) {
        why = "not possible when the state is " + report->state_after;
      } else {
        why = "possible here, but every way on from it dead-ends";
      }
      report->stuck.push_back(op);
      report->stuck_reasons.push_back(describe_op(h_.ops[op]) + ": " + why);
    }
  }

  const M& model_;
  const History& h_;
  const std::vector<std::optional<Op>>& encoded_;
  SearchBudget* budget_;
  std::vector<std::vector<std::size_t>> sessions_;
  std::vector<std::vector<std::int64_t>> next_completed_;
  std::vector<std::size_t> pos_;
  std::vector<std::uint64_t> key_;
  MemoCache<State> memo_{0};  // keyed by (positions, state); no info sets
  std::vector<Frame> stack_;
  std::vector<std::size_t> placed_;
  std::vector<std::size_t> best_placed_;
  std::vector<std::size_t> best_pos_;
};

template <class M>
PartitionReport check_zookeeper_order(
    const M& model, const History& h, const std::vector<std::size_t>& kept,
    const std::vector<std::optional<typename M::Op>>& encoded,
    SearchBudget* budget) {
  ZookeeperOrderSearch<M> search(model, h, kept, encoded, budget);
  return search.run();
}

}  // namespace zsim::checkers
