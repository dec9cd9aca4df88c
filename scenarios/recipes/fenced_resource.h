// FencedResource: a simulated resource that recipe clients act on -- the
// database a leader writes to, the file a lock holder appends to -- and
// the judge of what really happened to it.
//
// An action is instantaneous, at the global time the client's fiber makes
// it, and is recorded whatever the outcome: who (client and incarnation,
// the session it was using, whether its handle was connected), when, with
// which fencing token, accepted or not.
//
// Fencing (Fencing::kTokens): the resource refuses an action whose token is
// older (lower) than the newest it has accepted; an equal token is the same
// holder going on. Tokens are the czxids of the nodes the holders stand on,
// which grow with each new leadership or lock. Fencing::kNone accepts
// everything -- the naive world in which a holder acts without a token, or
// the resource does not check one.
//
// The resource judges, as actions come (and stops the run at the first
// violation, through the owner's callback):
//   - no stale token accepted: accepted tokens never go down;
//   - one holder at a time: the accepted actions, in time order, fall into
//     tenures -- runs of one holder (client, incarnation, token) -- and no
//     tenure acts again once another has acted after it. Two holders that
//     both believe they hold it (a paused leader that wakes beside the new
//     one) break this unless fencing refuses the old one.
// It also keeps what liveness goals need: the current tenure, and the last
// time anyone else tried to act.
//
// Single-threaded, like the simulator.
#pragma once

#include "core/io/time.h"
#include "sim/simulator.h"

#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

namespace zsim::scenarios::recipes {

class ClientCtx;

enum class Fencing : uint8_t {
  kTokens,  // refuse tokens older than the newest accepted
  kNone,    // accept everything
};

struct ResourceAction {
  uint64_t seq = 0;  // 0, 1, 2, ... in the order the resource saw them
  Time at{};         // global time
  std::string actor;
  uint32_t incarnation = 0;
  int64_t session = 0;     // the session the actor was using
  bool connected = false;  // whether its handle was connected then
  std::optional<int64_t> token;
  bool accepted = false;
};

struct Tenure {
  std::string actor;
  uint32_t incarnation = 0;
  std::optional<int64_t> token;
  Time began{};
  Time last{};
  uint64_t actions = 0;
  bool same_holder(const ResourceAction& a) const {
    return a.actor == actor && a.incarnation == incarnation && a.token == token;
  }
};

class FencedResource {
 public:
  // Called after every action (accepted or not) is recorded.
  using Observer = std::function<void(const FencedResource&, const ResourceAction&)>;

  FencedResource(std::string name, Fencing fencing);

  const std::string& name() const { return name_; }
  Fencing fencing() const { return fencing_; }

  // `me` acts with fencing token `token`; returns whether it was accepted.
  bool act(ClientCtx& me, int64_t token);
  // `me` acts without a token (accepted unless fenced).
  bool act(ClientCtx& me);

  // The record.
  const std::vector<ResourceAction>& actions() const { return actions_; }
  uint64_t accepted() const { return accepted_; }
  uint64_t rejected() const { return actions_.size() - accepted_; }
  uint64_t tenures() const { return tenures_; }

  // The resource's own judgements so far: empty, or the first violation.
  const std::string& violation() const { return violation_; }
  bool no_stale_token_accepted() const { return !stale_accepted_; }
  bool one_holder_at_a_time() const { return !interleaved_; }

  // The holder of the latest accepted action, if any.
  const std::optional<Tenure>& current_tenure() const { return current_; }
  // The last time someone other than the current holder tried to act.
  std::optional<Time> last_foreign_attempt() const { return last_foreign_; }

  void set_observer(Observer observer) { observer_ = std::move(observer); }

 private:
  bool record(ClientCtx& me, std::optional<int64_t> token);
  void judge_accepted(const ResourceAction& a);

  std::string name_;
  Fencing fencing_;
  Observer observer_;
  std::vector<ResourceAction> actions_;
  uint64_t accepted_ = 0;
  uint64_t tenures_ = 0;
  std::optional<int64_t> newest_token_;  // the highest accepted
  std::optional<Tenure> current_;
  // Tenures that have ended (another holder acted after them).
  std::set<std::tuple<std::string, uint32_t, std::optional<int64_t>>> ended_;
  std::optional<Time> last_foreign_;
  bool stale_accepted_ = false;
  bool interleaved_ = false;
  std::string violation_;
};

// "0x300000004", or "none".
std::string token_text(const std::optional<int64_t>& token);

}  // namespace zsim::scenarios::recipes
