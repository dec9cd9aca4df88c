#include "checkers/models.h"

#include <fmt/core.h>

#include <algorithm>

#include "checkers/check_assert.h"
#include "checkers/quote.h"

namespace zsim::checkers {

ValueTable::ValueTable() {
  values_.push_back(Value::nil());
  ids_[to_model_text(Value::nil())] = 0;
}

std::int32_t ValueTable::intern(const Value& v) {
  std::string text = to_model_text(v);
  auto [it, fresh] = ids_.emplace(std::move(text), 0);
  if (fresh) {
    it->second = static_cast<std::int32_t>(values_.size());
    values_.push_back(v);
  }
  return it->second;
}

const Value& ValueTable::value(std::int32_t id) const {
  CHECKERS_ASSERT(id >= 0);
  CHECKERS_ASSERT(static_cast<std::size_t>(id) < values_.size());
  return values_[static_cast<std::size_t>(id)];
}

std::string ValueTable::text(std::int32_t id) const {
  return to_short_text(value(id));
}

std::uint64_t mix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

std::string key_resource(const Operation& op) {
  return op.key ? to_model_text(*op.key) : std::string();
}

namespace {

std::uint64_t hash_ids(const std::vector<std::int32_t>& ids) {
  std::uint64_t h = 0x1234567u + ids.size();
  for (std::int32_t id : ids) h = mix64(h ^ static_cast<std::uint64_t>(id));
  return h;
}

std::string unknown_function(const Operation& op, const char* model,
                             const char* known) {
  return fmt::format("the {} model does not know the function {} "
                     "(it knows {})",
                     model, quote_input(op.f, 40), known);
}

}  // namespace

// ---------------------------------------------------------------- register

RegisterModel::RegisterModel(bool allow_cas, const Value& init)
    : allow_cas_(allow_cas), init_(values_.intern(init)) {}

std::optional<RegisterModel::Op> RegisterModel::encode(const Operation& op,
                                                       std::string* error) {
  const bool unknown = op.status == Status::info;
  Op out{};
  out.outcome = unknown ? Op::Outcome::unknown : Op::Outcome::ok;
  if (op.f == "read" || op.f == "get") {
    if (unknown) return std::nullopt;  // an unknown read constrains nothing
    out.kind = Op::Kind::read;
    out.a = values_.intern(op.output);
    return out;
  }
  if (op.f == "write" || op.f == "put") {
    out.kind = Op::Kind::write;
    out.a = values_.intern(op.input);
    return out;
  }
  if (op.f == "cas" && allow_cas_) {
    if (op.input.kind != Value::Kind::vector || op.input.items.size() != 2) {
      *error = fmt::format("cas needs an input [old new], found {}",
                           to_short_text(op.input));
      return std::nullopt;
    }
    out.kind = Op::Kind::cas;
    out.a = values_.intern(op.input.items[0]);
    out.b = values_.intern(op.input.items[1]);
    const bool said_false = op.output.kind == Value::Kind::boolean &&
                            !op.output.boolean;
    if (!unknown && said_false) out.outcome = Op::Outcome::failed;
    return out;
  }
  *error = unknown_function(op, allow_cas_ ? "cas-register" : "register",
                            allow_cas_ ? "read, write, cas" : "read, write");
  return std::nullopt;
}

bool RegisterModel::step(const State& s, const Op& op, State* next) const {
  switch (op.kind) {
    case Op::Kind::read:
      *next = s;
      return s == op.a;
    case Op::Kind::write:
      *next = op.a;
      return true;
    case Op::Kind::cas:
      switch (op.outcome) {
        case Op::Outcome::ok:
          *next = op.b;
          return s == op.a;
        case Op::Outcome::failed:
          *next = s;
          return s != op.a;
        case Op::Outcome::unknown:  // swaps exactly when the comparison holds
          *next = s == op.a ? op.b : s;
          return true;
      }
  }
  CHECKERS_ASSERT(false);
  return false;
}

bool RegisterModel::preserves_state(const Op& op) const {
  return op.kind == Op::Kind::read ||
         (op.kind == Op::Kind::cas && op.outcome == Op::Outcome::failed);
}

std::optional<std::int32_t> RegisterModel::written_value(const Op& op) const {
  if (op.kind == Op::Kind::write) return op.a;
  if (op.kind == Op::Kind::cas && op.outcome != Op::Outcome::failed) return op.b;
  return std::nullopt;
}

std::optional<std::int32_t> RegisterModel::required_value(const Op& op) const {
  if (op.outcome != Op::Outcome::ok) return std::nullopt;
  if (op.kind == Op::Kind::read || op.kind == Op::Kind::cas) return op.a;
  return std::nullopt;
}

// -------------------------------------------------------------- key-value

namespace {

// Plain text of a stored value: strings without quotes, nil as empty.
std::string plain_text(const Value& v) {
  if (v.is_nil()) return "";
  if (v.is_name()) return v.text;
  return to_model_text(v);
}

}  // namespace

KeyValueModel::KeyValueModel(const Value& init) : init_(plain_text(init)) {}

std::optional<KeyValueModel::Op> KeyValueModel::encode(const Operation& op,
                                                       std::string* error) {
  const bool unknown = op.status == Status::info;
  if (op.f == "get" || op.f == "read") {
    if (unknown) return std::nullopt;
    return Op{Op::Kind::get, plain_text(op.output)};
  }
  if (op.f == "put" || op.f == "write") return Op{Op::Kind::put, plain_text(op.input)};
  if (op.f == "append") return Op{Op::Kind::append, plain_text(op.input)};
  *error = unknown_function(op, "kv", "get, put, append");
  return std::nullopt;
}

bool KeyValueModel::step(const State& s, const Op& op, State* next) const {
  switch (op.kind) {
    case Op::Kind::get: return s == op.text;  // *next untouched: preserved
    case Op::Kind::put: *next = op.text; return true;
    case Op::Kind::append:
      *next = s;
      *next += op.text;
      return true;
  }
  CHECKERS_ASSERT(false);
  return false;
}

std::uint64_t KeyValueModel::hash(const State& s) const {
  std::uint64_t h = 0xcbf29ce484222325ULL;  // FNV-1a, then mixed
  for (char c : s) h = (h ^ static_cast<unsigned char>(c)) * 0x100000001b3ULL;
  return mix64(h);
}

// -------------------------------------------------------------------- set

SetModel::SetModel(const Value& init) {
  for (const Value& v : init.items) init_.push_back(values_.intern(v));
  std::sort(init_.begin(), init_.end());
  init_.erase(std::unique(init_.begin(), init_.end()), init_.end());
}

std::optional<SetModel::Op> SetModel::encode(const Operation& op,
                                             std::string* error) {
  Op out{};
  if (op.f == "add" || op.f == "remove") {
    out.kind = op.f == "add" ? Op::Kind::add : Op::Kind::remove;
    out.element = values_.intern(op.input);
    return out;
  }
  if (op.f == "read") {
    if (op.status == Status::info) return std::nullopt;
    if (!op.output.is_sequence() && !op.output.is_nil()) {
      *error = fmt::format("a set read must return a collection, found {}",
                           to_short_text(op.output));
      return std::nullopt;
    }
    out.kind = Op::Kind::read;
    for (const Value& v : op.output.items) out.seen.push_back(values_.intern(v));
    std::sort(out.seen.begin(), out.seen.end());
    out.seen.erase(std::unique(out.seen.begin(), out.seen.end()), out.seen.end());
    return out;
  }
  *error = unknown_function(op, "set", "add, remove, read");
  return std::nullopt;
}

bool SetModel::step(const State& s, const Op& op, State* next) const {
  auto at = std::lower_bound(s.begin(), s.end(), op.element);
  const bool present = at != s.end() && *at == op.element;
  switch (op.kind) {
    case Op::Kind::read: return s == op.seen;
    case Op::Kind::add:
      *next = s;
      if (!present) next->insert(next->begin() + (at - s.begin()), op.element);
      return true;
    case Op::Kind::remove:
      *next = s;
      if (present) next->erase(next->begin() + (at - s.begin()));
      return true;
  }
  CHECKERS_ASSERT(false);
  return false;
}

std::uint64_t SetModel::hash(const State& s) const { return hash_ids(s); }

std::string SetModel::describe(const State& s) const {
  std::string out = "#{";
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (i > 0) out += " ";
    out += values_.text(s[i]);
  }
  return out + "}";
}

// ------------------------------------------------------------------ queue

QueueModel::QueueModel(const Value& init) {
  for (const Value& v : init.items) init_.push_back(values_.intern(v));
}

std::optional<QueueModel::Op> QueueModel::encode(const Operation& op,
                                                 std::string* error) {
  Op out{};
  if (op.f == "enqueue") {
    out.kind = Op::Kind::enqueue;
    out.value = values_.intern(op.input);
    if (out.value == 0) {
      *error = "enqueue nil is not allowed: nil is what an empty dequeue returns";
      return std::nullopt;
    }
    return out;
  }
  if (op.f == "dequeue") {
    out.kind = Op::Kind::dequeue;
    out.unknown = op.status == Status::info;
    out.value = out.unknown ? 0 : values_.intern(op.output);
    return out;
  }
  *error = unknown_function(op, "queue", "enqueue, dequeue");
  return std::nullopt;
}

bool QueueModel::step(const State& s, const Op& op, State* next) const {
  if (op.kind == Op::Kind::enqueue) {
    *next = s;
    next->push_back(op.value);
    return true;
  }
  if (s.empty()) return op.unknown || op.value == 0;  // *next: preserved
  if (!op.unknown && s.front() != op.value) return false;
  next->assign(s.begin() + 1, s.end());
  return true;
}

std::uint64_t QueueModel::hash(const State& s) const { return hash_ids(s); }

std::string QueueModel::describe(const State& s) const {
  std::string out = "[";
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (i > 0) out += " ";
    out += values_.text(s[i]);
  }
  return out + "]";
}

// ------------------------------------------------------------------ mutex

MutexModel::MutexModel(const Value& init)
    : init_(init.kind == Value::Kind::boolean && init.boolean) {}

std::optional<MutexModel::Op> MutexModel::encode(const Operation& op,
                                                 std::string* error) {
  if (op.f == "acquire" || op.f == "lock") return Op{true};
  if (op.f == "release" || op.f == "unlock") return Op{false};
  *error = unknown_function(op, "mutex", "acquire, release");
  return std::nullopt;
}

bool MutexModel::step(const State& s, const Op& op, State* next) const {
  *next = op.acquire;
  return s != op.acquire;
}

// --------------------------------------------------------- multi-register

MultiRegisterModel::MultiRegisterModel(const Value& init) {
  if (init.kind != Value::Kind::map) return;
  for (std::size_t i = 0; i + 1 < init.items.size(); i += 2) {
    const auto reg = static_cast<std::size_t>(register_index(init.items[i]));
    if (init_ids_.size() <= reg) init_ids_.resize(reg + 1, 0);
    init_ids_[reg] = values_.intern(init.items[i + 1]);
  }
}

std::int32_t MultiRegisterModel::register_index(const Value& name) {
  std::string text = to_model_text(name);
  auto [it, fresh] = registers_.emplace(text, 0);
  if (fresh) {
    it->second = static_cast<std::int32_t>(register_names_.size());
    register_names_.push_back(std::move(text));
  }
  return it->second;
}

MultiRegisterModel::State MultiRegisterModel::init() const {
  State s = init_ids_;
  s.resize(register_names_.size(), 0);  // registers not in --init start nil
  return s;
}

namespace {

// [[:read :x 1] [:write :y 2]] → the micro-op triples, or an error.
bool split_txn(const Value& txn, std::vector<const Value*>* micros,
               std::string* error) {
  if (txn.kind != Value::Kind::vector) {
    *error = fmt::format("a txn must be a vector of [f register value], "
                         "found {}",
                         to_short_text(txn));
    return false;
  }
  for (const Value& m : txn.items) {
    if (m.kind != Value::Kind::vector || m.items.size() != 3 ||
        !m.items[0].is_name() ||
        (m.items[0].text != "read" && m.items[0].text != "write")) {
      *error = fmt::format("a txn step must be [:read r v] or [:write r v], "
                           "found {}",
                           to_short_text(m));
      return false;
    }
    micros->push_back(&m);
  }
  return true;
}

}  // namespace

std::optional<MultiRegisterModel::Op> MultiRegisterModel::encode(
    const Operation& op, std::string* error) {
  if (op.f != "txn") {
    *error = unknown_function(op, "multi-register", "txn");
    return std::nullopt;
  }
  std::vector<const Value*> in, out;
  if (!split_txn(op.input, &in, error)) return std::nullopt;
  const bool unknown = op.status == Status::info;
  if (!unknown) {
    if (!split_txn(op.output, &out, error)) return std::nullopt;
    if (out.size() != in.size()) {
      *error = "a txn's completion has a different number of steps";
      return std::nullopt;
    }
  }
  Op result;
  for (std::size_t i = 0; i < in.size(); ++i) {
    Micro m;
    m.write = in[i]->items[0].text == "write";
    m.reg = register_index(in[i]->items[1]);
    if (m.write) {
      m.value = values_.intern(in[i]->items[2]);
      result.read_only = false;
    } else {
      m.value = unknown ? -1 : values_.intern(out[i]->items[2]);
    }
    result.micros.push_back(m);
  }
  if (unknown && result.read_only) return std::nullopt;
  return result;
}

bool MultiRegisterModel::step(const State& s, const Op& op, State* next) const {
  if (op.read_only) {
    for (const Micro& m : op.micros) {
      if (m.value >= 0 && s[static_cast<std::size_t>(m.reg)] != m.value) return false;
    }
    return true;
  }
  *next = s;
  for (const Micro& m : op.micros) {
    auto& cell = (*next)[static_cast<std::size_t>(m.reg)];
    if (m.write) {
      cell = m.value;
    } else if (m.value >= 0 && cell != m.value) {
      return false;
    }
  }
  return true;
}

std::uint64_t MultiRegisterModel::hash(const State& s) const { return hash_ids(s); }

std::string MultiRegisterModel::describe(const State& s) const {
  std::string out = "{";
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (i > 0) out += ", ";
    out += register_names_[i] + " " + values_.text(s[i]);
  }
  return out + "}";
}

void MultiRegisterModel::resources(const Operation& op,
                                   std::vector<std::string>* out) const {
  std::vector<const Value*> micros;
  std::string ignored;
  if (!split_txn(op.input, &micros, &ignored)) return;
  const std::string prefix = key_resource(op) + "/";
  for (const Value* m : micros) out->push_back(prefix + to_model_text(m->items[1]));
}

}  // namespace zsim::checkers
