// Write requests, as the server hands them to prepare().
//
// These mirror ZooKeeper's request records for the operations that become
// txns. Reads (getData, exists, getChildren, getChildren2) are not here: the
// server answers them from the DataTree directly. Requests come from clients
// and are untrusted: every field is validated by prepare(), in ZooKeeper's
// order.
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "core/tree/znode.h"

namespace zsim::core {

// The "any version" wildcard for delete/setData/check.
inline constexpr int32_t kAnyVersion = -1;

struct CreateRequest {
  std::string path;
  std::string data;
  // The raw CreateMode flag, validated by prepare (an unknown flag is
  // BadArguments, as CreateMode.fromFlag throws).
  int32_t mode = static_cast<int32_t>(CreateMode::Persistent);
  // -1: no TTL (create/create2/createContainer). A TTL mode needs
  // 0 < ttl_ms <= kMaxTtlMs; any other mode needs ttl_ms < 0.
  int64_t ttl_ms = -1;
  // As the client asked; prepare fixes it up (auth entries resolved,
  // duplicates dropped) or fails with InvalidACL.
  AclList acl = open_acl();
  friend bool operator==(const CreateRequest&, const CreateRequest&) = default;
};

struct DeleteRequest {
  std::string path;
  int32_t version = kAnyVersion;
  friend bool operator==(const DeleteRequest&, const DeleteRequest&) = default;
};

struct SetDataRequest {
  std::string path;
  std::string data;
  int32_t version = kAnyVersion;
  friend bool operator==(const SetDataRequest&, const SetDataRequest&) = default;
};

struct CheckRequest {
  std::string path;
  int32_t version = kAnyVersion;
  friend bool operator==(const CheckRequest&, const CheckRequest&) = default;
};

// setACL: replaces the node's ACL if `version` matches its aversion.
struct SetAclRequest {
  std::string path;
  AclList acl;
  int32_t version = kAnyVersion;
  friend bool operator==(const SetAclRequest&, const SetAclRequest&) = default;
};

// One op of a multi. Reads cannot appear in a multi here.
using MultiOp = std::variant<CreateRequest, DeleteRequest, SetDataRequest, CheckRequest>;

struct MultiRequest {
  std::vector<MultiOp> ops;
  friend bool operator==(const MultiRequest&, const MultiRequest&) = default;
};

// The session id is the request's (PrepareContext::session_id).
struct CreateSessionRequest {
  int32_t timeout_ms = 0;  // already negotiated by the server
  friend bool operator==(const CreateSessionRequest&, const CreateSessionRequest&) = default;
};

// Closes PrepareContext::session_id: deletes all its ephemerals at one zxid.
// Also what session expiry proposes.
struct CloseSessionRequest {
  friend bool operator==(const CloseSessionRequest&, const CloseSessionRequest&) = default;
};

// The reaper's request (ZooKeeper's deleteContainer opcode): deletes a
// container or TTL node, failing with NotEmpty if a child raced in.
struct DeleteContainerRequest {
  std::string path;
  friend bool operator==(const DeleteContainerRequest&, const DeleteContainerRequest&) = default;
};

using Request = std::variant<CreateRequest, DeleteRequest, SetDataRequest, CheckRequest,
                             MultiRequest, CreateSessionRequest, CloseSessionRequest,
                             DeleteContainerRequest, SetAclRequest>;

}  // namespace zsim::core
