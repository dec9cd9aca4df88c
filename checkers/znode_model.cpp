#include "checkers/znode_model.h"

#include <fmt/core.h>

#include <algorithm>

#include "checkers/check_assert.h"
#include "checkers/quote.h"

namespace zsim::checkers {

std::string parent_path(const std::string& path) {
  const std::size_t slash = path.rfind('/');
  if (slash == 0 || slash == std::string::npos) return "/";
  return path.substr(0, slash);
}

std::string check_path(const std::string& path) {
  if (path.empty() || path[0] != '/') return "Path must start with / character";
  if (path == "/") return "";
  if (path.back() == '/') return "Path must not end with / character";
  if (path.find("//") != std::string::npos) return "empty path component (//)";
  for (char c : path) {
    if (static_cast<unsigned char>(c) < 0x20) return "control character in path";
  }
  for (std::size_t at = 0; at != std::string::npos;) {
    const std::size_t next = path.find('/', at + 1);
    const std::string part = path.substr(at + 1, next == std::string::npos ? std::string::npos : next - at - 1);
    if (part == "." || part == "..") return "relative path component (. or ..)";
    at = next;
  }
  return "";
}

namespace {

std::uint64_t node_hash(const std::string& path, const ZnodeModel::Node& n) {
  std::uint64_t h = 0x51ed27u;
  for (char c : path) h = (h ^ static_cast<unsigned char>(c)) * 0x100000001b3ULL;
  h = mix64(h ^ static_cast<std::uint64_t>(n.data));
  h = mix64(h ^ static_cast<std::uint64_t>(n.version));
  h = mix64(h ^ static_cast<std::uint64_t>(n.child_creations));
  return mix64(h ^ static_cast<std::uint64_t>(n.ephemeral_owner));
}

void put_node(ZnodeModel::Tree* tree, std::uint64_t* hash, const std::string& path,
              const ZnodeModel::Node& node) {
  auto it = tree->find(path);
  if (it != tree->end()) {
    *hash ^= node_hash(path, it->second);
    it->second = node;
  } else {
    tree->emplace(path, node);
  }
  *hash ^= node_hash(path, node);
}

void erase_node(ZnodeModel::Tree* tree, std::uint64_t* hash, const std::string& path) {
  auto it = tree->find(path);
  CHECKERS_ASSERT(it != tree->end());
  *hash ^= node_hash(path, it->second);
  tree->erase(it);
}

bool has_children(const ZnodeModel::Tree& tree, const std::string& path) {
  const std::string prefix = path == "/" ? "/" : path + "/";
  auto it = tree.upper_bound(prefix);
  if (path == "/") it = tree.upper_bound("/");
  return it != tree.end() && it->first.compare(0, prefix.size(), prefix) == 0;
}

std::vector<std::string> children_of(const ZnodeModel::Tree& tree, const std::string& path) {
  const std::string prefix = path == "/" ? "/" : path + "/";
  std::vector<std::string> out;
  for (auto it = tree.upper_bound(prefix); it != tree.end(); ++it) {
    if (it->first.compare(0, prefix.size(), prefix) != 0) break;
    const std::string rest = it->first.substr(prefix.size());
    if (!rest.empty() && rest.find('/') == std::string::npos) out.push_back(rest);
  }
  return out;
}

std::optional<ZnodeError> error_of_name(const Value& v) {
  if (!v.is_name()) return std::nullopt;
  const std::string& n = v.text;
  if (n == "NoNode") return ZnodeError::no_node;
  if (n == "NodeExists") return ZnodeError::node_exists;
  if (n == "BadVersion") return ZnodeError::bad_version;
  if (n == "NotEmpty") return ZnodeError::not_empty;
  if (n == "NoChildrenForEphemerals") return ZnodeError::no_children_for_ephemerals;
  return std::nullopt;
}

std::optional<ZnodeModel::Kind> kind_of(const std::string& f) {
  using K = ZnodeModel::Kind;
  if (f == "create") return K::create;
  if (f == "delete") return K::remove;
  if (f == "setData" || f == "set") return K::set_data;
  if (f == "check") return K::check;
  if (f == "getData" || f == "get") return K::get_data;
  if (f == "exists") return K::exists;
  if (f == "getChildren" || f == "ls") return K::get_children;
  if (f == "multi") return K::multi;
  return std::nullopt;
}

}  // namespace

std::optional<ZnodeModel> ZnodeModel::make(const Value& init, std::string* error) {
  ZnodeModel m;
  auto tree = std::make_shared<Tree>();
  std::uint64_t hash = 0;
  put_node(tree.get(), &hash, "/", Node{});
  if (!init.is_nil() && init.kind != Value::Kind::map) {
    *error = "--init for the znode model must be nil or a map {\"/path\" data ...}";
    return std::nullopt;
  }
  for (std::size_t i = 0; i + 1 < init.items.size(); i += 2) {
    if (!init.items[i].is_name() || !check_path(init.items[i].text).empty()) {
      *error = fmt::format("--init: bad znode path {}", to_short_text(init.items[i]));
      return std::nullopt;
    }
    Node n;
    n.data = m.values_.intern(init.items[i + 1]);
    put_node(tree.get(), &hash, init.items[i].text, n);
  }
  for (const auto& [path, node] : *tree) {
    if (path != "/" && tree->count(parent_path(path)) == 0) {
      *error = fmt::format("--init: {} has no parent {}", quote_input(path), quote_input(parent_path(path)));
      return std::nullopt;
    }
  }
  m.init_ = State{std::move(tree), hash};
  return m;
}

bool ZnodeModel::decode_outcome(const Value& out, Op* op, std::string* error) {
  if (auto e = error_of_name(out)) {
    op->expect = *e;
    return true;
  }
  switch (op->kind) {
    case Kind::create:
      if (out.is_name()) op->created = out.text;
      if (op->sequential && !op->created) {
        *error = "a completed sequential create must report the created path";
        return false;
      }
      return true;
    case Kind::set_data:
    case Kind::exists:
    case Kind::get_data: {
      const Value* data = out.get("data");
      const Value* version = out.get("version");
      if (version != nullptr && version->is_int()) {
        op->seen_version = static_cast<std::int32_t>(version->integer);
      }
      if (op->kind == Kind::set_data && out.is_int()) {
        op->seen_version = static_cast<std::int32_t>(out.integer);
      }
      if (op->kind == Kind::exists) {
        op->seen_exists = out.kind == Value::Kind::boolean ? out.boolean : !out.is_nil();
      }
      if (op->kind == Kind::get_data) {
        op->seen_data = values_.intern(data != nullptr ? *data : out);
      }
      return true;
    }
    case Kind::get_children: {
      if (!out.is_sequence()) {
        *error = fmt::format("getChildren must return a list of names, found {}",
                             to_short_text(out));
        return false;
      }
      std::vector<std::string> names;
      for (const Value& v : out.items) names.push_back(v.is_name() ? v.text : to_model_text(v));
      std::sort(names.begin(), names.end());
      op->seen_children = std::move(names);
      return true;
    }
    case Kind::multi:
      if (out.kind == Value::Kind::vector) {
        for (std::size_t i = 0; i < out.items.size() && i < op->sub.size(); ++i) {
          if (op->sub[i].kind == Kind::create && out.items[i].is_name()) {
            op->sub[i].created = out.items[i].text;
          }
        }
      }
      return true;
    case Kind::remove:
    case Kind::check:
      return true;
  }
  return true;
}

std::optional<ZnodeModel::Op> ZnodeModel::encode_one(const Value& in, const std::string& f,
                                                     std::int64_t owner, std::string* error) {
  auto kind = kind_of(f);
  if (!kind) {
    *error = fmt::format("the znode model does not know the function {} (it knows "
                         "create, delete, setData, check, getData, exists, "
                         "getChildren, multi)", quote_input(f, 40));
    return std::nullopt;
  }
  Op op;
  op.kind = *kind;
  op.owner = owner;
  if (op.kind == Kind::multi) {
    if (in.kind != Value::Kind::vector) {
      *error = "multi needs a vector of {op: ..., path: ...} maps";
      return std::nullopt;
    }
    for (const Value& sub : in.items) {
      const Value* sub_f = sub.get("op");
      if (sub_f == nullptr || !sub_f->is_name()) {
        *error = "each multi step needs an \"op\" name";
        return std::nullopt;
      }
      auto s = encode_one(sub, sub_f->text, owner, error);
      if (!s) return std::nullopt;
      if (s->kind == Kind::multi || s->kind == Kind::get_data || s->kind == Kind::exists ||
          s->kind == Kind::get_children) {
        *error = "multi takes only create, delete, setData and check";
        return std::nullopt;
      }
      op.sub.push_back(std::move(*s));
    }
    return op;
  }
  const Value* path = in.get("path");
  if (path == nullptr && in.is_name()) path = &in;
  if (path == nullptr || !path->is_name()) {
    *error = fmt::format("{} needs a \"path\", found {}", escape_input(f, 40), to_short_text(in));
    return std::nullopt;
  }
  op.path = path->text;
  if (std::string bad = check_path(op.path); !bad.empty()) {
    *error = fmt::format("bad path {}: {}", quote_input(op.path), bad);
    return std::nullopt;
  }
  if (const Value* d = in.get("data")) op.data = values_.intern(*d);
  if (const Value* v = in.get("version"); v != nullptr && v->is_int()) {
    op.version = static_cast<std::int32_t>(v->integer);
  }
  if (const Value* mode = in.get("mode")) {
    const std::string m = mode->is_int() ? std::to_string(mode->integer) : mode->text;
    op.ephemeral = m == "ephemeral" || m == "ephemeral_sequential" || m == "1" || m == "3";
    op.sequential = m == "persistent_sequential" || m == "ephemeral_sequential" ||
                    m == "2" || m == "3";
    const bool known = op.ephemeral || op.sequential || m == "persistent" || m == "0" ||
                       m == "container" || m == "4";
    if (!known) {
      *error = fmt::format("unknown create mode {}", quote_input(m, 40));
      return std::nullopt;
    }
  }
  if (op.kind == Kind::create && op.path == "/") {
    *error = "cannot create /";
    return std::nullopt;
  }
  return op;
}

std::optional<ZnodeModel::Op> ZnodeModel::encode(const Operation& operation,
                                                 std::string* error) {
  auto op = encode_one(operation.input, operation.f, operation.session_or_process(), error);
  if (!op) return std::nullopt;
  op->unknown = operation.status == Status::info;
  if (op->unknown && is_read(*op)) return std::nullopt;
  if (!op->unknown && !decode_outcome(operation.output, &*op, error)) return std::nullopt;
  if (op->kind == Kind::get_children && op->path == "/") root_children_matter_ = true;
  if (op->kind == Kind::create && op->sequential && parent_path(op->path) == "/") {
    root_children_matter_ = true;
  }
  for (const Op& s : op->sub) {
    if (s.kind == Kind::create && s.sequential && parent_path(s.path) == "/") {
      root_children_matter_ = true;
    }
  }
  return op;
}

void ZnodeModel::resources(const Operation& operation, std::vector<std::string>* out) const {
  auto add = [&](const std::string& f, const Value& in, const Value* created) {
    const Value* path = in.get("path");
    if (path == nullptr && in.is_name()) path = &in;
    if (path == nullptr || !path->is_name()) return;
    out->push_back(path->text);
    if (f == "create" || f == "delete") {
      const std::string parent = parent_path(path->text);
      if (parent != "/" || root_children_matter_) out->push_back(parent);
      if (created != nullptr && created->is_name()) out->push_back(created->text);
    }
  };
  if (operation.f == "multi") {
    for (std::size_t i = 0; i < operation.input.items.size(); ++i) {
      const Value& sub = operation.input.items[i];
      const Value* f = sub.get("op");
      const Value* created = nullptr;
      if (operation.output.kind == Value::Kind::vector && i < operation.output.items.size()) {
        created = &operation.output.items[i];
      }
      if (f != nullptr) add(f->text, sub, created);
    }
    return;
  }
  add(operation.f, operation.input, &operation.output);
}

ZnodeError ZnodeModel::apply(Tree* tree, std::uint64_t* hash, const Op& op,
                             std::string* created, bool* mismatch) const {
  switch (op.kind) {
    case Kind::create: {
      const std::string parent = parent_path(op.path);
      auto p = tree->find(parent);
      if (p == tree->end()) return ZnodeError::no_node;
      std::string name = op.path;
      if (op.sequential) name += fmt::format("{:010d}", p->second.child_creations);
      if (tree->count(name) != 0) return ZnodeError::node_exists;
      if (p->second.ephemeral_owner != 0) return ZnodeError::no_children_for_ephemerals;
      Node parent_node = p->second;
      ++parent_node.child_creations;
      put_node(tree, hash, parent, parent_node);
      Node n;
      n.data = op.data;
      n.ephemeral_owner = op.ephemeral ? (op.owner == 0 ? -1 : op.owner) : 0;
      put_node(tree, hash, name, n);
      if (created != nullptr) *created = name;
      return ZnodeError::none;
    }
    case Kind::remove: {
      auto it = tree->find(op.path);
      if (it == tree->end()) return ZnodeError::no_node;
      if (op.version != -1 && op.version != it->second.version) return ZnodeError::bad_version;
      if (has_children(*tree, op.path)) return ZnodeError::not_empty;
      erase_node(tree, hash, op.path);
      return ZnodeError::none;
    }
    case Kind::set_data: {
      auto it = tree->find(op.path);
      if (it == tree->end()) return ZnodeError::no_node;
      if (op.version != -1 && op.version != it->second.version) return ZnodeError::bad_version;
      Node n = it->second;
      n.data = op.data;
      ++n.version;
      put_node(tree, hash, op.path, n);
      return ZnodeError::none;
    }
    case Kind::check: {
      auto it = tree->find(op.path);
      if (it == tree->end()) return ZnodeError::no_node;
      if (op.version != -1 && op.version != it->second.version) return ZnodeError::bad_version;
      return ZnodeError::none;
    }
    case Kind::multi:
      for (const Op& s : op.sub) {
        std::string name;
        const ZnodeError e = apply(tree, hash, s, &name, mismatch);
        if (e != ZnodeError::none) return e;
        if (s.kind == Kind::create && s.created && *s.created != name &&
            mismatch != nullptr) {
          *mismatch = true;  // it ran, but not as the completion reported
        }
      }
      return ZnodeError::none;
    case Kind::get_data:
    case Kind::exists:
    case Kind::get_children: {
      auto it = tree->find(op.path);
      return it == tree->end() ? ZnodeError::no_node : ZnodeError::none;
    }
  }
  CHECKERS_ASSERT(false);
  return ZnodeError::none;
}

bool ZnodeModel::reads_match(const Tree& tree, const Op& op) const {
  auto it = tree.find(op.path);
  switch (op.kind) {
    case Kind::exists:
      if (op.seen_exists && *op.seen_exists != (it != tree.end())) return false;
      return !op.seen_version || (it != tree.end() && it->second.version == *op.seen_version);
    case Kind::get_data:
      if (it == tree.end()) return op.expect == ZnodeError::no_node;
      if (op.expect != ZnodeError::none) return false;
      if (op.seen_data && *op.seen_data != it->second.data) return false;
      return !op.seen_version || it->second.version == *op.seen_version;
    case Kind::get_children:
      if (it == tree.end()) return op.expect == ZnodeError::no_node;
      if (op.expect != ZnodeError::none) return false;
      return !op.seen_children || children_of(tree, op.path) == *op.seen_children;
    default:
      CHECKERS_ASSERT(false);
      return false;
  }
}

bool ZnodeModel::step(const State& s, const Op& op, State* next) const {
  if (is_read(op)) return reads_match(*s.tree, op);
  if (!op.unknown && op.expect != ZnodeError::none) {
    // A reported error: legal iff applying it here meets that error.
    Tree scratch = *s.tree;
    std::uint64_t h = s.hash;
    return apply(&scratch, &h, op, nullptr, nullptr) == op.expect;
  }
  auto tree = std::make_shared<Tree>(*s.tree);
  std::uint64_t h = s.hash;
  std::string name;
  bool mismatch = false;
  const ZnodeError e = apply(tree.get(), &h, op, &name, &mismatch);
  if (e != ZnodeError::none) {
    if (!op.unknown) return false;
    *next = s;  // an unknown op that fails here changes nothing
    return true;
  }
  if (!op.unknown) {
    if (mismatch) return false;
    if (op.kind == Kind::create && op.created && *op.created != name) return false;
    if (op.kind == Kind::set_data && op.seen_version &&
        tree->at(op.path).version != *op.seen_version) {
      return false;
    }
  }
  *next = State{std::move(tree), h};
  return true;
}

bool ZnodeModel::preserves_state(const Op& op) const {
  return is_read(op) || op.kind == Kind::check ||
         (!op.unknown && op.expect != ZnodeError::none);
}

bool ZnodeModel::is_read(const Op& op) const {
  return op.kind == Kind::get_data || op.kind == Kind::exists ||
         op.kind == Kind::get_children;
}

std::string ZnodeModel::describe(const State& s) const {
  std::string out = "{";
  for (const auto& [path, node] : *s.tree) {
    if (path == "/") continue;
    if (out.size() > 1) out += ", ";
    out += fmt::format("{}={} v{}", path, values_.text(node.data), node.version);
    if (node.ephemeral_owner != 0) out += fmt::format(" eph:{}", node.ephemeral_owner);
    if (out.size() > 400) return out + ", ...}";
  }
  return out + "}";
}

}  // namespace zsim::checkers
