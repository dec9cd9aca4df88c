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
  // Each new session asks for a timeout in [min, max] (the servers
  // negotiate within [200 ms, 4 s]). Short, so that client pauses outlast
  // them and sessions expire under the recipes.
  Duration session_timeout_min = seconds(1);
  Duration session_timeout_max = seconds(2);
};

// Host names: s1..sN, o1..oM (ensemble_server_names), c1..cK.
std::vector<std::string> client_names(const ClusterShape& shape);
std::vector<std::string> server_names(const ClusterShape& shape);

struct FaultModel {
  // Servers crash, restart, pause and drift. (No disk faults: see
  // plan_options().)
  bool server_faults = true;
  // Partitions of every shape (servers and clients on either side),
  // datagram loss and duplication, stream resets.
  bool network_faults = true;
  // Clients crash (and restart as a new incarnation: a new process with a
  // new session) and pause, for up to down_max -- longer than their
  // session timeouts, so sessions expire under the recipe.
  bool client_faults = true;
  // The longest crash or pause.
  Duration down_max = seconds(4);
  // The mean gap between two faults.
  Duration fault_gap_mean = millis(700);

  static FaultModel everything() { return {}; }
  // Only clients fail (crash, pause, drift); servers and network stay
  // healthy, so a bound on re-election can be judged.
  static FaultModel clients_only() {
    FaultModel m;
    m.server_faults = false;
    m.network_faults = false;
    return m;
  }
};

// The generator's knobs for a shape under a fault model.
//
// Today's generator has one crash/pause budget (max_servers_down) for the
// hosts in PlanOptions::servers, so failing clients are listed there next
// to the servers and share the budget: at most a minority of the servers
// (1 of 3, 2 of 5) -- or, with healthy servers, one client -- is down at
// any moment, which keeps a quorum whatever the draw.
//
// Disk faults stay off. A lying sync (or a corrupted read that cuts the
// log at recovery) makes a server forget a txn it acknowledged; if that
// server was in the txn's commit quorum and is the only member of it in
// the next quorum, the commit is lost -- with a single faulty disk and a
// mere partition elsewhere (election-herd seed 415746 under disk faults: s1
// acked 0x400000005 with a lying sync, crashed, and formed the next quorum
// with s2, which a partition had kept from the txn). ZAB assumes stable
// storage; no budget of faulty disks short of zero excludes that, so the
// ensemble scenarios own this fault class and the recipes do not add to it.
sim::PlanOptions plan_options(const ClusterShape& shape, const FaultModel& faults);

}  // namespace zsim::scenarios::recipes
