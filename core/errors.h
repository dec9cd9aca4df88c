// ZooKeeper outcome codes, and the small value types that carry them.
//
// Operating errors (NoNode, BadVersion, ConnectionLoss, ...) are values: a
// `Status` (code + human message) or a `Result<T>` (a T or a non-OK Status).
// Broken invariants are not errors; they ZSIM_ASSERT.
//
// The numeric values are ZooKeeper's (KeeperException.Code), because they
// travel in txns, replies and histories and must mean what they mean there.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "core/assert.h"

namespace zsim::core {

enum class Code : int32_t {
  Ok = 0,
  SystemError = -1,
  RuntimeInconsistency = -2,  // multi: an op after the failing one
  DataInconsistency = -3,     // also: a snapshot that fails its checks
  ConnectionLoss = -4,
  MarshallingError = -5,      // also: truncated or malformed bytes
  Unimplemented = -6,
  OperationTimeout = -7,
  BadArguments = -8,
  UnknownSession = -12,
  NewConfigNoQuorum = -13,
  ReconfigInProgress = -14,
  ApiError = -100,
  NoNode = -101,
  NoAuth = -102,
  BadVersion = -103,
  NoChildrenForEphemerals = -108,
  NodeExists = -110,
  NotEmpty = -111,
  SessionExpired = -112,
  InvalidCallback = -113,
  InvalidAcl = -114,
  AuthFailed = -115,
  SessionMoved = -118,
  NotReadOnly = -119,
  EphemeralOnLocalSession = -120,
  NoWatcher = -121,
  RequestTimeout = -122,
  ReconfigDisabled = -123,
  SessionClosedRequireSaslAuth = -124,
  QuotaExceeded = -125,
  Throttled = -127,
};

// ZooKeeper's name for the code ("NoNode", "BadVersion", ...).
std::string_view code_name(Code code);

// The code with this numeric value, or nothing if ZooKeeper has no such code.
// Used when decoding untrusted bytes.
std::optional<Code> code_from_int(int32_t value);

// An outcome: Ok, or an error code with a message for humans (the message
// never drives behaviour; compare codes, not messages).
class Status {
 public:
  Status() = default;
  Status(Code code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status ok_status() { return Status(); }

  bool ok() const { return code_ == Code::Ok; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }

  // "Ok" or "NoNode: /a/b".
  std::string to_string() const;

  friend bool operator==(const Status&, const Status&) = default;

 private:
  Code code_ = Code::Ok;
  std::string message_;
};

// A T, or the non-OK Status explaining why there is none.
template <typename T>
class Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : status_(std::move(status)) {  // NOLINT
    ZSIM_ASSERT(!status_.ok());
  }
  Result(Code code, std::string message) : Result(Status(code, std::move(message))) {}

  bool ok() const { return value_.has_value(); }
  Code code() const { return status_.code(); }
  // Ok when the result holds a value.
  const Status& status() const { return status_; }

  const T& value() const& {
    ZSIM_ASSERT(ok());
    return *value_;
  }
  T& value() & {
    ZSIM_ASSERT(ok());
    return *value_;
  }
  T&& value() && {
    ZSIM_ASSERT(ok());
    return std::move(*value_);
  }
  const T* operator->() const { return &value(); }
  const T& operator*() const { return value(); }

 private:
  std::optional<T> value_;
  Status status_;
};

}  // namespace zsim::core
