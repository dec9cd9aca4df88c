// zsim merge: the --json outputs of the shards of one sweep (`zsim sweep
// --shard I/N --json`, run by a CI matrix or a Kubernetes Indexed Job, see
// docs/scale-out.md) combined into what the unsharded sweep would have
// printed: the failing seeds with their reproduce commands, the summary,
// the exit status (0 all passed, 1 some seed failed), and on request the
// seed lines in seed order (--json) and a JUnit report (--junit).
//
// Nothing is guessed. The inputs must be every shard 1..N of one sweep
// (same scenario, bug, seed range and N), each once, each complete: a
// missing shard, a shard given twice (overlapping seeds), a file cut short
// (no summary line at its end), a line that is not what sweep writes, or
// seeds that are not the shard's, is bad input: one line naming the file
// and line, and exit status 2, before anything is printed on stdout.
//
// Memory does not grow with the number of seeds: each file is read once to
// find its summary, once to check every seed line, and once, all shards
// side by side, to print the seeds in order (shard I's k-th seed comes
// right after shard I-1's k-th). The merge holds one open file per shard.
#include "core/io/quote.h"
#include "tools/commands.h"
#include "tools/junit.h"
#include "tools/run_input.h"
#include "tools/sweep_output.h"
#include "tools/sweep_report.h"

#include <fmt/core.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <vector>

namespace zsim::tools {
namespace {

struct MergeArgs {
  std::vector<std::string> files;
  bool json = false;
  std::string junit;
};

// One input: its path and the summary it ends with.
struct ShardFile {
  std::string path;
  SweepTally summary;
};

std::string where(const std::string& path, std::uint64_t line) {
  return fmt::format("{}:{}", quote_input(path), line);
}

std::ifstream open_or_throw(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    throw BadInput{fmt::format("merge: cannot read {}: it is a directory", quote_input(path))};
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw BadInput{fmt::format("merge: cannot read {}", quote_input(path))};
  return in;
}

// Pass 1: the summary on the file's last line.
ShardFile read_summary(const std::string& path) {
  std::ifstream in = open_or_throw(path);
  std::string line, last;
  std::uint64_t n = 0;
  while (std::getline(in, line)) {
    ++n;
    last = std::move(line);
  }
  if (n == 0) throw BadInput{fmt::format("merge: {}: empty, no summary line (not a `zsim sweep --json` output?)", quote_input(path))};
  if (!looks_like_summary(last)) {
    throw BadInput{fmt::format("merge: {}: the last line is not the summary (a sweep cut short?)", where(path, n))};
  }
  auto summary = parse_summary(last);
  if (auto* why = std::get_if<std::string>(&summary)) throw BadInput{fmt::format("merge: {}: {}", where(path, n), *why)};
  return ShardFile{path, std::get<SweepTally>(std::move(summary))};
}

std::string shard_name(const Shard& s) { return fmt::format("{}/{}", s.index, s.count); }
std::string range_name(const SeedRange& r) { return fmt::format("{}..{}", r.first, r.last); }

// The inputs are the shards 1..N of one sweep, each once; returns them in
// shard order.
std::vector<ShardFile> check_shards(std::vector<ShardFile> files) {
  const ShardFile& first = files.front();
  const SweepTally& a = first.summary;
  for (const ShardFile& f : files) {
    const SweepTally& b = f.summary;
    const auto differ = [&](const char* what, const std::string& mine, const std::string& theirs) {
      if (mine == theirs) return;
      throw BadInput{fmt::format("merge: {} is {} {}, but {} is {} {}: not shards of one sweep", quote_input(f.path),
                                 what, quote_input(mine), quote_input(first.path), what, quote_input(theirs))};
    };
    differ("scenario", b.scenario, a.scenario);
    differ("with bug", b.bug.empty() ? "none" : b.bug, a.bug.empty() ? "none" : a.bug);
    differ("of seeds", range_name(b.range), range_name(a.range));
    differ("in shards of", std::to_string(b.shard.count), std::to_string(a.shard.count));
  }
  std::vector<std::optional<ShardFile>> by_index(a.shard.count);
  for (ShardFile& f : files) {
    std::optional<ShardFile>& slot = by_index[f.summary.shard.index - 1];
    if (slot) {
      throw BadInput{fmt::format("merge: {} and {} are both shard {}: overlapping seeds", quote_input(slot->path),
                                 quote_input(f.path), shard_name(f.summary.shard))};
    }
    slot = std::move(f);
  }
  std::string missing;
  std::size_t missing_count = 0;
  for (std::uint64_t i = 0; i < by_index.size(); ++i) {
    if (by_index[i]) continue;
    if (++missing_count <= 5) missing += fmt::format("{}{}/{}", missing.empty() ? "" : ", ", i + 1, a.shard.count);
  }
  if (missing_count > 0) {
    throw BadInput{fmt::format("merge: shard{} {}{} of {} missing (merge needs the output of every shard)",
                               missing_count > 1 ? "s" : "", missing, missing_count > 5 ? ", ..." : "",
                               range_name(a.range))};
  }
  std::vector<ShardFile> ordered;
  for (std::optional<ShardFile>& f : by_index) ordered.push_back(std::move(*f));
  return ordered;
}

// Pass 2: every line before the summary is the shard's next seed, and the
// seeds add up to the summary.
void check_seed_lines(const ShardFile& f) {
  std::ifstream in = open_or_throw(f.path);
  const ShardSeeds seeds{f.summary.range, f.summary.shard};
  SweepTally recount;
  std::string line;
  for (std::uint64_t k = 0; k < f.summary.seeds; ++k) {
    if (!std::getline(in, line)) throw BadInput{fmt::format("merge: {}: changed while merging", quote_input(f.path))};
    auto parsed = parse_seed_line(line, f.summary);
    if (auto* why = std::get_if<std::string>(&parsed)) throw BadInput{fmt::format("merge: {}: {}", where(f.path, k + 1), *why)};
    const SeedLine& s = std::get<SeedLine>(parsed);
    if (s.result.seed != seeds.at(k)) {
      throw BadInput{fmt::format("merge: {}: seed {} where shard {} of {} has seed {}", where(f.path, k + 1),
                                 s.result.seed, shard_name(f.summary.shard), range_name(f.summary.range), seeds.at(k))};
    }
    recount.add(s.result);
  }
  if (std::getline(in, line) && looks_like_summary(line)) {
    if (recount.failed != f.summary.failed || recount.by_verdict != f.summary.by_verdict) {
      throw BadInput{fmt::format("merge: {}: the summary's counts are not its seeds' ({} failed in the lines)",
                                 where(f.path, f.summary.seeds + 1), recount.failed)};
    }
    return;
  }
  // More lines than the summary counts: the summary is not where it must be.
  throw BadInput{fmt::format("merge: {}: {} seeds counted, but the line after them is not the summary",
                             where(f.path, f.summary.seeds + 1), f.summary.seeds)};
}

// Pass 3: the seeds in seed order, shards side by side.
int print_merged(const std::vector<ShardFile>& files, const MergeArgs& args, std::optional<JunitFile>& junit) {
  const SweepTally& first = files.front().summary;
  SweepTally tally;
  tally.scenario = first.scenario;
  tally.bug = first.bug;
  tally.range = first.range;
  std::vector<std::ifstream> in;
  for (const ShardFile& f : files) {
    in.push_back(open_or_throw(f.path));
    tally.wall_ms += f.summary.wall_ms;
  }
  std::string line;
  for (std::uint64_t k = 0; k < first.seeds; ++k) {  // shard 1 has the most seeds
    for (std::size_t i = 0; i < files.size() && k < files[i].summary.seeds; ++i) {
      std::getline(in[i], line);
      auto parsed = parse_seed_line(line, files[i].summary);
      if (auto* why = std::get_if<std::string>(&parsed)) throw BadInput{fmt::format("merge: {}: {}", where(files[i].path, k + 1), *why)};
      const SeedLine& s = std::get<SeedLine>(parsed);
      tally.add(s.result);
      if (junit) junit->add(s.result, s.died);
      if (args.json) {
        fmt::print("{}\n", line);
      } else if (s.result.verdict != sim::Verdict::kOk) {
        fmt::print("{}", failure_text(s.result));
      }
    }
  }
  if (junit) junit->finish(tally.scenario, tally.bug, tally.range, tally.shard);
  if (args.json) {
    nlohmann::ordered_json summary = summary_json(tally);
    summary["wall_ms"] = tally.wall_ms;
    summary["shards"] = files.size();
    fmt::print("{}\n", summary.dump());
  } else {
    fmt::print("{}; merged from {} shards, {:.1f} s wall in all\n", summary_head(tally), files.size(),
               static_cast<double>(tally.wall_ms) / 1000.0);
  }
  return tally.exit_status();
}

int do_merge(const MergeArgs& args) {
  std::vector<ShardFile> files;
  for (const std::string& path : args.files) files.push_back(read_summary(path));
  files = check_shards(std::move(files));
  for (const ShardFile& f : files) check_seed_lines(f);
  std::optional<JunitFile> junit;
  if (!args.junit.empty()) junit.emplace(args.junit);
  return print_merged(files, args, junit);
}

}  // namespace

void add_merge_command(CLI::App& app, int* exit_code) {
  auto args = std::make_shared<MergeArgs>();
  CLI::App* merge = app.add_subcommand("merge", "Combine the --json outputs of a sharded sweep into one result");
  merge->footer(
      "Give the output of every shard of one sweep (`zsim sweep --shard I/N --json > shard-I.json`,\n"
      "any order): merge prints what the unsharded sweep would have printed (failing seeds with\n"
      "their reproduce commands, then the summary), in seed order. Files of another scenario, bug,\n"
      "seed range or N, a shard missing or given twice, a file cut short or not written by sweep\n"
      "are refused. Exit status: 0 all seeds passed, 1 some seed failed, 2 bad input.\n"
      "See docs/scale-out.md (CI matrices, Kubernetes Indexed Jobs).");
  merge->add_option("files", args->files, "The shards' `zsim sweep --json` outputs")->required()->type_name("FILE");
  merge->add_flag("--json", args->json, "Print every seed's JSON line in seed order, then a summary object");
  merge->add_option("--junit", args->junit, "Also write a JUnit XML report to FILE (as `zsim sweep --junit`)")
      ->type_name("FILE");
  merge->callback([args, exit_code] { guarded(exit_code, [&] { return do_merge(*args); }); });
}

}  // namespace zsim::tools
