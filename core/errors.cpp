#include "core/errors.h"

#include <array>

namespace zsim::core {
namespace {

struct CodeName {
  Code code;
  std::string_view name;
};

constexpr std::array kCodeNames = {
    CodeName{Code::Ok, "Ok"},
    CodeName{Code::SystemError, "SystemError"},
    CodeName{Code::RuntimeInconsistency, "RuntimeInconsistency"},
    CodeName{Code::DataInconsistency, "DataInconsistency"},
    CodeName{Code::ConnectionLoss, "ConnectionLoss"},
    CodeName{Code::MarshallingError, "MarshallingError"},
    CodeName{Code::Unimplemented, "Unimplemented"},
    CodeName{Code::OperationTimeout, "OperationTimeout"},
    CodeName{Code::BadArguments, "BadArguments"},
    CodeName{Code::UnknownSession, "UnknownSession"},
    CodeName{Code::NewConfigNoQuorum, "NewConfigNoQuorum"},
    CodeName{Code::ReconfigInProgress, "ReconfigInProgress"},
    CodeName{Code::ApiError, "APIError"},
    CodeName{Code::NoNode, "NoNode"},
    CodeName{Code::NoAuth, "NoAuth"},
    CodeName{Code::BadVersion, "BadVersion"},
    CodeName{Code::NoChildrenForEphemerals, "NoChildrenForEphemerals"},
    CodeName{Code::NodeExists, "NodeExists"},
    CodeName{Code::NotEmpty, "NotEmpty"},
    CodeName{Code::SessionExpired, "SessionExpired"},
    CodeName{Code::InvalidCallback, "InvalidCallback"},
    CodeName{Code::InvalidAcl, "InvalidACL"},
    CodeName{Code::AuthFailed, "AuthFailed"},
    CodeName{Code::SessionMoved, "SessionMoved"},
    CodeName{Code::NotReadOnly, "NotReadOnly"},
    CodeName{Code::EphemeralOnLocalSession, "EphemeralOnLocalSession"},
    CodeName{Code::NoWatcher, "NoWatcher"},
    CodeName{Code::RequestTimeout, "RequestTimeout"},
    CodeName{Code::ReconfigDisabled, "ReconfigDisabled"},
    CodeName{Code::SessionClosedRequireSaslAuth, "SessionClosedRequireSaslAuth"},
    CodeName{Code::QuotaExceeded, "QuotaExceeded"},
    CodeName{Code::Throttled, "Throttled"},
};

}  // namespace

std::string_view code_name(Code code) {
  for (const CodeName& entry : kCodeNames) {
    if (entry.code == code) {
      return entry.name;
    }
  }
  // Every enumerator is in the table; a value outside the enum is a bug.
  ZSIM_ASSERT(false && "code without a name");
  return "?";
}

std::optional<Code> code_from_int(int32_t value) {
  for (const CodeName& entry : kCodeNames) {
    if (static_cast<int32_t>(entry.code) == value) {
      return entry.code;
    }
  }
  return std::nullopt;
}

std::string Status::to_string() const {
  std::string out(code_name(code_));
  if (!message_.empty()) {
    out += ": ";
    out += message_;
  }
  return out;
}

}  // namespace zsim::core
