// AutoHealer: keeps N workers alive (the course's auto-healer). Each worker
// process holds an EPHEMERAL `path`/<id>; when a worker dies its session
// expires and its node goes. The healer -- elected: run tend() only while
// leading (a LeaderSelector over any Election) -- watches the children and,
// whenever fewer than N are there, starts new workers through a launch
// hook (in production: an orchestrator's API; in the simulation: a client
// host that is up).
//
// Algorithm (tend, while e.leading()):
//   getChildren(path, watch) -> live workers;
//   forget launches that showed up in the list, or that did not show up
//     within `launch_grace` (the host died under them: launch again);
//   deficit = N - live - launches still expected; launch that many, each
//     with a fresh id; wait for the next event (or `poll`, to notice
//     expired launches), and read again.
//   Launches in flight are counted so that a slow start is not doubled.
// Znodes: `path` PERSISTENT (made if missing); `path`/<id> EPHEMERAL, one
//   per worker, made by the worker itself (register_worker()).
// ConnectionLoss / SUSPENDED: e.leading() turns false: tend() returns; the
//   selector re-confirms leadership before tending again (a deposed healer
//   launches nothing). The launches in flight are remembered across
//   leaderships of one process.
// Session expiry: LOST: tend() returns; the next healer takes over.
// Invariant: after each worker death, N workers are alive again within
//   about one session timeout (the death's detection) plus one healer
//   hand-over plus the launch time; more than N only while a launch is
//   in doubt.
//
// Blocking: on a fiber. Uses only core::Client.
#pragma once

#include "core/client/client.h"
#include "core/recipes/election.h"

#include <functional>
#include <map>
#include <string>

namespace zsim::core::recipes {

struct AutoHealerOptions {
  std::string path = "/workers";
  int workers = 3;  // N
  // A launch not seen among the children after this is given up (launched
  // again).
  Duration launch_grace = seconds(3);
  // How often to look again without an event (to notice a launch given up).
  Duration poll = millis(500);
};

struct AutoHealerHooks {
  // Starts a worker that will register as `id`; false if no host can take
  // it now.
  std::function<bool(const std::string& id)> launch;
  // A fresh worker id (one path segment).
  std::function<std::string()> new_id;
  // The healer's clock (host time).
  std::function<Time()> now;
};

class AutoHealer {
 public:
  AutoHealer(AutoHealerOptions options, AutoHealerHooks hooks);

  // Tends the workers while `e` leads (through e's handle). Returns when
  // e.leading() turned false or the session is lost.
  void tend(Election& e);

  // How many workers this healer launched (for tests).
  uint64_t launched() const { return launched_; }

 private:
  AutoHealerOptions options_;
  AutoHealerHooks hooks_;
  std::map<std::string, Time> in_flight_;  // id -> launched at
  uint64_t launched_ = 0;
};

// A worker's registration: creates `path`/<id> EPHEMERAL in `zk`'s session
// (the parent made if missing), retrying through ConnectionLoss (a create
// whose reply was lost is found as a node of this session). Ok, or
// SessionExpired / another code it gave up with.
Code register_worker(Client& zk, const std::string& path, const std::string& id, const std::string& data,
                     Duration reconnect_wait);

}  // namespace zsim::core::recipes
