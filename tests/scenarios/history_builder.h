// Test helpers: a committed history and client records built by hand, for
// feeding the workload checks (CommittedReplay, WatchJudge, the multi,
// queue and ephemeral checks) both what a correct ensemble would report and
// deliberately broken records.
//
// History: txns made by core::prepare and applied in order, as a leader
// would, each reported to a CommitLog (on top of the one before).
// Records: ClientOps as a RecordedSession would record them, appended to a
// ClientLog, with the matching observations in one SessionTimeline.
#pragma once

#include "core/txn/apply.h"
#include "core/txn/prepare.h"
#include "scenarios/commit_log.h"
#include "scenarios/ensemble/client_log.h"

#include <cstdint>
#include <string>
#include <utility>

namespace zsim::scenarios::ensemble::testing {

// A committed history: what one leader prepared and applied.
class History {
 public:
  // Commits `request` of (session, cxid) at the next zxid; returns the txn.
  core::Txn commit(std::int64_t session, std::int32_t cxid, const core::Request& request,
                   core::Code session_check = core::Code::Ok) {
    core::PrepareContext ctx;
    ctx.session_id = session;
    ctx.cxid = cxid;
    ctx.zxid = next_zxid_;
    ctx.time_ms = 1000 + next_zxid_;
    ctx.session_check = session_check;
    core::Txn txn = core::prepare(tree_, pending_, request, ctx);
    last_ = core::apply(tree_, txn);
    pending_.forget_applied(next_zxid_);
    log_.on_commit(txn, last_zxid_);
    last_zxid_ = next_zxid_++;
    return txn;
  }
  // A txn reported as committed as it is (a broken record, or one made
  // elsewhere), at the next zxid.
  void report(core::Txn txn) {
    txn.header.zxid = next_zxid_;
    log_.on_commit(txn, last_zxid_);
    last_zxid_ = next_zxid_++;
  }
  // Skips a zxid nobody reports (an unknown stretch).
  void skip() { last_zxid_ = next_zxid_++; }
  // The next txns come from a new leader's epoch (zxids jump).
  void next_epoch() { next_zxid_ = ((next_zxid_ >> 32) + 1) << 32 | 1; }

  const CommitLog& log() const { return log_; }
  const core::DataTree& tree() const { return tree_; }
  const core::ApplyResult& last_result() const { return last_; }
  std::int64_t last_zxid() const { return last_zxid_; }

 private:
  core::DataTree tree_;
  core::PendingChanges pending_;
  CommitLog log_;
  core::ApplyResult last_;
  std::int64_t next_zxid_ = 1;
  std::int64_t last_zxid_ = 0;
};

inline core::CreateRequest create_req(std::string path, std::string data = "",
                                      core::CreateMode mode = core::CreateMode::Persistent) {
  return core::CreateRequest{std::move(path), std::move(data), static_cast<std::int32_t>(mode), -1};
}

// One client session's records.
class Records {
 public:
  Records(ClientLog& log, std::string client, std::int64_t session) : log_(log), session_(session) {
    timeline_ = log_.sessions.size();
    log_.sessions.push_back(SessionTimeline{std::move(client), session, {}});
  }

  // An op a server answered at `zxid`; returns its index in the log.
  std::size_t answered(core::wire::Op op, core::Code err, std::int64_t zxid, core::wire::ReplyBody body = {},
                       std::int32_t xid = 0) {
    ClientOp rec;
    rec.client = log_.sessions[timeline_].client;
    rec.session = session_;
    rec.timeline = timeline_;
    rec.op = std::move(op);
    rec.returned = true;
    rec.kind = err == core::Code::Ok ? core::OpOutcome::Kind::kOk : core::OpOutcome::Kind::kFailed;
    rec.err = err;
    rec.replied = true;
    rec.zxid = zxid;
    rec.xid = xid;
    rec.body = std::move(body);
    log_.ops.push_back(std::move(rec));
    last_seen_ = std::max(last_seen_, zxid);
    see(Observation{Observation::Kind::kReply, log_.ops.size() - 1, core::EventType::None, "", last_seen_});
    return log_.ops.size() - 1;
  }
  // An op lost to ConnectionLoss after it went out with `xid`.
  void lost(core::wire::Op op, std::int32_t xid) {
    ClientOp rec;
    rec.client = log_.sessions[timeline_].client;
    rec.session = session_;
    rec.timeline = timeline_;
    rec.op = std::move(op);
    rec.returned = true;
    rec.kind = core::OpOutcome::Kind::kUnknown;
    rec.err = core::Code::ConnectionLoss;
    rec.xid = xid;
    rec.zxid = last_seen_;
    log_.ops.push_back(std::move(rec));
  }
  void event(core::EventType type, std::string path) {
    see(Observation{Observation::Kind::kEvent, 0, type, std::move(path), last_seen_});
  }
  // A ping reply (invisible to the op records) raised the last zxid seen.
  void ping(std::int64_t zxid) { last_seen_ = std::max(last_seen_, zxid); }
  void connected() { see(Observation{Observation::Kind::kConnected, 0, core::EventType::None, "", last_seen_}); }
  void disconnected() { see(Observation{Observation::Kind::kDisconnected, 0, core::EventType::None, "", last_seen_}); }

  const SessionTimeline& timeline() const { return log_.sessions[timeline_]; }

 private:
  void see(Observation o) { log_.sessions[timeline_].seen.push_back(std::move(o)); }

  ClientLog& log_;
  std::int64_t session_;
  std::size_t timeline_ = 0;
  std::int64_t last_seen_ = 0;
};

}  // namespace zsim::scenarios::ensemble::testing
