// Proves the ZooKeeper-guarantee checker accepts what ZooKeeper allows and
// rejects what it forbids: a stale follower read passes it while failing the
// strict linearizability check; a session that reads a newer value and then
// an older one (going back in time) fails; a session that does not see its
// own write fails; writes stay linearizable (real-time order among writes).
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "tests/checkers/test_histories.h"

namespace zsim::checkers {
namespace {

using namespace testing;

constexpr Consistency kZk = Consistency::zookeeper;

History stale_read() {
  History h;
  h.ops.push_back(op(1, "write", I(1), I(1), 0, 10));
  h.ops.push_back(op(2, "read", Value::nil(), I(0), 20, 30));  // follower behind
  return h;
}

TEST(ZookeeperOrder, StaleReadPassesButIsNotLinearizable) {
  EXPECT_EQ(verdict_of(stale_read(), "register", I(0)), Verdict::violation);
  EXPECT_EQ(verdict_of(stale_read(), "register", I(0), kZk), Verdict::ok);
}

TEST(ZookeeperOrder, GoingBackInTimeFails) {
  History h = stale_read();
  h.ops[1].output = I(1);
  h.ops.push_back(op(2, "read", Value::nil(), I(0), 40, 50));  // saw 1, now 0
  EXPECT_EQ(verdict_of(h, "register", I(0), kZk), Verdict::violation);
}

TEST(ZookeeperOrder, SessionSeesItsOwnWrites) {
  History h;
  h.ops.push_back(op(1, "write", I(1), I(1), 0, 10));
  h.ops.push_back(op(1, "read", Value::nil(), I(0), 20, 30));
  EXPECT_EQ(verdict_of(h, "register", I(0), kZk), Verdict::violation);
}

TEST(ZookeeperOrder, SessionsNotProcessesDefineTheOrder) {
  // Two processes sharing one session: the read must see the write.
  History h = stale_read();
  h.ops[0].session = 7;
  h.ops[1].session = 7;
  EXPECT_EQ(verdict_of(h, "register", I(0), kZk), Verdict::violation);
}

TEST(ZookeeperOrder, WritesStayLinearizable) {
  History h;
  h.ops.push_back(op(1, "write", I(1), I(1), 0, 10));
  h.ops.push_back(op(2, "write", I(2), I(2), 20, 30));
  h.ops.push_back(op(3, "read", Value::nil(), I(2), 40, 50));
  h.ops.push_back(op(3, "read", Value::nil(), I(1), 60, 70));  // 2 was before 1?
  EXPECT_EQ(verdict_of(h, "register", I(0), kZk), Verdict::violation);
  h.ops[3].output = I(2);
  EXPECT_EQ(verdict_of(h, "register", I(0), kZk), Verdict::ok);
}

TEST(ZookeeperOrder, UnknownWriteMayBeSkippedOrApplied) {
  History h;
  h.ops.push_back(op(1, "write", I(1), Value::nil(), 0, 10, Status::info));
  h.ops.push_back(op(2, "read", Value::nil(), I(0), 20, 30));
  h.ops.push_back(op(2, "read", Value::nil(), I(1), 40, 50));
  EXPECT_EQ(verdict_of(h, "register", I(0), kZk), Verdict::ok);
  h.ops[2].output = I(5);
  EXPECT_EQ(verdict_of(h, "register", I(0), kZk), Verdict::violation);
}

// Every linearizable history also keeps ZooKeeper's (weaker) promises.
RC_GTEST_PROP(ZookeeperOrderProperties, LinearizableImpliesZookeeperOk, ()) {
  History h = gen_register_history(8, /*with_info=*/true);
  if (pick<int>(0, 2) == 0) corrupt(&h);
  const Verdict strict = verdict_of(h, "cas-register", I(0));
  RC_PRE(strict == Verdict::ok);
  RC_ASSERT(verdict_of(h, "cas-register", I(0), kZk) == Verdict::ok);
}

}  // namespace
}  // namespace zsim::checkers
