#include "scenarios/ensemble/watch_judge.h"

#include "scenarios/ensemble/replay.h"

#include <fmt/format.h>

#include <algorithm>
#include <variant>

namespace zsim::scenarios::ensemble {
namespace {

using core::Code;
using core::EventType;

std::string parent_of(const std::string& p) { return p.substr(0, std::max<std::size_t>(p.rfind('/'), 1)); }

// `path` is `root` or below it.
bool is_under(const std::string& path, const std::string& root) {
  if (path == root) return true;
  if (root == "/") return path.size() > 1;
  return path.size() > root.size() && path.compare(0, root.size(), root) == 0 && path[root.size()] == '/';
}

std::string hex(std::int64_t v) { return fmt::format("0x{:x}", static_cast<std::uint64_t>(v)); }

}  // namespace


std::vector<WatchChange> changes_of(const core::Txn& txn) {
  std::vector<WatchChange> out;
  const std::int64_t z = txn.header.zxid;
  const auto created = [&](const std::string& p) {
    out.push_back({z, EventType::NodeCreated, p});
    out.push_back({z, EventType::NodeChildrenChanged, parent_of(p)});
  };
  const auto deleted = [&](const std::string& p) {
    out.push_back({z, EventType::NodeDeleted, p});
    out.push_back({z, EventType::NodeChildrenChanged, parent_of(p)});
  };
  const auto op = [&](const auto& o) {
    using T = std::decay_t<decltype(o)>;
    if constexpr (std::is_same_v<T, core::CreateTxn>) created(o.path);
    if constexpr (std::is_same_v<T, core::DeleteTxn>) deleted(o.path);
    if constexpr (std::is_same_v<T, core::SetDataTxn>) out.push_back({z, EventType::NodeDataChanged, o.path});
  };
  std::visit(
      [&](const auto& body) {
        using T = std::decay_t<decltype(body)>;
        if constexpr (std::is_same_v<T, core::MultiTxn>) {
          for (const core::TxnOp& o : body.ops) std::visit(op, o);
        } else if constexpr (std::is_same_v<T, core::CloseSessionTxn>) {
          for (const std::string& p : body.paths) deleted(p);
        } else if constexpr (std::is_same_v<T, core::CreateTxn> || std::is_same_v<T, core::DeleteTxn> ||
                             std::is_same_v<T, core::SetDataTxn>) {
          op(body);
        }
      },
      txn.body);
  return out;
}

WatchJudge::WatchJudge(const CommitLog& commits, const ClientLog& log) : log_(log) {
  for (const CommitLog::Entry* e : commits.chain()) {
    for (WatchChange& c : changes_of(e->txn)) {
      if (c.type != EventType::NodeChildrenChanged) data_[c.path].push_back(c);
      if (c.type == EventType::NodeChildrenChanged || c.type == EventType::NodeDeleted) child_[c.path].push_back(c);
      all_.push_back(std::move(c));
    }
  }
}

std::string WatchJudge::judge(const SessionTimeline& t) {
  next_reply_ = next_replies(t);
  const bool persistent = std::any_of(t.seen.begin(), t.seen.end(), [&](const Observation& o) {
    return o.kind == Observation::Kind::kReply && std::holds_alternative<core::wire::AddWatchOp>(log_.ops.at(o.op).op);
  });
  return persistent ? judge_persistent(t) : judge_one_shot(t);
}

// For each observation, the index (into ClientLog::ops) of the next reply
// on the same connection (-1: none before the connection ended).
std::vector<std::int64_t> WatchJudge::next_replies(const SessionTimeline& t) {
  std::vector<std::int64_t> out(t.seen.size(), -1);
  std::int64_t next = -1;
  for (std::size_t i = t.seen.size(); i-- > 0;) {
    out[i] = next;
    const Observation& o = t.seen[i];
    if (o.kind == Observation::Kind::kReply) {
      next = static_cast<std::int64_t>(o.op);
    } else if (o.kind != Observation::Kind::kEvent) {
      next = -1;  // a connection began or ended
    }
  }
  return out;
}

std::int64_t WatchJudge::next_reply_zxid(std::size_t i) const {
  const std::int64_t op = next_reply_.at(i);
  return op < 0 ? -1 : log_.ops.at(static_cast<std::size_t>(op)).zxid;
}

std::optional<WatchChange> WatchJudge::first_after(const std::map<std::string, std::vector<WatchChange>>& index,
                                                   const std::string& path, std::int64_t zxid) {
  const auto it = index.find(path);
  if (it == index.end()) return std::nullopt;
  const auto c = std::upper_bound(it->second.begin(), it->second.end(), zxid,
                                  [](std::int64_t z, const WatchChange& ch) { return z < ch.zxid; });
  if (c == it->second.end()) return std::nullopt;
  return *c;
}

bool WatchJudge::deleted_between(const std::string& path, std::int64_t after, std::int64_t upto) const {
  const auto it = data_.find(path);
  if (it == data_.end()) return false;
  for (const WatchChange& c : it->second) {
    if (c.zxid > after && c.zxid <= upto && c.type == EventType::NodeDeleted) return true;
  }
  return false;
}

std::string WatchJudge::judge_one_shot(const SessionTimeline& t) {
  Slots slots;
  std::int64_t last_exact = 0;
  for (std::size_t i = 0; i < t.seen.size(); ++i) {
    const Observation& o = t.seen[i];
    switch (o.kind) {
      case Observation::Kind::kConnected:
        for (auto& [key, slot] : slots) slot.reconnected = true;
        break;
      case Observation::Kind::kDisconnected:
        break;
      case Observation::Kind::kEnded:
        return "";
      case Observation::Kind::kReply: {
        const ClientOp& op = log_.ops.at(o.op);
        if (std::string v = unheard_before(t, slots, op); !v.empty()) return v;
        arm(slots, op);
        break;
      }
      case Observation::Kind::kEvent:
        if (std::string v = on_one_shot_event(t, slots, i, last_exact); !v.empty()) return v;
        break;
    }
  }
  return "";
}

// A reply at R while a slot whose first change is at or below R is still
// set: the client saw data newer than the change before its event.
std::string WatchJudge::unheard_before(const SessionTimeline& t, Slots& slots, const ClientOp& op) {
  for (auto& [key, slot] : slots) {
    if (slot.armed_at < 0 || slot.uncertain || !slot.first || slot.first->zxid > op.zxid) continue;
    if (slot.exist && slot.reconnected && deleted_between(key.first, slot.first->zxid, op.zxid)) {
      slot.uncertain = true;  // created and deleted while away: may be missed
      ++unjudged_;
      continue;
    }
    return fmt::format("{} (session {}) got a reply at {} ({}) before the {} event of its watch on {} set at {}",
                       t.client, hex(t.session), hex(op.zxid), describe_op(op),
                       core::event_type_name(slot.first->type), key.first, hex(slot.armed_at));
  }
  return "";
}

// A read with a watch sets the slot it names, unless it is set already
// (the earlier registration stands: the server keeps one).
void WatchJudge::arm(Slots& slots, const ClientOp& op) {
  std::string path;
  Table table = Table::kData;
  bool exist = false;
  if (const auto* g = std::get_if<core::wire::GetDataOp>(&op.op); g != nullptr && g->watch && op.err == Code::Ok) {
    path = g->path;
  } else if (const auto* e = std::get_if<core::wire::ExistsOp>(&op.op);
             e != nullptr && e->watch && (op.err == Code::Ok || op.err == Code::NoNode)) {
    path = e->path;
    exist = op.err == Code::NoNode;
  } else if (const auto* c = std::get_if<core::wire::GetChildrenOp>(&op.op);
             c != nullptr && c->watch && op.err == Code::Ok) {
    path = c->path;
    table = Table::kChild;
  } else {
    return;
  }
  const auto [it, fresh] = slots.try_emplace({path, table});
  if (!fresh && it->second.armed_at >= 0) return;  // armed already: the earlier registration stands
  Slot s;
  s.exist = exist;
  s.armed_at = op.zxid;
  s.first = first_after(table == Table::kData ? data_ : child_, path, op.zxid);
  it->second = s;
}

std::string WatchJudge::on_one_shot_event(const SessionTimeline& t, Slots& slots, std::size_t i,
                                          std::int64_t& last_exact) {
  const Observation& o = t.seen[i];
  ++events_;
  std::vector<Table> tables;
  if (o.type != EventType::NodeChildrenChanged) tables.push_back(Table::kData);
  if (o.type == EventType::NodeChildrenChanged || o.type == EventType::NodeDeleted) tables.push_back(Table::kChild);
  bool heard = false;
  for (Table table : tables) {
    const auto it = slots.find({o.path, table});
    if (it == slots.end() || it->second.armed_at < 0) continue;
    Slot slot = it->second;
    it->second.armed_at = -1;  // disarmed
    heard = true;
    if (std::string v = judge_fired(t, slot, table, i, last_exact); !v.empty()) return v;
  }
  if (!heard) {
    return fmt::format("{} (session {}) got {} {} with no watch set there (a second event for one registration?)",
                       t.client, hex(t.session), core::event_type_name(o.type), o.path);
  }
  return "";
}

// The event of a one-shot slot that was set: is it the first change's?
std::string WatchJudge::judge_fired(const SessionTimeline& t, const Slot& slot, Table table, std::size_t i,
                                    std::int64_t& last_exact) {
  const Observation& o = t.seen[i];
  if (slot.uncertain) return "";
  const std::string what = fmt::format("{} (session {}) got {} {} for the watch set at {}", t.client,
                                       hex(t.session), core::event_type_name(o.type), o.path, hex(slot.armed_at));
  if (!slot.first) return what + ", but nothing changed there after that";
  const WatchChange& c = *slot.first;
  if (slot.exist && slot.reconnected && deleted_between(o.path, c.zxid, o.last_zxid)) {
    // The node was created and deleted again while the client was away
    // (the reconnect found no node and set the watch again): this event
    // is for a later create, after everything the client had seen.
    ++unjudged_;
    const std::optional<WatchChange> later = first_after(data_, o.path, o.last_zxid);
    const std::int64_t next = next_reply_zxid(i);
    if (o.type != EventType::NodeCreated || !later || later->type != EventType::NodeCreated ||
        (next >= 0 && later->zxid > next)) {
      return what + fmt::format(", but no create of it follows {} (the one at {} was undone before)",
                                hex(o.last_zxid), hex(c.zxid));
    }
    return "";
  }
  if (c.zxid <= o.last_zxid) {
    return what + fmt::format(" after it had seen {}, at or past the change at {}", hex(o.last_zxid), hex(c.zxid));
  }
  const std::int64_t next = next_reply_zxid(i);
  if (next >= 0 && c.zxid > next) {
    return what + fmt::format(", before the change at {} (the next reply came from {})", hex(c.zxid), hex(next));
  }
  if (!slot.reconnected) {
    if (o.type != c.type) {
      return what + fmt::format(", but the first change after it was {} at {}", core::event_type_name(c.type),
                                hex(c.zxid));
    }
    if (c.zxid < last_exact) {
      return what + fmt::format(" (change at {}) after an event for the change at {}", hex(c.zxid), hex(last_exact));
    }
    last_exact = c.zxid;
    return "";
  }
  // After a reconnect: any type the watch can fire.
  const bool fits = table == Table::kChild
                        ? (o.type == EventType::NodeChildrenChanged || o.type == EventType::NodeDeleted)
                        : slot.exist ? o.type == EventType::NodeCreated
                                     : (o.type == EventType::NodeDataChanged || o.type == EventType::NodeDeleted);
  if (!fits) return what + ", which that watch cannot fire";
  return "";
}

bool WatchJudge::covers(const Registration& r, const WatchChange& c) {
  if (c.zxid <= r.at) return false;
  if (!r.recursive) return c.path == r.path;
  return c.type != EventType::NodeChildrenChanged && is_under(c.path, r.path);
}

// Persistent watches: events matched in commit order, nothing lost on a
// live connection.
std::string WatchJudge::judge_persistent(const SessionTimeline& t) {
  std::vector<Registration> regs;
  for (const Observation& o : t.seen) {
    if (o.kind != Observation::Kind::kReply) continue;
    const ClientOp& op = log_.ops.at(o.op);
    const auto* a = std::get_if<core::wire::AddWatchOp>(&op.op);
    if (a == nullptr || op.err != Code::Ok) continue;
    regs.push_back({a->path, a->mode == core::wire::AddWatchMode::kPersistentRecursive, op.zxid});
  }
  if (regs.empty()) return "";
  // The changes the watches cover, in commit order.
  std::vector<const WatchChange*> expected;
  for (const WatchChange& c : all_) {
    if (std::any_of(regs.begin(), regs.end(), [&](const Registration& r) { return covers(r, c); })) {
      expected.push_back(&c);
    }
  }
  std::vector<bool> delivered(expected.size(), false);
  std::size_t head = 0;  // every change before it is delivered or given up
  std::int64_t conn_from = regs.front().at;  // this connection owes changes above it
  bool conn_open = true;  // conn_from is known for this connection
  for (std::size_t i = 0; i < t.seen.size(); ++i) {
    const Observation& o = t.seen[i];
    if (o.kind == Observation::Kind::kEnded) break;
    if (o.kind == Observation::Kind::kConnected) {
      conn_open = false;  // set by this connection's first reply or event
      continue;
    }
    if (o.kind != Observation::Kind::kReply && o.kind != Observation::Kind::kEvent) continue;
    if (!conn_open) {
      // Its first reply or event came after the SetWatches reply: changes
      // up to here may have been missed while away.
      conn_from = o.kind == Observation::Kind::kReply ? log_.ops.at(o.op).zxid : o.last_zxid;
      conn_open = true;
    }
    if (o.kind == Observation::Kind::kReply) {
      const std::int64_t r = log_.ops.at(o.op).zxid;
      for (; head < expected.size() && expected[head]->zxid <= r; ++head) {
        if (delivered[head] || expected[head]->zxid <= conn_from) continue;
        const WatchChange& c = *expected[head];
        return fmt::format("{} (session {}) got a reply at {} but never the {} {} event of the change at {}", t.client,
                           hex(t.session), hex(r), core::event_type_name(c.type), c.path, hex(c.zxid));
      }
      continue;
    }
    ++events_;
    if (std::string v = match_event(t, i, expected, delivered, head, conn_from); !v.empty()) return v;
  }
  return "";
}

// Matches a persistent watch's event to the earliest covered change it can
// be; what it skips from an earlier txn was lost (or comes out of order).
std::string WatchJudge::match_event(const SessionTimeline& t, std::size_t i,
                                    const std::vector<const WatchChange*>& expected, std::vector<bool>& delivered,
                                    std::size_t& head, std::int64_t conn_from) {
  const Observation& o = t.seen[i];
  const std::string what = fmt::format("{} (session {}) got {} {}", t.client, hex(t.session),
                                       core::event_type_name(o.type), o.path);
  std::size_t k = head;
  for (; k < expected.size(); ++k) {
    const WatchChange& c = *expected[k];
    if (!delivered[k] && c.zxid > o.last_zxid && c.type == o.type && c.path == o.path) break;
  }
  if (k == expected.size()) {
    return what + " that matches no committed change its watches cover after " + hex(o.last_zxid);
  }
  const WatchChange& c = *expected[k];
  const std::int64_t next = next_reply_zxid(i);
  if (next >= 0 && c.zxid > next) {
    return what + fmt::format(" before the change at {} (the next reply came from {})", hex(c.zxid), hex(next));
  }
  // What it skipped, from an earlier txn, was lost on a live connection
  // or is coming out of order.
  for (std::size_t j = head; j < k; ++j) {
    const WatchChange& s = *expected[j];
    if (delivered[j] || s.zxid == c.zxid || s.zxid <= conn_from) continue;
    return what + fmt::format(" (change at {}) but not the {} {} event of the change at {} before it", hex(c.zxid),
                              core::event_type_name(s.type), s.path, hex(s.zxid));
  }
  delivered[k] = true;
  while (head < expected.size() && (delivered[head] || expected[head]->zxid < c.zxid)) ++head;
  return "";
}

}  // namespace zsim::scenarios::ensemble
