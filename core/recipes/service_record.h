// ServiceRecord: what a service instance publishes in its registry node
// (service_registry.h stores it as the node's data), in a versioned,
// tolerant encoding -- so that two versions of a program can share one
// registry (the network is not homogeneous: a rolling upgrade runs both).
//
// Encoding: "service-record/<major>" then ";key=value" pairs, e.g.
//   service-record/1;address=c1.sim:7001;zone=z2
// Rules that keep old and new readers compatible:
//   - a reader ignores keys it does not know (a newer writer added them);
//   - a field added later is optional: a reader supplies its default when
//     an older writer left it out (zone: "");
//   - the major version changes only for an incompatible change (a field's
//     meaning, a required field): a reader refuses a major it does not
//     know, saying so, instead of misreading it.
// Keys and values hold no ';' or '='; keys are not repeated.
//
// Pure functions, no I/O.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace zsim::core::recipes {

struct ServiceRecord {
  std::string address;  // required: where to call the instance
  std::string zone;     // optional, added in the second release ("": unknown)
  friend bool operator==(const ServiceRecord&, const ServiceRecord&) = default;
};

// The major version this code writes and reads.
inline constexpr int kServiceRecordMajor = 1;

// The encoding of `r` (zone left out when empty, as a first-release writer
// would). REQUIRES: no ';' or '=' in the fields; address non-empty.
std::string encode_service_record(const ServiceRecord& r);

// The record in `data`, or why it cannot be read (one line).
std::variant<ServiceRecord, std::string> decode_service_record(std::string_view data);

}  // namespace zsim::core::recipes
