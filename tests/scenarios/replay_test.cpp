// CommittedReplay judges what clients saw against the committed history,
// replayed: these tests feed it a history and client records built by hand
// -- what a correct ensemble would report, then one broken record at a time
// (a read no committed state held, a read from an uncommitted zxid, a write
// acknowledged at the wrong zxid or with the wrong result, a refused write
// that was applied, a request committed twice, an answer after the
// session's close, an acknowledgement with no txn) -- and expect each to be
// named. What lies beyond an unknown stretch of the history is counted as
// unjudged, never guessed.
#include "scenarios/ensemble/replay.h"
#include "tests/scenarios/history_builder.h"

#include <gtest/gtest.h>

namespace zsim::scenarios::ensemble {
namespace {

using core::Code;
using testing::create_req;
using testing::History;
using testing::Records;
namespace wire = core::wire;

constexpr std::int64_t kS1 = 0x0100000100000001;
constexpr std::int64_t kS2 = 0x0200000100000002;

// /a created by c1 (xid 1) at zxid 1, set to "v2" by c1 (xid 2) at zxid 2.
struct Fixture {
  History h;
  ClientLog log;
  Records c1{log, "c1", kS1};
  Records c2{log, "c2", kS2};
  core::Stat a1, a2;

  Fixture() {
    h.commit(kS1, 1, create_req("/a", "v1"));
    a1 = *h.tree().stat("/a");
    c1.answered(create_req("/a", "v1"), Code::Ok, 1, wire::CreateReply{"/a", a1}, 1);
    h.commit(kS1, 2, core::SetDataRequest{"/a", "v2", -1});
    a2 = *h.tree().stat("/a");
    c1.answered(core::SetDataRequest{"/a", "v2", -1}, Code::Ok, 2, wire::StatReply{a2}, 2);
  }

  std::string run() {
    CommittedReplay replay(h.log(), log);
    return replay.run();
  }
};

TEST(CommittedReplay, ACorrectHistoryPasses) {
  Fixture f;
  f.c2.answered(wire::GetDataOp{"/a", false}, Code::NoNode, 0);
  f.c2.answered(wire::GetDataOp{"/a", false}, Code::Ok, 1, wire::DataReply{"v1", f.a1});
  f.c2.answered(wire::GetDataOp{"/a", false}, Code::Ok, 2, wire::DataReply{"v2", f.a2});
  f.c2.answered(wire::GetChildrenOp{"/", false, false}, Code::Ok, 2, wire::ChildrenReply{{"zookeeper", "a"}, {}});
  CommittedReplay replay(f.h.log(), f.log);
  EXPECT_EQ(replay.run(), "");
  EXPECT_EQ(replay.stats().txns, 2u);
  EXPECT_EQ(replay.stats().reads_judged, 4u);
  EXPECT_EQ(replay.stats().writes_judged, 2u);
  EXPECT_EQ(replay.stats().unjudged, 0u);
}

TEST(CommittedReplay, AReadNoCommittedStateHeldIsCaught) {
  Fixture f;
  // Claims zxid 2 but shows the data of zxid 1.
  f.c2.answered(wire::GetDataOp{"/a", false}, Code::Ok, 2, wire::DataReply{"v1", f.a1});
  EXPECT_NE(f.run().find("c2 (session 0x200000100000002) read getData /a at 0x2 and got data 'v1', committed 'v2'"),
            std::string::npos)
      << f.run();
}

TEST(CommittedReplay, ANodeSeenAfterItsDeleteIsCaught) {
  Fixture f;
  f.h.commit(kS1, 3, core::DeleteRequest{"/a", -1});
  f.c1.answered(core::DeleteRequest{"/a", -1}, Code::Ok, 3, {}, 3);
  f.c2.answered(wire::ExistsOp{"/a", false}, Code::Ok, 3, wire::StatReply{f.a2});
  EXPECT_NE(f.run().find("exists /a at 0x3 and got /a holds something, but it does not exist there"),
            std::string::npos)
      << f.run();
}

TEST(CommittedReplay, AReadFromAZxidNeverCommittedIsCaught) {
  Fixture f;
  f.h.next_epoch();
  f.h.commit(kS2, 1, create_req("/b"));  // 0x100000001, on 0x2
  // Nothing was committed at 0x3: no server that serves can be there.
  f.c2.answered(wire::GetDataOp{"/a", false}, Code::Ok, 3, wire::DataReply{"v2", f.a2});
  EXPECT_NE(f.run().find("read getData /a from a server at 0x3, which is not a committed zxid"), std::string::npos)
      << f.run();
}

TEST(CommittedReplay, ReadsAboveTheKnownHistoryAreUnjudged) {
  Fixture f;
  f.c2.answered(wire::GetDataOp{"/a", false}, Code::Ok, 7, wire::DataReply{"v2", f.a2});
  CommittedReplay replay(f.h.log(), f.log);
  EXPECT_EQ(replay.run(), "");
  EXPECT_EQ(replay.stats().unjudged, 1u);
}

TEST(CommittedReplay, AnAcknowledgementAtTheWrongZxidIsCaught) {
  Fixture f;
  f.h.commit(kS1, 3, create_req("/b"));
  f.h.commit(kS2, 1, create_req("/c"));
  // c1's create of /b (xid 3) is told zxid 4, where /c was committed.
  f.c1.answered(create_req("/b"), Code::Ok, 4, wire::CreateReply{"/b", *f.h.tree().stat("/b")}, 3);
  EXPECT_NE(f.run().find("c1 (session 0x100000100000001)'s create /b was answered Ok at 0x4, but its txn was "
                         "committed at 0x3"),
            std::string::npos)
      << f.run();
}

TEST(CommittedReplay, AWrongResultIsCaught) {
  Fixture f;
  f.h.commit(kS2, 1, core::SetDataRequest{"/a", "v3", 1});
  core::Stat wrong = *f.h.tree().stat("/a");
  wrong.version = 7;
  f.c2.answered(core::SetDataRequest{"/a", "v3", 1}, Code::Ok, 3, wire::StatReply{wrong}, 1);
  EXPECT_NE(f.run().find("'s setData /a at 0x3 was answered czxid=0x1 mzxid=0x3 pzxid=0x1 version=7"),
            std::string::npos)
      << f.run();
}

TEST(CommittedReplay, ARefusedWriteThatWasAppliedIsCaught) {
  Fixture f;
  f.h.commit(kS2, 1, core::SetDataRequest{"/a", "v3", -1});
  f.c2.answered(core::SetDataRequest{"/a", "v3", 5}, Code::BadVersion, 3, {}, 1);
  EXPECT_NE(f.run().find("failed with BadVersion at 0x3, but its txn changed the tree"), std::string::npos) << f.run();
}

TEST(CommittedReplay, ARefusedWriteMatchesItsErrorTxn) {
  Fixture f;
  f.h.commit(kS2, 1, core::SetDataRequest{"/a", "v3", 5});  // BadVersion: an error txn
  f.c2.answered(core::SetDataRequest{"/a", "v3", 5}, Code::BadVersion, 3, {}, 1);
  EXPECT_EQ(f.run(), "");
}

TEST(CommittedReplay, ARequestCommittedTwiceIsCaught) {
  Fixture f;
  f.h.commit(kS1, 2, create_req("/again"));  // c1's xid 2 again
  EXPECT_NE(f.run().find("the request of session 0x100000100000001 with cxid 2 was committed twice, at 0x2 and at 0x3"),
            std::string::npos)
      << f.run();
}

TEST(CommittedReplay, AnAnswerAfterTheSessionsCloseIsCaught) {
  Fixture f;
  f.h.commit(kS2, 0, core::CloseSessionRequest{});  // zxid 3: s2 expires
  f.c2.answered(wire::GetDataOp{"/a", false}, Code::Ok, 3, wire::DataReply{"v2", f.a2});
  EXPECT_NE(f.run().find("c2 (session 0x200000100000002)'s getData /a was answered Ok at 0x3, at or after its "
                         "session's close at 0x3"),
            std::string::npos)
      << f.run();
}

TEST(CommittedReplay, AnAcknowledgementWithoutATxnIsCaught) {
  Fixture f;
  f.c2.answered(create_req("/ghost"), Code::Ok, 2, wire::CreateReply{"/ghost", {}}, 4);
  EXPECT_NE(f.run().find("'s create /ghost was answered Ok at 0x2, but no such txn was committed"), std::string::npos)
      << f.run();
}

TEST(CommittedReplay, AnUnknownOutcomeMayHaveCommittedOrNot) {
  Fixture f;
  f.c2.lost(create_req("/maybe"), 1);
  f.h.commit(kS2, 1, create_req("/maybe"));
  f.c2.lost(create_req("/never"), 2);
  EXPECT_EQ(f.run(), "");
}

TEST(CommittedReplay, NothingBeyondAnUnknownStretchIsJudged) {
  Fixture f;
  f.h.skip();  // zxid 3 reached nobody one by one
  f.h.report(core::Txn{core::TxnHeader{kS2, 1, 0, 0}, core::ErrorTxn{Code::NoNode}});  // zxid 4, on 3
  f.c2.answered(create_req("/x/y"), Code::NoNode, 4, {}, 1);
  f.c2.answered(wire::GetDataOp{"/a", false}, Code::Ok, 4, wire::DataReply{"anything", {}});
  CommittedReplay replay(f.h.log(), f.log);
  EXPECT_EQ(replay.run(), "");
  EXPECT_TRUE(replay.stats().gap);
  EXPECT_EQ(replay.stats().txns, 2u);
  EXPECT_EQ(replay.stats().unjudged, 2u);  // the read and c2's write
}

}  // namespace
}  // namespace zsim::scenarios::ensemble
