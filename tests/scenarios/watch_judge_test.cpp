// WatchJudge judges watch events against the committed history by
// ZooKeeper's promise. Each test builds a short committed history and one
// client's timeline by hand -- replies with their zxids, events, pings,
// reconnects -- first as a correct ensemble would deliver them, then
// broken one way at a time: a second event for one registration, an event
// before its change, data newer than a change seen before its event (also
// across a reconnect: a lost event), the wrong event type, events out of
// zxid order; and for persistent watches a lost, duplicate or phantom
// event. ZooKeeper's documented limits (an exists() watch missing a create
// and delete made while the client was away; persistent watches missing
// what changed while it was away) must pass.
#include "scenarios/ensemble/watch_judge.h"
#include "tests/scenarios/history_builder.h"

#include <gtest/gtest.h>

namespace zsim::scenarios::ensemble {
namespace {

using core::Code;
using core::EventType;
using testing::create_req;
using testing::History;
using testing::Records;
namespace wire = core::wire;

constexpr std::int64_t kWriter = 0x0100000100000009;
constexpr std::int64_t kS1 = 0x0100000100000001;

std::string judge(const History& h, const ClientLog& log, const Records& r, std::uint64_t* unjudged = nullptr) {
  WatchJudge j(h.log(), log);
  std::string v = j.judge(r.timeline());
  if (unjudged != nullptr) *unjudged = j.unjudged();
  return v;
}

// zxid 1: /w; zxid 2: /w/n = "a". c1 sets a data watch on /w/n at 2.
struct OneShot {
  History h;
  ClientLog log;
  Records c1{log, "c1", kS1};
  OneShot() {
    h.commit(kWriter, 1, create_req("/w"));
    h.commit(kWriter, 2, create_req("/w/n", "a"));
    c1.connected();
    c1.answered(wire::GetDataOp{"/w/n", true}, Code::Ok, 2);
  }
  void set_n(std::int32_t cxid) { h.commit(kWriter, cxid, core::SetDataRequest{"/w/n", "b", -1}); }
  std::string run(std::uint64_t* unjudged = nullptr) { return judge(h, log, c1, unjudged); }
};

TEST(WatchJudge, AOneShotWatchFiringForTheFirstChangePasses) {
  OneShot f;
  f.set_n(3);
  f.c1.event(EventType::NodeDataChanged, "/w/n");
  f.c1.answered(wire::GetDataOp{"/w/n", true}, Code::Ok, 3);  // sets it again
  f.h.commit(kWriter, 4, core::DeleteRequest{"/w/n", -1});
  f.c1.event(EventType::NodeDeleted, "/w/n");
  f.c1.answered(wire::ExistsOp{"/w/n", false}, Code::NoNode, 4);
  EXPECT_EQ(f.run(), "");
}

TEST(WatchJudge, ASecondEventForOneRegistrationIsCaught) {
  OneShot f;
  f.set_n(3);
  f.c1.event(EventType::NodeDataChanged, "/w/n");
  f.set_n(4);
  f.c1.event(EventType::NodeDataChanged, "/w/n");
  EXPECT_NE(f.run().find("got NodeDataChanged /w/n with no watch set there"), std::string::npos) << f.run();
}

TEST(WatchJudge, AnEventBeforeItsChangeIsCaught) {
  OneShot f;
  f.c1.event(EventType::NodeDataChanged, "/w/n");
  f.c1.answered(wire::ExistsOp{"/w", false}, Code::Ok, 2);
  f.set_n(3);
  EXPECT_NE(f.run().find("before the change at 0x3 (the next reply came from 0x2)"), std::string::npos) << f.run();
}

TEST(WatchJudge, DataNewerThanTheChangeBeforeItsEventIsCaught) {
  OneShot f;
  f.set_n(3);
  f.c1.answered(wire::ExistsOp{"/w", false}, Code::Ok, 3);
  f.c1.event(EventType::NodeDataChanged, "/w/n");
  EXPECT_NE(f.run().find("got a reply at 0x3 (exists /w) before the NodeDataChanged event of its watch on /w/n set "
                         "at 0x2"),
            std::string::npos)
      << f.run();
}

TEST(WatchJudge, APingPastTheChangeBeforeItsEventIsCaught) {
  OneShot f;
  f.set_n(3);
  f.c1.ping(3);
  f.c1.event(EventType::NodeDataChanged, "/w/n");
  EXPECT_NE(f.run().find("after it had seen 0x3, at or past the change at 0x3"), std::string::npos) << f.run();
}

TEST(WatchJudge, TheWrongEventTypeIsCaught) {
  OneShot f;
  f.set_n(3);
  f.h.commit(kWriter, 4, core::DeleteRequest{"/w/n", -1});
  f.c1.event(EventType::NodeDeleted, "/w/n");
  EXPECT_NE(f.run().find("but the first change after it was NodeDataChanged at 0x3"), std::string::npos) << f.run();
}

TEST(WatchJudge, AnEventLostAcrossAReconnectIsCaught) {
  OneShot f;
  f.c1.disconnected();
  f.set_n(3);
  f.c1.connected();  // re-registered with last zxid 2: the server must fire
  f.c1.answered(wire::ExistsOp{"/w", false}, Code::Ok, 3);
  EXPECT_NE(f.run().find("got a reply at 0x3 (exists /w) before the NodeDataChanged event"), std::string::npos)
      << f.run();
}

TEST(WatchJudge, AfterAReconnectTheEventMayReflectTheNewState) {
  OneShot f;
  f.c1.disconnected();
  f.set_n(3);
  f.h.commit(kWriter, 4, core::DeleteRequest{"/w/n", -1});
  f.c1.connected();
  f.c1.event(EventType::NodeDeleted, "/w/n");  // the reconnect found it gone
  f.c1.answered(wire::ExistsOp{"/w", false}, Code::Ok, 4);
  EXPECT_EQ(f.run(), "");
}

TEST(WatchJudge, AnExistsWatchMayMissACreateAndDeleteWhileAway) {
  OneShot f;
  f.c1.answered(wire::ExistsOp{"/w/m", true}, Code::NoNode, 2);
  f.c1.disconnected();
  f.h.commit(kWriter, 3, create_req("/w/m"));
  f.h.commit(kWriter, 4, core::DeleteRequest{"/w/m", -1});
  f.c1.connected();
  f.c1.answered(wire::ExistsOp{"/w", false}, Code::Ok, 4);
  std::uint64_t unjudged = 0;
  EXPECT_EQ(f.run(&unjudged), "");
  EXPECT_EQ(unjudged, 1u);
  // ... but not on a live connection.
  OneShot g;
  g.c1.answered(wire::ExistsOp{"/w/m", true}, Code::NoNode, 2);
  g.h.commit(kWriter, 3, create_req("/w/m"));
  g.h.commit(kWriter, 4, core::DeleteRequest{"/w/m", -1});
  g.c1.answered(wire::ExistsOp{"/w", false}, Code::Ok, 4);
  EXPECT_NE(g.run().find("before the NodeCreated event of its watch on /w/m"), std::string::npos) << g.run();
}

TEST(WatchJudge, EventsOutOfZxidOrderAreCaught) {
  OneShot f;
  f.c1.answered(wire::GetChildrenOp{"/w", true, false}, Code::Ok, 2);
  f.h.commit(kWriter, 3, create_req("/w/m"));  // /w's children change at 3
  f.set_n(4);                                  // /w/n's data at 4
  f.c1.event(EventType::NodeDataChanged, "/w/n");
  f.c1.event(EventType::NodeChildrenChanged, "/w");
  EXPECT_NE(f.run().find("(change at 0x3) after an event for the change at 0x4"), std::string::npos) << f.run();
}

// zxid 1: /w; c1 adds a recursive watch on /w at 1; zxid 2 creates /w/n,
// zxid 3 changes it.
struct Persistent {
  History h;
  ClientLog log;
  Records c1{log, "c1", kS1};
  Persistent() {
    h.commit(kWriter, 1, create_req("/w"));
    c1.connected();
    c1.answered(wire::AddWatchOp{"/w", wire::AddWatchMode::kPersistentRecursive}, Code::Ok, 1);
    h.commit(kWriter, 2, create_req("/w/n", "a"));
    h.commit(kWriter, 3, core::SetDataRequest{"/w/n", "b", -1});
  }
  std::string run() { return judge(h, log, c1); }
};

TEST(WatchJudge, PersistentWatchesHearEveryChangeInOrder) {
  Persistent f;
  f.c1.event(EventType::NodeCreated, "/w/n");
  f.c1.event(EventType::NodeDataChanged, "/w/n");
  f.c1.answered(wire::ExistsOp{"/w", false}, Code::Ok, 3);
  EXPECT_EQ(f.run(), "");
}

TEST(WatchJudge, APersistentEventSkippedOnALiveConnectionIsCaught) {
  Persistent f;
  f.c1.event(EventType::NodeDataChanged, "/w/n");
  EXPECT_NE(f.run().find("(change at 0x3) but not the NodeCreated /w/n event of the change at 0x2 before it"),
            std::string::npos)
      << f.run();
}

TEST(WatchJudge, APersistentEventMissingBeforeAReplyIsCaught) {
  Persistent f;
  f.c1.event(EventType::NodeCreated, "/w/n");
  f.c1.answered(wire::ExistsOp{"/w", false}, Code::Ok, 3);
  EXPECT_NE(f.run().find("got a reply at 0x3 but never the NodeDataChanged /w/n event of the change at 0x3"),
            std::string::npos)
      << f.run();
}

TEST(WatchJudge, PhantomAndDuplicatePersistentEventsAreCaught) {
  Persistent f;
  f.c1.event(EventType::NodeDataChanged, "/w/x");
  EXPECT_NE(f.run().find("got NodeDataChanged /w/x that matches no committed change"), std::string::npos) << f.run();
  Persistent g;
  g.c1.event(EventType::NodeCreated, "/w/n");
  g.c1.event(EventType::NodeCreated, "/w/n");
  EXPECT_NE(g.run().find("got NodeCreated /w/n that matches no committed change"), std::string::npos) << g.run();
}

TEST(WatchJudge, PersistentWatchesMayMissWhatChangedWhileAway) {
  Persistent f;
  f.c1.disconnected();
  f.c1.connected();
  f.c1.answered(wire::ExistsOp{"/w", false}, Code::Ok, 3);  // both changes made while away
  f.h.commit(kWriter, 4, core::DeleteRequest{"/w/n", -1});
  f.c1.event(EventType::NodeDeleted, "/w/n");
  f.c1.answered(wire::ExistsOp{"/w", false}, Code::Ok, 4);
  EXPECT_EQ(f.run(), "");
}

TEST(WatchJudge, ChangesDeriveFromTheTxnsThemselves) {
  History h;
  h.commit(kWriter, 1, create_req("/w"));
  const core::Txn t = h.commit(kWriter, 2, create_req("/w/e", "", core::CreateMode::Ephemeral));
  const std::vector<WatchChange> c = changes_of(t);
  ASSERT_EQ(c.size(), 2u);
  EXPECT_EQ(c[0].type, EventType::NodeCreated);
  EXPECT_EQ(c[0].path, "/w/e");
  EXPECT_EQ(c[1].type, EventType::NodeChildrenChanged);
  EXPECT_EQ(c[1].path, "/w");
  const core::Txn close = h.commit(kWriter, 0, core::CloseSessionRequest{});
  const std::vector<WatchChange> d = changes_of(close);
  ASSERT_EQ(d.size(), 2u);
  EXPECT_EQ(d[0].type, EventType::NodeDeleted);
  EXPECT_EQ(d[0].zxid, 3);
  // The same events apply() reports, in the same order.
  ASSERT_EQ(h.last_result().events.size(), d.size());
  for (std::size_t i = 0; i < d.size(); ++i) {
    EXPECT_EQ(h.last_result().events[i].type, d[i].type);
    EXPECT_EQ(h.last_result().events[i].path, d[i].path);
  }
}

}  // namespace
}  // namespace zsim::scenarios::ensemble
