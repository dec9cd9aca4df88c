// The client protocol: what crosses a client connection, and its encoding.
//
// Modelled on ZooKeeper's jute records (ConnectRequest/Response, RequestHeader
// + op records, ReplyHeader + responses, WatcherEvent), with our own compact
// binary encoding (core/codec.h). One frame is one stream message.
//
//   client -> server: ConnectRequest, then RequestFrames (xid + op)
//   server -> client: ConnectResponse, then ReplyFrames (xid, zxid, error,
//                     body) in request order, and Notifications (watch
//                     events) interleaved, always before the reply that
//                     reflects the change that fired them.
//
// Every decoder returns an error value on malformed input (a server closes
// such a connection); nothing here trusts the peer.
#pragma once

#include "core/codec.h"
#include "core/errors.h"
#include "core/tree/watches.h"
#include "core/tree/znode.h"
#include "core/txn/apply.h"
#include "core/txn/request.h"

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace zsim::core::wire {

// Special xids, as ZooKeeper's.
inline constexpr int32_t kNotificationXid = -1;
inline constexpr int32_t kPingXid = -2;
inline constexpr int32_t kSetWatchesXid = -8;
inline constexpr int32_t kAuthXid = -4;

// Largest frame either side accepts (ZooKeeper's jute.maxbuffer plus room
// for headers): a bigger one drops the connection.
inline constexpr size_t kFrameBytesMax = 1024 * 1024 + 4096;

struct ConnectRequest {
  int64_t last_zxid_seen = 0;
  int32_t timeout_ms = 0;
  int64_t session_id = 0;  // 0: a new session
  friend bool operator==(const ConnectRequest&, const ConnectRequest&) = default;
};

// session_id 0 means the session asked for is expired (or unknown).
struct ConnectResponse {
  int32_t timeout_ms = 0;
  int64_t session_id = 0;
  friend bool operator==(const ConnectResponse&, const ConnectResponse&) = default;
};

struct GetDataOp {
  std::string path;
  bool watch = false;
  friend bool operator==(const GetDataOp&, const GetDataOp&) = default;
};
struct ExistsOp {
  std::string path;
  bool watch = false;
  friend bool operator==(const ExistsOp&, const ExistsOp&) = default;
};
struct GetChildrenOp {
  std::string path;
  bool watch = false;
  bool with_stat = false;  // getChildren2
  friend bool operator==(const GetChildrenOp&, const GetChildrenOp&) = default;
};
struct SyncOp {
  std::string path;
  friend bool operator==(const SyncOp&, const SyncOp&) = default;
};
enum class AddWatchMode : int32_t { kPersistent = 0, kPersistentRecursive = 1 };
struct AddWatchOp {
  std::string path;
  AddWatchMode mode = AddWatchMode::kPersistent;
  friend bool operator==(const AddWatchOp&, const AddWatchOp&) = default;
};
struct CloseOp {
  friend bool operator==(const CloseOp&, const CloseOp&) = default;
};
struct PingOp {
  friend bool operator==(const PingOp&, const PingOp&) = default;
};
// Re-registers watches after a reconnect (ZooKeeper's SetWatches2).
struct SetWatchesOp {
  int64_t relative_zxid = 0;
  WatchSet watches;
  friend bool operator==(const SetWatchesOp& a, const SetWatchesOp& b) {
    return a.relative_zxid == b.relative_zxid && a.watches.data == b.watches.data &&
           a.watches.exist == b.watches.exist && a.watches.child == b.watches.child &&
           a.watches.persistent == b.watches.persistent &&
           a.watches.persistent_recursive == b.watches.persistent_recursive;
  }
};

struct GetAclOp {
  std::string path;
  friend bool operator==(const GetAclOp&, const GetAclOp&) = default;
};
// addauth: sent with kAuthXid, handled by the server on receipt (never
// queued behind the session's requests), answered with a kAuthXid reply (Ok,
// or AuthFailed and the connection closed). The client re-sends its auth
// after each reconnect, before anything else.
struct AuthOp {
  std::string scheme;
  std::string auth;
  friend bool operator==(const AuthOp&, const AuthOp&) = default;
};

using Op = std::variant<CreateRequest, DeleteRequest, SetDataRequest, CheckRequest, MultiRequest,
                        GetDataOp, ExistsOp, GetChildrenOp, SyncOp, AddWatchOp, CloseOp, PingOp,
                        SetWatchesOp, SetAclRequest, GetAclOp, AuthOp>;

// True for ops that change state and so go through the txn pipeline.
bool is_write(const Op& op);
// The request a write op becomes (CloseOp: closeSession).
// REQUIRES: is_write(op).
Request to_request(const Op& op);
// "create", "getData", ... for traces and histories.
const char* op_name(const Op& op);

struct RequestFrame {
  int32_t xid = 0;
  Op op;
  friend bool operator==(const RequestFrame&, const RequestFrame&) = default;
};

using ClientFrame = std::variant<ConnectRequest, RequestFrame>;

// Reply bodies, by op: create -> CreateReply; setData -> StatReply; exists
// -> StatReply (NoNode is an error code); getData -> DataReply;
// getChildren -> ChildrenReply; sync -> SyncReply; multi -> MultiReply;
// delete, check, addWatch, close, ping, setWatches, auth -> EmptyReply;
// setACL -> StatReply; getACL -> AclReply.
struct EmptyReply {
  friend bool operator==(const EmptyReply&, const EmptyReply&) = default;
};
struct CreateReply {
  std::string path;
  Stat stat;
  friend bool operator==(const CreateReply&, const CreateReply&) = default;
};
struct StatReply {
  Stat stat;
  friend bool operator==(const StatReply&, const StatReply&) = default;
};
struct DataReply {
  std::string data;
  Stat stat;
  friend bool operator==(const DataReply&, const DataReply&) = default;
};
struct ChildrenReply {
  std::vector<std::string> children;
  Stat stat;  // the parent's (only meaningful for getChildren2)
  friend bool operator==(const ChildrenReply&, const ChildrenReply&) = default;
};
struct SyncReply {
  std::string path;
  friend bool operator==(const SyncReply&, const SyncReply&) = default;
};
struct MultiReply {
  std::vector<OpResult> results;
  friend bool operator==(const MultiReply&, const MultiReply&) = default;
};
struct AclReply {
  AclList acl;
  Stat stat;
  friend bool operator==(const AclReply&, const AclReply&) = default;
};
using ReplyBody = std::variant<EmptyReply, CreateReply, StatReply, DataReply, ChildrenReply, SyncReply,
                               MultiReply, AclReply>;

struct ReplyFrame {
  int32_t xid = 0;
  int64_t zxid = 0;  // the server's last applied zxid when it answered
  Code err = Code::Ok;
  ReplyBody body;
  friend bool operator==(const ReplyFrame&, const ReplyFrame&) = default;
};

struct Notification {
  EventType type = EventType::None;
  std::string path;
  friend bool operator==(const Notification&, const Notification&) = default;
};

using ServerFrame = std::variant<ConnectResponse, ReplyFrame, Notification>;

std::string encode(const ClientFrame& frame);
std::string encode(const ServerFrame& frame);
Result<ClientFrame> decode_client_frame(std::string_view bytes);
Result<ServerFrame> decode_server_frame(std::string_view bytes);

}  // namespace zsim::core::wire
