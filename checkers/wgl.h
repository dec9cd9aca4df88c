// The Wing–Gong / Lowe linearizability search for one partition, generic in
// the sequential model (see models.h for the model contract).
//
// The history is a doubly linked list of call and return entries in time
// order. Any call before the first return is a candidate. At each node the
// search lists the candidates in a fixed order (below) and tries them in
// turn: if the model accepts one in the current state and (linearized set +
// op, new state) is not ruled out, the op is linearized, its entries are
// lifted out of the list, and the child node lists its own candidates. A
// node whose candidates are all tried has failed: backtrack.
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
//    tried before unknown ones ("never" is explored first);
//  - restarts: the order candidates are tried in is a guess at the order
//    the ops took effect (by call time first). A bad guess early can cost
//    an exponential detour, and which guess is bad depends on the history,
//    so after a share of states that doubles each time the search starts
//    again from the root with another order (by return time, by the middle
//    of the interval, then points drawn from a hash). Dead nodes stay in
//    the memo — a dead node has no continuation whatever the order — while
//    the nodes of the abandoned path are forgotten (MemoCache::abandon).
//
// Soundness of the pruning rules. A node's *continuation* is a sequence of
// unlinearized ops, each a candidate in turn (no unlinearized completed op
// returned before its call) and legal from the node's state, that includes
// every remaining completed op. Candidacy depends only on C: unknown ops
// never return. A rule may prune a node that has no continuation, or whose
// continuations are also continuations of another node the search explores.
// Proof that the search then says "violation" only when none exists:
// suppose the root has a continuation but every node of the last run ended
// dead. Among dead nodes with a continuation pick Y and its continuation K
// minimizing (|K|, depth of Y, the moment Y died), and among those K pick
// one whose first op is its class's representative (see "Identical ops";
// one exists by swapping). K's first op k reaches a child Z with
// continuation K' (|K'| = |K| - 1). Z was explored and died (contradicts
// minimality), or pruned by a rule; each rule below yields a dead node with
// a continuation of smaller measure, or shows Z has none — a contradiction
// either way.
//  - Memo, exact: an identical node died before (same continuation K').
//  - Memo, dominance: a dead node (C, I0, s) with I0 ⊆ I. K' avoids I, so
//    it avoids I0, and it is a continuation there too (same C, same s).
//  - Memo, covered writes (models with overwrites()): Z = (C, I, s) is
//    pruned when D = (C minus w, I, s) is dead, for a completed overwrite w
//    in C such that some completed overwrite x not in C returns no later
//    than w. K' with w put right before x is a continuation of D: w is a
//    candidate anywhere after D (every op returning before w's call is in
//    C minus w), comes before every op called after w returned (x does),
//    and x overwrites its effect at once. D has depth(Y) and died before Z
//    was pruned, so before Y died: a smaller measure.
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
//  - Identical ops (models with op_hash/same_op): non-greedy ops with the
//    same model op and the same status are interchangeable, so a node tries
//    only one of those among its candidates: for completed ops the one
//    returning first, for unknown ones the one called first. If K starts
//    with another member o and the representative m is in K', swapping o
//    and m in K gives a continuation (same states; m returns no later than
//    o, so o may stand where m stood: every op that must follow o follows m
//    there; o stays a candidate, as the unlinearized completed ops only
//    shrink); if m is not in K' (m unknown, never happening), m takes o's
//    place. Either way the same length, first op m.
//  - Values that cannot come back in time (value hooks): a step that moves
//    the state off v while an unlinearized completed op r needs state v (a
//    read of v, a successful cas from v) leads to a node with no
//    continuation when every op that can still write v (a write of v, a cas
//    to v, completed or unknown) is called after r returns: r must come
//    before any op called after its return, and only such an op could make
//    the state v again. With v written once (or the initial value nobody
//    writes) this is "once the state leaves v, it never returns".
//  - Values no state can have (value hooks; decided before the search): a
//    completed op needing a value that no op writes and that is not the
//    initial value can never be linearized: the search stops with a
//    violation when it is first stuck at its return. For a value v written
//    more than once the same holds when every writer of v called before the
//    op returned (calls at its return count as concurrent) is certainly
//    overwritten before the op is called — some op that certainly changes
//    the state (a completed write or successful cas) was called after the
//    writer returned and returned before the op was called — and v is not
//    the initial value or the initial value is certainly overwritten too; an
//    unknown writer never returns, so it is never certainly overwritten.
//    It suffices to look at the writer that returns last among those: a
//    change after it is after all of them. For a value written once the
//    same holds, by real time, for an op needing v that returned before v's
//    only writer was called, or that was called after some op that
//    certainly changes the state returned, where that op was called after v
//    had certainly been the state: after v's writer returned, or after
//    another completed op that needs v returned (v is then older than the
//    change, and the change is older than the op), or at any time if v is
//    the initial value that no op writes. Such a verdict is decided before
//    the search, which then only looks, for a bounded number of states, for
//    a long prefix to show in the witness.
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
// Every rule is checked against a brute-force search on random histories
// (tests/checkers/properties_test.cpp), with unique and with repeated
// values. A rule that looked right and was not — a completed write directly
// followed by another overwrite while a third expires first — is written
// up there too (CoveredWritesCannotBeSkippedOnThePath).
//
// The search is deterministic: same input, same exploration order, same
// linearization and witness.
#pragma once

#include <algorithm>
#include <concepts>
#include <cstdint>
#include <cstring>
#include <limits>
#include <numeric>
#include <optional>
#include <tuple>
#include <vector>

#include "checkers/check_assert.h"
#include "checkers/chunked.h"
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
//
// Memory: everything but the hash table lives in chunked storage
// (chunked.h), so nothing is copied as the memo grows, and growth_bytes()
// says how much the next insert may allocate, so the caller can ask its
// budget before the memo grows past it. The hash table doubles; while it
// is rehashed the old and new tables coexist, which growth_bytes() counts.
// bytes() counts what is held, including each stored state's heap bytes
// (the model's state_bytes()).
template <class State>
class MemoCache {
 public:
  explicit MemoCache(std::size_t info_words) : info_words_(info_words) {
    slots_.resize(1024);
  }

  // The most an insert of a key of `key_words` words and a state holding
  // `state_heap_bytes` outside itself can allocate.
  std::size_t growth_bytes(std::size_t key_words, std::size_t state_heap_bytes) const {
    std::size_t grow = 0;
    if ((count_ + 1) * 2 > slots_.size()) grow += slots_.size() * 2 * sizeof(Slot);
    grow += arena_.growth_bytes(key_words) + states_.growth_bytes() + state_heap_bytes;
    grow += records_.growth_bytes();
    if (info_words_ > 0) grow += info_.growth_bytes(info_words_);
    return grow;
  }

  // Returns the new node's id, or -1 when the node is pruned (present, or
  // dominated by a dead node). `info` has info_words words.
  std::int64_t insert(std::uint64_t hash, const std::vector<std::uint64_t>& key,
                      const State& state, std::size_t state_heap_bytes,
                      const std::uint64_t* info) {
    if ((count_ + 1) * 2 > slots_.size()) grow();
    std::size_t i = hash & (slots_.size() - 1);
    while (slots_[i].used) {
      const Slot& s = slots_[i];
      if (s.hash == hash && s.key_len == key.size() &&
          std::memcmp(arena_.at(s.key_at), key.data(), key.size() * 8) == 0 &&
          states_[s.state] == state) {
        if (dominated(s.head, info)) return -1;
        return add_record(&slots_[i], info);
      }
      i = (i + 1) & (slots_.size() - 1);
    }
    CHECKERS_ASSERT(!key.empty());
    Slot& s = slots_[i];
    s.used = true;
    s.hash = hash;
    s.key_at = arena_.allocate(key.data(), key.size());
    s.key_len = static_cast<std::uint32_t>(key.size());
    CHECKERS_ASSERT(states_.size() < std::numeric_limits<std::uint32_t>::max());
    s.state = static_cast<std::uint32_t>(states_.size());
    states_.push_back(state);
    state_heap_bytes_ += state_heap_bytes;
    ++count_;
    return add_record(&s, info);
  }

  // Whether a dead node with this key and state and a subset of `info` is
  // present (no insert).
  bool dead_dominated(std::uint64_t hash, const std::vector<std::uint64_t>& key, const State& state,
                      const std::uint64_t* info) const {
    std::size_t i = hash & (slots_.size() - 1);
    for (; slots_[i].used; i = (i + 1) & (slots_.size() - 1)) {
      const Slot& s = slots_[i];
      if (s.hash != hash || s.key_len != key.size() ||
          std::memcmp(arena_.at(s.key_at), key.data(), key.size() * 8) != 0 || !(states_[s.state] == state)) {
        continue;
      }
      for (std::int32_t r = s.head; r != -1; r = records_[static_cast<std::size_t>(r)].next) {
        const Record& rec = records_[static_cast<std::size_t>(r)];
        if (rec.dead && subset_of(rec, info)) return true;
      }
      return false;
    }
    return false;
  }

  // A restart leaves the node's subtree unfinished: forget it (a later
  // visit searches it again). Dead nodes stay dead: that is order-free.
  void abandon(std::int64_t node) {
    CHECKERS_ASSERT(node >= 0 && static_cast<std::size_t>(node) < records_.size());
    CHECKERS_ASSERT(!records_[static_cast<std::size_t>(node)].dead);
    records_[static_cast<std::size_t>(node)].abandoned = true;
  }

  // The node's subtree is searched out: it has no successful continuation.
  void mark_dead(std::int64_t node) {
    CHECKERS_ASSERT(node >= 0 && static_cast<std::size_t>(node) < records_.size());
    CHECKERS_ASSERT(!records_[static_cast<std::size_t>(node)].dead);
    records_[static_cast<std::size_t>(node)].dead = true;
  }

  std::size_t bytes() const {
    return slots_.capacity() * sizeof(Slot) + arena_.bytes() + states_.bytes() +
           state_heap_bytes_ + records_.bytes() + info_.bytes();
  }
  std::size_t size() const { return records_.size(); }

 private:
  struct Slot {
    std::uint64_t hash = 0;
    std::uint64_t key_at = 0;  // in arena_
    std::uint32_t key_len = 0;
    std::uint32_t state = 0;
    std::int32_t head = -1;  // newest record of this (C, state)
    bool used = false;
  };
  struct Record {
    std::int32_t next = -1;  // older record of the same (C, state)
    bool dead = false;
    bool abandoned = false;     // left unfinished by a restart: as if absent
    std::uint64_t info_at = 0;  // in info_, when info_words_ > 0
  };

  bool subset_of(const Record& rec, const std::uint64_t* info) const {
    if (info_words_ == 0) return true;
    const std::uint64_t* have = info_.at(rec.info_at);
    for (std::size_t w = 0; w < info_words_; ++w) {
      if ((have[w] & ~info[w]) != 0) return false;
    }
    return true;
  }

  // Present (same info set), or dominated by a dead subset.
  bool dominated(std::int32_t r, const std::uint64_t* info) const {
    for (; r != -1; r = records_[static_cast<std::size_t>(r)].next) {
      const Record& rec = records_[static_cast<std::size_t>(r)];
      bool equal = true, subset = true;
      if (info_words_ > 0) {
        const std::uint64_t* have = info_.at(rec.info_at);
        for (std::size_t w = 0; w < info_words_; ++w) {
          equal = equal && have[w] == info[w];
          subset = subset && (have[w] & ~info[w]) == 0;
        }
      }
      if (rec.abandoned) continue;
      if (equal || (subset && rec.dead)) return true;
    }
    return false;
  }

  std::int64_t add_record(Slot* s, const std::uint64_t* info) {
    const auto id = static_cast<std::int32_t>(records_.size());
    CHECKERS_ASSERT(id >= 0);  // fewer than 2^31 nodes: the budget stops first
    Record rec{s->head, false, false, 0};
    if (info_words_ > 0) rec.info_at = info_.allocate(info, info_words_);
    records_.push_back(rec);
    s->head = id;
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
  WordArena arena_;
  ChunkedArray<State> states_;
  std::size_t state_heap_bytes_ = 0;
  ChunkedArray<Record> records_;
  WordArena info_;
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
concept SymmetryHooks = requires(const M& m, const typename M::Op& a, const typename M::Op& b) {
  { m.op_hash(a) } -> std::convertible_to<std::uint64_t>;
  { m.same_op(a, b) } -> std::convertible_to<bool>;
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
    build_order(0);
    build_classes();
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
  // One linearized op on the search path, and where its parent node's
  // candidate list (in cand_) stood when it was chosen.
  struct Frame {
    std::int32_t op;
    State before;
    bool greedy;
    std::int64_t node;        // its memo node, marked dead when popped
    std::uint32_t cand_begin;  // the parent node's candidates: cand_[begin, end)
    std::uint32_t cand_end;
    std::uint32_t cand_at;     // this op's place among them
    std::int32_t blocker;      // the parent node's first returning op, or -1
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

  // The order candidates are tried in at a node, for the search's
  // `restart`-th run: completed ops before unknown ones, then by a time
  // in the op's interval — its call (run 0), its return (1), its middle
  // (2), or a point drawn from a hash of (op, run) (3, 4, ...) — ties by op
  // index. Any order is sound: every candidate is tried before a node is
  // given up. Different orders fail on different histories; restarting
  // with another one (keeping the dead nodes, which are dead in any order)
  // makes a bad first guess cheap.
  void build_order(std::uint64_t restart) {
    std::vector<std::int32_t> ops(in_.ops.size());
    std::iota(ops.begin(), ops.end(), 0);
    auto time_of = [this, restart](std::size_t i) -> std::int64_t {
      if (in_.unknown[i] || restart == 0) return in_.call[i];
      if (restart == 1) return in_.ret[i];
      const auto span = static_cast<std::uint64_t>(in_.ret[i] - in_.call[i]);
      if (restart == 2) return in_.call[i] + static_cast<std::int64_t>(span / 2);
      const std::uint64_t draw = mix64(static_cast<std::uint64_t>(i) * 0x9e3779b97f4a7c15ULL + restart);
      return in_.call[i] + static_cast<std::int64_t>(draw % (span + 1));
    };
    std::vector<std::tuple<bool, std::int64_t, std::int32_t>> keys(in_.ops.size());
    for (std::size_t i = 0; i < in_.ops.size(); ++i) {
      keys[i] = std::tuple(static_cast<bool>(in_.unknown[i]), time_of(i), static_cast<std::int32_t>(i));
    }
    std::sort(ops.begin(), ops.end(), [&](std::int32_t a, std::int32_t b) {
      return keys[static_cast<std::size_t>(a)] < keys[static_cast<std::size_t>(b)];
    });
    order_.assign(in_.ops.size(), 0);
    for (std::size_t k = 0; k < ops.size(); ++k) order_[static_cast<std::size_t>(ops[k])] = static_cast<std::int32_t>(k);
  }

  // Classes of interchangeable ops (rule "Identical ops"): non-greedy ops
  // with equal model ops and the same status (completed or unknown). Each
  // class lists its members by preference: completed ones by return time,
  // unknown ones by call time (ties by op index). class_of_ is -1 for an op
  // alone in its class.
  void build_classes() {
    class_of_.assign(in_.ops.size(), -1);
    class_rank_.assign(in_.ops.size(), 0);
    linearized_.assign(in_.ops.size(), false);
    removed_op_.assign(in_.ops.size(), false);
    overwrite_pos_.assign(in_.ops.size(), 0);
    if constexpr (OverwriteHooks<M>) {
      for (std::size_t i = 0; i < in_.ops.size(); ++i) {
        if (!in_.unknown[i] && model_.overwrites(in_.ops[i])) overwrites_.push_back(static_cast<std::int32_t>(i));
      }
      std::sort(overwrites_.begin(), overwrites_.end(), [this](std::int32_t a, std::int32_t b) {
        return std::pair(in_.ret[static_cast<std::size_t>(a)], a) < std::pair(in_.ret[static_cast<std::size_t>(b)], b);
      });
      for (std::size_t k = 0; k < overwrites_.size(); ++k) overwrite_pos_[static_cast<std::size_t>(overwrites_[k])] = k;
    }
    if constexpr (SymmetryHooks<M>) {
      std::vector<std::int32_t> ops;
      for (std::size_t i = 0; i < in_.ops.size(); ++i) {
        if (!model_.preserves_state(in_.ops[i])) ops.push_back(static_cast<std::int32_t>(i));
      }
      auto hash_of = [this](std::int32_t op) {
        const auto i = static_cast<std::size_t>(op);
        return model_.op_hash(in_.ops[i]) ^ (in_.unknown[i] ? 0x9e3779b97f4a7c15ULL : 0);
      };
      auto pref = [this](std::int32_t op) {
        const auto i = static_cast<std::size_t>(op);
        return std::pair(in_.unknown[i] ? in_.call[i] : in_.ret[i], op);
      };
      std::sort(ops.begin(), ops.end(), [&](std::int32_t a, std::int32_t b) {
        const auto ha = hash_of(a), hb = hash_of(b);
        return ha != hb ? ha < hb : pref(a) < pref(b);
      });
      // Runs of equal hash; within a run, equal ops form a class.
      for (std::size_t lo = 0; lo < ops.size();) {
        std::size_t hi = lo + 1;
        while (hi < ops.size() && hash_of(ops[hi]) == hash_of(ops[lo])) ++hi;
        for (std::size_t a = lo; a < hi; ++a) {
          const auto ia = static_cast<std::size_t>(ops[a]);
          if (class_of_[ia] != -1) continue;
          std::vector<std::int32_t> members{ops[a]};
          for (std::size_t b = a + 1; b < hi; ++b) {
            const auto ib = static_cast<std::size_t>(ops[b]);
            if (class_of_[ib] == -1 && in_.unknown[ia] == in_.unknown[ib] &&
                model_.same_op(in_.ops[ia], in_.ops[ib])) {
              members.push_back(ops[b]);
            }
          }
          if (members.size() < 2) continue;
          const auto id = static_cast<std::int32_t>(class_members_.size());
          for (std::size_t k = 0; k < members.size(); ++k) {
            class_of_[static_cast<std::size_t>(members[k])] = id;
            class_rank_[static_cast<std::size_t>(members[k])] = k;
          }
          class_members_.push_back(std::move(members));
        }
        lo = hi;
      }
      class_done_.assign(class_members_.size(), 0);
    }
  }

  // Whether op is its class's representative at the current node: no
  // member before it in the class's preference order is an unlinearized
  // candidate. Members before class_done_ are all linearized.
  bool canonical(std::int32_t op) const {
    const auto c = static_cast<std::size_t>(class_of_[static_cast<std::size_t>(op)]);
    const auto& members = class_members_[c];
    for (std::size_t k = class_done_[c]; k < members.size() && members[k] != op; ++k) {
      const auto m = static_cast<std::size_t>(members[k]);
      if (is_candidate(m)) return false;
    }
    return true;
  }

  // An unlinearized op still in the list whose call comes before the
  // current node's first return (first_return_, set by
  // collect_candidates). Entry indices follow list order.
  bool is_candidate(std::size_t op) const {
    return !linearized_[op] && !removed_op_[op] && call_entry_[op] < first_return_;
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
    if (!any_failed_comparison) remove_unobserved_unknown_writes(observers);
    build_value_lists(n);
  }

  // "Unknown writes nobody observes" (see the file header).
  void remove_unobserved_unknown_writes(const std::vector<std::int32_t>& observers) {
    for (std::size_t i = 0; i < in_.ops.size(); ++i) {
      if (!in_.unknown[i]) continue;
      const auto v = model_.written_value(in_.ops[i]);
      if (!v || !once_only_[static_cast<std::size_t>(*v)]) continue;
      if (observers[static_cast<std::size_t>(*v)] != 0) continue;
      unlink(call_entry_[i]);  // never a candidate: as if it never happened
      removed_op_[i] = true;
      ++removed_;
    }
  }

  // Per value, the completed ops that need it (by return) and the ops
  // that can write it (by call; not the removed ones), for the rule
  // "Values that cannot come back in time".
  void build_value_lists(std::size_t n) {
    needers_.assign(n, {});
    writers_.assign(n, {});
    for (std::size_t i = 0; i < in_.ops.size(); ++i) {
      const auto op = static_cast<std::int32_t>(i);
      if (auto v = model_.required_value(in_.ops[i]); v && !in_.unknown[i]) {
        needers_[static_cast<std::size_t>(*v)].push_back(op);
      }
      if (auto v = model_.written_value(in_.ops[i]); v && !removed_op_[i]) {
        writers_[static_cast<std::size_t>(*v)].push_back(op);
      }
    }
    auto by = [](const std::vector<std::int64_t>& t) {
      return [&t](std::int32_t a, std::int32_t b) {
        return std::pair(t[static_cast<std::size_t>(a)], a) < std::pair(t[static_cast<std::size_t>(b)], b);
      };
    };
    needer_pos_.assign(in_.ops.size(), 0);
    writer_pos_.assign(in_.ops.size(), 0);
    for (auto& list : needers_) {
      std::sort(list.begin(), list.end(), by(in_.ret));
      for (std::size_t k = 0; k < list.size(); ++k) needer_pos_[static_cast<std::size_t>(list[k])] = k;
    }
    for (auto& list : writers_) {
      std::sort(list.begin(), list.end(), by(in_.call));
      for (std::size_t k = 0; k < list.size(); ++k) writer_pos_[static_cast<std::size_t>(list[k])] = k;
    }
    needers_done_.assign(n, 0);
    writers_done_.assign(n, 0);
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
    // Values written more than once: per value, its writers (the initial
    // value counts as one that returned before everything) by call, with
    // the latest return among those called so far; an unknown writer never
    // returns, so it is never certainly overwritten.
    constexpr std::int64_t kFirst = std::numeric_limits<std::int64_t>::min();
    std::vector<std::vector<std::pair<std::int64_t, std::int64_t>>> by_call(writers.size());
    if (static_cast<std::size_t>(init) < writers.size()) by_call[static_cast<std::size_t>(init)].emplace_back(kFirst, kFirst);
    for (std::size_t i = 0; i < in_.ops.size(); ++i) {
      const auto v = model_.written_value(in_.ops[i]);
      if (!v || writers[static_cast<std::size_t>(*v)] < 2) continue;
      by_call[static_cast<std::size_t>(*v)].emplace_back(in_.call[i], in_.unknown[i] ? kNever : in_.ret[i]);
    }
    for (auto& list : by_call) {
      std::sort(list.begin(), list.end());
      for (std::size_t k = 1; k < list.size(); ++k) list[k].second = std::max(list[k].second, list[k - 1].second);
    }
    for (std::size_t i = 0; i < in_.ops.size(); ++i) {
      const auto need = model_.required_value(in_.ops[i]);
      if (in_.unknown[i] || !need) continue;
      const auto v = static_cast<std::size_t>(*need);
      bool doomed = false;
      if (writers[v] >= 2) {
        // Doomed when every writer called by its return (calls at its
        // return count as concurrent) is certainly overwritten before its
        // call; the writer returning last is the one to look at (see
        // "Values written more than once").
        const auto& list = by_call[v];
        const auto at = std::upper_bound(list.begin(), list.end(), std::pair{in_.ret[i], kNever});
        doomed = at == list.begin() || earliest_return_after(std::prev(at)->second) < in_.call[i];
      } else if (writers[v] == 0) {
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

  // Records op as linearized (on) or not, in every structure that tracks it.
  void mark(std::size_t op, bool on) {
    linearized_[op] = on;
    if (const std::int32_t c = class_of_[op]; c >= 0) {
      const auto ci = static_cast<std::size_t>(c);
      update_prefix(class_members_[ci], class_rank_[op], on, &class_done_[ci]);
    }
    if constexpr (ValueHooks<M>) mark_values(op, on);
    if constexpr (OverwriteHooks<M>) {
      if (!in_.unknown[op] && model_.overwrites(in_.ops[op])) {
        update_prefix(overwrites_, overwrite_pos_[op], on, &overwrites_done_);
      }
    }
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
  }

  void mark_values(std::size_t op, bool on) {
    if (auto v = model_.required_value(in_.ops[op]); v && !in_.unknown[op]) {
      const auto vi = static_cast<std::size_t>(*v);
      need_[vi] += on ? -1 : 1;
      update_prefix(needers_[vi], needer_pos_[op], on, &needers_done_[vi]);
    }
    if (auto v = model_.written_value(in_.ops[op]); v && !removed_op_[op]) {
      const auto vi = static_cast<std::size_t>(*v);
      update_prefix(writers_[vi], writer_pos_[op], on, &writers_done_[vi]);
    }
  }

  // Keeps *done the length of the linearized prefix of `list`, after its
  // member at position k was (un)linearized.
  void update_prefix(const std::vector<std::int32_t>& list, std::size_t k, bool on,
                     std::size_t* done) const {
    if (!on) {
      if (k < *done) *done = k;
      return;
    }
    while (*done < list.size() && linearized_[static_cast<std::size_t>(list[*done])]) ++*done;
  }

  static constexpr std::int64_t kMemoHit = -1;  // explored, or dominated (MemoCache)
  static constexpr std::int64_t kOutOfMemory = -2;
  static constexpr std::int64_t kRuledOut = -3;  // illegal, or pruned by a rule

  // Heap bytes a state holds outside its own object (strings, vectors).
  std::size_t heap_bytes(const State& s) const {
    const std::size_t all = model_.state_bytes(s);
    return all > sizeof(State) ? all - sizeof(State) : 0;
  }

  // What the search holds besides the memo: its list, tables and stack.
  std::size_t working_bytes() const {
    return entries_.capacity() * sizeof(Entry) + call_entry_.capacity() * 4 +
           rank_.capacity() * sizeof(std::size_t) + zobrist_.capacity() * 8 +
           stack_.capacity() * sizeof(Frame) + stack_heap_bytes_ +
           best_.capacity() * 4 + key_.capacity() * 8 + cand_.capacity() * 4 +
           order_.capacity() * 4 + class_of_.capacity() * 4 + class_rank_.capacity() * 8;
  }

  // The memo node for the current sets and state s; kMemoHit when the memo
  // prunes it;
  // kOutOfMemory when remembering it would take the memo over the memory
  // budget (asked before anything is allocated, so the budget holds at the
  // peak).
  std::int64_t remember(std::size_t op, const State& s) {
    key_.clear();
    done_.encode(&key_);
    const std::uint64_t h = set_hash_ ^ mix64(model_.hash(s));
    if (covered_write_dominated(op, s)) return kMemoHit;
    const std::size_t heap = heap_bytes(s);
    const std::size_t growth = cache_.growth_bytes(key_.size(), heap) +
                               (stack_.size() == stack_.capacity() ? stack_.capacity() * sizeof(Frame) : 0) +
                               heap;  // the frame's copy of the state before
    if (!budget_->use_memory(cache_.bytes() + working_bytes() + growth)) return kOutOfMemory;
    return cache_.insert(h, key_, s, heap, info_done_.data());
  }

  // Rule "Memo, covered writes": the node about to be remembered (op just
  // linearized, state s) is dead if the same node without one of its
  // completed overwrites w is dead, where some completed overwrite still
  // to come returns no later than w. Looks at op and the ops of the last
  // kCoveredLookback frames.
  bool covered_write_dominated(std::size_t op, const State& s) {
    if constexpr (OverwriteHooks<M>) {
      if (overwrites_done_ == overwrites_.size()) return false;
      const std::int64_t first_ret = in_.ret[static_cast<std::size_t>(overwrites_[overwrites_done_])];
      const std::uint64_t state_hash = mix64(model_.hash(s));
      const std::size_t lookback = std::min(stack_.size(), kCoveredLookback);
      for (std::size_t k = 0; k <= lookback; ++k) {
        const std::size_t w = k == 0 ? op : static_cast<std::size_t>(stack_[stack_.size() - k].op);
        if (in_.unknown[w] || !model_.overwrites(in_.ops[w]) || in_.ret[w] < first_ret) continue;
        done_.clear(rank_[w]);
        alt_key_.clear();
        done_.encode(&alt_key_);
        done_.set(rank_[w]);
        if (cache_.dead_dominated(set_hash_ ^ zobrist_[w] ^ state_hash, alt_key_, s, info_done_.data())) {
          return true;
        }
      }
    }
    return false;
  }

  std::vector<std::int32_t> stack_ops() const {
    std::vector<std::int32_t> ops;
    ops.reserve(stack_.size());
    for (const Frame& f : stack_) ops.push_back(f.op);
    return ops;
  }

  // Keeps best_ equal to the deepest stack seen, copying only the part that
  // changed since the last snapshot (stack_low_).
  void note_best() {
    if (stack_.size() <= best_.size()) return;
    best_.resize(stack_.size());
    for (std::size_t k = stack_low_; k < stack_.size(); ++k) {
      best_[k] = stack_[k].op;
    }
    stack_low_ = stack_.size();
  }

  // Where the search stands at a node: its candidate list cand_[begin,
  // end), the next candidate to try, and the op whose return bounds the
  // candidates (-1 when only unknown ops are left).
  struct Cursor {
    std::uint32_t begin = 0, end = 0, at = 0;
    std::int32_t blocker = -1;
  };

  // Pops until a frame with untried alternatives; false when the search
  // failed (the root has none left).
  bool backtrack(State* state, std::size_t* remaining, Cursor* cur) {
    note_best();
    while (!stack_.empty()) {
      Frame f = std::move(stack_.back());
      stack_.pop_back();
      if (stack_.size() < stack_low_) stack_low_ = stack_.size();
      cache_.mark_dead(f.node);
      stack_heap_bytes_ -= heap_bytes(f.before);
      const auto op = static_cast<std::size_t>(f.op);
      unlift(call_entry_[op]);
      mark(op, false);
      if (!in_.unknown[op]) ++*remaining;
      *state = std::move(f.before);
      cand_.resize(f.cand_end);
      *cur = Cursor{f.cand_begin, f.cand_end, f.cand_at + 1, f.blocker};
      if (!f.greedy) return true;
    }
    return false;
  }

  // The last op linearized is an unknown overwrite (rule "Overwritten
  // unknown writes").
  bool after_unknown_overwrite() const {
    if constexpr (OverwriteHooks<M>) {
      if (stack_.empty()) return false;
      const auto op = static_cast<std::size_t>(stack_.back().op);
      return in_.unknown[op] && model_.overwrites(in_.ops[op]);
    }
    return false;
  }

  // Whether moving from `from` to `to` abandons a value that some
  // unlinearized completed op needs and that cannot come back in time (rule
  // "Values that cannot come back in time"): the first such op by return
  // returns before every writer of the value still to come is called.
  // The op making the move has been marked already.
  bool strands_a_value(const State& from, const State& to) const {
    if constexpr (ValueHooks<M>) {
      const auto v = static_cast<std::size_t>(model_.state_value(from));
      if (need_[v] == 0 || model_.state_value(to) == model_.state_value(from)) return false;
      const auto needer = static_cast<std::size_t>(needers_[v][needers_done_[v]]);
      if (writers_done_[v] == writers_[v].size()) return true;
      const auto writer = static_cast<std::size_t>(writers_[v][writers_done_[v]]);
      return in_.call[writer] > in_.ret[needer];
    }
    return false;
  }

  // The candidates of the current node, appended to cand_ in the order
  // they are tried: completed ops before unknown ones ("never" is explored
  // first), each group by its rank in order_ (see build_order). Interchangeable
  // ops (rule "Identical ops") are represented by one of them. Returns the
  // cursor over them.
  Cursor collect_candidates() {
    Cursor cur;
    cur.begin = static_cast<std::uint32_t>(cand_.size());
    std::int32_t e = entries_[0].next;
    for (; e != -1 && !entries_[static_cast<std::size_t>(e)].is_return;
         e = entries_[static_cast<std::size_t>(e)].next) {
      cand_.push_back(entries_[static_cast<std::size_t>(e)].op);
    }
    cur.blocker = e == -1 ? -1 : entries_[static_cast<std::size_t>(e)].op;
    first_return_ = e == -1 ? std::numeric_limits<std::int32_t>::max() : e;
    if (!class_members_.empty()) {
      auto keep = std::remove_if(cand_.begin() + cur.begin, cand_.end(), [this](std::int32_t op) {
        return class_of_[static_cast<std::size_t>(op)] >= 0 && !canonical(op);
      });
      cand_.erase(keep, cand_.end());
    }
    cur.end = static_cast<std::uint32_t>(cand_.size());
    cur.at = cur.begin;
    std::sort(cand_.begin() + cur.begin, cand_.end(), [this](std::int32_t a, std::int32_t b) {
      return order_[static_cast<std::size_t>(a)] < order_[static_cast<std::size_t>(b)];
    });
    return cur;
  }

  // Tries op as the next step from `state`. Returns the memo node of the
  // child (>= 0), kRuledOut (illegal, or a rule prunes it), kMemoHit, or
  // kOutOfMemory. On success *next holds the state after it.
  std::int64_t try_step(std::size_t op, const State& state, State* next, bool* greedy) {
    const Op& mop = in_.ops[op];
    const bool info = in_.unknown[op];
    *greedy = model_.preserves_state(mop);
    if constexpr (OverwriteHooks<M>) {
      if (model_.overwrites(mop) && after_unknown_overwrite()) return kRuledOut;
    }
    if ((info && *greedy) || !model_.step(state, mop, next) || (info && *next == state)) return kRuledOut;
    mark(op, true);
    if (!*greedy && strands_a_value(state, *next)) {
      mark(op, false);
      return kRuledOut;
    }
    const std::int64_t node = remember(op, *greedy ? state : *next);
    if (node < 0) mark(op, false);
    return node;
  }

  // Abandons the current run: unwinds the path (its nodes are forgotten,
  // not dead) and starts again from the root with the next order.
  void restart(State* state, std::size_t* remaining, Cursor* cur) {
    note_best();
    while (!stack_.empty()) {
      Frame f = std::move(stack_.back());
      stack_.pop_back();
      cache_.abandon(f.node);
      stack_heap_bytes_ -= heap_bytes(f.before);
      const auto op = static_cast<std::size_t>(f.op);
      unlift(call_entry_[op]);
      mark(op, false);
      if (!in_.unknown[op]) ++*remaining;
      *state = std::move(f.before);
    }
    stack_low_ = 0;
    cand_.clear();
    ++restarts_;
    build_order(restarts_);
    *cur = collect_candidates();
  }

  Verdict search() {
    State state = model_.init();
    State next = state;
    std::size_t remaining = done_count();
    Cursor cur = collect_candidates();
    std::uint64_t run_states = 0;
    std::uint64_t run_states_max = budget_->limits().first_run_states != 0
                                       ? budget_->limits().first_run_states
                                       : kRunStatesBase + kRunStatesPerOp * in_.ops.size();
    while (remaining > 0) {
      if (!budget_->spend_state()) {
        note_best();
        return doomed_op_ >= 0 ? Verdict::violation : Verdict::unknown;
      }
      if (++run_states > run_states_max && doomed_op_ < 0) {
        restart(&state, &remaining, &cur);
        run_states = 0;
        run_states_max *= 2;
        continue;
      }
      // The verdict is known; searching on only looks for a longer prefix
      // to show, and that is worth a bounded effort.
      if (doomed_op_ >= 0 && ++witness_states_ > kWitnessStatesMax) {
        note_best();
        return Verdict::violation;
      }
      if (cur.at == cur.end) {  // no way on from this node
        CHECKERS_ASSERT(cur.blocker != -1);  // a completed op is still listed
        if (cur.blocker == doomed_op_) {  // stuck at the op no state allows
          note_best();
          return Verdict::violation;
        }
        if (!backtrack(&state, &remaining, &cur)) return Verdict::violation;
        continue;
      }
      const auto op = static_cast<std::size_t>(cand_[cur.at]);
      bool greedy = false;
      const std::int64_t node = try_step(op, state, &next, &greedy);
      if (node == kOutOfMemory) {
        note_best();
        return doomed_op_ >= 0 ? Verdict::violation : Verdict::unknown;
      }
      if (node >= 0) {
        stack_heap_bytes_ += heap_bytes(state);
        stack_.push_back(Frame{static_cast<std::int32_t>(op), state, greedy, node, cur.begin,
                               cur.end, cur.at, cur.blocker});
        if (!greedy) std::swap(state, next);
        lift(call_entry_[op]);
        if (!in_.unknown[op]) --remaining;
        cur = collect_candidates();
        continue;
      }
      // A legal greedy op whose node was explored before and failed: this
      // node fails too (see "Greedy steps").
      cur.at = (greedy && node == kMemoHit) ? cur.end : cur.at + 1;
    }
    return Verdict::ok;  // a full linearization, whatever the budget says
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
  std::vector<std::uint64_t> alt_key_;
  static constexpr std::size_t kCoveredLookback = 16;
  MemoCache<State> cache_;
  std::size_t stack_heap_bytes_ = 0;  // heap bytes of the states in stack_
  std::vector<std::int32_t> cand_;    // the candidate lists of the nodes on the path
  std::int32_t first_return_ = 0;     // entry of the current node's first return
  std::vector<std::int32_t> order_;   // per op: its rank in the trying order
  std::vector<bool> linearized_;      // per op
  std::vector<bool> removed_op_;      // per op: left out (unobserved unknown writes)
  // Interchangeable ops ("Identical ops"): per op its class (-1: none) and
  // place in it; per class its members by preference and how many of the
  // first ones are all linearized.
  // Completed overwrites by return, how many of the first are linearized,
  // and each one's place ("Covered writes").
  std::vector<std::int32_t> overwrites_;
  std::size_t overwrites_done_ = 0;
  std::vector<std::size_t> overwrite_pos_;
  std::vector<std::int32_t> class_of_;
  std::vector<std::size_t> class_rank_;
  std::vector<std::vector<std::int32_t>> class_members_;
  std::vector<std::size_t> class_done_;
  std::vector<Frame> stack_;
  std::vector<std::int32_t> best_;
  std::size_t stack_low_ = 0;
  // Value rules (ValueHooks models only), indexed by value id.
  std::vector<bool> once_only_;      // written by exactly one op (or init)
  // Per value: the completed ops needing it by return, the ops writing it
  // by call, how many of the first of each are linearized; per op, its
  // place in those lists.
  std::vector<std::vector<std::int32_t>> needers_, writers_;
  std::vector<std::size_t> needers_done_, writers_done_;
  std::vector<std::size_t> needer_pos_, writer_pos_;
  std::vector<std::int32_t> need_;   // unlinearized completed ops needing it
  std::size_t removed_ = 0;
  std::int32_t doomed_op_ = -1;  // a completed op no reachable state allows
  static constexpr std::uint64_t kWitnessStatesMax = 50000;
  // The first run's share of states; each restart doubles it.
  static constexpr std::uint64_t kRunStatesBase = 4096;
  static constexpr std::uint64_t kRunStatesPerOp = 16;
  std::uint64_t restarts_ = 0;
  std::uint64_t witness_states_ = 0;
};

}  // namespace zsim::checkers
