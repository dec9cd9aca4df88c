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
//  - the memo of explored (linearized set, state) pairs is keyed by a hash
//    kept incrementally (XOR of per-op random words), and stores the set
//    without its fully linearized prefix, so keys stay short on long
//    histories (MemoCache);
//  - ops whose legal steps never change the state (a read, a CAS reported
//    failed; decided statically by the model) are linearized greedily: if
//    the search fails after such an op, the state before it fails too, so no
//    alternative is tried (the op could have been moved first in any
//    linearization from there);
//  - unknown (info) ops have no return entry: they may be linearized any
//    time after their call, or never. The search succeeds once every
//    completed op is linearized.
//
// The search is deterministic: same input, same exploration order, same
// linearization and witness.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
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
};

// A set of explored (linearized set, state) pairs. Keys are variable-length
// words (see WglSearch::encode_set); states are kept alongside.
template <class State>
class MemoCache {
 public:
  MemoCache() { slots_.resize(1024); }

  // Inserts; returns false if the pair was already present.
  bool insert(std::uint64_t hash, const std::vector<std::uint64_t>& key,
              const State& state) {
    if ((count_ + 1) * 2 > slots_.size()) grow();
    std::size_t i = hash & (slots_.size() - 1);
    while (slots_[i].used) {
      const Slot& s = slots_[i];
      if (s.hash == hash && s.key_len == key.size() &&
          std::memcmp(&arena_[s.key_at], key.data(), key.size() * 8) == 0 &&
          states_[s.state] == state) {
        return false;
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
    return true;
  }

  std::size_t bytes(std::size_t extra_state_bytes) const {
    return slots_.capacity() * sizeof(Slot) + arena_.capacity() * 8 +
           states_.capacity() * sizeof(State) + extra_state_bytes;
  }
  std::size_t size() const { return count_; }

 private:
  struct Slot {
    std::uint64_t hash = 0;
    std::uint64_t key_at = 0;
    std::uint32_t key_len = 0;
    std::uint32_t state = 0;
    bool used = false;
  };

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

  std::vector<Slot> slots_;
  std::vector<std::uint64_t> arena_;
  std::vector<State> states_;
  std::size_t count_ = 0;
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

template <class M>
class WglSearch {
 public:
  using State = typename M::State;
  using Op = typename M::Op;

  WglSearch(const M& model, const PartitionInput<M>& in, SearchBudget* budget)
      : model_(model), in_(in), budget_(budget),
        done_(count(false)), unknown_done_(count(true)) {
    build_list();
    build_ranks();
  }

  SearchOutcome run() {
    SearchOutcome out;
    out.verdict = search();
    out.linearization = out.verdict == Verdict::ok ? stack_ops() : best_;
    return out;
  }

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
    std::vector<std::int32_t> call_entry(in_.ops.size(), -1);
    for (std::size_t k = 0; k < events.size(); ++k) {
      Entry& e = entries_[k + 1];
      e.op = events[k].op;
      e.is_return = events[k].is_return;
      e.prev = static_cast<std::int32_t>(k);
      e.next = k + 1 < events.size() ? static_cast<std::int32_t>(k + 2) : -1;
      if (e.is_return) {
        entries_[static_cast<std::size_t>(call_entry[static_cast<std::size_t>(e.op)])].match =
            static_cast<std::int32_t>(k + 1);
      } else {
        call_entry[static_cast<std::size_t>(e.op)] = static_cast<std::int32_t>(k + 1);
      }
    }
    entries_[0].next = events.empty() ? -1 : 1;
  }

  void build_ranks() {
    rank_.resize(in_.ops.size());
    zobrist_.resize(in_.ops.size());
    std::size_t done_rank = 0, unknown_rank = 0;
    // Ranks follow call order (the list order of calls), so the linearized
    // prefix of each class is dense at the front.
    for (std::int32_t e = entries_[0].next; e != -1; e = entries_[static_cast<std::size_t>(e)].next) {
      const Entry& en = entries_[static_cast<std::size_t>(e)];
      if (en.is_return) continue;
      const auto op = static_cast<std::size_t>(en.op);
      rank_[op] = in_.unknown[op] ? unknown_rank++ : done_rank++;
      zobrist_[op] = mix64(0xa5a5a5a5ULL + op * 0x9E3779B97F4A7C15ULL);
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
    PrefixBitset& bits = in_.unknown[op] ? unknown_done_ : done_;
    if (on) {
      bits.set(rank_[op]);
    } else {
      bits.clear(rank_[op]);
    }
    set_hash_ ^= zobrist_[op];
  }

  bool remember(const State& s) {
    key_.clear();
    done_.encode(&key_);
    unknown_done_.encode(&key_);
    const std::uint64_t h = set_hash_ ^ mix64(model_.hash(s));
    if (!cache_.insert(h, key_, s)) return false;
    state_bytes_ += model_.state_bytes(s);
    if ((cache_.size() & 1023u) == 0) {
      budget_->use_memory(cache_.bytes(state_bytes_) +
                          stack_.capacity() * sizeof(Frame));
    }
    return true;
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
  // from next, or -1 when the whole search failed.
  std::int32_t backtrack(State* state, std::size_t* remaining) {
    note_best();
    while (!stack_.empty()) {
      Frame f = std::move(stack_.back());
      stack_.pop_back();
      if (stack_.size() < stack_low_) stack_low_ = stack_.size();
      const auto op = static_cast<std::size_t>(entries_[static_cast<std::size_t>(f.entry)].op);
      unlift(f.entry);
      mark(op, false);
      if (!in_.unknown[op]) ++*remaining;
      *state = std::move(f.before);
      if (!f.greedy) return entries_[static_cast<std::size_t>(f.entry)].next;
    }
    return -1;
  }

  Verdict search() {
    State state = model_.init();
    State next = state;
    std::size_t remaining = done_count();
    std::int32_t e = entries_[0].next;
    while (remaining > 0) {
      if (!budget_->spend_state()) {
        note_best();
        return Verdict::unknown;
      }
      CHECKERS_ASSERT(e != -1);  // a completed op's return is still listed
      const Entry& en = entries_[static_cast<std::size_t>(e)];
      if (en.is_return) {
        e = backtrack(&state, &remaining);
        if (e == -1) return Verdict::violation;
        continue;
      }
      const auto op = static_cast<std::size_t>(en.op);
      const Op& mop = in_.ops[op];
      const bool greedy = model_.preserves_state(mop);
      if (model_.step(state, mop, &next)) {
        mark(op, true);
        if (remember(greedy ? state : next)) {
          stack_.push_back(Frame{e, state, greedy});
          if (!greedy) std::swap(state, next);
          lift(e);
          if (!in_.unknown[op]) --remaining;
          e = entries_[0].next;
          continue;
        }
        mark(op, false);
        if (greedy) {  // explored before and failed: so does this state
          e = backtrack(&state, &remaining);
          if (e == -1) return Verdict::violation;
          continue;
        }
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
  std::vector<std::size_t> rank_;
  std::vector<std::uint64_t> zobrist_;
  PrefixBitset done_;
  PrefixBitset unknown_done_;
  std::uint64_t set_hash_ = 0;
  std::vector<std::uint64_t> key_;
  MemoCache<State> cache_;
  std::size_t state_bytes_ = 0;
  std::vector<Frame> stack_;
  std::vector<std::int32_t> best_;
  std::size_t stack_low_ = 0;
};

}  // namespace zsim::checkers
