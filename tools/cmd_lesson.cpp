// `zsim lesson`: the fallacies course (tools/lessons.h, docs/course.md).
// Without a name it lists the lessons (the fallacies, then the course's
// ZooKeeper examples); with one it tells the story, runs
// the naive and the fixed scenario of each pair over the same seeds (each
// seed in a worker process, like `zsim sweep`), prints the symptom in the
// words of the check that caught it, on the seed that shows it best (the
// failing seed with the fewest faults), draws that seed as a space-time
// diagram with --diagram, and ends with an exercise.
//
// Deterministic: the same command prints the same text every time (no
// wall-clock times; progress goes to stderr).
#include "core/io/time.h"
#include "scenarios/recipes/herd_measure.h"
#include "scenarios/scenario.h"
#include "tools/commands.h"
#include "tools/diagram/diagram_html.h"
#include "tools/diagram/run_observer.h"
#include "tools/isolation.h"
#include "tools/lessons.h"
#include "tools/run_input.h"

#include <fmt/format.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unistd.h>

namespace zsim::tools {

namespace {

struct LessonArgs {
  std::string name;
  std::string seeds = "1..50";
  int jobs = 0;
  std::string diagram;  // where the first pair's symptom is drawn ("" none)
};

// Wraps text at `width` columns, every line indented by `indent`.
std::string wrap(const std::string& text, std::size_t indent, std::size_t width = 78) {
  std::string out;
  std::string line(indent, ' ');
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find(' ', start);
    if (end == std::string::npos) end = text.size();
    const std::string word = text.substr(start, end - start);
    if (line.size() > indent && line.size() + 1 + word.size() > width) {
      out += line + "\n";
      line = std::string(indent, ' ');
    }
    line += (line.size() > indent ? " " : "") + word;
    start = end + 1;
  }
  return out + line + "\n";
}

struct SweepTally {
  std::uint64_t seeds = 0;
  std::uint64_t failed = 0;
  std::map<std::string, std::uint64_t> by_verdict;
  // The failing seed that shows the symptom best: the fewest fault events,
  // then the lowest seed.
  std::optional<scenarios::RunResult> best;
  std::size_t best_faults = 0;
};

SweepTally sweep(const scenarios::Scenario& s, const SeedRange& range, int jobs) {
  SweepTally t;
  const std::uint64_t count = range.last - range.first + 1;
  IsolationOptions isolation;
  isolation.jobs = jobs_for(jobs, count);
  isolation.scenario = s.name;
  isolation.seed_timeout = seed_timeout_or_throw(std::string(kSeedTimeoutDefault));
  std::uint64_t done = 0;
  // A terminal gets one live line; a log gets a line at each quarter.
  const bool tty = isatty(fileno(stderr)) != 0;
  run_seeds_isolated(
      count, [&range](std::uint64_t k) { return range.first + k; },
      [&s](std::uint64_t seed) {
        scenarios::RunOptions options;
        options.seed = seed;
        return scenarios::run_scenario(s, options);
      },
      isolation,
      [&](const SeedOutcome&) {
        ++done;
        const bool due = tty ? done % 10 == 0 || done == count : done * 4 / count != (done - 1) * 4 / count;
        if (due) fmt::print(stderr, "  {}: {}/{} seeds{}", s.name, done, count, tty ? "\r" : "\n");
      },
      [&](const SeedOutcome& o) {
        ++t.seeds;
        if (o.result.verdict == sim::Verdict::kOk) return;
        ++t.failed;
        ++t.by_verdict[sim::to_string(o.result.verdict)];
        const std::size_t faults = scenarios::plan_for_seed(s, o.result.seed).events.size();
        if (!t.best || faults < t.best_faults) {
          t.best = o.result;
          t.best_faults = faults;
        }
      });
  if (tty) fmt::print(stderr, "\n");
  return t;
}

// Runs `seed` of `s` again, observed, and writes its space-time diagram
// (docs/diagram.md). Returns "" or why it could not.
std::string write_diagram(const scenarios::Scenario& s, std::uint64_t seed, const std::string& path) {
  diagram::DiagramCollector collector;
  scenarios::RunOptions options;
  options.seed = seed;
  options.observe = [&collector](sim::Simulator& sim) {
    diagram::observe_run(sim, [&collector](const diagram::DiagramEvent& e) { collector.on_event(e); });
  };
  (void)scenarios::run_scenario(s, options);
  std::ofstream out(path, std::ios::trunc);
  out << diagram::render_html(collector.finish());
  out.close();
  return out ? "" : fmt::format("cannot write {}", path);
}

// FILE for the first pair, FILE-2.html, FILE-3.html ... for the next ones.
std::string diagram_path(const std::string& base, std::size_t pair) {
  if (pair == 0) return base;
  const std::size_t dot = base.rfind('.');
  const std::size_t slash = base.rfind('/');
  const bool has_ext = dot != std::string::npos && (slash == std::string::npos || dot > slash);
  return has_ext ? fmt::format("{}-{}{}", base.substr(0, dot), pair + 1, base.substr(dot))
                 : fmt::format("{}-{}", base, pair + 1);
}

std::string tally_line(const std::string& role, const std::string& scenario, const SweepTally& t) {
  std::string verdicts;
  for (const auto& [v, n] : t.by_verdict) verdicts += fmt::format("{}{} {}", verdicts.empty() ? "" : ", ", n, v);
  return fmt::format("  {:<5}  {:<30} {} seeds: {} ok, {} failed{}\n", role, scenario, t.seeds, t.seeds - t.failed,
                     t.failed, verdicts.empty() ? "" : " (" + verdicts + ")");
}

int list_lessons() {
  fmt::print("The fallacies of distributed computing, shown (docs/course.md):\n");
  for (const Lesson& l : lessons()) fmt::print("  {}  {:<24} {}\n", l.fallacy, l.name, l.title);
  fmt::print("The course's ZooKeeper examples:\n");
  for (const Lesson& l : course_examples()) fmt::print("     {:<24} {}\n", l.name, l.title);
  fmt::print("Run one: zsim lesson NAME (or a fallacy's number), e.g. zsim lesson {}\n", lessons().front().name);
  return 0;
}

std::string all_names() {
  std::string names;
  for (const auto* list : {&lessons(), &course_examples()}) {
    for (const Lesson& x : *list) names += (names.empty() ? "" : ", ") + x.name;
  }
  return names;
}

// The pair's part of the lesson; returns whether it behaved as the lesson
// says (the naive one failed on some seed, the fixed one on none).
bool run_pair(const LessonPair& pair, const SeedRange& range, int jobs, const std::string& diagram_file) {
  const scenarios::Scenario& naive = scenario_or_throw(pair.naive);
  const scenarios::Scenario& fixed = scenario_or_throw(pair.fixed);
  fmt::print("== {}: {} vs {}, seeds {}..{} ==\n", pair.what, naive.name, fixed.name, range.first, range.last);
  std::fflush(stdout);
  const SweepTally n = sweep(naive, range, jobs);
  const SweepTally f = sweep(fixed, range, jobs);
  fmt::print("{}{}", tally_line("naive", naive.name, n), tally_line("fixed", fixed.name, f));
  if (n.best) {
    fmt::print("  The symptom, on seed {} ({} fault event{}):\n", n.best->seed, n.best_faults,
               n.best_faults == 1 ? "" : "s");
    fmt::print("{}", wrap(fmt::format("{}: {}", sim::to_string(n.best->verdict), n.best->message), 4));
    fmt::print("  Watch it: zsim run --scenario {} --seed {} --trace\n", naive.name, n.best->seed);
    fmt::print("  Its faults: zsim plan --scenario {} --seed {}\n", naive.name, n.best->seed);
    if (!diagram_file.empty() && n.best->verdict != sim::Verdict::kCrash) {
      std::fflush(stdout);
      const std::string problem = write_diagram(naive, n.best->seed, diagram_file);
      if (problem.empty()) {
        fmt::print("  Its diagram: {} (open it in a browser; docs/diagram.md)\n", diagram_file);
      } else {
        fmt::print("  No diagram: {}\n", problem);
      }
    }
  } else {
    fmt::print("  The naive program failed on none of these seeds: try more (--seeds 1..500).\n");
  }
  if (f.failed > 0) {
    fmt::print("  The fixed program failed on {} seed{}: that is a bug of the lesson (please report it):\n",
               f.failed, f.failed == 1 ? "" : "s");
    if (f.best) fmt::print("    zsim run --scenario {} --seed {}\n", fixed.name, f.best->seed);
  }
  fmt::print("\n");
  return n.failed > 0 && f.failed == 0;
}

bool run_herd(const Lesson& l) {
  namespace rs = scenarios::recipes;
  const uint64_t rate = l.herd_egress_bytes_per_ms;
  fmt::print("== the herd effect, measured (zsim herd): per leader change, 3 healthy servers ==\n");
  fmt::print("  {:>10}  {:>9}  {:>13}  {:>9}  {:>16}", "candidates", "recipe", "notifications", "bytes",
             "handover (ms)");
  if (rate != 0) fmt::print("  {:>22}", fmt::format("at {} bytes/ms (ms)", rate));
  fmt::print("\n");
  bool ok = true;
  for (int n : l.herd_candidates) {
    for (rs::HerdRecipe r : {rs::HerdRecipe::kHerd, rs::HerdRecipe::kHerdFree}) {
      fmt::print(stderr, "  measuring {} with {} candidates...\n", rs::to_string(r), n);
      const rs::HerdMeasurement m = rs::measure_herd(r, n, rs::HerdMeasureOptions{});
      rs::HerdMeasurement slow;
      if (m.error.empty() && rate != 0) {
        rs::HerdMeasureOptions o;
        o.egress_bytes_per_ms = rate;
        slow = rs::measure_herd(r, n, o);
      }
      const std::string& error = m.error.empty() ? slow.error : m.error;
      if (!error.empty()) {
        fmt::print("  {:>10}  {:>9}  could not measure: {}\n", n, rs::to_string(r), error);
        ok = false;
        continue;
      }
      fmt::print("  {:>10}  {:>9}  {:>13.0f}  {:>9.0f}  {:>16.1f}", n, rs::to_string(r), m.notifications_per_change,
                 m.bytes_per_change, m.handover_ms);
      if (rate != 0) fmt::print("  {:>22.1f}", slow.handover_ms);
      fmt::print("\n");
    }
  }
  fmt::print("\n");
  return ok;
}

int do_lesson(const LessonArgs& a) {
  if (a.name.empty()) return list_lessons();
  const Lesson* l = find_lesson(a.name);
  if (l == nullptr) throw BadInput{fmt::format("lesson: no lesson named {} (the lessons: {})", a.name, all_names())};
  const SeedRange range = value_or_throw(parse_seed_range(a.seeds));
  if (range.last - range.first >= 100'000) throw BadInput{"lesson: --seeds spans more than 100000 seeds"};

  if (l->fallacy > 0) {
    fmt::print("Lesson {}: {} ({})\n\n", l->fallacy, l->title, l->name);
  } else {
    fmt::print("Course example: {} ({})\n\n", l->title, l->name);
  }
  fmt::print("What the naive program believes:\n{}\n", wrap(l->believes, 2));
  fmt::print("What the fault does:\n{}\n", wrap(l->fault, 2));
  fmt::print("What to look for:\n{}\n", wrap(l->look_for, 2));
  std::fflush(stdout);
  bool as_told = true;
  for (std::size_t i = 0; i < l->pairs.size(); ++i) {
    const std::string file = a.diagram.empty() ? "" : diagram_path(a.diagram, i);
    as_told = run_pair(l->pairs[i], range, a.jobs, file) && as_told;
  }
  if (!l->herd_candidates.empty()) as_told = run_herd(*l) && as_told;
  fmt::print("Exercise:\n{}", wrap(l->exercise, 2));
  return as_told ? 0 : 1;
}

}  // namespace

void add_lesson_command(CLI::App& app, int* exit_code) {
  auto args = std::make_shared<LessonArgs>();
  CLI::App* cmd = app.add_subcommand("lesson", "The fallacies course: list the lessons, or run one (docs/course.md)");
  cmd->footer(
      "Without NAME: the list (the fallacies, then the course's ZooKeeper examples).\n"
      "With NAME (or a fallacy's number): the story -- what the naive program\n"
      "believes, what the fault does, what to look for -- then the naive and the fixed scenario\n"
      "over the same seeds, the symptom in the check's words on the seed that shows it best\n"
      "(the failing seed with the fewest faults) with the commands to watch it, and an exercise.\n"
      "The output is the same every time. Exit status: 0 the lesson showed what it teaches (the\n"
      "naive program failed, the fixed one did not); 1 it did not; 2 bad input.");
  cmd->add_option("name", args->name, "The lesson (e.g. reliable-network, or 1; or a course example, e.g. work-queue)");
  cmd->add_option("--seeds", args->seeds, "Seeds to run each scenario over, A..B")->capture_default_str();
  cmd->add_option("--jobs", args->jobs, "Worker processes (0: one per core)")->capture_default_str();
  cmd->add_option("--diagram", args->diagram,
                  "Draw the symptom's seed as a space-time diagram in this HTML file (the second pair's in "
                  "FILE-2.html, ...; docs/diagram.md)");
  cmd->callback([args, exit_code] { guarded(exit_code, [&] { return do_lesson(*args); }); });
}

}  // namespace zsim::tools
