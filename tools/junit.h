// JUnit XML reports of sweeps (`zsim sweep --junit FILE`, `zsim merge
// --junit FILE`): the format CI systems (GitHub Actions reporters, GitLab,
// Jenkins) read to show one test per seed.
//
//   <testsuites name="zsim" tests= failures= errors= time="0">
//     <testsuite name=SCENARIO tests= failures= errors= skipped="0" time="0">
//       <properties> scenario, seeds (A..B), shard (I/N), bug </properties>
//       <testcase classname=SCENARIO name="seed N" time="0"/>            passed
//       <testcase ...><failure message= type=VERDICT>text</failure>      failed
//       <testcase ...><error message= type="crash">text</error>          crashed
//
// A seed whose verdict is a check's (linearizability, invariant, liveness)
// is a <failure>; a crash (an assertion, a signal, a timeout, a budget) is
// an <error>, as JUnit tells an assertion from an unexpected exception.
// The text is the whole message, the `zsim run` command that reproduces
// the seed, and its fingerprint and simulated time when the run finished.
//
// Deterministic: every `time` is "0" and nothing else is wall-clock, so the
// same sweep writes the same bytes whatever --jobs, the machine or the
// shard split (merging shards gives the unsharded sweep's file exactly).
// Wall time is in --json's wall_ms and the progress line.
//
// Any text is escaped: markup characters become entities, and what XML 1.0
// cannot carry at all (control characters, malformed UTF-8) is shown as
// \xHH, so a crash report full of garbage still gives a well-formed file.
//
// JunitFile streams: testcases go to FILE.part as seeds are delivered (the
// memory use does not grow with the number of seeds), and finish() writes
// FILE from the counts and the part, then removes the part. Interrupted
// (Ctrl-C, SIGTERM, SIGHUP), the process removes the part before it dies
// (tools/interrupt_cleanup.h).
#pragma once

#include "scenarios/scenario.h"
#include "tools/arguments.h"
#include "tools/interrupt_cleanup.h"

#include <cstdint>
#include <fstream>
#include <optional>
#include <string>
#include <string_view>

namespace zsim::tools {

// `text` as XML character data (in_attribute: also quotes, and line breaks
// and tabs as character references so a parser keeps them).
std::string xml_escape(std::string_view text, bool in_attribute);

// What the report says about the whole run of seeds.
struct JunitSuite {
  std::string scenario;
  std::string bug;  // planted bug's name; "" none
  SeedRange range;
  Shard shard;
  std::uint64_t tests = 0;
  std::uint64_t failures = 0;  // check verdicts
  std::uint64_t errors = 0;    // crashes
};

// One seed's testcase element (with its trailing newline). `died`: the
// process died on it, so it has no fingerprint.
std::string junit_testcase(const scenarios::RunResult& r, bool died);

std::string junit_head(const JunitSuite& suite);
std::string junit_tail();

class JunitFile {
 public:
  // Opens FILE.part; BadInput (tools/run_input.h) if it cannot be written,
  // so a bad path is found before any seed runs.
  explicit JunitFile(std::string path);
  JunitFile(const JunitFile&) = delete;
  JunitFile& operator=(const JunitFile&) = delete;
  ~JunitFile();  // removes FILE.part if finish() did not run

  void add(const scenarios::RunResult& r, bool died);
  // Writes FILE (the counts come from the seeds added); BadInput if it
  // cannot.
  void finish(std::string scenario, std::string bug, SeedRange range, Shard shard);

 private:
  std::string path_;
  std::string part_path_;
  std::ofstream part_;
  std::optional<RemoveOnInterrupt> cleanup_;  // the part, once opened
  JunitSuite counts_;
  bool finished_ = false;
};

}  // namespace zsim::tools
