// Txns: the idempotent, fully-decided records that prepare() produces, the
// txn log stores and apply() executes (ZooKeeper's TxnHeader + *Txn records).
//
// A txn carries every decision: the created path (sequential suffix already
// chosen), the parent's new child-creation count, the new data version, the
// ephemerals a closeSession removes. Applying the same txns in the same order
// to the same tree therefore gives the same tree on every replica and on log
// replay. Failed requests become txns too (ErrorTxn, or a MultiTxn made only
// of ErrorTxns) because a failed write still consumes a zxid.
//
// Encoding (core/codec.h): a versioned, tagged, length-checked binary form;
// decode_txn(encode_txn(t)) == t for every txn.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/codec.h"
#include "core/errors.h"
#include "core/tree/znode.h"

namespace zsim::core {

struct TxnHeader {
  int64_t session_id = 0;  // the requesting session (0 for none)
  int32_t cxid = 0;        // the client's request id, echoed in the reply
  int64_t zxid = 0;
  int64_t time_ms = 0;     // the leader's clock; becomes ctime/mtime
  friend bool operator==(const TxnHeader&, const TxnHeader&) = default;
};

struct CreateTxn {
  std::string path;  // final path, sequential suffix included
  std::string data;
  NodeKind kind = NodeKind::Persistent;
  int64_t ephemeral_owner = 0;  // != 0 iff kind == Ephemeral
  int64_t ttl_ms = 0;           // > 0 iff kind == Ttl
  int32_t parent_creations = 0;  // the parent's child_creations after this
  AclList acl = open_acl();      // fixed up: never empty, no auth entries
  friend bool operator==(const CreateTxn&, const CreateTxn&) = default;
};

struct DeleteTxn {
  std::string path;
  friend bool operator==(const DeleteTxn&, const DeleteTxn&) = default;
};

struct SetDataTxn {
  std::string path;
  std::string data;
  int32_t version = 0;  // the new version
  friend bool operator==(const SetDataTxn&, const SetDataTxn&) = default;
};

struct CheckTxn {
  std::string path;
  int32_t version = 0;  // as requested
  friend bool operator==(const CheckTxn&, const CheckTxn&) = default;
};

struct SetAclTxn {
  std::string path;
  AclList acl;          // fixed up
  int32_t version = 0;  // the new aversion
  friend bool operator==(const SetAclTxn&, const SetAclTxn&) = default;
};

struct ErrorTxn {
  Code code = Code::Ok;
  friend bool operator==(const ErrorTxn&, const ErrorTxn&) = default;
};

using TxnOp = std::variant<CreateTxn, DeleteTxn, SetDataTxn, CheckTxn, ErrorTxn>;

// A successful multi holds no ErrorTxn. A failed one holds only ErrorTxns:
// Ok for the ops before the failing one, its error, RuntimeInconsistency
// after it.
struct MultiTxn {
  std::vector<TxnOp> ops;
  friend bool operator==(const MultiTxn&, const MultiTxn&) = default;
};

struct CreateSessionTxn {
  int32_t timeout_ms = 0;
  friend bool operator==(const CreateSessionTxn&, const CreateSessionTxn&) = default;
};

// Deletes these ephemerals of header.session_id (sorted), then forgets the
// session.
struct CloseSessionTxn {
  std::vector<std::string> paths;
  friend bool operator==(const CloseSessionTxn&, const CloseSessionTxn&) = default;
};

using TxnBody = std::variant<ErrorTxn, CreateTxn, DeleteTxn, SetDataTxn, CheckTxn, MultiTxn,
                             CreateSessionTxn, CloseSessionTxn, SetAclTxn>;

struct Txn {
  TxnHeader header;
  TxnBody body;
  friend bool operator==(const Txn&, const Txn&) = default;
};

// True when the txn applies nothing to the tree (an error, or a failed multi).
bool is_failed(const Txn& txn);

void encode_txn(Writer& out, const Txn& txn);
std::string encode_txn(const Txn& txn);

// Reads one txn from `in` (which may hold more after it). MarshallingError
// on truncated or malformed bytes (unknown tags, codes, kinds; fields that
// break the record's invariants; sizes over core/limits.h).
Result<Txn> decode_txn(Reader& in);
// Decodes exactly one txn that fills `bytes`.
Result<Txn> decode_txn(std::string_view bytes);

// One line for traces and test failures, e.g.
// "zxid=0x5 session=0x1 create /a/b kind=ephemeral".
std::string describe(const Txn& txn);

}  // namespace zsim::core
