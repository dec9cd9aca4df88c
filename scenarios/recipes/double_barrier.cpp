// double-barrier and double-barrier-naive: 3 servers, 5 participants meet
// in rounds of a double barrier (core/recipes/double_barrier.h): round k is
// /dbarrier/round-<k>; each participant enters it, works a little, leaves
// it, and goes on to round k+1. A restarted participant (a new incarnation)
// joins the newest round. Under every fault, with client pauses longer than
// the sessions (an expired participant enters its round again in a new
// session). Judged from the committed znode history at the zxid each pass
// saw (barrier_checks.h): enters-after-n-arrived, leaves-after-all-left,
// and every-client-passes-after-heal (each participant passes a leave after
// the heal).
//
// double-barrier-naive does not re-check after a wake-up (Curator GitHub
// #1290): the first arrival after its own wakes it, and it passes enter
// alone.
#include "core/recipes/double_barrier.h"
#include "core/recipes/sequence.h"
#include "scenarios/recipes/barrier_checks.h"
#include "scenarios/recipes/recipe_scenario.h"
#include "scenarios/recipes/scenarios.h"

#include <fmt/format.h>

namespace zsim::scenarios::recipes {

namespace {

namespace cr = core::recipes;

constexpr const char* kRounds = "/dbarrier";
constexpr Duration kWait = seconds(60);

std::string round_path(int64_t round) { return fmt::format("{}/round-{:010d}", kRounds, round); }

// The newest round under /dbarrier (1 if there is none), or nullopt if the
// read failed.
std::optional<int64_t> newest_round(core::Client& zk) {
  auto children = zk.get_children(kRounds);
  if (children.code() == core::Code::NoNode) return 1;
  if (!children.ok()) return std::nullopt;
  int64_t newest = 1;
  for (const std::string& c : children.value()) newest = std::max(newest, cr::sequence_of(c).value_or(1));
  return newest;
}

struct ParticipantOptions {
  int count = 5;
  bool recheck = true;
  Duration work_max = millis(200);
};

// Passes one side of the round's barrier, in as many sessions as it takes.
void pass(ClientCtx& me, BarrierLog& log, const std::string& path, const ParticipantOptions& o, PassKind kind) {
  while (true) {
    core::Client& zk = me.zk();
    cr::DoubleBarrier b(zk, {.path = path, .name = me.name(), .count = o.count, .recheck = o.recheck});
    cr::BarrierWait w = cr::BarrierWait::kTimedOut;
    while (w == cr::BarrierWait::kTimedOut) w = kind == PassKind::kEnter ? b.enter(kWait) : b.leave(kWait);
    if (w == cr::BarrierWait::kPassed) {
      log.passed(me, zk, path, kind);
      return;
    }
  }  // kLost: a new session, the same round
}

ClientBody participant(std::shared_ptr<BarrierLog> log, ParticipantOptions o) {
  return [log, o](ClientCtx& me) {
    std::optional<int64_t> round;
    while (!round) {
      round = newest_round(me.zk());
      if (!round) me.sleep(millis(100));
    }
    for (;; ++*round) {
      const std::string path = round_path(*round);
      pass(me, *log, path, o, PassKind::kEnter);
      me.sleep(millis(static_cast<int64_t>(me.random().below(static_cast<uint64_t>(o.work_max.count() / 1'000'000)))));
      pass(me, *log, path, o, PassKind::kLeave);
    }
  };
}

void double_barrier_setup(Cluster& c, ParticipantOptions o) {
  auto log = std::make_shared<BarrierLog>();
  o.count = c.shape().clients;
  c.clients(participant(log, o), Until::kRunEnds);
  c.add_check(enters_after_n_arrived(log, o.count));
  c.add_check(leaves_after_all_left(log));
  c.add_check(every_client_passes_after_heal(log, PassKind::kLeave));
}

}  // namespace

void register_double_barrier(std::vector<Scenario>& out) {
  out.push_back(recipe_scenario({
      .name = "double-barrier",
      .summary = "3 servers, 5 participants enter and leave rounds of a double barrier, re-checking after wake-ups",
      .shape = {.voters = 3, .clients = 5},
      .faults = FaultModel::everything(),
      .setup = [](Cluster& c) { double_barrier_setup(c, ParticipantOptions{}); },
  }));
}

void register_double_barrier_naive(std::vector<Scenario>& out) {
  out.push_back(recipe_scenario({
      .name = "double-barrier-naive",
      .summary = "the double barrier without the re-check after a wake-up (Curator #1290): one passes alone",
      .shape = {.voters = 3, .clients = 5},
      .faults = FaultModel::everything(),
      .setup = [](Cluster& c) { double_barrier_setup(c, ParticipantOptions{.recheck = false}); },
  }));
}

}  // namespace zsim::scenarios::recipes
