// Sequential models: what a correct single copy of an object would do.
//
// Each model is a pure value type the checker is instantiated with (see
// linearizability.h). The contract every model meets:
//
//   using State, using Op                 — State is copyable and ==;
//   State init() const                    — the initial state;
//   std::optional<Op> encode(const Operation&, std::string* error)
//       turns a history operation into the model's compact Op. Returns
//       nullopt with *error empty when the operation constrains nothing (an
//       unknown read) and may be dropped; nullopt with *error set when the
//       model does not understand it (bad input, exit status 2). Called for
//       all operations before init(), so a model may learn names (keys) here.
//   bool step(const State&, const Op&, State* next) const
//       whether the op may take effect in this state (with its recorded
//       output), and if so the state after it. Deterministic. For ops that
//       preserve the state, *next is unspecified: the state stays as it was.
//   bool preserves_state(const Op&) const — decided statically from the op's
//       kind and outcome: true only if every legal step leaves the state
//       unchanged (a read; a CAS reported as failed). The checker linearizes
//       such ops greedily, without backtracking alternatives.
//   bool is_read(const Op&) const        — a read in ZooKeeper's sense: served
//       by the local server, possibly stale (zookeeper consistency mode).
//   std::uint64_t hash(const State&) const, std::string describe(const State&)
//   std::size_t state_bytes(const State&) const — for the memory budget:
//       the bytes a copy of the state holds, its own object and what it
//       allocates (heap_block_bytes below), so the budget holds in RSS.
//   void resources(const Operation&, std::vector<std::string>*) const —
//       names of the independent parts the op touches. Ops that share no
//       resource, directly or through others, are checked separately
//       (P-compositionality); a model returns one fixed name to opt out.
//
// Optional hooks that let the search (wgl.h) prune more; a model without
// them is searched without those rules:
//   bool overwrites(const Op&) const — true only if the op is legal in
//       every state and the state after it does not depend on the state
//       before (a blind write, a put).
//   std::uint64_t op_hash(const Op&) const, bool same_op(const Op&, const
//       Op&) const — same_op only if the two ops are legal in the same
//       states and lead to the same states (equal hashes for same ops), so
//       that ops of the same status may stand in for each other.
//   Value hooks, for models whose state is one value id:
//   std::int32_t state_value(const State&) const;
//   std::optional<std::int32_t> written_value(const Op&) const — the value
//       the op sets when it changes the state (none for ops that never do);
//   std::optional<std::int32_t> required_value(const Op&) const — for a
//       completed op legal only when the state is exactly that value;
//   std::optional<std::int32_t> compared_value(const Op&) const — any
//       other value whose presence changes what the op does (a cas's
//       expected value, whatever its outcome);
//   bool fails_comparison(const Op&) const — a completed op that is legal
//       only when the state is NOT some value (it observes absence).
//
// Values are compared by to_model_text (keywords and strings alike). An
// operation with an independent `key` is an op on its own instance of the
// model, so the key is always one of its resources.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "checkers/history.h"
#include "checkers/value.h"

namespace zsim::checkers {

// Interns values by their model text; id 0 is always nil (absent).
class ValueTable {
 public:
  ValueTable();
  std::int32_t intern(const Value& v);
  const Value& value(std::int32_t id) const;
  std::string text(std::int32_t id) const;

 private:
  std::map<std::string, std::int32_t> ids_;
  std::vector<Value> values_;
};

std::uint64_t mix64(std::uint64_t x);  // splitmix64 finalizer

// What a heap allocation of n bytes really takes from the allocator
// (glibc: an 8-byte header, 16-byte granules, 32 bytes at least); 0 for 0.
constexpr std::size_t heap_block_bytes(std::size_t n) {
  if (n == 0) return 0;
  const std::size_t block = (n + 8 + 15) & ~std::size_t{15};
  return block < 32 ? 32 : block;
}
// A std::string copy: its own object, plus a heap block beyond the
// small-string buffer (15 characters in libstdc++).
inline std::size_t string_bytes(const std::string& s) {
  return sizeof(std::string) + (s.size() > 15 ? heap_block_bytes(s.size() + 1) : 0);
}
// A std::vector<std::int32_t> copy (a copy's capacity is its size).
inline std::size_t id_vector_bytes(const std::vector<std::int32_t>& v) {
  return sizeof(v) + heap_block_bytes(v.size() * sizeof(std::int32_t));
}

// The resource for an op's independent key ("" when it has none).
std::string key_resource(const Operation& op);

// ---------------------------------------------------------------- register
// register: read, write v. cas-register adds cas [old new]. A completed cas
// whose output is false failed its comparison at its linearization point;
// any other output (true, or Knossos's echo of [old new]) means it swapped.
class RegisterModel {
 public:
  using State = std::int32_t;
  struct Op {
    enum class Kind : std::uint8_t { read, write, cas } kind;
    enum class Outcome : std::uint8_t { ok, failed, unknown } outcome;
    std::int32_t a = 0;  // read: value seen; write: value; cas: expected
    std::int32_t b = 0;  // cas: new value
  };

  RegisterModel(bool allow_cas, const Value& init);
  State init() const { return init_; }
  std::optional<Op> encode(const Operation& op, std::string* error);
  bool step(const State& s, const Op& op, State* next) const;
  bool preserves_state(const Op& op) const;
  bool is_read(const Op& op) const { return op.kind == Op::Kind::read; }
  std::uint64_t hash(const State& s) const {
    return mix64(static_cast<std::uint64_t>(s));
  }
  std::string describe(const State& s) const { return values_.text(s); }
  std::string describe_op_input(const Op& op) const;
  std::size_t state_bytes(const State&) const { return sizeof(State); }
  void resources(const Operation& op, std::vector<std::string>* out) const {
    out->push_back(key_resource(op));
  }
  // Search hooks (see the contract above).
  bool overwrites(const Op& op) const { return op.kind == Op::Kind::write; }
  std::uint64_t op_hash(const Op& op) const {
    return mix64((static_cast<std::uint64_t>(op.kind) << 8 | static_cast<std::uint64_t>(op.outcome)) ^
                 mix64(static_cast<std::uint64_t>(op.a) << 32 ^ static_cast<std::uint32_t>(op.b)));
  }
  bool same_op(const Op& x, const Op& y) const {
    return x.kind == y.kind && x.outcome == y.outcome && x.a == y.a &&
           (x.kind != Op::Kind::cas || x.b == y.b);
  }
  std::int32_t state_value(const State& s) const { return s; }
  std::optional<std::int32_t> written_value(const Op& op) const;
  std::optional<std::int32_t> required_value(const Op& op) const;
  std::optional<std::int32_t> compared_value(const Op& op) const {
    if (op.kind == Op::Kind::cas) return op.a;
    return std::nullopt;
  }
  bool fails_comparison(const Op& op) const {
    return op.kind == Op::Kind::cas && op.outcome == Op::Outcome::failed;
  }

 private:
  bool allow_cas_;
  ValueTable values_;
  State init_;
};

// -------------------------------------------------------------- key-value
// get → v, put v, append v on string values; absent reads as "" (empty).
// Operations name their key in the `key` field and are checked per key.
class KeyValueModel {
 public:
  using State = std::string;
  struct Op {
    enum class Kind : std::uint8_t { get, put, append } kind;
    std::string text;  // get: value seen; put/append: argument
  };

  explicit KeyValueModel(const Value& init);
  State init() const { return init_; }
  std::optional<Op> encode(const Operation& op, std::string* error);
  bool step(const State& s, const Op& op, State* next) const;
  bool preserves_state(const Op& op) const { return op.kind == Op::Kind::get; }
  bool is_read(const Op& op) const { return op.kind == Op::Kind::get; }
  std::uint64_t hash(const State& s) const;
  std::string describe(const State& s) const { return "\"" + s + "\""; }
  bool overwrites(const Op& op) const { return op.kind == Op::Kind::put; }
  std::uint64_t op_hash(const Op& op) const {
    return hash(op.text) ^ static_cast<std::uint64_t>(op.kind);
  }
  bool same_op(const Op& x, const Op& y) const { return x.kind == y.kind && x.text == y.text; }
  std::size_t state_bytes(const State& s) const { return string_bytes(s); }
  void resources(const Operation& op, std::vector<std::string>* out) const {
    out->push_back(key_resource(op));
  }

 private:
  State init_;
};

// -------------------------------------------------------------------- set
// add v, remove v, read → the whole set (a vector or set of values).
class SetModel {
 public:
  using State = std::vector<std::int32_t>;  // sorted, unique
  struct Op {
    enum class Kind : std::uint8_t { add, remove, read } kind;
    std::int32_t element = 0;
    State seen;  // read: sorted, unique
  };

  explicit SetModel(const Value& init);
  State init() const { return init_; }
  std::optional<Op> encode(const Operation& op, std::string* error);
  bool step(const State& s, const Op& op, State* next) const;
  bool preserves_state(const Op& op) const { return op.kind == Op::Kind::read; }
  bool is_read(const Op& op) const { return op.kind == Op::Kind::read; }
  std::uint64_t hash(const State& s) const;
  std::string describe(const State& s) const;
  std::size_t state_bytes(const State& s) const { return id_vector_bytes(s); }
  void resources(const Operation& op, std::vector<std::string>* out) const {
    out->push_back(key_resource(op));
  }

 private:
  ValueTable values_;
  State init_;
};

// ------------------------------------------------------------------ queue
// enqueue v; dequeue → v, or nil when the queue was empty.
class QueueModel {
 public:
  using State = std::vector<std::int32_t>;  // front first
  struct Op {
    enum class Kind : std::uint8_t { enqueue, dequeue } kind;
    bool unknown = false;    // dequeue with unknown result
    std::int32_t value = 0;  // enqueue: value; dequeue: value seen (0 = empty)
  };

  explicit QueueModel(const Value& init);
  State init() const { return init_; }
  std::optional<Op> encode(const Operation& op, std::string* error);
  bool step(const State& s, const Op& op, State* next) const;
  bool preserves_state(const Op& op) const {
    return op.kind == Op::Kind::dequeue && !op.unknown && op.value == 0;
  }
  bool is_read(const Op&) const { return false; }
  std::uint64_t hash(const State& s) const;
  std::string describe(const State& s) const;
  std::size_t state_bytes(const State& s) const { return id_vector_bytes(s); }
  void resources(const Operation& op, std::vector<std::string>* out) const {
    out->push_back(key_resource(op));
  }

 private:
  ValueTable values_;
  State init_;
};

// ------------------------------------------------------------------ mutex
// acquire (legal only when free), release (legal only when held).
class MutexModel {
 public:
  using State = bool;  // held
  struct Op {
    bool acquire = true;
  };

  explicit MutexModel(const Value& init);
  State init() const { return init_; }
  std::optional<Op> encode(const Operation& op, std::string* error);
  bool step(const State& s, const Op& op, State* next) const;
  bool preserves_state(const Op&) const { return false; }
  bool is_read(const Op&) const { return false; }
  std::uint64_t hash(const State& s) const { return s ? 0x9e37u : 0x7f4au; }
  std::string describe(const State& s) const { return s ? "held" : "free"; }
  std::size_t state_bytes(const State&) const { return sizeof(State); }
  void resources(const Operation& op, std::vector<std::string>* out) const {
    out->push_back(key_resource(op));
  }

 private:
  State init_;
};

// --------------------------------------------------------- multi-register
// Knossos's multi-register: txn [[:read :x v] [:write :y 2] ...] applied
// atomically. Registers start from --init {:x 0 :y 0} (others nil). Each
// register is a resource, so txns on disjoint registers are checked apart.
class MultiRegisterModel {
 public:
  using State = std::vector<std::int32_t>;  // value id per register index
  struct Micro {
    bool write = false;
    std::int32_t reg = 0;
    std::int32_t value = 0;  // -1: read with unknown result
  };
  struct Op {
    std::vector<Micro> micros;
    bool read_only = true;
  };

  explicit MultiRegisterModel(const Value& init);
  State init() const;
  std::optional<Op> encode(const Operation& op, std::string* error);
  bool step(const State& s, const Op& op, State* next) const;
  bool preserves_state(const Op& op) const { return op.read_only; }
  bool is_read(const Op& op) const { return op.read_only; }
  std::uint64_t hash(const State& s) const;
  std::string describe(const State& s) const;
  std::size_t state_bytes(const State& s) const { return id_vector_bytes(s); }
  void resources(const Operation& op, std::vector<std::string>* out) const;

 private:
  std::int32_t register_index(const Value& name);

  ValueTable values_;
  std::map<std::string, std::int32_t> registers_;
  std::vector<std::string> register_names_;
  State init_ids_;
};

}  // namespace zsim::checkers
