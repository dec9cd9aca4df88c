// `zsim lesson` through the real binary: the list names every lesson of the
// catalog; a lesson tells its story, shows the naive scenario failing and
// the fixed one passing over the same seeds, names the seed that shows the
// symptom best with the check's words, and ends with an exercise -- the
// same text on every run; a lesson whose naive program does not fail says
// so with exit 1; bad input is one line and exit 2. And the catalog itself:
// every scenario it names exists, and every naive one is a -naive scenario.
// The course's ZooKeeper examples are lessons too: listed in their own
// section, run the same way, found by name only.
#include "scenarios/scenario.h"
#include "tests/tools/run_command.h"
#include "tools/lessons.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

namespace {

using zsim::testing::run_command;

const std::string kZsim = ZSIM_BINARY;

zsim::testing::CommandResult zsim(const std::string& args) { return run_command(kZsim + " " + args); }

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

TEST(LessonCli, TheListNamesEveryLesson) {
  const auto r = zsim("lesson");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  for (const zsim::tools::Lesson& l : zsim::tools::lessons()) {
    EXPECT_TRUE(has(r.out, l.name)) << l.name << " missing from:\n" << r.out;
    EXPECT_TRUE(has(r.out, l.title)) << r.out;
  }
}

TEST(LessonCli, TheListHasTheCourseExamplesInASectionOfTheirOwn) {
  const auto r = zsim("lesson");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  const std::size_t section = r.out.find("The course's ZooKeeper examples:");
  ASSERT_NE(section, std::string::npos) << r.out;
  ASSERT_FALSE(zsim::tools::course_examples().empty());
  for (const zsim::tools::Lesson& l : zsim::tools::course_examples()) {
    const std::size_t at = r.out.find(l.name);
    EXPECT_NE(at, std::string::npos) << l.name << " missing from:\n" << r.out;
    EXPECT_GT(at, section) << l.name << " is listed among the fallacies";
    EXPECT_TRUE(has(r.out, l.title)) << r.out;
  }
  for (const zsim::tools::Lesson& l : zsim::tools::lessons()) {
    EXPECT_LT(r.out.find(l.name), section) << l.name << " is listed among the examples";
  }
}

TEST(LessonCli, ACourseExampleRunsLikeALessonTheSameEveryTime) {
  const auto r = zsim("lesson work-queue --seeds 25..30 --jobs 2");
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(has(r.out, "Course example: The master/worker work queue (work-queue)")) << r.out;
  EXPECT_FALSE(has(r.out, "Lesson 0")) << r.out;
  EXPECT_TRUE(has(r.out, "What the naive program believes:")) << r.out;
  EXPECT_TRUE(has(r.out, "naive  work-queue-no-recovery-naive")) << r.out;
  EXPECT_TRUE(has(r.out, "fixed  work-queue                     6 seeds: 6 ok, 0 failed")) << r.out;
  EXPECT_TRUE(has(r.out, "The symptom, on seed ")) << r.out;
  EXPECT_TRUE(has(r.out, "a worker that is not alive")) << r.out;
  EXPECT_TRUE(has(r.out, "Watch it: zsim run --scenario work-queue-no-recovery-naive --seed ")) << r.out;
  EXPECT_TRUE(has(r.out, "Exercise:")) << r.out;
  const auto again = zsim("lesson work-queue --seeds 25..30 --jobs 1");
  EXPECT_EQ(again.out, r.out);
  // Progress, to a log (not a terminal): a line at each quarter, each its
  // own line, no carriage returns running them together.
  EXPECT_FALSE(has(r.err, "\r")) << r.err;
  EXPECT_TRUE(has(r.err, "  work-queue-no-recovery-naive: 3/6 seeds\n")) << r.err;
  EXPECT_TRUE(has(r.err, "  work-queue: 6/6 seeds\n")) << r.err;
  EXPECT_FALSE(has(r.err, "  work-queue: 1/6 seeds")) << r.err;
}

TEST(LessonCli, AnUnknownNameListsTheExamplesToo) {
  const auto r = zsim("lesson no-such-example");
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  for (const zsim::tools::Lesson& l : zsim::tools::course_examples()) EXPECT_TRUE(has(r.err, l.name)) << r.err;
  // A course example has no number: "0" names nothing.
  EXPECT_EQ(zsim("lesson 0").exit_code, 2);
}

TEST(LessonCli, ALessonShowsTheNaiveFailingAndTheFixedHoldingTheSameEveryTime) {
  const auto r = zsim("lesson latency-is-zero --seeds 1..12 --jobs 2");
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(has(r.out, "Lesson 2: Latency is zero")) << r.out;
  EXPECT_TRUE(has(r.out, "What the naive program believes:")) << r.out;
  EXPECT_TRUE(has(r.out, "naive  paused-leader-naive")) << r.out;
  EXPECT_TRUE(has(r.out, "fixed  paused-leader-fenced           12 seeds: 12 ok, 0 failed")) << r.out;
  EXPECT_TRUE(has(r.out, "The symptom, on seed ")) << r.out;
  EXPECT_TRUE(has(r.out, "two holders act on /db at once")) << r.out;
  EXPECT_TRUE(has(r.out, "Watch it: zsim run --scenario paused-leader-naive --seed ")) << r.out;
  EXPECT_TRUE(has(r.out, "Exercise:")) << r.out;
  // By number, with one job: the same text.
  const auto again = zsim("lesson 2 --seeds 1..12 --jobs 1");
  EXPECT_EQ(again.out, r.out);
}

TEST(LessonCli, TheBandwidthLessonMeasuresTheHerdWithUnlimitedAndFiniteInterfaces) {
  const auto r = zsim("lesson bandwidth-is-infinite");
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(has(r.out, "Lesson 3: Bandwidth is infinite")) << r.out;
  EXPECT_TRUE(has(r.out, "handover (ms)")) << r.out;
  EXPECT_TRUE(has(r.out, "at 100 bytes/ms (ms)")) << r.out;
  // 49 notifications per change in the herd of 50, 1 in the herd-free line.
  EXPECT_TRUE(has(r.out, "        50       herd             49")) << r.out;
  EXPECT_TRUE(has(r.out, "        50  herd-free              1")) << r.out;
  EXPECT_EQ(zsim("lesson 3").out, r.out);
}

TEST(LessonCli, TheLaterFallaciesShowTheirSymptomsInWords) {
  // Lessons 5 (its second pair), 6, 7 and 8: the naive program is caught on these seeds by the
  // check that tells the story (named: the symptom's words wrap); the fixed
  // one holds.
  struct Case {
    std::string lesson, naive, fixed, symptom;
  };
  for (const Case& c : {Case{"5", "server-replacement-naive", "server-replacement", "reach-ensemble:"},
                        Case{"6", "one-administrator-naive", "one-administrator",
                             "acts-after-expiry:"},
                        Case{"7", "transport-cost-is-zero-naive", "transport-cost-is-zero",
                             "transport-budget:"},
                        Case{"8", "network-is-homogeneous-naive", "network-is-homogeneous",
                             "discovery-views:"}}) {
    const auto r = zsim("lesson " + c.lesson + " --seeds 1..6 --jobs 2");
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_TRUE(has(r.out, "naive  " + c.naive)) << r.out;
    EXPECT_TRUE(has(r.out, "fixed  " + c.fixed)) << r.out;
    EXPECT_TRUE(has(r.out, "6 seeds: 6 ok, 0 failed")) << r.out;
    EXPECT_TRUE(has(r.out, c.symptom)) << r.out;
  }
}

TEST(LessonCli, TheSymptomsSeedIsDrawnAsADiagram) {
  const std::string dir = zsim::testing::make_temp_dir();
  const auto r = zsim("lesson topology-doesnt-change --seeds 20..24 --diagram " + dir + "/lesson.html");
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(has(r.out, "Its diagram: " + dir + "/lesson.html")) << r.out;
  std::ifstream in(dir + "/lesson.html");
  const std::string page((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_TRUE(has(page, "<html")) << page.substr(0, 200);
  EXPECT_TRUE(has(page, "registry-views")) << "the diagram shows the verdict of the symptom's seed";
  // The second pair's diagram: FILE-2.html.
  EXPECT_TRUE(has(r.out, "Its diagram: " + dir + "/lesson-2.html")) << r.out;
  std::ifstream in2(dir + "/lesson-2.html");
  const std::string page2((std::istreambuf_iterator<char>(in2)), std::istreambuf_iterator<char>());
  EXPECT_TRUE(has(page2, "reach-ensemble")) << "the second pair's diagram shows its verdict";
  std::filesystem::remove_all(dir);
}

TEST(LessonCli, ALessonThatShowsNothingSaysSo) {
  // Seed 7 of the naive paused leader passes (golden fingerprints): on that
  // seed alone the lesson has nothing to show.
  const auto r = zsim("lesson latency-is-zero --seeds 7");
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_TRUE(has(r.out, "The naive program failed on none of these seeds")) << r.out;
}

TEST(LessonCli, BadInputIsOneLineAndExit2) {
  for (const std::string& args : {std::string("lesson no-such-lesson"), std::string("lesson 1 --seeds 9..3"),
                                  std::string("lesson 1 --seeds 1..200000")}) {
    const auto r = zsim(args);
    EXPECT_EQ(r.exit_code, 2) << args << ": " << r.out << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << args << ": " << r.err;
    EXPECT_TRUE(r.out.empty()) << args << ": " << r.out;
  }
}

TEST(Lessons, EveryScenarioTheCatalogNamesExistsAndEveryNaiveOneIsNamedSo) {
  for (const zsim::tools::Lesson& l : zsim::tools::lessons()) {
    EXPECT_TRUE(!l.pairs.empty() || !l.herd_candidates.empty()) << l.name << " shows nothing";
    for (const zsim::tools::LessonPair& p : l.pairs) {
      EXPECT_NE(zsim::scenarios::find_scenario(p.naive), nullptr) << p.naive;
      EXPECT_NE(zsim::scenarios::find_scenario(p.fixed), nullptr) << p.fixed;
      EXPECT_TRUE(p.naive.ends_with("-naive")) << p.naive;
      EXPECT_FALSE(p.fixed.ends_with("-naive")) << p.fixed;
    }
    EXPECT_EQ(zsim::tools::find_lesson(std::to_string(l.fallacy)), &l);
  }
}

TEST(Lessons, EveryCourseExampleHasNoNumberAndNamesRealPairs) {
  for (const zsim::tools::Lesson& l : zsim::tools::course_examples()) {
    EXPECT_EQ(l.fallacy, 0) << l.name;
    EXPECT_FALSE(l.pairs.empty()) << l.name << " has no naive program to show";
    for (const zsim::tools::LessonPair& p : l.pairs) {
      EXPECT_NE(zsim::scenarios::find_scenario(p.naive), nullptr) << p.naive;
      EXPECT_NE(zsim::scenarios::find_scenario(p.fixed), nullptr) << p.fixed;
      EXPECT_TRUE(p.naive.ends_with("-naive")) << p.naive;
      EXPECT_FALSE(p.fixed.ends_with("-naive")) << p.fixed;
    }
    EXPECT_EQ(zsim::tools::find_lesson(l.name), &l);
    for (const zsim::tools::Lesson& f : zsim::tools::lessons()) EXPECT_NE(f.name, l.name);
  }
  EXPECT_EQ(zsim::tools::find_lesson("0"), nullptr);
}

}  // namespace
