// Proves the watch trigger table, case by case: which registered watch hears
// which event after each kind of txn (driven through prepare -> apply ->
// WatchManager::trigger), that standard watches fire once and persistent ones
// stay, that a watcher hears one event per change, that failed ops trigger
// nothing, and the reconnect rule (DataTree.setWatches). Cases marked
// "oracle" were observed with zkCli against a real ZooKeeper 3.8.0.
#include <gtest/gtest.h>

#include "tree_driver.h"

namespace zsim::core {
namespace {

using testing::TreeDriver;

constexpr WatcherId kW1 = 1;
constexpr WatcherId kW2 = 2;

struct Fixture {
  TreeDriver d;
  WatchManager watches;

  std::vector<WatchDelivery> run(const Request& request, int64_t session = 0x100) {
    ApplyResult r = d.submit(request, session);
    return watches.trigger(r.events);
  }
  std::vector<WatchDelivery> create(std::string path, CreateMode mode = CreateMode::Persistent,
                                    int64_t session = 0x100) {
    return run(CreateRequest{std::move(path), "", static_cast<int32_t>(mode), -1}, session);
  }
  std::vector<WatchDelivery> set(std::string path) {
    return run(SetDataRequest{std::move(path), "x", -1});
  }
  std::vector<WatchDelivery> remove(std::string path) {
    return run(DeleteRequest{std::move(path), -1});
  }
};

WatchDelivery ev(WatcherId w, EventType type, std::string path) {
  return WatchDelivery{w, WatchEvent{type, std::move(path)}};
}

using Deliveries = std::vector<WatchDelivery>;

TEST(WatchTriggers, CreateFiresNodeCreatedAndParentChildren) {
  Fixture f;
  f.create("/p");
  f.watches.add(kW1, "/p/c", WatchKind::Exist);
  f.watches.add(kW2, "/p", WatchKind::Child);
  f.watches.add(kW2, "/p", WatchKind::Data);  // data of the parent: not touched
  EXPECT_EQ(f.create("/p/c"), (Deliveries{ev(kW1, EventType::NodeCreated, "/p/c"),
                                          ev(kW2, EventType::NodeChildrenChanged, "/p")}));
  EXPECT_TRUE(f.watches.has(kW2, "/p", WatchKind::Data));
  // One-shot: a second create under /p fires nothing.
  EXPECT_TRUE(f.create("/p/d").empty());
}

TEST(WatchTriggers, DeleteFiresOnDataAndChildWatchesOncePerWatcher) {
  Fixture f;
  f.create("/p");
  f.create("/p/c");
  f.watches.add(kW1, "/p/c", WatchKind::Data);
  f.watches.add(kW1, "/p/c", WatchKind::Child);  // same watcher: hears it once
  f.watches.add(kW2, "/p/c", WatchKind::Child);
  f.watches.add(kW2, "/p", WatchKind::Child);
  EXPECT_EQ(f.remove("/p/c"), (Deliveries{ev(kW1, EventType::NodeDeleted, "/p/c"),
                                          ev(kW2, EventType::NodeDeleted, "/p/c"),
                                          ev(kW2, EventType::NodeChildrenChanged, "/p")}));
  EXPECT_EQ(f.watches.size(), 0u);  // all were one-shot, all consumed
}

TEST(WatchTriggers, SetDataFiresNodeDataChangedOnly) {
  Fixture f;
  f.create("/p");
  f.create("/p/c");
  f.watches.add(kW1, "/p/c", WatchKind::Data);
  f.watches.add(kW1, "/p/c", WatchKind::Child);
  f.watches.add(kW2, "/p", WatchKind::Child);
  EXPECT_EQ(f.set("/p/c"), (Deliveries{ev(kW1, EventType::NodeDataChanged, "/p/c")}));
  EXPECT_TRUE(f.set("/p/c").empty());  // fired once
  EXPECT_TRUE(f.watches.has(kW1, "/p/c", WatchKind::Child));
}

TEST(WatchTriggers, CloseSessionActsAsDeletePerEphemeral) {
  Fixture f;
  f.create("/p");
  f.create("/p/e1", CreateMode::Ephemeral, 0x7);
  f.create("/p/e2", CreateMode::Ephemeral, 0x7);
  f.watches.add(kW1, "/p/e1", WatchKind::Data);
  f.watches.add(kW1, "/p/e2", WatchKind::Data);
  f.watches.add(kW2, "/p", WatchKind::Child);
  EXPECT_EQ(f.run(CloseSessionRequest{}, 0x7),
            (Deliveries{ev(kW1, EventType::NodeDeleted, "/p/e1"),
                        ev(kW2, EventType::NodeChildrenChanged, "/p"),
                        ev(kW1, EventType::NodeDeleted, "/p/e2")}));
}

TEST(WatchTriggers, FailedOpsTriggerNothing) {
  Fixture f;
  f.create("/p");
  f.watches.add(kW1, "/p", WatchKind::Data);
  f.watches.add(kW1, "/p", WatchKind::Child);
  f.watches.add(kW1, "/", WatchKind::Child);
  f.watches.add(kW1, "/q", WatchKind::Exist);
  EXPECT_TRUE(f.create("/p").empty());                                     // NodeExists
  EXPECT_TRUE(f.run(SetDataRequest{"/p", "x", 9}).empty());               // BadVersion
  EXPECT_TRUE(f.run(DeleteRequest{"/p", 9}).empty());                     // BadVersion
  EXPECT_TRUE(f.run(MultiRequest{{CreateRequest{"/q", "", 0, -1},
                                  SetDataRequest{"/p", "x", 9}}}).empty());  // failed multi
  EXPECT_EQ(f.watches.size(), 4u);
}

TEST(WatchTriggers, MultiFiresForEveryOpInOrder) {
  Fixture f;
  f.create("/p");
  f.watches.add(kW1, "/p", WatchKind::Data);
  f.watches.add(kW2, "/p", WatchKind::Child);
  EXPECT_EQ(f.run(MultiRequest{{SetDataRequest{"/p", "x", -1}, CreateRequest{"/p/c", "", 0, -1}}}),
            (Deliveries{ev(kW1, EventType::NodeDataChanged, "/p"),
                        ev(kW2, EventType::NodeChildrenChanged, "/p")}));
}

TEST(WatchTriggers, PersistentFiresAllTypesOnItsPathAndStays) {
  Fixture f;
  f.watches.add(kW1, "/p", WatchKind::Persistent);
  EXPECT_EQ(f.create("/p"), (Deliveries{ev(kW1, EventType::NodeCreated, "/p")}));
  EXPECT_EQ(f.set("/p"), (Deliveries{ev(kW1, EventType::NodeDataChanged, "/p")}));
  EXPECT_EQ(f.set("/p"), (Deliveries{ev(kW1, EventType::NodeDataChanged, "/p")}));
  EXPECT_EQ(f.create("/p/c"), (Deliveries{ev(kW1, EventType::NodeChildrenChanged, "/p")}));
  EXPECT_TRUE(f.create("/p/c/d").empty());  // not recursive
  f.remove("/p/c/d");
  f.remove("/p/c");
  EXPECT_EQ(f.remove("/p"), (Deliveries{ev(kW1, EventType::NodeDeleted, "/p")}));
  EXPECT_TRUE(f.watches.has(kW1, "/p", WatchKind::Persistent));
}

TEST(WatchTriggers, PersistentRecursiveCoversDescendantsButNotChildEvents) {
  Fixture f;
  f.watches.add(kW1, "/rr", WatchKind::PersistentRecursive);
  // oracle: exactly these events for these commands.
  EXPECT_EQ(f.create("/rr"), (Deliveries{ev(kW1, EventType::NodeCreated, "/rr")}));
  EXPECT_EQ(f.create("/rr/a"), (Deliveries{ev(kW1, EventType::NodeCreated, "/rr/a")}));
  EXPECT_EQ(f.create("/rr/a/b"), (Deliveries{ev(kW1, EventType::NodeCreated, "/rr/a/b")}));
  EXPECT_EQ(f.set("/rr/a/b"), (Deliveries{ev(kW1, EventType::NodeDataChanged, "/rr/a/b")}));
  EXPECT_EQ(f.remove("/rr/a/b"), (Deliveries{ev(kW1, EventType::NodeDeleted, "/rr/a/b")}));
  EXPECT_TRUE(f.create("/rrx").empty());  // a sibling with a common prefix
}

TEST(WatchTriggers, RecursiveOnRootSeesEverything) {
  Fixture f;
  f.watches.add(kW1, "/", WatchKind::PersistentRecursive);
  f.watches.add(kW2, "/a", WatchKind::Exist);
  EXPECT_EQ(f.create("/a"), (Deliveries{ev(kW1, EventType::NodeCreated, "/a"),
                                        ev(kW2, EventType::NodeCreated, "/a")}));
}

TEST(WatchTriggers, LaterStandardWatchReplacesPersistentMode) {
  // oracle: `addWatch /w`, `get -w /w`, then three sets fire one
  // NodeDataChanged on a real 3.8.0 server.
  Fixture f;
  f.create("/w");
  f.watches.add(kW1, "/w", WatchKind::Persistent);
  f.watches.add(kW1, "/w", WatchKind::Data);
  EXPECT_EQ(f.set("/w").size(), 1u);
  EXPECT_TRUE(f.set("/w").empty());
  EXPECT_TRUE(f.set("/w").empty());
}

// oracle (each case also in tests/tools/conformance/watch-modes.zk): one
// watcher mixing one-shot and persistent watches on a path, as ZooKeeper
// 3.8.0 handles them. A recursive watch is in both tables, so a later
// getData -w replaces it in the data table only: the path's data change
// fires once, descendants' creations and changes are no longer heard, but
// their deletions still are (child table).
TEST(WatchModes, RecursiveThenDataWatchKeepsDescendantDeletions) {
  Fixture f;
  f.create("/r6");
  f.watches.add(kW1, "/r6", WatchKind::PersistentRecursive);
  f.watches.add(kW1, "/r6", WatchKind::Data);
  EXPECT_TRUE(f.create("/r6/a").empty());
  EXPECT_TRUE(f.set("/r6/a").empty());
  EXPECT_EQ(f.remove("/r6/a"), (Deliveries{ev(kW1, EventType::NodeDeleted, "/r6/a")}));
  EXPECT_EQ(f.set("/r6"), (Deliveries{ev(kW1, EventType::NodeDataChanged, "/r6")}));
  EXPECT_TRUE(f.set("/r6").empty());
  EXPECT_EQ(f.remove("/r6"), (Deliveries{ev(kW1, EventType::NodeDeleted, "/r6")}));
}

// A recursive watch replaces a one-shot child watch: no NodeChildrenChanged.
TEST(WatchModes, ChildWatchThenRecursiveHearsNoChildrenChanged) {
  Fixture f;
  f.create("/q");
  f.watches.add(kW1, "/q", WatchKind::Child);
  f.watches.add(kW1, "/q", WatchKind::PersistentRecursive);
  EXPECT_EQ(f.create("/q/a"), (Deliveries{ev(kW1, EventType::NodeCreated, "/q/a")}));
  EXPECT_EQ(f.remove("/q/a"), (Deliveries{ev(kW1, EventType::NodeDeleted, "/q/a")}));
  EXPECT_EQ(f.remove("/q"), (Deliveries{ev(kW1, EventType::NodeDeleted, "/q")}));
}

// A later add replaces the earlier mode, in both directions. (zkCli seems
// to keep PERSISTENT after `addWatch -m PERSISTENT /p` and `addWatch /p`:
// its addWatch command keeps the last -m as its default; the server
// replaces.)
TEST(WatchModes, LaterPersistentModeReplacesTheEarlier) {
  Fixture f;
  f.create("/pq");
  f.watches.add(kW1, "/pq", WatchKind::Persistent);
  f.watches.add(kW1, "/pq", WatchKind::PersistentRecursive);
  EXPECT_TRUE(f.watches.has(kW1, "/pq", WatchKind::PersistentRecursive));
  EXPECT_EQ(f.create("/pq/a"), (Deliveries{ev(kW1, EventType::NodeCreated, "/pq/a")}));
  EXPECT_EQ(f.remove("/pq/a"), (Deliveries{ev(kW1, EventType::NodeDeleted, "/pq/a")}));
  f.watches.add(kW1, "/pq", WatchKind::Persistent);
  EXPECT_TRUE(f.watches.has(kW1, "/pq", WatchKind::Persistent));
  EXPECT_EQ(f.create("/pq/b"), (Deliveries{ev(kW1, EventType::NodeChildrenChanged, "/pq")}));
  EXPECT_TRUE(f.set("/pq/b").empty());
}

// A one-shot data (or child) watch over a PERSISTENT one replaces it in its
// table only.
TEST(WatchModes, OneShotOverPersistentReplacesOneTable) {
  Fixture f;
  f.create("/y1");
  f.watches.add(kW1, "/y1", WatchKind::Persistent);
  f.watches.add(kW1, "/y1", WatchKind::Data);
  EXPECT_EQ(f.set("/y1").size(), 1u);
  EXPECT_TRUE(f.set("/y1").empty());
  EXPECT_EQ(f.create("/y1/c"), (Deliveries{ev(kW1, EventType::NodeChildrenChanged, "/y1")}));
  EXPECT_EQ(f.create("/y1/d"), (Deliveries{ev(kW1, EventType::NodeChildrenChanged, "/y1")}));
  Fixture g;
  g.create("/y2");
  g.watches.add(kW1, "/y2", WatchKind::Persistent);
  g.watches.add(kW1, "/y2", WatchKind::Child);
  EXPECT_EQ(g.create("/y2/c").size(), 1u);
  EXPECT_TRUE(g.create("/y2/d").empty());
  EXPECT_EQ(g.set("/y2").size(), 1u);
  EXPECT_EQ(g.set("/y2").size(), 1u);
}

TEST(WatchTriggers, DeliveriesOrderedByWatcherId) {
  Fixture f;
  f.create("/p");
  for (WatcherId w : {5, 3, 9, 1}) {
    f.watches.add(w, "/p", WatchKind::Data);
  }
  Deliveries got = f.set("/p");
  ASSERT_EQ(got.size(), 4u);
  EXPECT_EQ(got[0].watcher, 1);
  EXPECT_EQ(got[1].watcher, 3);
  EXPECT_EQ(got[2].watcher, 5);
  EXPECT_EQ(got[3].watcher, 9);
}

TEST(WatchTriggers, RemoveWatcherDropsEverything) {
  Fixture f;
  f.create("/p");
  f.watches.add(kW1, "/p", WatchKind::Data);
  f.watches.add(kW1, "/p", WatchKind::Persistent);
  f.watches.add(kW1, "/", WatchKind::PersistentRecursive);
  f.watches.add(kW2, "/p", WatchKind::Child);
  f.watches.remove_watcher(kW1);
  EXPECT_EQ(f.watches.size(), 1u);
  EXPECT_TRUE(f.set("/p").empty());
}

// ---------------------------------------------------------------- reconnect

TEST(Reconnect, FiresWhatTheClientMissedAndReRegistersTheRest) {
  Fixture f;
  f.create("/same");      // zxid 1
  f.create("/changed");   // 2
  f.create("/gone");      // 3
  f.create("/kids");      // 4
  f.create("/quietkids"); // 5
  const int64_t last_seen = 5;
  f.set("/changed");      // 6
  f.remove("/gone");      // 7
  f.create("/kids/k");    // 8
  f.create("/born");      // 9
  f.create("/flash");     // 10: created and deleted while away
  f.remove("/flash");     // 11

  WatchSet set;
  set.data = {"/same", "/changed", "/gone"};
  set.exist = {"/born", "/flash"};
  set.child = {"/kids", "/quietkids", "/gone"};
  set.persistent = {"/same"};
  set.persistent_recursive = {"/"};
  Deliveries fired = f.watches.reregister(f.d.tree, last_seen, kW1, set);
  EXPECT_EQ(fired, (Deliveries{ev(kW1, EventType::NodeDataChanged, "/changed"),
                               ev(kW1, EventType::NodeDeleted, "/gone"),
                               ev(kW1, EventType::NodeCreated, "/born"),
                               ev(kW1, EventType::NodeChildrenChanged, "/kids"),
                               ev(kW1, EventType::NodeDeleted, "/gone")}));
  // Re-registered: the unchanged ones and the still-missing exist watch.
  EXPECT_TRUE(f.watches.has(kW1, "/quietkids", WatchKind::Child));
  EXPECT_TRUE(f.watches.has(kW1, "/flash", WatchKind::Exist));
  EXPECT_TRUE(f.watches.has(kW1, "/", WatchKind::PersistentRecursive));
  // "/same" had a data watch and a persistent one: the later (persistent)
  // registration wins, as on a server.
  EXPECT_TRUE(f.watches.has(kW1, "/same", WatchKind::Persistent));
  EXPECT_FALSE(f.watches.has(kW1, "/changed", WatchKind::Data));
}

}  // namespace
}  // namespace zsim::core
