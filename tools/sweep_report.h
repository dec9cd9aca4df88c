// What `zsim sweep` and `zsim merge` print about a run of seeds: the JSON
// line of one seed, the human line of a failing seed, and the summary in
// both forms. One place, so that a merge of shards prints what the
// unsharded sweep would have.
//
// The --json output of a sweep (docs/scale-out.md has an example): one
// object per seed in seed order (to_json below), then one summary object:
//
//   {"summary":true,"scenario":S,"bug":B (only with --bug),"range":"A..B",
//    "shard":"I/N","seeds":count,"failed":count,"by_verdict":{verdict:count},
//    "wall_ms":ms,"jobs":workers}
//
// range and shard are what --seeds and --shard said (shard "1/1" when not
// sharded); they let `zsim merge` check that its inputs are the shards of
// one sweep. A merge's summary has shard "1/1", wall_ms the sum of the
// shards' and "shards": N instead of "jobs".
#pragma once

#include "scenarios/scenario.h"
#include "tools/arguments.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <string>

namespace zsim::tools {

// A run's result as JSON. A seed whose process died has no simulation
// figures: those fields are null.
nlohmann::ordered_json to_json(const scenarios::RunResult& r, std::int64_t wall_ms, bool died);

// One line, invalid UTF-8 replaced.
std::string json_line(const nlohmann::ordered_json& j);

// A message of several lines: the first on the verdict line, the rest
// indented under it.
std::string indent_rest(const std::string& message);

// A failing seed as the human output shows it: verdict, message, and the
// command that reproduces it (two or more lines, newline-terminated).
std::string failure_text(const scenarios::RunResult& r);

// The counts of a run of seeds.
struct SweepTally {
  std::string scenario;
  std::string bug;  // planted bug's name; "" none
  SeedRange range;
  Shard shard;
  std::uint64_t seeds = 0;
  std::uint64_t failed = 0;
  std::map<std::string, std::uint64_t> by_verdict;  // failed seeds only
  std::int64_t wall_ms = 0;

  void add(const scenarios::RunResult& r);
  int exit_status() const { return failed == 0 ? 0 : 1; }
};

// The summary object, without wall_ms/jobs/shards (the caller adds those).
nlohmann::ordered_json summary_json(const SweepTally& t);

// "S: N seeds (A..B[, shard I/N]), X ok, Y failed (Y1 v1, ...)" without
// the trailing wall-time part.
std::string summary_head(const SweepTally& t);

}  // namespace zsim::tools
