// The plan shrinker (sim/plan_shrink.h) against predicates whose minimal
// failing plans are known: it must find them (not just something smaller),
// keep the failure at every step, give the same answer whatever the batch
// size, honour its budget, and never run a candidate the caller rejects.
#include "sim/plan_shrink.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

namespace zsim::sim {
namespace {

FaultPlan parse(std::string_view text) {
  auto parsed = parse_plan(text);
  EXPECT_TRUE(std::holds_alternative<FaultPlan>(parsed)) << std::get<PlanParseError>(parsed).to_string();
  return std::get<FaultPlan>(parsed);
}

// A noisy plan of 24 events in which only two matter to the predicates below.
const char* const kNoisy = R"(at 100ms loss 1/10
at 250ms partition split s1 s2 | s3 s4 s5
at 700ms heal
at 900ms pause s4 800ms
at 1200ms clock-jump s5 -300ms
at 1500ms crash s3
at 2100ms restart s3
at 2300ms duplicate 1/20
at 2500ms partition isolate s1 except c1 c2
at 3100ms heal
at 3300ms clock-drift s2 +800ppm
at 3700ms crash s2 for 1500ms
at 4100ms stream-reset 1/500
at 4400ms pause s5 600ms
at 4800ms partition oneway s4 -> s1 s2
at 5200ms heal
at 5600ms disk-lying-sync s4 1/40
at 6000ms crash s5 for 900ms
at 6300ms loss 1/4
at 6700ms partition bridge s1 s2 | s3 | s4 s5
at 7100ms heal
at 7350ms pause s3 2345ms
at 7800ms clock-jump s1 700ms
at 8200ms crash-at s1 zab.follower.ack-sent for 1s within 2s
)";

bool has(const FaultPlan& p, auto pred) { return std::any_of(p.events.begin(), p.events.end(), pred); }

bool crashes_s2(const FaultEvent& e) { return e.kind == FaultKind::kCrash && e.host == "s2"; }
bool isolates_s1(const FaultEvent& e) {
  return e.kind == FaultKind::kPartition && e.shape == PartitionShape::kIsolate && e.groups[0] ==
                                                                                   std::vector<std::string>{"s1"};
}

// Wraps a predicate on one plan as the batch callback, counting runs.
ShrinkCallbacks callbacks(std::function<bool(const FaultPlan&)> fails, std::size_t* runs = nullptr) {
  ShrinkCallbacks cb;
  cb.still_fails = [fails, runs](const std::vector<FaultPlan>& plans) {
    std::vector<bool> out;
    for (const FaultPlan& p : plans) {
      out.push_back(fails(p));
      if (runs != nullptr) ++*runs;
    }
    return out;
  };
  return cb;
}

TEST(PlanShrink, DropsEveryEventThatDoesNotMatter) {
  const auto fails = [](const FaultPlan& p) { return has(p, crashes_s2) && has(p, isolates_s1); };
  const FaultPlan noisy = parse(kNoisy);
  ASSERT_TRUE(fails(noisy));
  const ShrinkResult r = shrink_plan(noisy, callbacks(fails));
  EXPECT_TRUE(fails(r.plan));
  EXPECT_FALSE(r.budget_spent);
  ASSERT_EQ(r.plan.events.size(), 2u) << print_plan(r.plan);
  // The isolation lost the clients it did not need, and both moved earlier
  // (the crash to the isolation's time or later: order is kept).
  EXPECT_EQ(print_plan(r.plan), "at 0s partition isolate s1\nat 0s crash s2 for 1ms\n");
}

TEST(PlanShrink, ShortensLengthsOnlyAsFarAsTheFailureAllows) {
  // Fails while s3 pauses for at least 300ms.
  const auto fails = [](const FaultPlan& p) {
    return has(p, [](const FaultEvent& e) {
      return e.kind == FaultKind::kPause && e.host == "s3" && e.duration >= millis(300);
    });
  };
  const ShrinkResult r = shrink_plan(parse(kNoisy), callbacks(fails));
  ASSERT_EQ(r.plan.events.size(), 1u) << print_plan(r.plan);
  const FaultEvent& e = r.plan.events[0];
  EXPECT_EQ(e.kind, FaultKind::kPause);
  // 2345ms -> 2s -> 1s -> 500ms; half of that (250ms) passes, so it stays.
  // (Rounding 500ms down to a tenth or a millisecond changes nothing.)
  EXPECT_EQ(e.duration, millis(500));
  EXPECT_EQ(e.at, Duration{0});
}

TEST(PlanShrink, APartitionKeepsOnlyTheHostsThatMatter) {
  // Fails while s1 and s4 are on different sides of a split.
  const auto fails = [](const FaultPlan& p) {
    return has(p, [](const FaultEvent& e) {
      if (e.kind != FaultKind::kPartition || e.shape != PartitionShape::kSplit) return false;
      auto in = [](const std::vector<std::string>& g, const char* h) { return std::find(g.begin(), g.end(), h) != g.end(); };
      return (in(e.groups[0], "s1") && in(e.groups[1], "s4")) || (in(e.groups[0], "s4") && in(e.groups[1], "s1"));
    });
  };
  const ShrinkResult r = shrink_plan(parse(kNoisy), callbacks(fails));
  EXPECT_EQ(print_plan(r.plan), "at 0s partition split s1 | s4\n");
}

TEST(PlanShrink, RatiosGoDownAndStopAtTheEdge) {
  // Fails while the loss ratio is at least 1/16.
  const auto fails = [](const FaultPlan& p) {
    return has(p, [](const FaultEvent& e) { return e.kind == FaultKind::kLoss && e.ratio.num * 16 >= e.ratio.den; });
  };
  const ShrinkResult r = shrink_plan(parse(kNoisy), callbacks(fails));
  ASSERT_EQ(r.plan.events.size(), 1u) << print_plan(r.plan);
  // On the grid a reader takes in: 1/4 -> 125/1000 -> 12/100; half of
  // that (60/1000) passes.
  EXPECT_EQ(r.plan.events[0].ratio, (Ratio{12, 100}));
}

TEST(PlanShrink, TheResultDoesNotDependOnTheBatchSize) {
  const auto fails = [](const FaultPlan& p) { return has(p, crashes_s2) && has(p, isolates_s1); };
  const FaultPlan noisy = parse(kNoisy);
  const ShrinkResult one = shrink_plan(noisy, callbacks(fails), {.batch = 1});
  for (std::size_t batch : {2u, 3u, 7u}) {
    const ShrinkResult more = shrink_plan(noisy, callbacks(fails), {.batch = batch});
    EXPECT_EQ(print_plan(more.plan), print_plan(one.plan)) << "batch " << batch;
    EXPECT_EQ(more.steps, one.steps) << "batch " << batch;
  }
}

TEST(PlanShrink, StopsAtItsBudgetWithAPlanThatStillFails) {
  const auto fails = [](const FaultPlan& p) { return has(p, crashes_s2) && has(p, isolates_s1); };
  std::size_t runs = 0;
  const ShrinkResult r = shrink_plan(parse(kNoisy), callbacks(fails, &runs), {.max_runs = 5});
  EXPECT_TRUE(r.budget_spent);
  EXPECT_EQ(r.runs, 5u);
  EXPECT_EQ(runs, 5u);
  EXPECT_TRUE(fails(r.plan));
}

TEST(PlanShrink, StopsWhenTheCallerSaysSo) {
  const auto fails = [](const FaultPlan& p) { return has(p, crashes_s2); };
  std::size_t runs = 0;
  ShrinkCallbacks cb = callbacks(fails, &runs);
  cb.should_stop = [&runs] { return runs >= 3; };
  const ShrinkResult r = shrink_plan(parse(kNoisy), cb);
  EXPECT_TRUE(r.stopped);
  EXPECT_EQ(runs, 3u);
  EXPECT_TRUE(fails(r.plan));
}

TEST(PlanShrink, NeverRunsACandidateTheCallerRejects) {
  // The caller's rule: a crash of s2 must keep its restart time (`for`).
  const auto valid = [](const FaultPlan& p) {
    return !has(p, [](const FaultEvent& e) { return crashes_s2(e) && e.duration < millis(1000); });
  };
  const auto fails = [](const FaultPlan& p) { return has(p, crashes_s2); };
  ShrinkCallbacks cb;
  bool ran_invalid = false;
  cb.still_fails = [&](const std::vector<FaultPlan>& plans) {
    std::vector<bool> out;
    for (const FaultPlan& p : plans) {
      ran_invalid = ran_invalid || !valid(p);
      out.push_back(fails(p));
    }
    return out;
  };
  cb.valid = valid;
  const ShrinkResult r = shrink_plan(parse(kNoisy), cb);
  EXPECT_FALSE(ran_invalid);
  ASSERT_EQ(r.plan.events.size(), 1u);
  EXPECT_EQ(r.plan.events[0].duration, seconds(1));
}

TEST(PlanShrink, ReportsEachAcceptedStep) {
  const auto fails = [](const FaultPlan& p) { return has(p, crashes_s2) && has(p, isolates_s1); };
  ShrinkCallbacks cb = callbacks(fails);
  std::vector<ShrinkProgress> seen;
  cb.on_step = [&seen](const ShrinkProgress& p) { seen.push_back(p); };
  const ShrinkResult r = shrink_plan(parse(kNoisy), cb);
  ASSERT_EQ(seen.size(), r.steps);
  ASSERT_FALSE(seen.empty());
  EXPECT_EQ(seen.back().events, 2u);
  EXPECT_NE(seen.front().step.find("dropped"), std::string::npos) << seen.front().step;
  for (std::size_t i = 1; i < seen.size(); ++i) EXPECT_LE(seen[i].events, seen[i - 1].events);
}

}  // namespace
}  // namespace zsim::sim
