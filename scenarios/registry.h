// Each scenario file adds its scenarios through one function here; the list
// in scenario.cpp calls them all. Internal to scenarios/.
#pragma once

#include "scenarios/scenario.h"

#include <vector>

namespace zsim::scenarios {

void register_reliable_network(std::vector<Scenario>& out);
void register_single_server(std::vector<Scenario>& out);
void register_ensemble_registers(std::vector<Scenario>& out);
void register_ensemble_sequential(std::vector<Scenario>& out);
void register_ensemble_sessions(std::vector<Scenario>& out);
void register_ensemble_ephemerals(std::vector<Scenario>& out);
void register_ensemble_queue(std::vector<Scenario>& out);
void register_ensemble_multi(std::vector<Scenario>& out);
void register_ensemble_watches(std::vector<Scenario>& out);
void register_selftest(std::vector<Scenario>& out);  // hidden, test only
void register_recipes(std::vector<Scenario>& out);  // scenarios/recipes/registry.cpp

}  // namespace zsim::scenarios
