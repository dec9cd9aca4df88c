// The fallacies course's lessons (`zsim lesson`, docs/course.md): each is a
// story -- what a naive program believes, what the fault does, what to
// look for -- told by pairs of registered scenarios, a naive and a fixed
// one under the same faults, and an exercise for the class.
//
// Two kinds, one shape: the eight fallacies (lessons(), fallacy 1..8) and
// the course's own ZooKeeper examples (course_examples(), fallacy 0:
// leader election, re-election, the service registry, the auto-healer, the
// work queue). Both are run the same way; only the list's section and the
// heading differ.
//
// Pure data: the catalog names scenarios; `zsim lesson` runs them. A
// test checks that every scenario named here is registered and that each
// naive one is a `-naive` scenario (so sweeps and tools skip it).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace zsim::tools {

struct LessonPair {
  std::string naive;  // fails on most seeds
  std::string fixed;  // fails on none
  std::string what;   // one line: the program both run
};

struct Lesson {
  std::string name;   // "reliable-network"
  int fallacy = 0;    // 1..8, in Deutsch's order; 0 for a course example
  std::string title;  // "The network is reliable"
  std::string believes;  // what the naive program believes
  std::string fault;     // what the fault does
  std::string look_for;  // what to look for in the output and the trace
  std::vector<LessonPair> pairs;
  // Lesson 3: also measure the herd effect (zsim herd) for these lengths.
  std::vector<int> herd_candidates;
  // ... and the handover time again with every host's network interface
  // limited to this many bytes per millisecond (0: not measured).
  std::uint64_t herd_egress_bytes_per_ms = 0;
  std::string exercise;
};

// Every fallacy lesson, by fallacy number.
const std::vector<Lesson>& lessons();
// The course's ZooKeeper examples (tools/course_examples.cpp), in the
// course's order; each has fallacy == 0.
const std::vector<Lesson>& course_examples();
// A fallacy lesson or a course example by name, or a fallacy by its number
// ("2"); null if none.
const Lesson* find_lesson(const std::string& name_or_number);

}  // namespace zsim::tools
