// The Wing–Gong / Lowe linearizability search for one partition, generic in
// the sequential model (see models.h for the model contract).
//
// The history is a doubly linked list of call and return entries in time
// order. Any call before the first return is a candidate: if the model
// accepts it in the current state and (linearized set + op, new state) has
// not been explored, the op is linearized, its entries are lifted out of the
// list, and the scan restarts from the head. Reaching a return means the op
// that returns there cannot be linearized yet: backtrack.
//
// What makes it fast:
//  - the memo of explored nodes (completed set C, unknown set I, state) is
//    keyed by an incremental hash of C (XOR of per-op random words) and the
//    state, stores C without its fully linearized prefix (MemoCache), and
//    prunes by dominance over I (below);
//  - ops whose legal steps never change the state (a read, a CAS reported
//    failed; decided statically by the model) are linearized greedily: if
//    the search fails after such an op, the state before it fails too, so no
//    alternative is tried (the op could have been moved first in any
//    linearization from there);
//  - unknown (info) ops have no return entry: they may be linearized any
//    time after their call, or never. The search succeeds once every
//    completed op is linearized. At each node, completed candidates are
//    tried before unknown ones ("never" is explored first).
//
// Soundness of the pruning rules. A node's *continuation* is a sequence of
// unlinearized ops, each a candidate in turn (no unlinearized completed op
// returned before its call) and legal from the node's state, that includes
// every remaining completed op. Candidacy depends only on C: unknown ops
// never return. A rule may prune a node that has no continuation, or whose
// continuations are also continuations of another node the search explores.
// Proof that the search then says "violation" only when none exists:
// suppose the root has a continuation but every node ended dead. Among dead
// nodes with a continuation pick Y and its continuation K minimizing
// (|K|, depth of Y). K's first op k reaches a child Z with continuation K'
// (|K'| = |K| - 1). Z was explored and died (contradicts minimality), or
// pruned by a rule; each rule below yields a dead node with a continuation
// of smaller measure, or shows Z has none — a contradiction either way.
//  - Memo, exact: an identical node died before (same continuation K').
//  - Memo, dominance: a dead node (C, I0, s) with I0 ⊆ I. K' avoids I, so
//    it avoids I0, and it is a continuation there too (same C, same s).
//  - Unknown no-ops: an unknown op that leaves the state as it is (or is
//    state-preserving) is never linearized. K' is a continuation of Y: same
//    C, same state, and k may be left out (it may never have happened).
//  - Overwritten unknown writes (models with overwrites()): an op that
//    overwrites never directly follows an unknown op w that overwrites.
//    Then Y's parent P (before w) has the continuation k·K' — k is legal in
//    any state, a candidate at P (same C) and leaves the same state as w·k —
//    of length |K| at smaller depth.
//  - Greedy steps: K reordered with the greedy op first is a continuation
//    of the greedy child, one op shorter (see above).
//  - Values written once (models with value hooks): if exactly one source
//    (one op's write, or the initial value with no op writing it) can make
//    the state v, then once the state leaves v it never returns. So a step
//    that leaves v while an unlinearized completed op still needs state v
//    (a read of v, a successful cas from v) leads to a node with no
//    continuation. Likewise a completed op needing a value that no op
//    writes and that is not the initial value can never be linearized: the
//    search stops with a violation when it is first stuck at its return.
//    The same holds, by real time, for an op needing v that returned before
//    v's only writer was called, or that was called after some op that
//    certainly changes the state (a completed write or successful cas)
//    returned, where that op was called after v had certainly been the
//    state: after v's writer returned, or after another completed op that
//    needs v returned (v is then older than the change, and the change is
//    older than the op), or at any time if v is the initial value that no
//    op writes. A change writes a value other than v. Such a verdict is
//    decided before the search, which then only looks, for a bounded
//    number of states, for a long prefix to show in the witness.
//  - Unknown writes nobody observes (value hooks; removed before the
//    search): an unknown op w writing a once-only value v, where no op
//    reads v or compares against v (any cas's expected value), in a
//    partition with no completed cas that failed its comparison. Take any
//    linearization L with w taking effect (if w left the state alone, drop
//    it). Between w and the next op that changes the state, the state is v,
//    so the ops there are legal in v: no read or successful cas (they would
//    observe v), no failed cas (none exist), only unknown cases whose
//    comparison failed, which left the state alone and may be dropped too.
//    The op ending the segment sets the state regardless of v (a write; a
//    cas would need v). So L without w and those ops is a linearization.
//    A failed comparison breaks this: it can need the state not to be the
//    value from before w (tests: UnobservedUnknownWriteAndFailedCas).
//
// The search is deterministic: same input, same exploration order, same
// linearization and witness.
#pragma once

#include <algorithm>
#include <concepts>
#include <cstdint>
#include <cstring>
#include <limits>
#include <optional>
#include <vector>

#include "checkers/check_assert.h"
#include "checkers/models.h"
#include "checkers/search_budget.h"

namespace zsim::checkers {

enum class Verdict : std::uint8_t { ok, violation, unknown };

// One partition's operations, in the model's encoding.
template <class M>
struct PartitionInput {
  std::vector<typename M::Op> ops;
  std::vector<std::int64_t> call;
  std::vector<std::int64_t> ret;  // ignored for unknown ops
  std::vector<bool> unknown;      // status info: may never have happened
};

struct SearchOutcome {
  Verdict verdict = Verdict::unknown;
  // ok: a full linearization (indices into PartitionInput); violation or
  // unknown: the longest partial linearization found.
  std::vector<std::int32_t> linearization;
  // violation found before searching: a completed op that no reachable
  // state allows at its time (see wgl.h "Values written once"), or -1.
  std::int32_t doomed_op = -1;
};

// The memo: explored nodes of the search, each a (completed set C, info set
// I, state) triple. It is keyed by (C, state); each key holds a chain of the
// info sets seen with it, with a flag that says the node's subtree has been
// searched to the end without success ("dead"). A node is pruned when its
// exact triple is present (dead, or still on the search stack), or when a
// dead node with the same C and state has an info set I0 that is a subset of
// its own (see "Dominance" in WglSearch). Keys are variable-length words
// (WglSearch::remember); info sets are fixed-length bitsets.
template <class State>
class MemoCache {
 public:
  explicit MemoCache(std::size_t info_words) : info_words_(info_words) {
    slots_.resize(1024);
  }

  // Returns the new node's id, or -1 when the node is pruned (present, or
  // dominated by a dead node). `info` has info_words words.
  std::int64_t insert(std::uint64_t hash, const std::vector<std::uint64_t>& key,
                      const State& state, const std::uint64_t* info) {
    if ((count_ + 1) * 2 > slots_.size()) grow();
    std::size_t i = hash & (slots_.size() - 1);
    while (slots_[i].used) {
      const Slot& s = slots_[i];
      if (s.hash == hash && s.key_len == key.size() &&
          std::memcmp(&arena_[s.key_at], key.data(), key.size() * 8) == 0 &&
          states_[s.state] == state) {
        if (dominated(s.head, info)) return -1;
        return add_record(&slots_[i], info);
      }
      i = (i + 1) & (slots_.size() - 1);
    }
    Slot& s = slots_[i];
    s.used = true;
    s.hash = hash;
    s.key_at = arena_.size();
    s.key_len = static_cast<std::uint32_t>(key.size());
    s.state = static_cast<std::uint32_t>(states_.size());
    arena_.insert(arena_.end(), key.begin(), key.end());
    states_.push_back(state);
    ++count_;
    return add_record(&s, info);
  }

  // The node's subtree is searched out: it has no successful continuation.
  void mark_dead(std::int64_t node) {
    CHECKERS_ASSERT(node >= 0 && static_cast<std::size_t>(node) < records_.size());
    CHECKERS_ASSERT(!records_[static_cast<std::size_t>(node)].dead);
    records_[static_cast<std::size_t>(node)].dead = true;
  }

  std::size_t bytes(std::size_t extra_state_bytes) const {
    return slots_.capacity() * sizeof(Slot) + arena_.capacity() * 8 +
           states_.capacity() * sizeof(State) +
           records_.capacity() * sizeof(Record) + info_arena_.capacity() * 8 +
           extra_state_bytes;
  }
  std::size_t size() const { return records_.size(); }

 private:
  struct Slot {
    std::uint64_t hash = 0;
    std::uint64_t key_at = 0;
    std::uint32_t key_len = 0;
    std::uint32_t state = 0;
    std::int32_t head = -1;  // newest record of this (C, state)
    bool used = false;
  };
  struct Record {
    std::int32_t next = -1;  // older record of the same (C, state)
    bool dead = false;
  };

  // Present (same info set), or dominated by a dead subset.
  bool dominated(std::int32_t r, const std::uint64_t* info) const {
    for (; r != -1; r = records_[static_cast<std::size_t>(r)].next) {
      const std::uint64_t* have =
          info_arena_.data() + static_cast<std::size_t>(r) * info_words_;  // empty when no unknown ops
      bool equal = true, subset = true;
      for (std::size_t w = 0; w < info_words_; ++w) {
        equal = equal && have[w] == info[w];
        subset = subset && (have[w] & ~info[w]) == 0;
      }
      if (equal || (subset && records_[static_cast<std::size_t>(r)].dead)) return true;
    }
    return false;
  }

  std::int64_t add_record(Slot* s, const std::uint64_t* info) {
    const auto id = static_cast<std::int32_t>(records_.size());
    CHECKERS_ASSERT(id >= 0);  // fewer than 2^31 nodes: the budget stops first
    records_.push_back(Record{s->head, false});
    s->head = id;
    info_arena_.insert(info_arena_.end(), info, info + info_words_);
    return id;
  }

  void grow() {
    std::vector<Slot> old(slots_.size() * 2);
    old.swap(slots_);
    for (const Slot& s : old) {
      if (!s.used) continue;
      std::size_t i = s.hash & (slots_.size() - 1);
      while (slots_[i].used) i = (i + 1) & (slots_.size() - 1);
      slots_[i] = s;
    }
  }

  std::size_t info_words_;
  std::vector<Slot> slots_;
  std::vector<std::uint64_t> arena_;
  std::vector<State> states_;
  std::vector<Record> records_;
  std::vector<std::uint64_t> info_arena_;
  std::size_t count_ = 0;  // used slots
};

// A bitset over one class of ops (completed or unknown) that knows its
// fully-set prefix, so the memo key can leave it out. Unused bits of the
// last word start set, so "all ones" means "all linearized".
class PrefixBitset {
 public:
  explicit PrefixBitset(std::size_t n) : words_((n + 63) / 64 + 1, 0) {
    const std::size_t tail = n % 64;
    const std::size_t last = n / 64;
    if (tail != 0) words_[last] = ~std::uint64_t{0} << tail;
    if (tail == 0) words_[last] = ~std::uint64_t{0};
    for (std::size_t w = last + 1; w < words_.size(); ++w) words_[w] = ~std::uint64_t{0};
    advance_full();
  }
  void set(std::size_t i) {
    words_[i / 64] |= std::uint64_t{1} << (i % 64);
    if (i / 64 > high_) high_ = i / 64;
    advance_full();
  }
  void clear(std::size_t i) {
    words_[i / 64] &= ~(std::uint64_t{1} << (i % 64));
    if (i / 64 < full_) full_ = i / 64;
  }
  // Appends [full_, window words...] to key.
  void encode(std::vector<std::uint64_t>* key) const {
    std::size_t hi = std::max(high_, full_);
    while (hi > full_ && words_[hi] == 0) --hi;
    key->push_back(full_ | (static_cast<std::uint64_t>(hi - full_) << 32));
    for (std::size_t w = full_; w <= hi && w < words_.size(); ++w) key->push_back(words_[w]);
  }

 private:
  void advance_full() {
    while (full_ + 1 < words_.size() && words_[full_] == ~std::uint64_t{0}) ++full_;
  }
  std::vector<std::uint64_t> words_;
  std::size_t full_ = 0;  // words before this one are all ones
  std::size_t high_ = 0;  // no word above this one was ever set
};

// Optional model hooks (see models.h) that let the search prune more.
template <class M>
concept OverwriteHooks = requires(const M& m, const typename M::Op& op) {
  { m.overwrites(op) } -> std::convertible_to<bool>;
};
template <class M>
concept ValueHooks = requires(const M& m, const typename M::Op& op,
                              const typename M::State& s) {
  { m.state_value(s) } -> std::convertible_to<std::int32_t>;
  { m.written_value(op) } -> std::same_as<std::optional<std::int32_t>>;
  { m.required_value(op) } -> std::same_as<std::optional<std::int32_t>>;
  { m.compared_value(op) } -> std::same_as<std::optional<std::int32_t>>;
  { m.fails_comparison(op) } -> std::convertible_to<bool>;
};

template <class M>
class WglSearch {
 public:
  using State = typename M::State;
  using Op = typename M::Op;

  WglSearch(const M& model, const PartitionInput<M>& in, SearchBudget* budget)
      : model_(model), in_(in), budget_(budget),
        done_(count(false)), info_words_((count(true) + 63) / 64),
        info_done_(info_words_, 0), cache_(info_words_) {
    build_list();
    build_ranks();
    if constexpr (ValueHooks<M>) build_value_rules();
  }

  SearchOutcome run() {
    SearchOutcome out;
    out.verdict = search();
    out.linearization = out.verdict == Verdict::ok ? stack_ops() : best_;
    if (out.verdict == Verdict::violation) out.doomed_op = doomed_op_;
    return out;
  }

  // How many unknown ops the unobserved-write rule took out (for tests).
  std::size_t removed_unknown_ops() const { return removed_; }

 private:
  struct Entry {
    std::int32_t op = -1;  // -1 for the head sentinel
    bool is_return = false;
    std::int32_t match = -1;  // call: its return entry, or -1 (unknown op)
    std::int32_t prev = -1, next = -1;
  };
  struct Frame {
    std::int32_t entry;
    State before;
    bool greedy;
    bool info_pass;       // found in the pass over unknown ops
    std::int64_t node;    // its memo node, marked dead when popped
  };

  std::size_t count(bool unknown) const {
    return static_cast<std::size_t>(
        std::count(in_.unknown.begin(), in_.unknown.end(), unknown));
  }

  void build_list() {
    struct Event {
      std::int64_t time;
      bool is_return;
      std::int32_t op;
    };
    std::vector<Event> events;
    for (std::size_t i = 0; i < in_.ops.size(); ++i) {
      const auto op = static_cast<std::int32_t>(i);
      events.push_back({in_.call[i], false, op});
      if (!in_.unknown[i]) events.push_back({in_.ret[i], true, op});
    }
    // Calls before returns at equal times: such ops count as concurrent,
    // the reading that never invents a violation.
    std::sort(events.begin(), events.end(), [](const Event& a, const Event& b) {
      if (a.time != b.time) return a.time < b.time;
      if (a.is_return != b.is_return) return !a.is_return;
      return a.op < b.op;
    });
    entries_.resize(events.size() + 1);
    call_entry_.assign(in_.ops.size(), -1);
    for (std::size_t k = 0; k < events.size(); ++k) {
      Entry& e = entries_[k + 1];
      e.op = events[k].op;
      e.is_return = events[k].is_return;
      e.prev = static_cast<std::int32_t>(k);
      e.next = k + 1 < events.size() ? static_cast<std::int32_t>(k + 2) : -1;
      if (e.is_return) {
        entries_[static_cast<std::size_t>(call_entry_[static_cast<std::size_t>(e.op)])].match =
            static_cast<std::int32_t>(k + 1);
      } else {
        call_entry_[static_cast<std::size_t>(e.op)] = static_cast<std::int32_t>(k + 1);
      }
    }
    entries_[0].next = events.empty() ? -1 : 1;
  }

  void build_ranks() {
    rank_.resize(in_.ops.size());
    zobrist_.resize(in_.ops.size());
    std::size_t done_rank = 0, unknown_rank = 0;
    // Ranks follow call order (the list order of calls), so the linearized
    // prefix of completed ops is dense at the front.
    for (std::int32_t e = entries_[0].next; e != -1; e = entries_[static_cast<std::size_t>(e)].next) {
      const Entry& en = entries_[static_cast<std::size_t>(e)];
      if (en.is_return) continue;
      const auto op = static_cast<std::size_t>(en.op);
      rank_[op] = in_.unknown[op] ? unknown_rank++ : done_rank++;
      zobrist_[op] = mix64(0xa5a5a5a5ULL + op * 0x9E3779B97F4A7C15ULL);
    }
  }

  // Once-only values and the unobserved-write rule; see the file header,
  // "Values written once" and "Unknown writes nobody observes".
  void build_value_rules() {
    std::int32_t top = model_.state_value(model_.init());
    auto see = [&top](std::optional<std::int32_t> v) {
      if (v && *v > top) top = *v;
    };
    for (const Op& op : in_.ops) {
      see(model_.written_value(op));
      see(model_.required_value(op));
      see(model_.compared_value(op));
    }
    const auto n = static_cast<std::size_t>(top) + 1;
    std::vector<std::int32_t> writers(n, 0), observers(n, 0);
    writers[static_cast<std::size_t>(model_.state_value(model_.init()))] += 1;
    bool any_failed_comparison = false;
    need_.assign(n, 0);
    for (std::size_t i = 0; i < in_.ops.size(); ++i) {
      const Op& op = in_.ops[i];
      if (auto v = model_.written_value(op)) ++writers[static_cast<std::size_t>(*v)];
      if (auto v = model_.required_value(op)) {
        ++observers[static_cast<std::size_t>(*v)];
        if (!in_.unknown[i]) ++need_[static_cast<std::size_t>(*v)];
      }
      if (auto v = model_.compared_value(op)) ++observers[static_cast<std::size_t>(*v)];
      any_failed_comparison = any_failed_comparison || model_.fails_comparison(op);
    }
    once_only_.assign(n, false);
    for (std::size_t v = 0; v < n; ++v) once_only_[v] = writers[v] == 1;
    find_doomed_op(writers);
    if (any_failed_comparison) return;
    for (std::size_t i = 0; i < in_.ops.size(); ++i) {
      if (!in_.unknown[i]) continue;
      const auto v = model_.written_value(in_.ops[i]);
      if (!v || !once_only_[static_cast<std::size_t>(*v)]) continue;
      if (observers[static_cast<std::size_t>(*v)] != 0) continue;
      unlink(call_entry_[i]);  // never a candidate: as if it never happened
      ++removed_;
    }
  }

  // The first completed op (in op order) that needs a value no state can
  // have at its time; see "Values written once" in the header. Changers are
  // the completed ops that certainly set a value (writes, successful cas).
  void find_doomed_op(const std::vector<std::int32_t>& writers) {
    const std::int32_t init = model_.state_value(model_.init());
    std::vector<std::int32_t> writer_of(writers.size(), -1);
    std::vector<std::pair<std::int64_t, std::int64_t>> changers;  // (call, ret)
    for (std::size_t i = 0; i < in_.ops.size(); ++i) {
      const auto v = model_.written_value(in_.ops[i]);
      if (!v) continue;
      writer_of[static_cast<std::size_t>(*v)] = static_cast<std::int32_t>(i);
      if (!in_.unknown[i]) changers.emplace_back(in_.call[i], in_.ret[i]);
    }
    std::sort(changers.begin(), changers.end());
    constexpr std::int64_t kNever = std::numeric_limits<std::int64_t>::max();
    // min_ret[k]: the earliest return among changers[k..].
    std::vector<std::int64_t> min_ret(changers.size() + 1, kNever);
    for (std::size_t k = changers.size(); k-- > 0;) {
      min_ret[k] = std::min(min_ret[k + 1], changers[k].second);
    }
    // The earliest return of a changer called after time t.
    auto earliest_return_after = [&](std::int64_t t) {
      const auto at = std::upper_bound(changers.begin(), changers.end(),
                                       std::pair{t, kNever});
      return min_ret[static_cast<std::size_t>(at - changers.begin())];
    };
    // settled[v]: a time by which v has certainly been the state (its only
    // writer returned, or a completed op needing v returned); the initial
    // value is the state from the start.
    std::vector<std::int64_t> settled(writers.size(), kNever);
    settled[static_cast<std::size_t>(init)] = std::numeric_limits<std::int64_t>::min();
    for (std::size_t i = 0; i < in_.ops.size(); ++i) {
      if (in_.unknown[i]) continue;
      for (auto v : {model_.required_value(in_.ops[i]), model_.written_value(in_.ops[i])}) {
        if (!v) continue;
        auto& t = settled[static_cast<std::size_t>(*v)];
        t = std::min(t, in_.ret[i]);
      }
    }
    for (std::size_t i = 0; i < in_.ops.size(); ++i) {
      const auto need = model_.required_value(in_.ops[i]);
      if (in_.unknown[i] || !need) continue;
      const auto v = static_cast<std::size_t>(*need);
      bool doomed = false;
      if (writers[v] == 0) {
        doomed = true;  // nothing ever makes the state v
      } else if (writers[v] == 1) {
        // Needs v before v's only writer was called; or v was certainly
        // the state, then a change certainly came, and then this op.
        const std::int32_t w = writer_of[v];
        doomed = (w >= 0 && in_.ret[i] < in_.call[static_cast<std::size_t>(w)]) ||
                 (settled[v] != kNever && earliest_return_after(settled[v]) < in_.call[i]);
      }
      if (doomed) {
        doomed_op_ = static_cast<std::int32_t>(i);
        return;
      }
    }
  }

  void lift(std::int32_t call) {
    unlink(call);
    const std::int32_t ret = entries_[static_cast<std::size_t>(call)].match;
    if (ret != -1) unlink(ret);
  }
  void unlift(std::int32_t call) {
    const std::int32_t ret = entries_[static_cast<std::size_t>(call)].match;
    if (ret != -1) relink(ret);
    relink(call);
  }
  void unlink(std::int32_t i) {
    Entry& e = entries_[static_cast<std::size_t>(i)];
    entries_[static_cast<std::size_t>(e.prev)].next = e.next;
    if (e.next != -1) entries_[static_cast<std::size_t>(e.next)].prev = e.prev;
  }
  void relink(std::int32_t i) {
    Entry& e = entries_[static_cast<std::size_t>(i)];
    entries_[static_cast<std::size_t>(e.prev)].next = i;
    if (e.next != -1) entries_[static_cast<std::size_t>(e.next)].prev = i;
  }

  void mark(std::size_t op, bool on) {
    if (in_.unknown[op]) {
      const std::uint64_t bit = std::uint64_t{1} << (rank_[op] % 64);
      std::uint64_t& word = info_done_[rank_[op] / 64];
      word = on ? (word | bit) : (word & ~bit);
      return;
    }
    if (on) {
      done_.set(rank_[op]);
    } else {
      done_.clear(rank_[op]);
    }
    set_hash_ ^= zobrist_[op];
    if constexpr (ValueHooks<M>) {
      if (auto v = model_.required_value(in_.ops[op])) {
        need_[static_cast<std::size_t>(*v)] += on ? -1 : 1;
      }
    }
  }

  // The memo node for the current sets and state s, or -1 when pruned.
  std::int64_t remember(const State& s) {
    key_.clear();
    done_.encode(&key_);
    const std::uint64_t h = set_hash_ ^ mix64(model_.hash(s));
    const std::int64_t node = cache_.insert(h, key_, s, info_done_.data());
    if (node < 0) return node;
    state_bytes_ += model_.state_bytes(s);
    if ((cache_.size() & 1023u) == 0) {
      budget_->use_memory(cache_.bytes(state_bytes_) +
                          stack_.capacity() * sizeof(Frame));
    }
    return node;
  }

  std::vector<std::int32_t> stack_ops() const {
    std::vector<std::int32_t> ops;
    ops.reserve(stack_.size());
    for (const Frame& f : stack_) ops.push_back(entries_[static_cast<std::size_t>(f.entry)].op);
    return ops;
  }

  // Keeps best_ equal to the deepest stack seen, copying only the part that
  // changed since the last snapshot (stack_low_).
  void note_best() {
    if (stack_.size() <= best_.size()) return;
    best_.resize(stack_.size());
    for (std::size_t k = stack_low_; k < stack_.size(); ++k) {
      best_[k] = entries_[static_cast<std::size_t>(stack_[k].entry)].op;
    }
    stack_low_ = stack_.size();
  }

  // Pops until a frame with untried alternatives; returns the entry to scan
  // from next (and which pass it belongs to), or -1 when the search failed.
  std::int32_t backtrack(State* state, std::size_t* remaining, bool* info_pass) {
    note_best();
    while (!stack_.empty()) {
      Frame f = std::move(stack_.back());
      stack_.pop_back();
      if (stack_.size() < stack_low_) stack_low_ = stack_.size();
      cache_.mark_dead(f.node);
      const auto op = static_cast<std::size_t>(entries_[static_cast<std::size_t>(f.entry)].op);
      unlift(f.entry);
      mark(op, false);
      if (!in_.unknown[op]) ++*remaining;
      *state = std::move(f.before);
      if (!f.greedy) {
        *info_pass = f.info_pass;
        return entries_[static_cast<std::size_t>(f.entry)].next;
      }
    }
    return -1;
  }

  // The last op linearized is an unknown overwrite (rule "Overwritten
  // unknown writes").
  bool after_unknown_overwrite() const {
    if constexpr (OverwriteHooks<M>) {
      if (stack_.empty()) return false;
      const auto op = static_cast<std::size_t>(
          entries_[static_cast<std::size_t>(stack_.back().entry)].op);
      return in_.unknown[op] && model_.overwrites(in_.ops[op]);
    }
    return false;
  }

  // Whether moving from `from` to `to` abandons, for good, a value some
  // unlinearized completed op still needs (rule "Values written once").
  // `op` is the op making the move; it has been marked already.
  bool strands_a_value(const State& from, const State& to) const {
    if constexpr (ValueHooks<M>) {
      const auto v = static_cast<std::size_t>(model_.state_value(from));
      if (!once_only_[v] || need_[v] == 0) return false;
      return model_.state_value(to) != model_.state_value(from);
    }
    return false;
  }

  Verdict search() {
    State state = model_.init();
    State next = state;
    std::size_t remaining = done_count();
    const bool any_unknown = info_words_ > 0;
    bool info_pass = false;  // false: completed ops' calls; true: unknown ops'
    std::int32_t e = entries_[0].next;
    while (remaining > 0) {
      if (!budget_->spend_state()) {
        note_best();
        return doomed_op_ >= 0 ? Verdict::violation : Verdict::unknown;
      }
      // The verdict is known; searching on only looks for a longer prefix
      // to show, and that is worth a bounded effort.
      if (doomed_op_ >= 0 && ++witness_states_ > kWitnessStatesMax) {
        note_best();
        return Verdict::violation;
      }
      CHECKERS_ASSERT(e != -1);  // a completed op's return is still listed
      const Entry& en = entries_[static_cast<std::size_t>(e)];
      if (en.is_return) {
        if (en.op == doomed_op_) {  // stuck at the op no state allows
          note_best();
          return Verdict::violation;
        }
        if (!info_pass && any_unknown) {
          info_pass = true;
          e = entries_[0].next;
          continue;
        }
        e = backtrack(&state, &remaining, &info_pass);
        if (e == -1) return Verdict::violation;
        continue;
      }
      const auto op = static_cast<std::size_t>(en.op);
      const bool info = in_.unknown[op];
      if (info != info_pass) {
        e = en.next;
        continue;
      }
      const Op& mop = in_.ops[op];
      const bool greedy = model_.preserves_state(mop);
      if constexpr (OverwriteHooks<M>) {
        if (model_.overwrites(mop) && after_unknown_overwrite()) {
          e = en.next;
          continue;
        }
      }
      if ((info && greedy) || !model_.step(state, mop, &next) ||
          (info && next == state)) {
        e = en.next;
        continue;
      }
      mark(op, true);
      if (!greedy && strands_a_value(state, next)) {
        mark(op, false);
        e = en.next;
        continue;
      }
      const std::int64_t node = remember(greedy ? state : next);
      if (node >= 0) {
        stack_.push_back(Frame{e, state, greedy, info_pass, node});
        if (!greedy) std::swap(state, next);
        lift(e);
        if (!info) --remaining;
        e = entries_[0].next;
        info_pass = false;
        continue;
      }
      mark(op, false);
      if (greedy) {  // explored before and failed: so does this state
        e = backtrack(&state, &remaining, &info_pass);
        if (e == -1) return Verdict::violation;
        continue;
      }
      e = en.next;
    }
    if (budget_->exhausted()) return Verdict::unknown;
    return Verdict::ok;
  }

  std::size_t done_count() const { return count(false); }

  const M& model_;
  const PartitionInput<M>& in_;
  SearchBudget* budget_;
  std::vector<Entry> entries_;
  std::vector<std::int32_t> call_entry_;
  std::vector<std::size_t> rank_;
  std::vector<std::uint64_t> zobrist_;
  PrefixBitset done_;
  std::size_t info_words_;
  std::vector<std::uint64_t> info_done_;  // linearized unknown ops, by rank
  std::uint64_t set_hash_ = 0;            // of the completed ops linearized
  std::vector<std::uint64_t> key_;
  MemoCache<State> cache_;
  std::size_t state_bytes_ = 0;
  std::vector<Frame> stack_;
  std::vector<std::int32_t> best_;
  std::size_t stack_low_ = 0;
  // Value rules (ValueHooks models only), indexed by value id.
  std::vector<bool> once_only_;      // written by exactly one op (or init)
  std::vector<std::int32_t> need_;   // unlinearized completed ops needing it
  std::size_t removed_ = 0;
  std::int32_t doomed_op_ = -1;  // a completed op no reachable state allows
  static constexpr std::uint64_t kWitnessStatesMax = 50000;
  std::uint64_t witness_states_ = 0;
};

}  // namespace zsim::checkers
