#include "scenarios/ensemble/workload_checks.h"

#include "scenarios/ensemble/common.h"
#include "scenarios/ensemble/replay.h"

#include <fmt/format.h>

#include <algorithm>
#include <variant>

namespace zsim::scenarios::ensemble {
namespace {

std::string hex(std::int64_t v) { return fmt::format("0x{:x}", static_cast<std::uint64_t>(v)); }

std::string parent_of(const std::string& p) { return p.substr(0, std::max<std::size_t>(p.rfind('/'), 1)); }

// A decimal number, maybe negative.
std::optional<std::int64_t> signed_int(const std::string& v) {
  const bool negative = !v.empty() && v[0] == '-';
  const std::optional<std::int64_t> n = parse_int(negative ? v.substr(1) : v);
  if (!n) return std::nullopt;
  return negative ? -*n : *n;
}

}  // namespace

// ---- ephemerals

std::string ephemeral_removed_by_other(const core::DataTree& before, const core::Txn& txn) {
  const auto check = [&](const core::DeleteTxn& d) -> std::string {
    const core::Znode* node = before.find(d.path);
    if (node == nullptr || node->ephemeral_owner == 0 || node->ephemeral_owner == txn.header.session_id) return "";
    return fmt::format("{} of session {} was deleted by session {} at {}", d.path, hex(node->ephemeral_owner),
                       hex(txn.header.session_id), hex(txn.header.zxid));
  };
  if (const auto* d = std::get_if<core::DeleteTxn>(&txn.body)) return check(*d);
  if (const auto* m = std::get_if<core::MultiTxn>(&txn.body)) {
    for (const core::TxnOp& op : m->ops) {
      if (const auto* d = std::get_if<core::DeleteTxn>(&op)) {
        if (std::string v = check(*d); !v.empty()) return v;
      }
    }
  }
  return "";
}

// ---- queue

std::optional<std::int64_t> sequence_of(const std::string& name) {
  if (name.size() < 10) return std::nullopt;
  return parse_int(name.substr(name.size() - 10));
}

std::string SequenceOrder::on_txn(const core::Txn& txn) {
  if (const auto* c = std::get_if<core::CreateTxn>(&txn.body); c != nullptr && c->path.rfind(dir_, 0) == 0) {
    const std::string name = c->path.substr(dir_.size());
    const std::optional<std::int64_t> seq = sequence_of(name);
    if (!seq) return fmt::format("{} has no sequence number", c->path);
    const auto [it, fresh] = created_.emplace(name, txn.header.zxid);
    if (!fresh) {
      return fmt::format("{} was created twice: at {} and again at {}", c->path, hex(it->second), hex(txn.header.zxid));
    }
    if (*seq <= last_seq_) {
      return fmt::format("{} (committed at {}) has a sequence number no higher than {}, committed before it", c->path,
                         hex(txn.header.zxid), last_path_);
    }
    last_seq_ = *seq;
    last_path_ = c->path;
  }
  if (const auto* d = std::get_if<core::DeleteTxn>(&txn.body); d != nullptr && d->path.rfind(dir_, 0) == 0) {
    deleted_.emplace(d->path.substr(dir_.size()), txn.header.zxid);
  }
  return "";
}

std::string acknowledged_before_called(const std::vector<AckedName>& acked) {
  std::vector<const AckedName*> by_call;
  for (const AckedName& a : acked) {
    if (!sequence_of(a.name)) return fmt::format("{} has no sequence number", a.name);
    by_call.push_back(&a);
  }
  std::vector<const AckedName*> by_return = by_call;
  std::sort(by_call.begin(), by_call.end(), [](auto* a, auto* b) { return a->call < b->call; });
  std::sort(by_return.begin(), by_return.end(), [](auto* a, auto* b) { return a->ret < b->ret; });
  // Sweep in call order, keeping the highest number of the creates that
  // had returned before each call.
  std::size_t r = 0;
  const AckedName* highest = nullptr;
  for (const AckedName* b : by_call) {
    for (; r < by_return.size() && by_return[r]->ret < b->call; ++r) {
      if (highest == nullptr || *sequence_of(by_return[r]->name) > *sequence_of(highest->name)) highest = by_return[r];
    }
    if (highest != nullptr && *sequence_of(highest->name) >= *sequence_of(b->name)) {
      return fmt::format("{} was acknowledged before the create that got {} was called", highest->name, b->name);
    }
  }
  return "";
}

// ---- multi

MultiVerdict model_multi(const core::DataTree& tree, const core::MultiRequest& request) {
  MultiVerdict v;
  const auto node = [&](const std::string& path) -> ModelNode& {
    auto it = v.touched.find(path);
    if (it != v.touched.end()) return it->second;
    ModelNode n;
    if (const core::Znode* z = tree.find(path)) {
      n = ModelNode{true, z->data, z->version, static_cast<std::int32_t>(z->children.size()), z->ephemeral_owner != 0};
    }
    return v.touched.emplace(path, n).first->second;
  };
  const auto fail = [&](std::size_t i, core::Code c) {
    v.failed_at = i;
    v.code = c;
    return v;
  };
  for (std::size_t i = 0; i < request.ops.size(); ++i) {
    const core::MultiOp& op = request.ops[i];
    if (const auto* c = std::get_if<core::CreateRequest>(&op)) {
      ModelNode& parent = node(parent_of(c->path));
      if (!parent.exists) return fail(i, core::Code::NoNode);
      ModelNode& n = node(c->path);
      if (n.exists) return fail(i, core::Code::NodeExists);
      if (parent.ephemeral) return fail(i, core::Code::NoChildrenForEphemerals);
      n = ModelNode{true, c->data, 0, 0, false};
      ++parent.children;
    } else if (const auto* d = std::get_if<core::DeleteRequest>(&op)) {
      ModelNode& n = node(d->path);
      if (!n.exists) return fail(i, core::Code::NoNode);
      if (d->version != core::kAnyVersion && d->version != n.version) return fail(i, core::Code::BadVersion);
      if (n.children > 0) return fail(i, core::Code::NotEmpty);
      n = ModelNode{};
      --node(parent_of(d->path)).children;
    } else if (const auto* s = std::get_if<core::SetDataRequest>(&op)) {
      ModelNode& n = node(s->path);
      if (!n.exists) return fail(i, core::Code::NoNode);
      if (s->version != core::kAnyVersion && s->version != n.version) return fail(i, core::Code::BadVersion);
      n.data = s->data;
      ++n.version;
    } else if (const auto* k = std::get_if<core::CheckRequest>(&op)) {
      ModelNode& n = node(k->path);
      if (!n.exists) return fail(i, core::Code::NoNode);
      if (k->version != core::kAnyVersion && k->version != n.version) return fail(i, core::Code::BadVersion);
    }
  }
  v.failed_at = request.ops.size();
  return v;
}

namespace {

// A multi the leader refused for its session (SessionExpired or
// SessionMoved at op 0): not a matter of the tree.
bool refused_for_session(const core::MultiTxn& t) {
  if (t.ops.empty()) return false;
  const auto* e = std::get_if<core::ErrorTxn>(&t.ops.front());
  return e != nullptr && (e->code == core::Code::SessionExpired || e->code == core::Code::SessionMoved);
}

}  // namespace

std::string MultiJudge::before(const core::DataTree& tree, const core::Txn& txn, const ClientOp* request) {
  verdict_.reset();
  if (request == nullptr) return "";
  const auto* m = std::get_if<core::MultiRequest>(&request->op);
  if (m == nullptr) return "";
  const auto* t = std::get_if<core::MultiTxn>(&txn.body);
  if (t == nullptr) return fmt::format("{}'s multi became {}", who(*request), core::describe(txn));
  ++multis_;
  if (refused_for_session(*t)) {
    ++failed_;
    verdict_ = MultiVerdict{};
    for (const core::MultiOp& op : m->ops) {
      std::visit([&](const auto& o) { verdict_->touched[o.path] = ModelNode{}; }, op);
    }
  } else {
    verdict_ = model_multi(tree, *m);
    const bool ok = verdict_->failed_at == m->ops.size();
    if (!ok) ++failed_;
    if (ok == core::is_failed(txn)) {
      const std::string should =
          ok ? "succeeded"
             : fmt::format("failed at op {} with {}", verdict_->failed_at, core::code_name(verdict_->code));
      return fmt::format("{}'s multi at {} should have {}, but the txn {}", who(*request), hex(txn.header.zxid), should,
                         ok ? "failed" : "applies its ops");
    }
    // A failed one: Ok before the failing op, its code, RuntimeInconsistency after.
    for (std::size_t i = 0; !ok && i < t->ops.size(); ++i) {
      const core::Code want = i < verdict_->failed_at    ? core::Code::Ok
                              : i == verdict_->failed_at ? verdict_->code
                                                         : core::Code::RuntimeInconsistency;
      const auto* e = std::get_if<core::ErrorTxn>(&t->ops[i]);
      if (e == nullptr || e->code != want) {
        return fmt::format("{}'s failed multi at {}: op {} should be {}", who(*request), hex(txn.header.zxid), i,
                           core::code_name(want));
      }
    }
  }
  before_.clear();
  for (const auto& [path, n] : verdict_->touched) before_[path] = tree.stat(path);
  return "";
}

std::string MultiJudge::after(const core::DataTree& tree, const core::Txn& txn, const ClientOp* request) {
  if (!verdict_ || request == nullptr) return "";
  const bool ok = !core::is_failed(txn);
  const std::string whose = fmt::format("{}'s {}multi at {}", who(*request), ok ? "" : "failed ", hex(txn.header.zxid));
  for (const auto& [path, want] : verdict_->touched) {
    if (!ok) {
      if (tree.stat(path) != before_[path]) return fmt::format("{} changed {}", whose, path);
      continue;
    }
    const core::Znode* z = tree.find(path);
    if ((z != nullptr) != want.exists) {
      return fmt::format("{} left {} {}", whose, path, z != nullptr ? "present" : "missing");
    }
    if (z == nullptr) continue;
    if (z->data != want.data || z->version != want.version) {
      return fmt::format("{} left {} holding '{}' at version {}, not '{}' at {}", whose, path, z->data, z->version,
                         want.data, want.version);
    }
    if (static_cast<std::int32_t>(z->children.size()) != want.children) {
      return fmt::format("{} left {} with {} children, not {}", whose, path, z->children.size(), want.children);
    }
  }
  return "";
}

std::string multi_invariants(const core::DataTree& tree, const std::string& accounts, const std::string& baton) {
  if (const auto kids = tree.get_children(accounts); kids.ok()) {
    std::int64_t sum = 0;
    for (const std::string& name : kids.value().children) {
      const std::string path = accounts + "/" + name;
      const std::string& data = tree.find(path)->data;
      const std::optional<std::int64_t> n = signed_int(data);
      if (!n) return fmt::format("{} holds '{}', not a number", path, data);
      sum += *n;
    }
    if (sum != 0) return fmt::format("the accounts sum to {}, not 0 (half a transfer?)", sum);
  }
  if (const auto kids = tree.get_children(baton); kids.ok() && kids.value().children.size() != 1) {
    return fmt::format("{} has {} children, not 1 (half a baton pass?)", baton, kids.value().children.size());
  }
  return "";
}

}  // namespace zsim::scenarios::ensemble
