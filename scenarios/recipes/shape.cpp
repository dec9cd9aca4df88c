#include "scenarios/recipes/shape.h"

#include "scenarios/ensemble_world.h"
#include "scenarios/scenario.h"

#include <fmt/format.h>

namespace zsim::scenarios::recipes {

std::vector<std::string> client_names(const ClusterShape& shape) {
  std::vector<std::string> names;
  for (int c = 1; c <= shape.clients; ++c) names.push_back(fmt::format("c{}", c));
  return names;
}

std::vector<std::string> server_names(const ClusterShape& shape) {
  EnsembleSpec spec;
  spec.voters = shape.voters;
  spec.observers = shape.observers;
  std::vector<std::string> names = ensemble_server_names(spec);
  // Spares are server machines too: once a member moved onto one, the
  // network must be able to cut it off like the machine it replaced.
  for (int i = 1; i <= shape.spares; ++i) names.push_back(fmt::format("r{}", i));
  return names;
}

sim::PlanOptions plan_options(const ClusterShape& shape, const FaultModel& faults) {
  sim::PlanOptions o;
  o.servers = server_names(shape);
  o.clients = client_names(shape);
  o.fault_gap_mean = faults.fault_gap_mean;
  o.swarm = faults.swarm;
  // Servers: a minority down at a time; a faulty disk counts as down.
  const bool s = faults.server_faults;
  o.max_servers_down = (shape.voters - 1) / 2;
  o.crashes = s;
  o.pauses = s;
  o.clock_faults = s;
  o.disk_faults = s;
  o.disk_fault_servers_max = 1;
  o.power_loss = s;
  o.crash_points = s;
  if (s) o.crash_sites = crash_site_names();
  if (s) o.role_targets = {"@leader", "@follower"};
  if (s && shape.observers > 0) o.role_targets.push_back("@observer");
  o.down_max = seconds(3);
  // The network between everyone.
  const bool n = faults.network_faults;
  o.partitions = n;
  o.loss = n;  // election notifications are datagrams
  o.duplicates = n;
  o.stream_resets = n;
  o.stream_reset_max = faults.stream_reset_max;
  // Clients, from their own budget.
  o.client_crashes = faults.client_faults;
  o.client_pauses = faults.client_faults;
  o.clients_down_max = 1;
  o.client_down_max = faults.down_max;
  return o;
}

}  // namespace zsim::scenarios::recipes
