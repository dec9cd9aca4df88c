// Proves, on many random histories, that the fast checker (WGL with memo,
// greedy state-preserving steps, P-compositionality, info ops) gives the
// same verdicts as a brute-force checker that tries every order, and that
// histories made from a sequential execution always pass.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "tests/checkers/test_histories.h"

namespace zsim::checkers {
namespace {

using namespace testing;

// A history whose ops took effect one after another at points inside their
// intervals is linearizable, however the intervals overlap.
RC_GTEST_PROP(CheckerProperties, SequentialExecutionsAlwaysPass, ()) {
  const History h = gen_register_history(60, /*with_info=*/true);
  RC_ASSERT(verdict_of(h, "cas-register", I(0)) == Verdict::ok);
}

// Same for the kv model, with several keys checked as separate partitions:
// per-key sequential executions interleaved in time.
RC_GTEST_PROP(CheckerProperties, SequentialKeyValueExecutionsAlwaysPass, ()) {
  const int keys = *rc::gen::inRange(1, 4);
  History all;
  std::int64_t offset = 0;
  for (int k = 0; k < keys; ++k) {
    History h = gen_register_history(20, true, /*with_cas=*/false);
    for (Operation& o : h.ops) {
      o.key = I(k);
      o.process += offset;
      if (o.f == "read") o.f = "get";
      if (o.f == "write") o.f = "put";
      if (o.output.is_int() && o.output.integer == 0 && o.f == "get") o.output = Value::nil();
      if (o.input.is_int() && o.input.integer == 0) o.input = Value::of_string("");
      all.ops.push_back(o);
    }
    offset += 100;
  }
  RC_ASSERT(verdict_of(all, "kv") == Verdict::ok);
}

// The fast checker agrees with trying every order, on small histories that
// are legal or corrupted, with unknown (info) ops, with and without cas.
RC_GTEST_PROP(CheckerProperties, AgreesWithBruteForce, ()) {
  History h = gen_register_history(8, /*with_info=*/true);
  if (*rc::gen::inRange(0, 3) != 0) corrupt(&h);
  const bool expected = brute_force_linearizable(RegisterModel(true, I(0)), h);
  const Verdict got = verdict_of(h, "cas-register", I(0));
  RC_TAG(expected);
  RC_ASSERT(got == (expected ? Verdict::ok : Verdict::violation));
}

// The agreement also holds for histories with more processes than ops can
// keep sequential, where greedy reads and failed CASes matter most.
RC_GTEST_PROP(CheckerProperties, AgreesWithBruteForceOnDenseHistories, ()) {
  History h = gen_register_history(9, /*with_info=*/true);
  corrupt(&h);
  corrupt(&h);
  const bool expected = brute_force_linearizable(RegisterModel(true, I(0)), h);
  RC_ASSERT(verdict_of(h, "cas-register", I(0)) == (expected ? Verdict::ok : Verdict::violation));
}

// The value rules of wgl.h (values written once, unknown writes nobody
// observes, a read of a value nobody wrote) never change a verdict: on
// histories with unique written values, legal or corrupted, with unknown
// ops, with no cas, cas that always swap, or cas that may fail their
// comparison (which observe absence and switch the unobserved-write rule
// off), the fast checker agrees with trying every order.
RC_GTEST_PROP(CheckerProperties, AgreesWithBruteForceOnUniqueValues, ()) {
  const int cas_mode = pick<int>(0, 3);
  History h = gen_unique_register_history(9, /*with_info=*/true, cas_mode);
  const int corruptions = pick<int>(0, 3);
  for (int i = 0; i < corruptions; ++i) corrupt_unique(&h);
  const bool expected = brute_force_linearizable(RegisterModel(true, I(0)), h);
  RC_TAG(expected, cas_mode);
  RC_ASSERT(verdict_of(h, "cas-register", I(0)) == (expected ? Verdict::ok : Verdict::violation));
  // The plain register model (no cas) goes through the same rules.
  if (cas_mode == 0) {
    RC_ASSERT(verdict_of(h, "register", I(0)) == (expected ? Verdict::ok : Verdict::violation));
  }
}

// A violation's witness is consistent: its linearized prefix replays
// legally in the model, and it names at least one op that cannot go next.
RC_GTEST_PROP(CheckerProperties, ViolationWitnessIsConsistent, ()) {
  History h = gen_register_history(8, true);
  corrupt(&h);
  CheckOptions o;
  o.model = "cas-register";
  o.init = I(0);
  const CheckOutcome out = check_history(h, o);
  RC_ASSERT(out.result.has_value());
  RC_PRE(out.result->verdict == Verdict::violation);
  const PartitionReport& p = out.result->partitions.front();
  RC_ASSERT(!p.stuck.empty());
  RC_ASSERT(p.stuck.size() == p.stuck_reasons.size());
  RegisterModel model(true, I(0));
  RegisterModel::State s = model.init();
  for (std::size_t i : p.linearization) {
    std::string error;
    auto e = model.encode(h.ops[i], &error);
    RC_ASSERT(e.has_value());
    RegisterModel::State next = s;
    RC_ASSERT(model.step(s, *e, &next));
    if (!model.preserves_state(*e)) s = next;
  }
}

}  // namespace
}  // namespace zsim::checkers
