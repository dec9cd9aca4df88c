// DoubleBarrier: N participants enter together and leave together
// (ZooKeeper's recipes page, "Double Barriers"; Curator's
// DistributedDoubleBarrier), re-checking the count after every wake-up.
//
// Algorithm, enter():
//   1. create `path`/p-<name> EPHEMERAL (NodeExists: mine if its
//      ephemeralOwner is my session -- a create whose reply was lost;
//      otherwise a node of an earlier session of mine that has not expired
//      yet: wait for it to go, then create mine);
//   2. exists(`path`/ready, watch): there -> passed (N had arrived);
//   3. getChildren(`path`, watch); N or more "p-" children -> create
//      `path`/ready (NodeExists is fine) -> passed;
//   4. else wait for an event (a watch or a state change) and go to 2 --
//      ALWAYS re-check: a wake-up says something happened, not that N
//      arrived. Curator GitHub #1290: a `do { ... } while (false)` returned
//      after the first wake-up and let a participant through alone
//      (recheck = false plants that bug: the scenario double-barrier-naive).
// leave():
//   1. delete `path`/p-<name> (whichever session made it: the name is mine);
//   2. getChildren(`path`, watch); no "p-" child left -> passed;
//   3. else wait for an event and go to 2.
// Every waiter watches the children (N is small: a herd of at most N-1
// wake-ups per arrival or departure, where ZooKeeper's page orders leavers
// to watch one node each).
//
// Znodes: `path` PERSISTENT (created if missing); `path`/ready PERSISTENT,
//   made by whoever sees N first; `path`/p-<name> EPHEMERAL per participant.
//   A barrier path is used once: a new round takes a new path.
// ConnectionLoss: waits for the reconnect and reads again; a create whose
//   reply was lost is recognised by its name and its owner.
// Session expiry: kLost. The participant's node is gone: a participant that
//   expired in enter() must enter again in a new session (it may not have
//   been counted); in leave(), its node is gone, which is what leave wants.
// Invariant: enter() returns kPassed only after N participants' nodes were
//   in `path` at once (or ready, made by one who saw that); leave() returns
//   kPassed only once no participant's node is left.
//
// Blocking: enter() and leave() run on a fiber. Uses only core::Client.
#pragma once

#include "core/client/client.h"

#include <cstdint>
#include <string>
#include <vector>

namespace zsim::core::recipes {

struct DoubleBarrierOptions {
  std::string path;  // e.g. "/dbarrier/round-0000000003"
  // The participant's name, stable across sessions (its host's name).
  // REQUIRES: non-empty, no '/'.
  std::string name;
  int count = 2;  // N. REQUIRES: >= 1.
  // Re-check after every wake-up (false: Curator #1290, a planted bug).
  bool recheck = true;
  int rounds_max = 256;
};

enum class BarrierWait : uint8_t {
  kPassed,
  kTimedOut,  // a wait saw no event for the timeout: call again
  kLost,      // the session is gone
};
const char* to_string(BarrierWait w);

class DoubleBarrier {
 public:
  DoubleBarrier(Client& zk, DoubleBarrierOptions options);

  // See the file comment. `timeout`: the longest wait without an event.
  BarrierWait enter(Duration timeout);
  BarrierWait leave(Duration timeout);

  // How many "p-" children `children` holds (the participants present).
  static int participants(const std::vector<std::string>& children);

 private:
  enum class Step : uint8_t { kPassed, kLost, kAgain, kWait };
  template <typename Round>
  BarrierWait run(Duration timeout, bool recheck, Round&& round);
  Step join();
  Step enter_round();
  Step leave_round();

  Client& zk_;
  DoubleBarrierOptions options_;
  std::string mine_;  // path/p-<name>
  bool joined_ = false;
  bool deleted_ = false;
};

}  // namespace zsim::core::recipes
