// Proves prepare() sees the effects of prepared-but-unapplied txns (the
// pipeline overlay, ZooKeeper's outstandingChanges): for any request
// sequence, preparing up to k requests ahead of applying them yields exactly
// the same txns, results and final tree as preparing and applying one at a
// time; and a failing request leaves the overlay untouched.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <deque>

#include "request_gen.h"
#include "tree_driver.h"

namespace zsim::core {
namespace {

using testing::SessionRequest;

struct Outcome {
  std::vector<Txn> txns;
  std::vector<Code> codes;
  DataTree tree;
};

// Prepares each request as soon as it arrives but applies only when more
// than `depth` txns are waiting (depth 0: strictly one at a time).
Outcome run(const std::vector<SessionRequest>& requests, size_t depth) {
  DataTree tree;
  PendingChanges pending;
  std::deque<Txn> in_flight;
  Outcome out;
  int64_t zxid = 0;
  const auto apply_oldest = [&] {
    const Txn txn = in_flight.front();
    in_flight.pop_front();
    out.codes.push_back(apply(tree, txn).code);
    pending.forget_applied(txn.header.zxid);
  };
  for (const SessionRequest& r : requests) {
    ++zxid;
    PrepareContext ctx{r.session, static_cast<int32_t>(zxid), zxid, 1000 * zxid, Code::Ok};
    Txn txn = prepare(tree, pending, r.request, ctx);
    out.txns.push_back(txn);
    in_flight.push_back(txn);
    while (in_flight.size() > depth) {
      apply_oldest();
    }
  }
  while (!in_flight.empty()) {
    apply_oldest();
  }
  EXPECT_TRUE(pending.empty());
  tree.check_invariants();
  out.tree = tree;
  return out;
}

// Property: pipelining (any depth) prepares the same txns as no pipelining.
RC_GTEST_PROP(Pipeline, AnyDepthGivesTheSameTxnsAndTree, ()) {
  const auto requests = testing::gen_requests(60);
  const size_t depth = *rc::gen::inRange<size_t>(1, 12);
  const Outcome serial = run(requests, 0);
  const Outcome piped = run(requests, depth);
  RC_ASSERT(piped.txns == serial.txns);
  RC_ASSERT(piped.codes == serial.codes);
  RC_ASSERT(piped.tree == serial.tree);
}

TEST(Pipeline, PendingCreateIsVisibleToTheNextPrepare) {
  testing::TreeDriver d;
  const Txn a = d.prepare_only(CreateRequest{"/a", "", 0, -1});
  const Txn dup = d.prepare_only(CreateRequest{"/a", "", 0, -1});
  const Txn kid = d.prepare_only(CreateRequest{"/a/k", "", 2, -1});
  const Txn del = d.prepare_only(DeleteRequest{"/a", -1});
  EXPECT_EQ(std::get<ErrorTxn>(dup.body).code, Code::NodeExists);
  EXPECT_EQ(std::get<CreateTxn>(kid.body).path, "/a/k0000000000");
  EXPECT_EQ(std::get<ErrorTxn>(del.body).code, Code::NotEmpty);
  for (const Txn& t : {a, dup, kid, del}) {
    d.apply_txn(t);
  }
  EXPECT_TRUE(d.pending.empty());
  EXPECT_NE(d.tree.find("/a/k0000000000"), nullptr);
}

TEST(Pipeline, CloseSessionIncludesPendingEphemeralsAndSkipsPendingDeletes) {
  testing::TreeDriver d;
  const int64_t s = 0x5;
  d.submit(CreateRequest{"/e1", "", 1, -1}, s);
  d.submit(CreateRequest{"/e2", "", 1, -1}, s);
  const Txn t1 = d.prepare_only(CreateRequest{"/e3", "", 1, -1}, s);  // pending create
  const Txn t2 = d.prepare_only(DeleteRequest{"/e1", -1}, s);         // pending delete
  const Txn close = d.prepare_only(CloseSessionRequest{}, s);
  EXPECT_EQ(std::get<CloseSessionTxn>(close.body).paths,
            (std::vector<std::string>{"/e2", "/e3"}));
  for (const Txn& t : {t1, t2, close}) {
    d.apply_txn(t);
  }
  EXPECT_TRUE(d.tree.ephemerals(s).empty());
  EXPECT_EQ(d.stat("/").num_children, 1);
}

TEST(Pipeline, FailedRequestLeavesNoPendingChange) {
  testing::TreeDriver d;
  d.prepare_only(MultiRequest{{CreateRequest{"/a", "", 0, -1}, CheckRequest{"/nope", -1}}});
  EXPECT_TRUE(d.pending.empty());
  d.prepare_only(CreateRequest{"/x/y", "", 0, -1});
  EXPECT_TRUE(d.pending.empty());
}

}  // namespace
}  // namespace zsim::core
