#include "scenarios/recipes/commit_log.h"

#include <variant>

namespace zsim::scenarios::recipes {

void CommitLog::on_commit(const std::string& server, const core::Txn& txn) {
  (void)server;
  if (!seen_.insert(txn.header.zxid).second) return;  // another server reported it first
  apply(txn);
}

void CommitLog::apply(const core::Txn& txn) {
  const int64_t zxid = txn.header.zxid;
  auto one = [&](const auto& op) {
    using T = std::decay_t<decltype(op)>;
    if constexpr (std::is_same_v<T, core::CreateTxn>) {
      created(op, zxid);
    } else if constexpr (std::is_same_v<T, core::DeleteTxn>) {
      deleted(op.path, zxid);
    } else if constexpr (std::is_same_v<T, core::SetDataTxn>) {
      data_changed(op.path, zxid, op.version, op.data);
    }
  };
  if (const auto* multi = std::get_if<core::MultiTxn>(&txn.body)) {
    for (const core::TxnOp& op : multi->ops) std::visit(one, op);
    return;
  }
  if (const auto* c = std::get_if<core::CreateTxn>(&txn.body)) return created(*c, zxid);
  if (const auto* d = std::get_if<core::DeleteTxn>(&txn.body)) return deleted(d->path, zxid);
  if (const auto* d = std::get_if<core::SetDataTxn>(&txn.body)) return data_changed(d->path, zxid, d->version, d->data);
  if (std::holds_alternative<core::CreateSessionTxn>(txn.body)) {
    SessionLife& s = sessions_[txn.header.session_id];
    s.id = txn.header.session_id;
    s.created_at = sim_.now();
    return;
  }
  if (const auto* close = std::get_if<core::CloseSessionTxn>(&txn.body)) {
    for (const std::string& path : close->paths) deleted(path, zxid);
    SessionLife& s = sessions_[txn.header.session_id];
    s.id = txn.header.session_id;
    s.closed_zxid = zxid;
    s.closed_at = sim_.now();
  }
}

NodeLife* CommitLog::find(int64_t czxid, const std::string& path) {
  auto [from, to] = nodes_.equal_range(czxid);
  for (auto it = from; it != to; ++it) {
    if (it->second.path == path) return &it->second;
  }
  return nullptr;
}

void CommitLog::created(const core::CreateTxn& c, int64_t zxid) {
  if (find(zxid, c.path) != nullptr) return;
  data_changed(c.path, zxid, 0, c.data);
  // The path was live with an older node: its delete was inside a snapshot
  // this log skipped. (A late report of an older create changes nothing.)
  if (auto it = live_.find(c.path); it != live_.end()) {
    if (it->second > zxid) {
      nodes_.emplace(zxid, NodeLife{c.path, zxid, c.ephemeral_owner, sim_.now(), std::nullopt, std::nullopt});
      return;  // its delete is inferred as unknown: it was replaced by a later node
    }
    deleted(c.path, zxid);
  }
  NodeLife& n = nodes_.emplace(zxid, NodeLife{})->second;
  n.path = c.path;
  n.czxid = zxid;
  n.owner = c.ephemeral_owner;
  n.created_at = sim_.now();
  live_[c.path] = zxid;
}

void CommitLog::deleted(const std::string& path, int64_t zxid) {
  auto it = live_.find(path);
  // Unknown, or a late report of a delete older than the live node.
  if (it == live_.end() || it->second >= zxid) return;
  NodeLife& n = *find(it->second, path);
  n.deleted_zxid = zxid;
  n.deleted_at = sim_.now();
  live_.erase(it);
}

void CommitLog::on_snapshot(const std::string& server, const core::DataTree& tree) {
  (void)server;
  for (const auto& [path, znode] : tree.nodes()) {
    if (znode.czxid == 0 || find(znode.czxid, path) != nullptr) continue;
    core::CreateTxn c;
    c.path = path;
    c.ephemeral_owner = znode.ephemeral_owner;
    created(c, znode.czxid);
  }
  for (auto& [path, values] : data_) {
    const core::Znode* n = tree.find(path);
    if (n != nullptr && values.count(n->mzxid) == 0) values[n->mzxid] = DataChange{n->mzxid, n->version, n->data, sim_.now()};
  }
  for (const auto& [id, timeout_ms] : tree.sessions()) {
    (void)timeout_ms;
    sessions_[id].id = id;
  }
}

void CommitLog::track_data(std::string path) { data_[std::move(path)]; }

void CommitLog::data_changed(const std::string& path, int64_t zxid, int32_t version, const std::string& data) {
  auto it = data_.find(path);
  if (it == data_.end() || it->second.count(zxid) != 0) return;
  it->second[zxid] = DataChange{zxid, version, data, sim_.now()};
}

const std::map<int64_t, DataChange>* CommitLog::data_history(const std::string& path) const {
  auto it = data_.find(path);
  return it == data_.end() ? nullptr : &it->second;
}

const NodeLife* CommitLog::node(int64_t czxid) const {
  auto it = nodes_.find(czxid);
  return it == nodes_.end() ? nullptr : &it->second;
}

const SessionLife* CommitLog::session(int64_t id) const {
  auto it = sessions_.find(id);
  return it == sessions_.end() ? nullptr : &it->second;
}

}  // namespace zsim::scenarios::recipes
