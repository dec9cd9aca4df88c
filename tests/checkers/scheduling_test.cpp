// Proves how a check shares its budget among partitions (issue 14): a
// violation in a cheap partition is found even when another partition is
// far too hard to decide — whichever comes first by name or size — and the
// report names the partitions it left undecided and why; a partition that
// runs out of memory does not stop the others; the ZooKeeper check looks at
// each key alone first (a violation there is one of the whole history) and
// still catches what only the whole history shows; --no-partition gives the
// same verdicts as partitioning. Budgets are state counts, so every
// expectation is exact and independent of the machine.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <string>

#include "tests/checkers/test_histories.h"

namespace zsim::checkers {
namespace {

using namespace testing;

Operation kv(std::int64_t process, const std::string& key, const std::string& f, const std::string& value,
             std::int64_t call, std::int64_t ret) {
  const bool get = f == "get";
  Operation o = op(process, f, get ? Value::nil() : Value::of_string(value),
                   get ? Value::of_string(value) : Value::nil(), call, ret);
  o.key = Value::of_string(key);
  return o;
}

// n concurrent appends of distinct strings to `key`, then a get (after all
// of them) of a concatenation no order gives: a violation found only after
// trying every order.
void add_hard_key(History* h, const std::string& key, int n, std::int64_t process, std::size_t pad = 0) {
  std::string impossible;
  for (int i = 0; i < n; ++i) {
    const std::string part = "<" + std::to_string(i) + std::string(pad, '.') + ">";
    h->ops.push_back(kv(process + i, key, "append", part, 0, 1000));
    impossible += part;
  }
  impossible += "<x>";
  h->ops.push_back(kv(process + n, key, "get", impossible, 2000, 2100));
}

// `ops` puts and gets on `key`, one client, the last get stale.
void add_easy_violation(History* h, const std::string& key, int ops, std::int64_t process) {
  std::int64_t t = 0;
  for (int i = 0; i < ops; ++i, t += 10) {
    h->ops.push_back(kv(process, key, "put", std::to_string(i), t, t + 5));
  }
  h->ops.push_back(kv(process, key, "get", "0", t, t + 5));
}

CheckResult check(const History& h, std::uint64_t states_max, Consistency c = Consistency::linearizable,
                  std::size_t memory_bytes_max = std::size_t{1} << 30, bool partition = true) {
  CheckOptions o;
  o.model = "kv";
  o.consistency = c;
  o.partition = partition;
  o.limits.time_s_max = 0;
  o.limits.states_max = states_max;
  o.limits.memory_bytes_max = memory_bytes_max;
  CheckOutcome out = check_history(h, o);
  EXPECT_TRUE(out.result.has_value()) << (out.error ? out.error->message : "");
  return out.result ? *out.result : CheckResult{};
}

const PartitionReport& part(const CheckResult& r, const std::string& name) {
  for (const PartitionReport& p : r.partitions) {
    if (p.name == name) return p;
  }
  ADD_FAILURE() << "no partition " << name;
  static const PartitionReport none;
  return none;
}

TEST(Scheduling, ACheapViolationIsFoundBesideAHopelessPartition) {
  for (bool hard_is_bigger : {true, false}) {
    History h;
    add_hard_key(&h, "a", hard_is_bigger ? 30 : 12, 0);  // sorts first by name
    add_easy_violation(&h, "b", hard_is_bigger ? 5 : 200, 100);
    const CheckResult r = check(h, 5'000'000);
    EXPECT_EQ(r.verdict, Verdict::violation);
    EXPECT_EQ(part(r, "\"b\"").verdict, Verdict::violation);
    const PartitionReport& a = part(r, "\"a\"");
    EXPECT_EQ(a.verdict, Verdict::unknown);
    EXPECT_EQ(a.unknown_reason, "left undecided: the violation in \"b\" decides the history");
    // Round one gives each partition a few thousand states: the violation
    // is found long before the budget.
    EXPECT_LT(r.states_explored, 50'000u) << hard_is_bigger;
  }
}

TEST(Scheduling, UndecidedPartitionsSayWhy) {
  History h;
  add_hard_key(&h, "a", 20, 0);
  add_hard_key(&h, "b", 20, 100);
  h.ops.push_back(kv(200, "c", "put", "v", 0, 10));
  h.ops.push_back(kv(200, "c", "get", "v", 20, 30));
  const CheckResult r = check(h, 200'000);
  EXPECT_EQ(r.verdict, Verdict::unknown);
  EXPECT_EQ(part(r, "\"c\"").verdict, Verdict::ok);
  EXPECT_EQ(part(r, "\"a\"").unknown_reason, "the state budget (200000 states) ran out");
  EXPECT_EQ(part(r, "\"b\"").unknown_reason, "the state budget (200000 states) ran out");
  EXPECT_EQ(r.unknown_reason, "the state budget (200000 states) ran out in partition \"a\"");
  EXPECT_EQ(r.states_explored, 200'001u);  // the step that found the budget empty counts
}

TEST(Scheduling, AMemoryStopEndsOnlyThatPartition) {
  History h;
  add_hard_key(&h, "a", 30, 0, 64 << 10);  // each state holds appends of 64 KB
  add_easy_violation(&h, "b", 3000, 100);
  const CheckResult r = check(h, 0, Consistency::linearizable, std::size_t{4} << 20);
  EXPECT_EQ(r.verdict, Verdict::violation);
  EXPECT_EQ(part(r, "\"a\"").verdict, Verdict::unknown);
  EXPECT_EQ(part(r, "\"a\"").unknown_reason, "the memory budget (4 MB) ran out");
  EXPECT_LE(r.peak_memory_bytes, std::size_t{4} << 20);
}

TEST(Scheduling, ALonePartitionGetsTheWholeBudgetAtOnce) {
  History h;
  add_easy_violation(&h, "b", 3000, 100);
  const CheckResult one = check(h, 0);
  ASSERT_EQ(one.partitions.size(), 1u);
  EXPECT_EQ(one.verdict, Verdict::violation);
  EXPECT_EQ(one.partitions[0].states, one.states_explored);  // one search, no restarts by rounds
}

TEST(Scheduling, ZookeeperChecksEachKeyAloneFirst) {
  // Key "b": session 2 reads 1 and then 0 again: back in time within the key.
  History h;
  add_hard_key(&h, "a", 9, 0);
  Operation w = kv(50, "b", "put", "1", 0, 10);
  Operation r1 = kv(51, "b", "get", "1", 20, 30);
  Operation r2 = kv(51, "b", "get", "", 40, 50);
  for (Operation* o : {&w, &r1, &r2}) h.ops.push_back(*o);
  CheckResult r = check(h, 2'000'000, Consistency::zookeeper);
  EXPECT_EQ(r.verdict, Verdict::violation);
  EXPECT_EQ(part(r, "\"b\" (alone)").verdict, Verdict::violation);
  // Fine key by key, but session 2 sees b's write and then misses a's,
  // which session 1 made before it: only the whole history shows that.
  History cross;
  cross.ops.push_back(kv(1, "a", "put", "1", 0, 10));
  cross.ops.push_back(kv(1, "b", "put", "1", 20, 30));
  cross.ops.push_back(kv(2, "b", "get", "1", 40, 50));
  cross.ops.push_back(kv(2, "a", "get", "", 60, 70));
  r = check(cross, 1'000'000, Consistency::zookeeper);
  EXPECT_EQ(r.verdict, Verdict::violation);
  ASSERT_EQ(r.partitions.size(), 1u);
  EXPECT_EQ(r.partitions[0].name, "all sessions (zookeeper order)");
  cross.ops.pop_back();
  EXPECT_EQ(check(cross, 1'000'000, Consistency::zookeeper).verdict, Verdict::ok);
}

// Checking keys as one model state (--no-partition) gives the verdict of
// checking them apart, on random multi-key histories, legal or corrupted.
RC_GTEST_PROP(SchedulingProperties, WholeAndPartitionedVerdictsAgree, ()) {
  const int keys = pick<int>(1, 4);
  History all;
  for (int k = 0; k < keys; ++k) {
    History h = gen_register_history(5, /*with_info=*/true, /*with_cas=*/false);
    if (pick<int>(0, 3) == 0) corrupt(&h);
    for (Operation& o : h.ops) {
      o.key = I(k);
      o.process += 100 * k;
      all.ops.push_back(o);
    }
  }
  CheckOptions o;
  o.model = "register";
  o.init = I(0);
  o.limits.time_s_max = 0;
  o.limits.states_max = 2'000'000;
  const Verdict apart = check_history(all, o).result->verdict;
  o.partition = false;
  const Verdict whole = check_history(all, o).result->verdict;
  RC_TAG(verdict_name(apart));
  RC_ASSERT(apart != Verdict::unknown);
  RC_ASSERT(whole == apart);
}

}  // namespace
}  // namespace zsim::checkers
