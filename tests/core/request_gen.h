// RapidCheck generators for requests over a small path universe, so that
// random sequences collide often (NodeExists, NotEmpty, BadVersion, ...).
// Call only inside a RapidCheck property.
#pragma once

#include <rapidcheck.h>

#include <string>
#include <vector>

#include "core/txn/request.h"

namespace zsim::core::testing {

inline const std::vector<std::string>& universe() {
  static const std::vector<std::string> paths = {"/a", "/b", "/a/x", "/a/y", "/b/x", "/a/x/z",
                                                 "/a/x/z/w"};
  return paths;
}

inline std::string gen_path() {
  // Mostly known paths; sometimes a sequential child of one, or an invalid one.
  const int pick = *rc::gen::inRange(0, 20);
  if (pick == 0) {
    return *rc::gen::element<std::string>("", "a", "/a/", "/a//x", "/zookeeper", "/");
  }
  return *rc::gen::elementOf(universe());
}

inline int32_t gen_version() { return *rc::gen::element<int32_t>(-1, -1, 0, 0, 1, 2, 5); }

inline int64_t gen_session() { return *rc::gen::element<int64_t>(0x11, 0x22, 0x33); }

inline CreateRequest gen_create() {
  CreateRequest r;
  r.path = gen_path();
  const int32_t mode = *rc::gen::inRange(0, 8);  // 7 is invalid
  r.mode = mode;
  r.data = *rc::gen::element<std::string>("", "d", "data");
  const bool ttl_mode = mode == 5 || mode == 6;
  r.ttl_ms = ttl_mode ? *rc::gen::element<int64_t>(1000, 1000, 0) : *rc::gen::element<int64_t>(-1, -1, -1, 10);
  return r;
}

inline MultiOp gen_multi_op() {
  switch (*rc::gen::inRange(0, 4)) {
    case 0:
      return gen_create();
    case 1:
      return DeleteRequest{gen_path(), gen_version()};
    case 2:
      return SetDataRequest{gen_path(), *rc::gen::element<std::string>("", "v1", "v2"),
                            gen_version()};
    default:
      return CheckRequest{gen_path(), gen_version()};
  }
}

inline Request gen_request() {
  const int pick = *rc::gen::inRange(0, 20);
  if (pick < 14) {
    return std::visit([](auto&& op) -> Request { return op; }, gen_multi_op());
  }
  if (pick < 17) {
    MultiRequest m;
    const int n = *rc::gen::inRange(0, 5);
    for (int i = 0; i < n; ++i) {
      m.ops.push_back(gen_multi_op());
    }
    return m;
  }
  if (pick < 18) {
    return CloseSessionRequest{};
  }
  if (pick < 19) {
    return CreateSessionRequest{*rc::gen::element<int32_t>(4000, 30000)};
  }
  return DeleteContainerRequest{gen_path()};
}

// A request with the session that sends it.
struct SessionRequest {
  int64_t session = 0;
  Request request;
};

inline std::vector<SessionRequest> gen_requests(int max_count) {
  const int n = *rc::gen::inRange(1, max_count);
  std::vector<SessionRequest> out;
  for (int i = 0; i < n; ++i) {
    out.push_back(SessionRequest{gen_session(), gen_request()});
  }
  return out;
}

}  // namespace zsim::core::testing
