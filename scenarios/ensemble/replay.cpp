#include "scenarios/ensemble/replay.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <variant>

namespace zsim::scenarios::ensemble {
namespace {

using core::Code;
namespace wire = core::wire;

std::string hex(std::int64_t v) { return fmt::format("0x{:x}", static_cast<std::uint64_t>(v)); }

// The path an op names ("" for ops without one).
std::string path_of(const wire::Op& op) {
  return std::visit(
      [](const auto& o) -> std::string {
        if constexpr (requires { o.path; }) {
          return o.path;
        } else {
          return "";
        }
      },
      op);
}

bool is_read(const wire::Op& op) {
  return std::holds_alternative<wire::GetDataOp>(op) || std::holds_alternative<wire::ExistsOp>(op) ||
         std::holds_alternative<wire::GetChildrenOp>(op);
}

std::string describe_stat(const core::Stat& s) {
  return fmt::format("czxid={} mzxid={} pzxid={} version={} cversion={} owner={} children={}", hex(s.czxid),
                     hex(s.mzxid), hex(s.pzxid), s.version, s.cversion, hex(s.ephemeral_owner), s.num_children);
}

std::string join(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : ",") + n;
  return "[" + out + "]";
}

// "" if the reply of a read matches `tree` (the committed state at the
// reply's zxid), else what differs.
std::string compare_read(const core::DataTree& tree, const ClientOp& op) {
  const std::string path = path_of(op.op);
  const std::optional<core::Stat> stat = tree.stat(path);
  if (op.err == Code::NoNode) {
    return stat ? fmt::format("NoNode, but {} exists there ({})", path, describe_stat(*stat)) : "";
  }
  if (!stat) return fmt::format("{} holds something, but it does not exist there", path);
  const auto stat_diff = [](const core::Stat& got, const core::Stat& want) {
    return fmt::format("stat {}, committed {}", describe_stat(got), describe_stat(want));
  };
  const auto* d = std::get_if<wire::DataReply>(&op.body);
  if (d != nullptr && std::holds_alternative<wire::GetDataOp>(op.op)) {
    const core::NodeData want = tree.get_data(path).value();
    if (d->data != want.data) return fmt::format("data '{}', committed '{}'", d->data, want.data);
    if (!(d->stat == want.stat)) return stat_diff(d->stat, want.stat);
    return "";
  }
  const auto* s = std::get_if<wire::StatReply>(&op.body);
  if (s != nullptr && std::holds_alternative<wire::ExistsOp>(op.op)) {
    if (!(s->stat == *stat)) return stat_diff(s->stat, *stat);
    return "";
  }
  if (const auto* c = std::get_if<wire::ChildrenReply>(&op.body)) {
    const auto* g = std::get_if<wire::GetChildrenOp>(&op.op);
    if (g == nullptr) return "a children reply to another op";
    const core::ChildList want = tree.get_children(path).value();
    std::vector<std::string> got = c->children;
    std::sort(got.begin(), got.end());
    std::vector<std::string> expect = want.children;
    std::sort(expect.begin(), expect.end());
    if (got != expect) return fmt::format("children {}, committed {}", join(got), join(expect));
    if (g->with_stat && !(c->stat == want.stat)) return stat_diff(c->stat, want.stat);
    return "";
  }
  return "a reply body that does not fit the op";
}

// The txn kind an acknowledged request must have become.
bool txn_is_request(const core::Txn& txn, const wire::Op& op) {
  if (const auto* c = std::get_if<core::CreateRequest>(&op)) {
    const auto* t = std::get_if<core::CreateTxn>(&txn.body);
    if (t == nullptr) return false;
    const auto mode = core::create_mode_from_int(c->mode);
    const bool seq = mode && core::is_sequential(*mode);
    return seq ? t->path.rfind(c->path, 0) == 0 : t->path == c->path;
  }
  if (const auto* d = std::get_if<core::DeleteRequest>(&op)) {
    const auto* t = std::get_if<core::DeleteTxn>(&txn.body);
    return t != nullptr && t->path == d->path;
  }
  if (const auto* s = std::get_if<core::SetDataRequest>(&op)) {
    const auto* t = std::get_if<core::SetDataTxn>(&txn.body);
    return t != nullptr && t->path == s->path && t->data == s->data;
  }
  if (const auto* k = std::get_if<core::CheckRequest>(&op)) {
    const auto* t = std::get_if<core::CheckTxn>(&txn.body);
    return t != nullptr && t->path == k->path;
  }
  if (const auto* m = std::get_if<core::MultiRequest>(&op)) {
    const auto* t = std::get_if<core::MultiTxn>(&txn.body);
    return t != nullptr && t->ops.size() == m->ops.size();
  }
  if (std::holds_alternative<wire::CloseOp>(op)) return std::holds_alternative<core::CloseSessionTxn>(txn.body);
  return false;
}

// The reply body an applied request gives (the server's reply_body()).
wire::ReplyBody expected_body(const core::Txn& txn, const core::ApplyResult& r) {
  if (std::holds_alternative<core::MultiTxn>(txn.body)) return wire::MultiReply{r.ops};
  if (r.code != Code::Ok || r.ops.empty()) return wire::EmptyReply{};
  const core::OpResult& op = r.ops.front();
  if (std::holds_alternative<core::CreateTxn>(txn.body)) {
    return wire::CreateReply{op.path, op.stat.value_or(core::Stat{})};
  }
  if (std::holds_alternative<core::SetDataTxn>(txn.body)) return wire::StatReply{op.stat.value_or(core::Stat{})};
  return wire::EmptyReply{};
}

std::string describe_body(const wire::ReplyBody& b) {
  if (const auto* c = std::get_if<wire::CreateReply>(&b)) {
    return fmt::format("{} ({})", c->path, describe_stat(c->stat));
  }
  if (const auto* s = std::get_if<wire::StatReply>(&b)) return describe_stat(s->stat);
  if (const auto* m = std::get_if<wire::MultiReply>(&b)) {
    std::string out;
    for (const core::OpResult& r : m->results) {
      out += fmt::format("{}{}", out.empty() ? "" : ",", core::code_name(r.code));
    }
    return "[" + out + "]";
  }
  return "(empty)";
}

}  // namespace

bool run_replay(sim::Simulator& sim, CommittedReplay& replay, const std::string& label) {
  const std::string violation = replay.run();
  const ReplayStats& st = replay.stats();
  sim.trace_event("check.replay", {{"scenario", label},
                                   {"txns", st.txns},
                                   {"reads", st.reads_judged},
                                   {"writes", st.writes_judged},
                                   {"unjudged", st.unjudged},
                                   {"gap", st.gap},
                                   {"verdict", violation.empty() ? "ok" : "violation"}});
  if (violation.empty()) return true;
  sim.fail(sim::Verdict::kInvariant, label + ": " + violation);
  return false;
}

std::string who(const ClientOp& op) { return fmt::format("{} (session {})", op.client, hex(op.session)); }

std::string describe_op(const ClientOp& op) {
  const std::string path = path_of(op.op);
  return path.empty() ? wire::op_name(op.op) : fmt::format("{} {}", wire::op_name(op.op), path);
}

std::string CommittedReplay::judge_read(const core::DataTree& tree, const ClientOp& op) {
  ++stats_.reads_judged;
  const std::string diff = compare_read(tree, op);
  if (diff.empty()) return "";
  return fmt::format("{} read {} at {} and got {}", who(op), describe_op(op), hex(op.zxid), diff);
}

std::string CommittedReplay::judge_write(const core::Txn& txn, const core::ApplyResult& result, const ClientOp& op) {
  const std::int64_t zxid = txn.header.zxid;
  if (!op.answered()) return "";  // unknown outcome: committed or not, both fine
  ++stats_.writes_judged;
  if (op.zxid != zxid) {
    return fmt::format("{}'s {} was answered {} at {}, but its txn was committed at {}", who(op), describe_op(op),
                       core::code_name(op.err), hex(op.zxid), hex(zxid));
  }
  if (op.err == Code::Ok) {
    if (!txn_is_request(txn, op.op)) {
      return fmt::format("{}'s {} was acknowledged at {}, but the txn committed there is {}", who(op), describe_op(op),
                         hex(zxid), core::describe(txn));
    }
  } else if (!core::is_failed(txn)) {
    return fmt::format("{}'s {} failed with {} at {}, but its txn changed the tree: {}", who(op), describe_op(op),
                       core::code_name(op.err), hex(zxid), core::describe(txn));
  }
  if (result.code != op.err) {
    return fmt::format("{}'s {} was answered {} at {}, but applying its txn gives {}", who(op), describe_op(op),
                       core::code_name(op.err), hex(zxid), core::code_name(result.code));
  }
  const wire::ReplyBody want = expected_body(txn, result);
  if (!(want == op.body)) {
    return fmt::format("{}'s {} at {} was answered {}, but applying its txn gives {}", who(op), describe_op(op),
                       hex(zxid), describe_body(op.body), describe_body(want));
  }
  return "";
}

std::string CommittedReplay::judge_unmatched_writes(std::int64_t chain_end) {
  for (const ClientOp& op : clients_.ops) {
    if (!op.is_write() || !op.answered() || op.xid == 0) continue;
    if (commits_.zxid_of(op.session, op.xid)) continue;
    if (op.err == Code::SessionMoved || op.err == Code::SessionExpired) continue;  // answered without a txn
    if (op.zxid > chain_end) {
      ++stats_.unjudged;
      continue;
    }
    return fmt::format("{}'s {} was answered {} at {}, but no such txn was committed", who(op), describe_op(op),
                       core::code_name(op.err), hex(op.zxid));
  }
  return "";
}

std::string CommittedReplay::run() {
  const std::vector<const CommitLog::Entry*> chain = commits_.chain();
  stats_.gap = chain.size() != commits_.entries().size();
  const std::int64_t chain_end = chain.empty() ? 0 : chain.back()->txn.header.zxid;
  std::set<std::int64_t> committed;
  for (const CommitLog::Entry* e : chain) committed.insert(e->txn.header.zxid);

  if (!commits_.duplicates().empty()) {
    const CommitLog::Duplicate& d = commits_.duplicates().front();
    return fmt::format("the request of session {} with cxid {} was committed twice, at {} and at {}", hex(d.session),
                       d.cxid, hex(d.first_zxid), hex(d.second_zxid));
  }
  // No server answers in a session once it has applied the session's
  // close: closing deletes the session and drops its connection.
  std::map<std::int64_t, std::int64_t> closes;  // session -> close zxid
  for (const CommitLog::Entry* e : chain) {
    const core::Txn& t = e->txn;
    if (std::holds_alternative<core::CloseSessionTxn>(t.body)) closes[t.header.session_id] = t.header.zxid;
  }
  for (const ClientOp& op : clients_.ops) {
    // The close's own reply comes at the close's zxid.
    if (!op.answered() || op.err == Code::SessionExpired || std::holds_alternative<wire::CloseOp>(op.op)) continue;
    const auto c = closes.find(op.session);
    if (c == closes.end() || op.zxid < c->second) continue;
    return fmt::format("{}'s {} was answered {} at {}, at or after its session's close at {}", who(op), describe_op(op),
                       core::code_name(op.err), hex(op.zxid), hex(c->second));
  }
  // Reads by the zxid they were answered at; requests by their txn's zxid.
  std::map<std::int64_t, std::vector<const ClientOp*>> reads;
  std::map<std::int64_t, const ClientOp*> requests;
  for (const ClientOp& op : clients_.ops) {
    if (is_read(op.op) && op.answered() && (op.err == Code::Ok || op.err == Code::NoNode)) {
      if (op.zxid > chain_end) {
        ++stats_.unjudged;
        continue;
      }
      if (op.zxid != 0 && committed.count(op.zxid) == 0) {
        return fmt::format("{} read {} from a server at {}, which is not a committed zxid", who(op), describe_op(op),
                           hex(op.zxid));
      }
      reads[op.zxid].push_back(&op);
    } else if (op.is_write() && op.xid != 0 && op.session != 0) {
      if (auto z = commits_.zxid_of(op.session, op.xid)) {
        if (*z > chain_end) {
          if (op.answered()) ++stats_.unjudged;
        } else {
          requests[*z] = &op;
        }
      }
    }
  }

  core::DataTree tree;
  const auto judge_reads_at = [&](std::int64_t zxid) -> std::string {
    const auto it = reads.find(zxid);
    if (it == reads.end()) return "";
    for (const ClientOp* op : it->second) {
      if (std::string v = judge_read(tree, *op); !v.empty()) return v;
    }
    return "";
  };
  if (std::string v = judge_reads_at(0); !v.empty()) return v;
  for (const CommitLog::Entry* e : chain) {
    const core::Txn& txn = e->txn;
    const auto req = requests.find(txn.header.zxid);
    const ClientOp* request = req == requests.end() ? nullptr : req->second;
    if (before) {
      if (std::string v = before(tree, txn, request); !v.empty()) return v;
    }
    const core::ApplyResult result = core::apply(tree, txn);
    ++stats_.txns;
    if (request != nullptr) {
      if (std::string v = judge_write(txn, result, *request); !v.empty()) return v;
    }
    if (after) {
      if (std::string v = after(tree, txn, result, request); !v.empty()) return v;
    }
    if (std::string v = judge_reads_at(txn.header.zxid); !v.empty()) return v;
  }
  return judge_unmatched_writes(chain_end);
}

}  // namespace zsim::scenarios::ensemble
