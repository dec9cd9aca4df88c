// The server-to-server protocol of a ZAB ensemble: what crosses the election
// port (datagrams) and the quorum port (one stream per learner), and its
// encoding. The messages are those of docs/zab.md; the state machines that
// consume them are in core/zab, the server that drives them in
// core/server/server.h.
//
//   election port, datagrams, any server -> any server:
//     VoteMessage (FastLeaderElection's notification)
//   quorum port, learner -> leader:
//     LearnerInfo (FOLLOWERINFO / OBSERVERINFO), AckEpoch, AckNewLeader,
//     Ack (of a proposal), PingReply (+ the sessions touched since the last
//     one), Forward (a client write or sync), CreateSession, Revalidate
//   quorum port, leader -> learner:
//     LeaderInfo, SyncStart (DIFF / TRUNC / SNAP, with the snapshot),
//     SyncTxn (a committed txn of the sync), NewLeader, UpToDate, Proposal,
//     Commit, Inform (observers: a committed txn), Ping, SyncDone,
//     RevalidateReply
//
// The sender of a message is never read from the payload: it is the server
// the network says sent the datagram, or the one at the other end of the
// stream (the ensemble maps hosts to server ids). Every decoder returns an
// error value on malformed input; a server drops such a message (datagram)
// or the connection (stream).
#pragma once

#include "core/errors.h"
#include "core/proto/wire.h"
#include "core/txn/txn.h"
#include "core/zab/vote.h"
#include "core/zab/zxid.h"

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace zsim::core::quorum {

// Largest quorum-port message either side accepts: a snapshot of the whole
// tree travels in one SyncStart. Bigger is a protocol error.
inline constexpr size_t kMessageBytesMax = size_t{256} << 20;
// Sessions one PingReply may carry.
inline constexpr size_t kTouchedSessionsMax = 1 << 20;

// ---- election port

struct VoteMessage {
  zab::ServerId to = zab::kNoServer;  // checked against the receiver's id
  zab::Vote vote;
  friend bool operator==(const VoteMessage&, const VoteMessage&) = default;
};

std::string encode(const VoteMessage& m);
Result<VoteMessage> decode_vote(std::string_view bytes);

// ---- quorum port

struct LearnerInfo {
  zab::Epoch accepted_epoch = 0;
  zab::Zxid last_zxid = 0;  // always the learner's true last logged zxid
  bool observer = false;
  // The learner cannot take a DIFF or TRUNC (a truncation failed): the
  // leader must send a SNAP. A learner never hides its last zxid to get one:
  // the leader's discovery and sync decision need the truth.
  bool want_snapshot = false;
  friend bool operator==(const LearnerInfo&, const LearnerInfo&) = default;
};
struct LeaderInfo {
  zab::Epoch new_epoch = 0;
  friend bool operator==(const LeaderInfo&, const LeaderInfo&) = default;
};
struct AckEpoch {
  zab::Epoch current_epoch = 0;  // -1: this epoch was accepted already
  zab::Zxid last_zxid = 0;
  friend bool operator==(const AckEpoch&, const AckEpoch&) = default;
};
enum class SyncKind : uint8_t { kDiff = 0, kTrunc = 1, kSnap = 2 };
// The start of a learner's synchronization. DIFF: SyncTxns follow. TRUNC:
// truncate the log after truncate_to, then SyncTxns follow. SNAP: replace
// the tree with `snapshot` (core/tree/snapshot.h), then SyncTxns follow.
struct SyncStart {
  SyncKind kind = SyncKind::kDiff;
  zab::Zxid truncate_to = 0;
  std::string snapshot;
  friend bool operator==(const SyncStart&, const SyncStart&) = default;
};
struct SyncTxn {
  Txn txn;
  friend bool operator==(const SyncTxn&, const SyncTxn&) = default;
};
struct NewLeader {
  zab::Epoch epoch = 0;
  friend bool operator==(const NewLeader&, const NewLeader&) = default;
};
struct AckNewLeader {
  friend bool operator==(const AckNewLeader&, const AckNewLeader&) = default;
};
struct UpToDate {
  friend bool operator==(const UpToDate&, const UpToDate&) = default;
};
struct Proposal {
  Txn txn;
  friend bool operator==(const Proposal&, const Proposal&) = default;
};
struct Ack {
  zab::Zxid zxid = 0;
  friend bool operator==(const Ack&, const Ack&) = default;
};
struct Commit {
  zab::Zxid zxid = 0;
  friend bool operator==(const Commit&, const Commit&) = default;
};
struct Inform {
  Txn txn;
  friend bool operator==(const Inform&, const Inform&) = default;
};
struct Ping {
  friend bool operator==(const Ping&, const Ping&) = default;
};
struct PingReply {
  std::vector<int64_t> touched_sessions;  // sorted, unique
  friend bool operator==(const PingReply&, const PingReply&) = default;
};
// A client's write (or sync) forwarded by the server it is connected to.
struct Forward {
  int64_t session_id = 0;
  int32_t cxid = 0;
  wire::Op op;  // a write op, or SyncOp
  // The identities the client's connection added (addauth), sorted and
  // unique: the leader checks ACLs with them, as ZooKeeper's learners send
  // a request's authInfo along. Encoded only when not empty, so a Forward
  // without auth keeps its bytes from before ACLs.
  AuthIds auth{};
  friend bool operator==(const Forward&, const Forward&) = default;
};
// A new session asked for by a client of the sending server; the leader
// names it, and the sender recognizes its createSession txn by `token`
// (the txn's cxid) and by its own id in the session id's top byte.
struct CreateSession {
  int32_t token = 0;
  int32_t timeout_ms = 0;
  friend bool operator==(const CreateSession&, const CreateSession&) = default;
};
// A client re-attached `session_id` at the sending server: the leader makes
// it the session's owner (requests through any other server get
// SessionMoved) and touches it.
struct Revalidate {
  int64_t session_id = 0;
  friend bool operator==(const Revalidate&, const Revalidate&) = default;
};
// The leader's answer to a Revalidate: whether the session lives (then the
// sender is its owner now and may complete the client's connect) or is gone
// or closing (the client learns its session expired). A learner completes a
// re-attach only on this answer, as ZooKeeper's Learner.validateSession
// does: its own tree may still hold a session whose closeSession the leader
// has already decided.
struct RevalidateReply {
  int64_t session_id = 0;
  bool valid = false;
  friend bool operator==(const RevalidateReply&, const RevalidateReply&) = default;
};
// The answer to a forwarded sync: every txn committed before it arrived at
// the leader has been sent ahead of this on the same stream.
struct SyncDone {
  int64_t session_id = 0;
  int32_t cxid = 0;
  friend bool operator==(const SyncDone&, const SyncDone&) = default;
};

using Message = std::variant<LearnerInfo, LeaderInfo, AckEpoch, SyncStart, SyncTxn, NewLeader, AckNewLeader,
                             UpToDate, Proposal, Ack, Commit, Inform, Ping, PingReply, Forward,
                             CreateSession, Revalidate, SyncDone, RevalidateReply>;

std::string encode(const Message& m);
Result<Message> decode_message(std::string_view bytes);
// "PROPOSAL", "ACK", ... for traces.
const char* message_name(const Message& m);

}  // namespace zsim::core::quorum
