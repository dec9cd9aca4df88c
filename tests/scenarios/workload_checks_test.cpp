// The checks of the ephemerals, queue and multi workloads, fed correct and
// broken records: an ephemeral deleted by another session; a sequential
// name given twice or out of commit order, and a create acknowledged
// before another was called that got the higher number; a multi whose txn
// does not do what ZooKeeper's rules say (the model is checked against
// core::prepare first), that applies half its ops, or whose failure was
// recorded at the wrong op; states that break the multi workload's
// invariants.
#include "scenarios/ensemble/workload_checks.h"
#include "tests/scenarios/history_builder.h"

#include <gtest/gtest.h>

namespace zsim::scenarios::ensemble {
namespace {

using core::Code;
using testing::create_req;
using testing::History;
using testing::Records;

constexpr std::int64_t kS1 = 0x0100000100000001;
constexpr std::int64_t kS2 = 0x0200000100000002;

// ---- ephemerals

TEST(EphemeralCheck, OnlyTheOwnerOrItsCloseRemovesAnEphemeral) {
  History h;
  h.commit(kS1, 1, create_req("/e", "", core::CreateMode::Ephemeral));
  h.commit(kS1, 2, create_req("/f", "", core::CreateMode::Ephemeral));
  const core::DataTree before = h.tree();
  const core::Txn own = h.commit(kS1, 3, core::DeleteRequest{"/e", -1});
  EXPECT_EQ(ephemeral_removed_by_other(before, own), "");
  const core::DataTree before2 = h.tree();
  const core::Txn other = h.commit(kS2, 1, core::DeleteRequest{"/f", -1});
  EXPECT_EQ(ephemeral_removed_by_other(before2, other),
            "/f of session 0x100000100000001 was deleted by session 0x200000100000002 at 0x4");
  const core::DataTree before3 = h.tree();
  core::MultiRequest m;
  m.ops.push_back(create_req("/g"));
  const core::Txn unrelated = h.commit(kS2, 2, m);
  EXPECT_EQ(ephemeral_removed_by_other(before3, unrelated), "");
}

// ---- queue

core::Txn create_txn(std::int64_t zxid, const std::string& path) {
  return core::Txn{core::TxnHeader{kS1, 1, zxid, 0}, core::CreateTxn{path, "", core::NodeKind::Persistent, 0, 0, 1}};
}

TEST(SequenceOrder, NamesFollowCommitOrderAndNeverRepeat) {
  SequenceOrder ok("/q");
  EXPECT_EQ(ok.on_txn(create_txn(1, "/q/item-0000000000")), "");
  EXPECT_EQ(ok.on_txn(create_txn(2, "/q/item-0000000003")), "");
  EXPECT_EQ(ok.on_txn(core::Txn{core::TxnHeader{kS1, 2, 3, 0}, core::DeleteTxn{"/q/item-0000000000"}}), "");
  EXPECT_EQ(ok.on_txn(create_txn(4, "/elsewhere-0000000001")), "");
  EXPECT_EQ(ok.created().size(), 2u);
  EXPECT_EQ(ok.deleted().count("item-0000000000"), 1u);

  SequenceOrder again("/q");
  EXPECT_EQ(again.on_txn(create_txn(1, "/q/item-0000000000")), "");
  EXPECT_EQ(again.on_txn(core::Txn{core::TxnHeader{kS1, 2, 2, 0}, core::DeleteTxn{"/q/item-0000000000"}}), "");
  EXPECT_EQ(again.on_txn(create_txn(3, "/q/item-0000000000")),
            "/q/item-0000000000 was created twice: at 0x1 and again at 0x3");

  SequenceOrder backwards("/q");
  EXPECT_EQ(backwards.on_txn(create_txn(1, "/q/item-0000000005")), "");
  EXPECT_EQ(backwards.on_txn(create_txn(2, "/q/item-0000000004")),
            "/q/item-0000000004 (committed at 0x2) has a sequence number no higher than /q/item-0000000005, committed "
            "before it");
}

TEST(SequenceOrder, AnAcknowledgedCreateGetsALowerNumberThanOnesCalledAfterIt) {
  const auto at = [](std::int64_t ms) { return Time{} + millis(ms); };
  // Overlapping creates may get either order.
  EXPECT_EQ(acknowledged_before_called({{"item-0000000002", at(0), at(10)}, {"item-0000000001", at(5), at(15)}}), "");
  // One acknowledged before the other was called must be lower.
  EXPECT_EQ(acknowledged_before_called({{"item-0000000002", at(0), at(10)}, {"item-0000000001", at(11), at(15)}}),
            "item-0000000002 was acknowledged before the create that got item-0000000001 was called");
}

// ---- multi

core::MultiRequest multi(std::vector<core::MultiOp> ops) { return core::MultiRequest{std::move(ops)}; }

// /a = "0" at version 0, /b = "0", /d with child /d/x.
History base() {
  History h;
  h.commit(kS1, 1, create_req("/a", "0"));
  h.commit(kS1, 2, create_req("/b", "0"));
  h.commit(kS1, 3, create_req("/d"));
  h.commit(kS1, 4, create_req("/d/x"));
  return h;
}

// The model decides what core::prepare decides: success, or the same op
// failing with the same code.
TEST(MultiModel, AgreesWithPrepare) {
  const std::vector<core::MultiRequest> cases = {
      multi({core::SetDataRequest{"/a", "1", 0}, core::SetDataRequest{"/b", "1", 0}}),
      multi({core::SetDataRequest{"/a", "1", 0}, core::SetDataRequest{"/b", "1", 3}}),
      multi({create_req("/n"), core::SetDataRequest{"/n", "v", 0}, core::CheckRequest{"/n", 1},
             core::DeleteRequest{"/n", 1}}),
      multi({create_req("/n"), core::SetDataRequest{"/n", "v", 1}}),
      multi({core::DeleteRequest{"/d", -1}}),
      multi({core::DeleteRequest{"/d/x", -1}, core::DeleteRequest{"/d", -1}}),
      multi({create_req("/a")}),
      multi({create_req("/nope/x")}),
      multi({core::CheckRequest{"/missing", -1}}),
      multi({core::DeleteRequest{"/a", 0}, create_req("/a", "again"), core::SetDataRequest{"/a", "z", 0}}),
  };
  for (std::size_t i = 0; i < cases.size(); ++i) {
    History h = base();
    const core::DataTree before = h.tree();
    const MultiVerdict v = model_multi(before, cases[i]);
    const core::Txn t = h.commit(kS2, 1, cases[i]);
    const auto& ops = std::get<core::MultiTxn>(t.body).ops;
    if (v.failed_at == cases[i].ops.size()) {
      EXPECT_FALSE(core::is_failed(t)) << "case " << i;
    } else {
      ASSERT_TRUE(core::is_failed(t)) << "case " << i;
      EXPECT_EQ(std::get<core::ErrorTxn>(ops[v.failed_at]).code, v.code) << "case " << i;
    }
  }
}

// c2 runs a transfer multi at zxid 5; the judge sees the request and the
// txn the servers committed for it.
struct Transfer {
  History h = base();
  ClientLog log;
  Records c2{log, "c2", kS2};
  core::MultiRequest req = multi({core::SetDataRequest{"/a", "-5", 0}, core::SetDataRequest{"/b", "5", 0}});
  std::size_t op = 0;
  Transfer() { op = c2.answered(req, Code::Ok, 5, {}, 1); }

  // Judges `txn` (committed at 5) as the request's txn.
  std::string judge(core::Txn txn, bool apply_it = true) {
    MultiJudge j;
    core::DataTree tree = h.tree();
    txn.header.zxid = 5;
    if (std::string v = j.before(tree, txn, &log.ops[op]); !v.empty()) return v;
    if (apply_it) (void)core::apply(tree, txn);
    return j.after(tree, txn, &log.ops[op]);
  }
  // What prepare makes of `r` on the tree (not committed).
  core::Txn prepared(const core::MultiRequest& r, Code session_check = Code::Ok) {
    History copy = h;
    return copy.commit(kS2, 1, r, session_check);
  }
};

TEST(MultiJudge, TheTxnPrepareMakesPasses) {
  Transfer f;
  EXPECT_EQ(f.judge(f.prepared(f.req)), "");
  // Refused for its session: fails whole at op 0, changes nothing.
  EXPECT_EQ(f.judge(f.prepared(f.req, Code::SessionMoved)), "");
}

TEST(MultiJudge, ATxnThatAppliesHalfTheMultiIsCaught) {
  Transfer f;
  core::Txn half = f.prepared(f.req);
  std::get<core::MultiTxn>(half.body).ops.pop_back();  // only /a changes
  EXPECT_NE(f.judge(half).find("left /b holding '0' at version 0, not '5' at 1"), std::string::npos) << f.judge(half);
}

TEST(MultiJudge, ATxnThatFailsAMultiThatShouldSucceedIsCaught) {
  Transfer f;
  const core::Txn refused =
      f.prepared(multi({core::SetDataRequest{"/a", "-5", 9}, core::SetDataRequest{"/b", "5", 0}}));
  EXPECT_NE(f.judge(refused).find("'s multi at 0x5 should have succeeded, but the txn failed"), std::string::npos)
      << f.judge(refused);
}

TEST(MultiJudge, AFailureAtTheWrongOpIsCaught) {
  Transfer f;
  f.req = multi({core::SetDataRequest{"/a", "-5", 0}, core::SetDataRequest{"/b", "5", 7}});
  f.log.ops[f.op].op = f.req;
  core::Txn wrong = f.prepared(f.req);
  auto& ops = std::get<core::MultiTxn>(wrong.body).ops;
  ops[0] = core::ErrorTxn{Code::BadVersion};
  ops[1] = core::ErrorTxn{Code::RuntimeInconsistency};
  EXPECT_NE(f.judge(wrong).find("'s failed multi at 0x5: op 0 should be Ok"), std::string::npos) << f.judge(wrong);
  EXPECT_EQ(f.judge(f.prepared(f.req)), "");
}

TEST(MultiJudge, AFailedMultiThatChangedSomethingIsCaught) {
  Transfer f;
  f.req = multi({core::SetDataRequest{"/a", "-5", 0}, core::SetDataRequest{"/b", "5", 7}});
  f.log.ops[f.op].op = f.req;
  const core::Txn failed = f.prepared(f.req);
  // The servers recorded the failure but changed /a anyway.
  MultiJudge j;
  core::DataTree tree = f.h.tree();
  core::Txn t = failed;
  t.header.zxid = 5;
  ASSERT_EQ(j.before(tree, t, &f.log.ops[f.op]), "");
  (void)core::apply(tree, core::Txn{t.header, core::SetDataTxn{"/a", "-5", 1}});
  EXPECT_NE(j.after(tree, t, &f.log.ops[f.op]).find("'s failed multi at 0x5 changed /a"), std::string::npos);
}

TEST(MultiInvariants, HalfATransferOrTwoBatonsAreCaught) {
  History h;
  h.commit(kS1, 1, create_req("/acct"));
  h.commit(kS1, 2, create_req("/acct/a0", "-3"));
  h.commit(kS1, 3, create_req("/acct/a1", "3"));
  h.commit(kS1, 4, create_req("/baton"));
  h.commit(kS1, 5, create_req("/baton/b-1"));
  EXPECT_EQ(multi_invariants(h.tree(), "/acct", "/baton"), "");
  h.commit(kS1, 6, create_req("/baton/b-2"));
  EXPECT_EQ(multi_invariants(h.tree(), "/acct", "/baton"), "/baton has 2 children, not 1 (half a baton pass?)");
  h.commit(kS1, 7, core::DeleteRequest{"/baton/b-1", -1});
  h.commit(kS1, 8, core::SetDataRequest{"/acct/a0", "-2", -1});
  EXPECT_EQ(multi_invariants(h.tree(), "/acct", "/baton"), "the accounts sum to 1, not 0 (half a transfer?)");
}

}  // namespace
}  // namespace zsim::scenarios::ensemble
