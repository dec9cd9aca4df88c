// Test helper: drives the pure pipeline (prepare -> apply) the way the
// server will, one request at a time, with increasing zxids and times.
#pragma once

#include <string>
#include <vector>

#include "core/tree/data_tree.h"
#include "core/tree/watches.h"
#include "core/txn/apply.h"
#include "core/txn/prepare.h"

namespace zsim::core::testing {

class TreeDriver {
 public:
  // Prepares and applies one request as `session`; returns what apply says.
  ApplyResult submit(const Request& request, int64_t session = 0x100,
                     Code session_check = Code::Ok) {
    Txn txn = prepare_only(request, session, session_check);
    return apply_txn(txn);
  }

  Txn prepare_only(const Request& request, int64_t session = 0x100,
                   Code session_check = Code::Ok) {
    PrepareContext ctx;
    ctx.session_id = session;
    ctx.cxid = ++cxid_;
    ctx.zxid = ++zxid_;
    ctx.time_ms = time_ms_;
    ctx.session_check = session_check;
    ctx.auth = auth;
    Txn txn = prepare(tree, pending, request, ctx);
    txns.push_back(txn);
    return txn;
  }

  ApplyResult apply_txn(const Txn& txn) {
    ApplyResult result = apply(tree, txn);
    pending.forget_applied(txn.header.zxid);
    tree.check_invariants();
    return result;
  }

  // Convenience wrappers returning the single op's code.
  Code create(const std::string& path, const std::string& data = "",
              CreateMode mode = CreateMode::Persistent, int64_t session = 0x100,
              int64_t ttl_ms = -1) {
    return submit(CreateRequest{path, data, static_cast<int32_t>(mode), ttl_ms}, session).code;
  }
  // The created path, or "" on failure.
  std::string create_path(const std::string& path, CreateMode mode = CreateMode::Persistent,
                          int64_t session = 0x100) {
    ApplyResult r = submit(CreateRequest{path, "", static_cast<int32_t>(mode), -1}, session);
    return r.code == Code::Ok ? r.ops.at(0).path : "";
  }
  Code remove(const std::string& path, int32_t version = kAnyVersion) {
    return submit(DeleteRequest{path, version}).code;
  }
  Code set(const std::string& path, const std::string& data, int32_t version = kAnyVersion) {
    return submit(SetDataRequest{path, data, version}).code;
  }
  Stat stat(const std::string& path) const { return tree.stat(path).value(); }

  void advance_time(int64_t ms) { time_ms_ += ms; }
  int64_t now_ms() const { return time_ms_; }
  int64_t last_zxid() const { return zxid_; }

  DataTree tree;
  PendingChanges pending;
  AuthIds auth;  // the requesting connection's identities (addauth)
  std::vector<Txn> txns;  // every txn prepared, in order

 private:
  int64_t zxid_ = 0;
  int32_t cxid_ = 0;
  int64_t time_ms_ = 1'700'000'000'000;
};

}  // namespace zsim::core::testing
