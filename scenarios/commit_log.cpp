#include "scenarios/commit_log.h"

#include <variant>

namespace zsim::scenarios {

void CommitLog::on_commit(const core::Txn& txn, std::int64_t prev_zxid) {
  const std::int64_t zxid = txn.header.zxid;
  const auto [it, fresh] = entries_.try_emplace(zxid, Entry{prev_zxid, txn});
  if (!fresh) return;
  const std::int64_t session = txn.header.session_id;
  const std::int32_t cxid = txn.header.cxid;
  if (session == 0 || cxid == 0 || std::holds_alternative<core::CreateSessionTxn>(txn.body)) return;
  const auto [req, first] = by_request_.try_emplace({session, cxid}, zxid);
  if (!first) duplicates_.push_back(Duplicate{session, cxid, req->second, zxid});
}

std::vector<const CommitLog::Entry*> CommitLog::chain() const {
  std::vector<const Entry*> out;
  std::int64_t prev = 0;
  for (const auto& [zxid, entry] : entries_) {
    if (entry.prev_zxid != prev) break;  // an unknown stretch below `zxid`
    out.push_back(&entry);
    prev = zxid;
  }
  return out;
}

std::optional<std::int64_t> CommitLog::zxid_of(std::int64_t session, std::int32_t cxid) const {
  const auto it = by_request_.find({session, cxid});
  if (it == by_request_.end()) return std::nullopt;
  return it->second;
}

}  // namespace zsim::scenarios
