// ClusterShape and FaultModel: the two parameters of a recipe scenario that
// say what runs (how many servers and clients, their session timeouts) and
// what goes wrong (which hosts fail, and how hard).
//
// plan_options() turns them into the fault generator's knobs. It is the one
// place that fills sim::PlanOptions for recipe scenarios, so that when the
// generator grows (client faults with their own budget, power loss,
// role-aware targets, swarm draws) only this function changes.
#pragma once

#include "core/io/time.h"
#include "sim/fault_plan.h"

#include <string>
#include <vector>

namespace zsim::scenarios::recipes {

struct ClusterShape {
  int voters = 3;     // ZAB voters s1..sN (3 or 5 in the recipe scenarios)
  int observers = 0;  // observers o1..oM
  int clients = 5;    // client hosts c1..cK, each running the body on a fiber
  int spares = 0;     // spare server hosts r1..rN, not started (EnsembleWorld::retire)
  // Each new session asks for a timeout in [min, max] (the servers
  // negotiate within [200 ms, 4 s]). Short, so that client pauses outlast
  // them and sessions expire under the recipes.
  Duration session_timeout_min = seconds(1);
  Duration session_timeout_max = seconds(2);
  // The servers' bound (maxSessionTimeout): what a session is given at most,
  // whatever it asked for.
  Duration server_session_timeout_max = seconds(4);
};

// Host names: s1..sN, o1..oM (ensemble_server_names), then the spares
// r1..rN, all of which the fault plan targets; c1..cK.
std::vector<std::string> client_names(const ClusterShape& shape);
std::vector<std::string> server_names(const ClusterShape& shape);

struct FaultModel {
  // Servers crash (also at named protocol steps, and all at once: power
  // loss), restart, pause and drift, some targeted at @leader or @follower;
  // a disk lies or corrupts reads on one server. At most a minority of the
  // servers is down (or disk-faulty) at a time.
  bool server_faults = true;
  // Partitions of every shape (servers and clients on either side),
  // datagram loss and duplication, stream resets.
  bool network_faults = true;
  // Clients crash (and restart as a new incarnation: a new process with a
  // new session) and pause, one at a time, for up to down_max -- longer
  // than their session timeouts, so sessions expire under the recipe.
  bool client_faults = true;
  // Swarm testing: each seed keeps a random subset of the kinds above and
  // a random intensity (some seeds calm, some storms).
  bool swarm = true;
  // The longest client crash or pause.
  Duration down_max = seconds(4);
  // The mean gap between two faults.
  Duration fault_gap_mean = millis(700);
  // The highest chance that a stream message breaks its connection (a lost
  // reply: the lock scenarios raise it so that create replies are lost).
  sim::Ratio stream_reset_max{1, 100};

  static FaultModel everything() { return {}; }
  // Only clients fail; servers and network stay healthy, and every seed
  // has client faults (no swarm), so a bound on re-election can be judged.
  static FaultModel clients_only() {
    FaultModel m;
    m.server_faults = false;
    m.network_faults = false;
    m.swarm = false;
    return m;
  }
};

// The generator's knobs for a shape under a fault model: every fault kind
// the generator has that the model switches on -- the same server faults as
// the ensemble scenarios (scenarios/ensemble/common.h), and client faults
// from the clients' own budget.
sim::PlanOptions plan_options(const ClusterShape& shape, const FaultModel& faults);

}  // namespace zsim::scenarios::recipes
