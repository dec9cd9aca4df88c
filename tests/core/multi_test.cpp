// Proves multi is all-or-nothing with ZooKeeper's per-op results: ops are
// validated in order against the effects of the ops before them, share one
// zxid, and on failure nothing applies, a zxid is still used, and results are
// Ok before the failing op, its error, RuntimeInconsistency after.
#include <gtest/gtest.h>

#include "core/limits.h"
#include "tree_driver.h"

namespace zsim::core {
namespace {

using testing::TreeDriver;

CreateRequest create_req(std::string path, CreateMode mode = CreateMode::Persistent) {
  return CreateRequest{std::move(path), "", static_cast<int32_t>(mode), -1};
}

std::vector<Code> codes(const ApplyResult& r) {
  std::vector<Code> out;
  for (const OpResult& op : r.ops) {
    out.push_back(op.code);
  }
  return out;
}

TEST(Multi, SeesEarlierOpsAndAppliesAtOneZxid) {
  TreeDriver d;
  ApplyResult r = d.submit(MultiRequest{{
      create_req("/m"),
      create_req("/m/s-", CreateMode::PersistentSequential),
      create_req("/m/s-", CreateMode::PersistentSequential),
      SetDataRequest{"/m", "v", 0},
      CheckRequest{"/m", 1},
      DeleteRequest{"/m/s-0000000000", 0},
  }});
  ASSERT_EQ(r.code, Code::Ok);
  EXPECT_EQ(codes(r), std::vector<Code>(6, Code::Ok));
  EXPECT_EQ(r.ops[1].path, "/m/s-0000000000");
  EXPECT_EQ(r.ops[2].path, "/m/s-0000000001");
  EXPECT_EQ(r.ops[3].stat->version, 1);
  const Stat m = d.stat("/m");
  EXPECT_EQ(m.czxid, 1);
  EXPECT_EQ(m.mzxid, 1);
  EXPECT_EQ(m.pzxid, 1);
  EXPECT_EQ(m.cversion, 3);
  EXPECT_EQ(m.num_children, 1);
  EXPECT_EQ(d.tree.last_zxid(), 1);
  // Events in op order.
  ASSERT_GE(r.events.size(), 2u);
  EXPECT_EQ(r.events[0], (WatchEvent{EventType::NodeCreated, "/m"}));
  EXPECT_EQ(r.events[1], (WatchEvent{EventType::NodeChildrenChanged, "/"}));
}

TEST(Multi, FailureAppliesNothingAndReportsPerOp) {
  TreeDriver d;
  ASSERT_EQ(d.create("/a"), Code::Ok);
  const DataTree before = d.tree;
  ApplyResult r = d.submit(MultiRequest{{
      create_req("/b"),
      SetDataRequest{"/a", "x", -1},
      CheckRequest{"/a", 0},  // fails: the setData before it moved the version to 1
      create_req("/c"),
      DeleteRequest{"/a", -1},
  }});
  EXPECT_EQ(r.code, Code::BadVersion);
  EXPECT_EQ(codes(r), (std::vector<Code>{Code::Ok, Code::Ok, Code::BadVersion,
                                         Code::RuntimeInconsistency,
                                         Code::RuntimeInconsistency}));
  EXPECT_TRUE(r.events.empty());
  EXPECT_EQ(d.tree.last_zxid(), 2);  // a zxid is used
  DataTree expected = before;
  expected.advance_zxid(2);
  EXPECT_EQ(d.tree, expected);
  EXPECT_TRUE(d.pending.empty());
  EXPECT_TRUE(is_failed(d.txns.back()));
}

TEST(Multi, FailingFirstOpAndDependentOps) {
  TreeDriver d;
  ApplyResult r = d.submit(MultiRequest{{create_req("/x/y"), create_req("/x")}});
  EXPECT_EQ(codes(r), (std::vector<Code>{Code::NoNode, Code::RuntimeInconsistency}));
  // Order matters: parent first works.
  r = d.submit(MultiRequest{{create_req("/x"), create_req("/x/y")}});
  EXPECT_EQ(codes(r), (std::vector<Code>{Code::Ok, Code::Ok}));
  // A delete then a create of the same path in one multi.
  r = d.submit(MultiRequest{{DeleteRequest{"/x/y", -1}, create_req("/x/y")}});
  EXPECT_EQ(codes(r), (std::vector<Code>{Code::Ok, Code::Ok}));
  EXPECT_EQ(d.stat("/x").cversion, 3);  // 2 creations + 1 deletion
  // Delete of a node whose child an earlier op in the same multi removed.
  r = d.submit(MultiRequest{{DeleteRequest{"/x/y", -1}, DeleteRequest{"/x", -1}}});
  EXPECT_EQ(r.code, Code::Ok);
  EXPECT_EQ(d.tree.find("/x"), nullptr);
}

TEST(Multi, EmptyMultiSucceedsWithNoResults) {
  TreeDriver d;
  ApplyResult r = d.submit(MultiRequest{});
  EXPECT_EQ(r.code, Code::Ok);
  EXPECT_TRUE(r.ops.empty());
  EXPECT_EQ(d.tree.last_zxid(), 1);
}

TEST(Multi, SessionErrorFailsTheFirstOp) {
  TreeDriver d;
  ApplyResult r = d.submit(MultiRequest{{create_req("/a"), create_req("/b")}}, 0x100,
                           Code::SessionExpired);
  EXPECT_EQ(codes(r), (std::vector<Code>{Code::SessionExpired, Code::RuntimeInconsistency}));
}

TEST(Multi, TooManyOpsIsBadArguments) {
  TreeDriver d;
  MultiRequest big;
  big.ops.assign(limits::kMultiOpsMax + 1, CheckRequest{"/", -1});
  EXPECT_EQ(d.submit(big).code, Code::BadArguments);
}

}  // namespace
}  // namespace zsim::core
