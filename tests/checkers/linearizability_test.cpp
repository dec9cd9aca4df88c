// Proves the linearizability checker's verdicts on the classic small cases
// (stale read, lost write, a write overlapping two reads that disagree),
// that info ops are handled soundly (an unknown CAS may or may not apply),
// that partitions are checked independently and named in the witness, that
// an exhausted budget gives unknown (never ok), that the value rules of
// wgl.h fire only where they are sound, and the znode model's rules.
#include <gtest/gtest.h>

#include <algorithm>

#include "checkers/report.h"
#include "tests/checkers/test_histories.h"

namespace zsim::checkers {
namespace {

using namespace testing;

TEST(Linearizability, StaleReadIsAViolation) {
  History h;
  h.ops.push_back(op(1, "write", I(1), I(1), 0, 10));
  h.ops.push_back(op(2, "read", Value::nil(), I(0), 20, 30));  // write finished before
  EXPECT_EQ(verdict_of(h, "register", I(0)), Verdict::violation);
  h.ops[1].call_time = 5;  // now concurrent with the write: fine
  EXPECT_EQ(verdict_of(h, "register", I(0)), Verdict::ok);
}

TEST(Linearizability, LostWriteIsAViolation) {
  History h;
  h.ops.push_back(op(1, "write", I(1), I(1), 0, 10));
  h.ops.push_back(op(2, "write", I(2), I(2), 20, 30));
  h.ops.push_back(op(3, "read", Value::nil(), I(1), 40, 50));  // 2 was lost
  EXPECT_EQ(verdict_of(h, "register", I(0)), Verdict::violation);
}

TEST(Linearizability, WriteOverlappingTwoReadsThatDisagree) {
  // write(10) overlaps both reads; the first read sees 10, the later one
  // (after the first returned) sees the old 0: the new value went back.
  History h;
  h.ops.push_back(op(1, "write", I(10), I(10), 0, 100));
  h.ops.push_back(op(2, "read", Value::nil(), I(10), 10, 20));
  h.ops.push_back(op(3, "read", Value::nil(), I(0), 30, 40));
  EXPECT_EQ(verdict_of(h, "register", I(0)), Verdict::violation);
  std::swap(h.ops[1].output, h.ops[2].output);  // 0 then 10: fine
  EXPECT_EQ(verdict_of(h, "register", I(0)), Verdict::ok);
}

TEST(Linearizability, UnknownCasMayOrMayNotHaveApplied) {
  History h;
  h.ops.push_back(op(1, "cas", pair(0, 5), Value::nil(), 0, 10, Status::info));
  h.ops.push_back(op(2, "read", Value::nil(), I(0), 20, 30));
  h.ops.push_back(op(2, "read", Value::nil(), I(5), 40, 50));
  EXPECT_EQ(verdict_of(h, "cas-register", I(0)), Verdict::ok);  // applied late
  h.ops.push_back(op(2, "read", Value::nil(), I(0), 60, 70));
  EXPECT_EQ(verdict_of(h, "cas-register", I(0)), Verdict::violation);  // 5 then 0
}

TEST(Linearizability, FailedCasNeedsAMismatchAtItsPoint) {
  History h;
  h.ops.push_back(op(1, "cas", pair(0, 1), Value::of_bool(false), 0, 10));
  EXPECT_EQ(verdict_of(h, "cas-register", I(0)), Verdict::violation);
  h.ops.push_back(op(2, "write", I(3), I(3), 0, 10));  // concurrent: 3 first
  EXPECT_EQ(verdict_of(h, "cas-register", I(0)), Verdict::ok);
}

TEST(Linearizability, FailedOperationsAreIgnored) {
  History h;
  h.ops.push_back(op(1, "write", I(1), Value::nil(), 0, 10, Status::fail));
  h.ops.push_back(op(2, "read", Value::nil(), I(0), 20, 30));
  EXPECT_EQ(verdict_of(h, "register", I(0)), Verdict::ok);
}

TEST(Linearizability, PartitionsAreCheckedApartAndNamed) {
  History h;
  for (int k = 0; k < 3; ++k) {
    Operation w = op(k, "put", Value::of_string("a"), Value::nil(), 0, 10);
    w.key = I(k);
    Operation r = op(k, "get", Value::nil(), Value::of_string(k == 2 ? "b" : "a"), 20, 30);
    r.key = I(k);
    h.ops.push_back(w);
    h.ops.push_back(r);
  }
  CheckOptions o;
  o.model = "kv";
  const CheckOutcome out = check_history(h, o);
  ASSERT_TRUE(out.result);
  EXPECT_EQ(out.result->verdict, Verdict::violation);
  ASSERT_EQ(out.result->partitions.size(), 3u);
  EXPECT_EQ(out.result->partitions[0].verdict, Verdict::ok);
  EXPECT_EQ(out.result->partitions[2].verdict, Verdict::violation);
  EXPECT_EQ(out.result->partitions[2].name, "2");
  ASSERT_EQ(out.result->partitions[2].stuck.size(), 1u);
  EXPECT_EQ(out.result->partitions[2].stuck[0], 5u);
  const std::string text = format_text_report(h, *out.result);
  EXPECT_NE(text.find("p2 get [2] -> \"b\": not possible when the state is \"a\""),
            std::string::npos)
      << text;
}

// An unknown write whose value nobody reads can be left out (it may never
// have happened), unless some completed cas reported a failed comparison:
// such a cas can need the write to have moved the state away from `old`.
TEST(Linearizability, UnobservedUnknownWriteAndFailedCas) {
  History h;
  h.ops.push_back(op(1, "write", I(5), Value::nil(), 0, 10, Status::info));
  h.ops.push_back(op(2, "cas", pair(0, 7), Value::of_bool(false), 20, 30));
  EXPECT_EQ(verdict_of(h, "cas-register", I(0)), Verdict::ok);  // 5 took effect
  h.ops[1].output = Value::of_bool(true);
  EXPECT_EQ(verdict_of(h, "cas-register", I(0)), Verdict::ok);  // 5 never did
  h.ops.push_back(op(3, "read", Value::nil(), I(5), 40, 50));  // 5 after the cas
  EXPECT_EQ(verdict_of(h, "cas-register", I(0)), Verdict::ok);
  h.ops.push_back(op(4, "read", Value::nil(), I(7), 60, 70));  // 7 cannot come back
  EXPECT_EQ(verdict_of(h, "cas-register", I(0)), Verdict::violation);
}

TEST(Linearizability, UnobservedUnknownWritesAreTakenOutOnlyWhenSound) {
  RegisterModel model(true, I(0));
  History h;
  h.ops.push_back(op(1, "write", I(1), I(1), 0, 10));
  h.ops.push_back(op(2, "write", I(2), Value::nil(), 5, 6, Status::info));  // nobody reads 2
  h.ops.push_back(op(3, "write", I(3), Value::nil(), 5, 6, Status::info));
  h.ops.push_back(op(4, "read", Value::nil(), I(3), 20, 30));
  h.ops.push_back(op(5, "cas", pair(3, 4), Value::of_bool(true), 40, 50));
  auto search = [&](const History& hist) {
    PartitionInput<RegisterModel> in;
    for (const Operation& o : hist.ops) {
      std::string error;
      in.ops.push_back(*model.encode(o, &error));
      in.call.push_back(o.call_time);
      in.ret.push_back(o.return_time);
      in.unknown.push_back(o.status == Status::info);
    }
    SearchBudget budget(SearchLimits{});
    WglSearch<RegisterModel> s(model, in, &budget);
    const SearchOutcome out = s.run();
    return std::pair{out.verdict, s.removed_unknown_ops()};
  };
  EXPECT_EQ(search(h), std::pair(Verdict::ok, std::size_t{1}));  // only write 2
  h.ops.push_back(op(6, "cas", pair(9, 8), Value::of_bool(false), 60, 70));
  EXPECT_EQ(search(h), std::pair(Verdict::ok, std::size_t{0}));  // failed cas: off
  h.ops.pop_back();
  h.ops.push_back(op(6, "write", I(2), I(2), 60, 70));  // 2 written twice: off
  EXPECT_EQ(search(h), std::pair(Verdict::ok, std::size_t{0}));
}

// A read of a value that no op wrote (and that is not the initial value)
// is a violation found without searching every order before it.
TEST(Linearizability, ReadOfAValueNobodyWroteIsAViolation) {
  History h;
  for (int i = 0; i < 30; ++i) h.ops.push_back(op(i, "write", I(i + 1), I(i + 1), 0, 1000));
  h.ops.push_back(op(99, "read", Value::nil(), I(77), 500, 600));
  CheckOptions o;
  o.model = "register";
  o.init = I(0);
  o.limits.states_max = 10000;
  const CheckOutcome out = check_history(h, o);
  ASSERT_TRUE(out.result);
  EXPECT_EQ(out.result->verdict, Verdict::violation);
  ASSERT_FALSE(out.result->partitions.front().stuck.empty());
  EXPECT_EQ(out.result->partitions.front().stuck.front(), 30u);  // the read
}

// A read of a value written once and certainly overwritten before the read
// was called is a violation decided before the search; the witness names
// the read. If the overwriting write was unknown (it may never have
// happened), or overlaps the read, the rule must not fire.
TEST(Linearizability, StaleReadOfAValueWrittenOnceIsFoundBeforeSearching) {
  History h;
  for (int i = 0; i < 30; ++i) h.ops.push_back(op(i, "write", I(i + 100), I(i + 100), 0, 1000));
  h.ops.push_back(op(40, "write", I(1), I(1), 1100, 1200));
  h.ops.push_back(op(41, "write", I(2), I(2), 1300, 1400));
  h.ops.push_back(op(42, "read", Value::nil(), I(1), 1500, 1600));
  CheckOptions o;
  o.model = "cas-register";
  o.init = I(0);
  o.limits.states_max = 10000;
  CheckOutcome out = check_history(h, o);
  ASSERT_TRUE(out.result);
  EXPECT_EQ(out.result->verdict, Verdict::violation);
  const auto& stuck = out.result->partitions.front().stuck;
  EXPECT_NE(std::find(stuck.begin(), stuck.end(), 32u), stuck.end());
  h.ops[31].status = Status::info;  // write 2 may never have happened
  EXPECT_EQ(verdict_of(h, "cas-register", I(0)), Verdict::ok);
  h.ops[31].status = Status::ok;
  h.ops[31].return_time = 1550;  // overlaps the read: may come after it
  EXPECT_EQ(verdict_of(h, "cas-register", I(0)), Verdict::ok);
  h.ops[32].output = I(0);  // the initial value, after writes returned
  EXPECT_EQ(verdict_of(h, "cas-register", I(0)), Verdict::violation);
}

TEST(Linearizability, ExhaustedBudgetIsUnknownNeverOk) {
  const History h = [] {
    History x;
    for (int i = 0; i < 12; ++i) x.ops.push_back(op(i, "write", I(i), I(i), 0, 1000));
    x.ops.push_back(op(99, "read", Value::nil(), I(7), 1001, 1002));
    return x;
  }();
  CheckOptions o;
  o.model = "register";
  o.limits.states_max = 10;
  const CheckOutcome out = check_history(h, o);
  ASSERT_TRUE(out.result);
  EXPECT_EQ(out.result->verdict, Verdict::unknown);
  EXPECT_NE(out.result->unknown_reason.find("state budget"), std::string::npos);
  o.limits.states_max = 0;
  EXPECT_EQ(check_history(h, o).result->verdict, Verdict::ok);
}

TEST(Linearizability, UnknownModelAndBadOpsAreErrors) {
  History h;
  h.ops.push_back(op(1, "frobnicate", I(1), I(1), 0, 10));
  CheckOptions o;
  o.model = "register";
  CheckOutcome out = check_history(h, o);
  ASSERT_TRUE(out.error);
  EXPECT_NE(out.error->message.find("frobnicate"), std::string::npos);
  o.model = "no-such-model";
  out = check_history(h, o);
  ASSERT_TRUE(out.error);
  EXPECT_NE(out.error->message.find("unknown model"), std::string::npos);
  h.ops[0] = op(1, "cas", I(3), Value::nil(), 0, 10);
  o.model = "cas-register";
  EXPECT_TRUE(check_history(h, o).error);
}

TEST(Linearizability, QueueSetAndMutexModels) {
  History q;
  q.ops.push_back(op(1, "enqueue", I(1), Value::nil(), 0, 10));
  q.ops.push_back(op(1, "enqueue", I(2), Value::nil(), 20, 30));
  q.ops.push_back(op(2, "dequeue", Value::nil(), I(2), 40, 50));  // FIFO says 1
  EXPECT_EQ(verdict_of(q, "queue"), Verdict::violation);
  q.ops[2].output = I(1);
  EXPECT_EQ(verdict_of(q, "queue"), Verdict::ok);

  History s;
  s.ops.push_back(op(1, "add", I(1), Value::nil(), 0, 10));
  s.ops.push_back(op(2, "read", Value::nil(), Value::of_vector({}), 20, 30));
  EXPECT_EQ(verdict_of(s, "set"), Verdict::violation);
  s.ops[1].output = Value::of_vector({I(1)});
  EXPECT_EQ(verdict_of(s, "set"), Verdict::ok);

  History m;
  m.ops.push_back(op(1, "acquire", Value::nil(), Value::nil(), 0, 10));
  m.ops.push_back(op(2, "acquire", Value::nil(), Value::nil(), 20, 30));
  EXPECT_EQ(verdict_of(m, "mutex"), Verdict::violation);
  m.ops.push_back(op(1, "release", Value::nil(), Value::nil(), 15, 25));
  EXPECT_EQ(verdict_of(m, "mutex"), Verdict::ok);
}

// ------------------------------------------------------------------ znode

Value path_map(std::string path) {
  return Value::of_map({Value::of_string("path"), Value::of_string(std::move(path))});
}

Value create_input(std::string path, std::string mode) {
  return Value::of_map({Value::of_string("path"), Value::of_string(std::move(path)),
                        Value::of_string("mode"), Value::of_string(std::move(mode))});
}

TEST(ZnodeModel, SequentialNamesCountAllChildCreations) {
  History h;
  h.ops.push_back(op(1, "create", create_input("/a", "persistent"), Value::of_string("/a"), 0, 1));
  h.ops.push_back(op(1, "create", create_input("/a/b", "persistent"), Value::of_string("/a/b"), 2, 3));
  h.ops.push_back(op(1, "create", create_input("/a/s-", "persistent_sequential"),
                     Value::of_string("/a/s-0000000001"), 4, 5));
  EXPECT_EQ(verdict_of(h, "znode"), Verdict::ok);
  h.ops[2].output = Value::of_string("/a/s-0000000000");
  EXPECT_EQ(verdict_of(h, "znode"), Verdict::violation);
}

TEST(ZnodeModel, ErrorsFollowZooKeeperRules) {
  History h;
  h.ops.push_back(op(1, "create", create_input("/x/y", "persistent"), Value::of_string("NoNode"), 0, 1));
  h.ops.push_back(op(1, "create", create_input("/e", "ephemeral"), Value::of_string("/e"), 2, 3));
  h.ops.push_back(op(1, "create", create_input("/e/c", "persistent"),
                     Value::of_string("NoChildrenForEphemerals"), 4, 5));
  h.ops.push_back(op(1, "getChildren", path_map("/"), Value::of_vector({Value::of_string("e")}), 6, 7));
  Value del = Value::of_map({Value::of_string("path"), Value::of_string("/e"),
                             Value::of_string("version"), I(3)});
  h.ops.push_back(op(1, "delete", del, Value::of_string("BadVersion"), 8, 9));
  h.ops.push_back(op(1, "exists", path_map("/e"), Value::of_bool(true), 10, 11));
  EXPECT_EQ(verdict_of(h, "znode"), Verdict::ok);
  h.ops[4].output = Value::nil();  // claims the delete worked
  EXPECT_EQ(verdict_of(h, "znode"), Verdict::violation);
}

TEST(ZnodeModel, DisjointSubtreesArePartitionsButGetChildrenTiesThem) {
  History h;
  h.ops.push_back(op(1, "create", create_input("/a", "persistent"), Value::of_string("/a"), 0, 1));
  h.ops.push_back(op(2, "create", create_input("/b", "persistent"), Value::of_string("/b"), 0, 1));
  CheckOptions o;
  o.model = "znode";
  EXPECT_EQ(check_history(h, o).result->partitions.size(), 2u);
  h.ops.push_back(op(3, "getChildren", path_map("/"),
                     Value::of_vector({Value::of_string("b"), Value::of_string("a")}), 2, 3));
  const CheckOutcome out = check_history(h, o);
  EXPECT_EQ(out.result->partitions.size(), 1u);
  EXPECT_EQ(out.result->verdict, Verdict::ok);
}

}  // namespace
}  // namespace zsim::checkers
