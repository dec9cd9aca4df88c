#include "scenarios/recipes/shape.h"

#include "scenarios/ensemble_world.h"

#include <fmt/format.h>

namespace zsim::scenarios::recipes {

std::vector<std::string> client_names(const ClusterShape& shape) {
  std::vector<std::string> names;
  for (int c = 1; c <= shape.clients; ++c) names.push_back(fmt::format("c{}", c));
  return names;
}

std::vector<std::string> server_names(const ClusterShape& shape) {
  return ensemble_server_names(EnsembleSpec{shape.voters, shape.observers, false});
}

sim::PlanOptions plan_options(const ClusterShape& shape, const FaultModel& faults) {
  const std::vector<std::string> servers = server_names(shape);
  const std::vector<std::string> clients = client_names(shape);
  sim::PlanOptions o;
  // Hosts that crash, pause and drift go in `servers`; the rest only take
  // part in partitions.
  auto add = [](std::vector<std::string>& to, const std::vector<std::string>& from) {
    to.insert(to.end(), from.begin(), from.end());
  };
  add(faults.server_faults ? o.servers : o.clients, servers);
  add(faults.client_faults ? o.servers : o.clients, clients);
  o.max_servers_down = faults.server_faults ? (shape.voters - 1) / 2 : 1;
  const bool hosts_fail = faults.server_faults || faults.client_faults;
  o.crashes = hosts_fail;
  o.pauses = hosts_fail;
  o.clock_faults = hosts_fail;
  o.partitions = faults.network_faults;
  o.loss = faults.network_faults;  // election notifications are datagrams
  o.duplicates = faults.network_faults;
  o.stream_resets = faults.network_faults;
  o.stream_reset_max = sim::Ratio{1, 100};
  o.disk_faults = false;  // see the header
  o.down_max = faults.down_max;
  o.fault_gap_mean = faults.fault_gap_mean;
  return o;
}

}  // namespace zsim::scenarios::recipes
