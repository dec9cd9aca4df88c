// `zsim herd`: the herd effect, measured (scenarios/recipes/herd_measure.h):
// watch notifications and bytes per leader change, herd vs herd-free
// election, for a few line lengths. Prints a table (or JSON).
#include "scenarios/recipes/herd_measure.h"
#include "tools/commands.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

namespace zsim::tools {

namespace {

struct HerdArgs {
  std::vector<int> candidates = {10, 50, 100};
  int changes = 5;
  uint64_t seed = 1;
  uint64_t egress_bytes_per_ms = 0;
  bool json = false;
};

int do_herd(const HerdArgs& a) {
  using scenarios::recipes::HerdRecipe;
  namespace rs = scenarios::recipes;
  for (int n : a.candidates) {
    if (n < 2 || n > 1000) {
      fmt::print(stderr, "zsim herd: --candidates {} is out of range (2..1000)\n", n);
      return 2;
    }
  }
  if (a.changes < 1 || a.changes > 100) {
    fmt::print(stderr, "zsim herd: --changes {} is out of range (1..100)\n", a.changes);
    return 2;
  }
  rs::HerdMeasureOptions o;
  o.changes = a.changes;
  o.seed = a.seed;
  o.egress_bytes_per_ms = a.egress_bytes_per_ms;
  nlohmann::json rows = nlohmann::json::array();
  if (!a.json) {
    fmt::print("Per leader change ({} changes each, seed {}; 3 healthy servers{}; the leader closes its session):\n",
               a.changes, a.seed,
               a.egress_bytes_per_ms == 0 ? std::string{}
                                          : fmt::format(", each host sending {} bytes/ms", a.egress_bytes_per_ms));
    fmt::print("{:>10}  {:>9}  {:>13}  {:>6}  {:>9}  {:>8}  {:>11}\n", "candidates", "recipe", "notifications",
               "woken", "bytes", "messages", "handover_ms");
  }
  int status = 0;
  for (int n : a.candidates) {
    for (HerdRecipe r : {HerdRecipe::kHerd, HerdRecipe::kHerdFree}) {
      if (!a.json) {
        std::fflush(stdout);
        fmt::print(stderr, "measuring {} with {} candidates...\n", rs::to_string(r), n);
      }
      const rs::HerdMeasurement m = rs::measure_herd(r, n, o);
      if (!m.error.empty()) {
        fmt::print(stderr, "zsim herd: {} with {} candidates: {}\n", rs::to_string(r), n, m.error);
        status = 3;
        continue;
      }
      if (a.json) {
        rows.push_back({{"candidates", n},
                        {"recipe", rs::to_string(r)},
                        {"changes", m.changes},
                        {"notifications_per_change", m.notifications_per_change},
                        {"woken_per_change", m.woken_per_change},
                        {"bytes_per_change", m.bytes_per_change},
                        {"messages_per_change", m.messages_per_change},
                        {"handover_ms", m.handover_ms}});
      } else {
        fmt::print("{:>10}  {:>9}  {:>13.1f}  {:>6.1f}  {:>9.0f}  {:>8.0f}  {:>11.1f}\n", n, rs::to_string(r),
                   m.notifications_per_change, m.woken_per_change, m.bytes_per_change, m.messages_per_change,
                   m.handover_ms);
      }
    }
  }
  if (a.json) fmt::print("{}\n", rows.dump(2));
  return status;
}

}  // namespace

void add_herd_command(CLI::App& app, int* exit_code) {
  auto args = std::make_shared<HerdArgs>();
  CLI::App* cmd = app.add_subcommand(
      "herd", "Measure the herd effect: watch notifications and bytes per leader change, herd vs herd-free election");
  cmd->footer(
      "For each line length, N candidates run the herd election (everyone watches the whole line)\n"
      "and then the herd-free one (each watches its predecessor) on 3 healthy simulated servers.\n"
      "Once the line has formed, the leader closes its session --changes times; each change is\n"
      "measured from the close until another candidate leads, plus 500 ms for the stragglers:\n"
      "  notifications  watch events delivered to the candidates (expected N-1 herd, 1 herd-free)\n"
      "  woken          candidates that got at least one\n"
      "  bytes          payload bytes of all messages sent (clients and servers), minus the\n"
      "                 background (pings) of an equally long quiet window\n"
      "  messages       messages sent, minus the same background\n"
      "  handover_ms    time from the close until another candidate leads\n"
      "With --egress-bytes-per-ms R, every host's network interface sends R bytes per millisecond\n"
      "over all its links together, so a server's answers to the herd queue behind each other.\n"
      "Averages per change. The same seed always prints the same numbers. See docs/recipes.md.\n"
      "Exit status: 0; 2 for bad input; 3 if a measurement could not finish (said on stderr).");
  cmd->add_option("--candidates", args->candidates, "Line lengths to measure, comma-separated (each 2..1000)")
      ->delimiter(',')
      ->capture_default_str();
  cmd->add_option("--changes", args->changes, "Leader changes measured per run (1..100)")->capture_default_str();
  cmd->add_option("--seed", args->seed, "Seed of the simulation (0..2^64-1)")->capture_default_str();
  cmd->add_option("--egress-bytes-per-ms", args->egress_bytes_per_ms,
                  "Capacity of every host's network interface, bytes per ms (0: unlimited)")
      ->capture_default_str();
  cmd->add_flag("--json", args->json, "Print the rows as JSON instead of a table");
  cmd->callback([args, exit_code] { *exit_code = do_herd(*args); });
}

}  // namespace zsim::tools
