// BarrierLog: what the participants of a barrier scenario did -- who passed
// which barrier, when, and at which zxid its handle had seen the ensemble
// then (the last reply's zxid: the state the passing read saw). The
// barrier checks (barrier_checks.h) hold these passes against the committed
// znode history (commit_log.h), never against what a participant believed.
//
// Shared by the client bodies and the checks through a shared_ptr (the
// client processes may outlive the Cluster). Single-threaded.
#pragma once

#include "core/io/time.h"
#include "scenarios/recipes/client_ctx.h"

#include <cstdint>
#include <string>
#include <vector>

namespace zsim::scenarios::recipes {

enum class PassKind : uint8_t {
  kEnter,  // passed a double barrier's enter
  kLeave,  // passed a double barrier's leave
  kGate,   // passed a barrier (its node was gone)
};
const char* to_string(PassKind k);

struct BarrierPass {
  std::string actor;
  uint32_t incarnation = 0;
  std::string path;  // the barrier: a round's node, or a gate
  PassKind kind = PassKind::kEnter;
  Time at{};         // global time
  int64_t zxid = 0;  // what the handle had seen when it passed
};

class BarrierLog {
 public:
  // `me` passed `path` through handle `zk` (the one its read went through:
  // not me.zk(), which would start a new session if that one had expired).
  void passed(ClientCtx& me, const core::Client& zk, std::string path, PassKind kind) {
    passes_.push_back(
        BarrierPass{me.name(), me.incarnation(), std::move(path), kind, me.global_now(), zk.last_zxid()});
  }
  const std::vector<BarrierPass>& passes() const { return passes_; }

 private:
  std::vector<BarrierPass> passes_;
};

}  // namespace zsim::scenarios::recipes
