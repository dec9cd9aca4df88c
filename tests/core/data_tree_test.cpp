// Proves the data tree, driven through prepare -> apply, behaves as a real
// ZooKeeper 3.8 does: the initial system nodes, every Stat field changing
// exactly when ZooKeeper changes it, sequential names from the parent's
// count of child creations (the reference's worked example, checked against
// a real server), every error path in ZooKeeper's check order, ephemerals and
// closeSession, container and TTL reaping candidates. Cases marked "oracle"
// replay what a real 3.8.0 server printed for the same zkCli commands.
#include <gtest/gtest.h>

#include "core/limits.h"
#include "core/tree/path.h"
#include "tree_driver.h"

namespace zsim::core {
namespace {

using testing::TreeDriver;

constexpr int64_t kSession = 0x100;
constexpr int64_t kOther = 0x200;

TEST(DataTree, FreshTreeHasTheSystemNodes) {
  DataTree tree;
  EXPECT_EQ(tree.node_count(), 4u);
  EXPECT_EQ(tree.get_children("/").value().children, std::vector<std::string>{"zookeeper"});
  EXPECT_EQ(tree.get_children("/zookeeper").value().children,
            (std::vector<std::string>{"config", "quota"}));
  const Stat root = *tree.stat("/");
  EXPECT_EQ(root.czxid, 0);
  EXPECT_EQ(root.num_children, 1);
  // ZooKeeper derives cversion as 2*creations - numChildren; the system
  // children were never "created", so a fresh root shows -1.
  EXPECT_EQ(root.cversion, -1);
  EXPECT_EQ(tree.stat("/zookeeper/config")->aversion, -1);  // oracle
  EXPECT_EQ(tree.stat("/zookeeper/quota")->aversion, 0);    // oracle
}

TEST(DataTree, CreateStampsEveryStatField) {
  TreeDriver d;
  ASSERT_EQ(d.create("/p", "xyz"), Code::Ok);
  const Stat s = d.stat("/p");
  EXPECT_EQ(s.czxid, 1);
  EXPECT_EQ(s.mzxid, 1);
  EXPECT_EQ(s.pzxid, 1);  // oracle: a new node's pZxid is its own zxid
  EXPECT_EQ(s.ctime_ms, d.now_ms());
  EXPECT_EQ(s.mtime_ms, d.now_ms());
  EXPECT_EQ(s.version, 0);
  EXPECT_EQ(s.cversion, 0);
  EXPECT_EQ(s.aversion, 0);
  EXPECT_EQ(s.ephemeral_owner, 0);
  EXPECT_EQ(s.data_length, 3);
  EXPECT_EQ(s.num_children, 0);
  EXPECT_EQ(d.tree.last_zxid(), 1);
}

TEST(DataTree, SetDataMovesOnlyMzxidMtimeVersionAndLength) {
  TreeDriver d;
  ASSERT_EQ(d.create("/p", "a"), Code::Ok);
  const Stat before = d.stat("/p");
  d.advance_time(500);
  ASSERT_EQ(d.set("/p", "a"), Code::Ok);  // same data still bumps version
  ASSERT_EQ(d.set("/p", "bbbb"), Code::Ok);
  Stat after = d.stat("/p");
  EXPECT_EQ(after.version, 2);
  EXPECT_EQ(after.mzxid, 3);
  EXPECT_EQ(after.mtime_ms, before.mtime_ms + 500);
  EXPECT_EQ(after.data_length, 4);
  after.version = before.version;
  after.mzxid = before.mzxid;
  after.mtime_ms = before.mtime_ms;
  after.data_length = before.data_length;
  EXPECT_EQ(after, before);  // nothing else moved
}

TEST(DataTree, ChildCreateAndDeleteMoveCversionAndPzxidOnly) {
  TreeDriver d;
  ASSERT_EQ(d.create("/c"), Code::Ok);
  const Stat fresh = d.stat("/c");
  ASSERT_EQ(d.create("/c/x"), Code::Ok);   // zxid 2
  ASSERT_EQ(d.remove("/c/x"), Code::Ok);   // zxid 3
  Stat s = d.stat("/c");
  EXPECT_EQ(s.cversion, 2);  // oracle: create + delete
  EXPECT_EQ(s.pzxid, 3);
  EXPECT_EQ(s.mzxid, fresh.mzxid);
  EXPECT_EQ(s.version, 0);
  ASSERT_EQ(d.create("/c/y"), Code::Ok);
  EXPECT_EQ(d.stat("/c").cversion, 3);  // oracle
  // Data changes of a child do not touch the parent.
  ASSERT_EQ(d.set("/c/y", "v"), Code::Ok);
  EXPECT_EQ(d.stat("/c").pzxid, 4);
}

// The reference's worked example, as a real 3.8 server printed it.
TEST(DataTree, SequentialNamesCountCreationsNotCversion) {
  TreeDriver d;
  ASSERT_EQ(d.create("/a"), Code::Ok);
  EXPECT_EQ(d.create_path("/a/b"), "/a/b");
  EXPECT_EQ(d.create_path("/a/seq-", CreateMode::PersistentSequential), "/a/seq-0000000001");
  EXPECT_EQ(d.create_path("/a/seq-", CreateMode::PersistentSequential), "/a/seq-0000000002");
  EXPECT_EQ(d.create_path("/a/plain"), "/a/plain");
  EXPECT_EQ(d.create_path("/a/seq-", CreateMode::PersistentSequential), "/a/seq-0000000004");
  ASSERT_EQ(d.remove("/a/plain"), Code::Ok);
  EXPECT_EQ(d.create_path("/a/seq-", CreateMode::PersistentSequential), "/a/seq-0000000005");
  EXPECT_EQ(d.stat("/a").cversion, 7);
  EXPECT_EQ(d.stat("/a").num_children, 5);
}

TEST(DataTree, SequentialEdgeCases) {
  TreeDriver d;
  ASSERT_EQ(d.create("/p"), Code::Ok);
  // oracle: `create -s /p/` gives "/p/0000000000"; the first child is 0.
  EXPECT_EQ(d.create_path("/p/", CreateMode::PersistentSequential), "/p/0000000000");
  // Ephemeral sequential children share the same counter.
  EXPECT_EQ(d.create_path("/p/e", CreateMode::EphemeralSequential), "/p/e0000000001");
  // Under the root the count starts at 0 (/zookeeper was never "created").
  EXPECT_EQ(d.create_path("/r", CreateMode::PersistentSequential), "/r0000000001");
  EXPECT_EQ(d.create_path("/", CreateMode::PersistentSequential), "/0000000002");
}

TEST(DataTree, RootAndZookeeperCversionAsARealServer) {
  TreeDriver d;
  ASSERT_EQ(d.create("/a"), Code::Ok);
  ASSERT_EQ(d.create("/c"), Code::Ok);
  EXPECT_EQ(d.stat("/").cversion, 1);  // oracle: 2*2 - 3
  ASSERT_EQ(d.create("/zookeeper/foo"), Code::Ok);  // oracle: allowed
  ASSERT_EQ(d.remove("/zookeeper/foo"), Code::Ok);
  EXPECT_EQ(d.stat("/zookeeper").cversion, 0);  // oracle: 2*1 - 2
}

TEST(DataTree, SequentialCounterWrapsLikeAJavaInt) {
  TreeDriver d;
  ASSERT_EQ(d.create("/p"), Code::Ok);
  // Restore a parent whose counter is at INT32_MAX through a snapshot-like
  // path: build the tree by hand.
  DataTree tree = DataTree::blank();
  for (const auto& [path, node] : d.tree.nodes()) {
    Znode copy = node;
    copy.children.clear();
    if (path == "/p") {
      copy.child_creations = INT32_MAX;
    }
    ASSERT_TRUE(tree.restore_node(path, copy).ok());
  }
  tree.restore_last_zxid(d.tree.last_zxid());
  PendingChanges pending;
  PrepareContext ctx{kSession, 1, d.tree.last_zxid() + 1, 0, Code::Ok};
  Txn txn = prepare(tree, pending,
                    CreateRequest{"/p/s", "", static_cast<int32_t>(CreateMode::PersistentSequential),
                                  -1},
                    ctx);
  ApplyResult r = apply(tree, txn);
  ASSERT_EQ(r.code, Code::Ok);
  EXPECT_EQ(r.ops[0].path, "/p/s2147483647");
  ctx.zxid += 1;
  txn = prepare(tree, pending,
                CreateRequest{"/p/s", "", static_cast<int32_t>(CreateMode::PersistentSequential), -1},
                ctx);
  r = apply(tree, txn);
  ASSERT_EQ(r.code, Code::Ok);
  EXPECT_EQ(r.ops[0].path, "/p/s-2147483648");  // Java's %010d of INT_MIN
}

// ------------------------------------------------------------ check order

TEST(CreateErrors, InZooKeeperOrder) {
  TreeDriver d;
  ASSERT_EQ(d.create("/a"), Code::Ok);
  ASSERT_EQ(d.create("/e", "", CreateMode::Ephemeral), Code::Ok);
  const auto create = [&](CreateRequest req, Code session = Code::Ok) {
    return d.submit(req, kSession, session).code;
  };
  const int32_t kPersistent = 0;
  const int32_t kTtl = static_cast<int32_t>(CreateMode::PersistentWithTtl);
  // mode before everything else
  EXPECT_EQ(create({"bad", "", 7, -1}, Code::SessionExpired), Code::BadArguments);
  EXPECT_EQ(create({"/a", "", kTtl, 0}, Code::SessionExpired), Code::BadArguments);
  EXPECT_EQ(create({"/a", "", kTtl, kMaxTtlMs + 1}), Code::BadArguments);
  EXPECT_EQ(create({"/x", "", kPersistent, 100}), Code::BadArguments);  // ttl, no TTL mode
  // session before path
  EXPECT_EQ(create({"bad", "", kPersistent, -1}, Code::SessionExpired), Code::SessionExpired);
  EXPECT_EQ(create({"/a", "", kPersistent, -1}, Code::SessionMoved), Code::SessionMoved);
  // path before parent
  EXPECT_EQ(create({"/nope//x", "", kPersistent, -1}), Code::BadArguments);
  // parent NoNode before NodeExists (the path cannot exist without a parent,
  // but the parent check comes first even for a sequential create)
  EXPECT_EQ(create({"/nope/x", "", kPersistent, -1}), Code::NoNode);  // oracle
  // NodeExists before NoChildrenForEphemerals
  EXPECT_EQ(create({"/a", "", kPersistent, -1}), Code::NodeExists);  // oracle
  EXPECT_EQ(create({"/", "", kPersistent, -1}), Code::NodeExists);   // oracle
  EXPECT_EQ(create({"/e", "", kPersistent, -1}), Code::NodeExists);
  EXPECT_EQ(create({"/e/c", "", kPersistent, -1}), Code::NoChildrenForEphemerals);  // oracle
  // data size limit
  EXPECT_EQ(create({"/big", std::string(limits::kDataBytesMax + 1, 'x'), kPersistent, -1}),
            Code::BadArguments);
  EXPECT_EQ(create({"/big", std::string(limits::kDataBytesMax, 'x'), kPersistent, -1}), Code::Ok);
}

TEST(CreateErrors, FailedCreatesStillUseAZxidAndChangeNothing) {
  TreeDriver d;
  ASSERT_EQ(d.create("/a"), Code::Ok);
  const DataTree before = d.tree;
  EXPECT_EQ(d.create("/a"), Code::NodeExists);
  EXPECT_EQ(d.tree.last_zxid(), 2);
  DataTree expected = before;
  expected.advance_zxid(2);
  EXPECT_EQ(d.tree, expected);
  ASSERT_TRUE(std::holds_alternative<ErrorTxn>(d.txns.back().body));
}

TEST(CreateErrors, EphemeralParentsTtlAndContainersMayHaveChildren) {
  TreeDriver d;
  EXPECT_EQ(d.create("/c", "", CreateMode::Container), Code::Ok);
  EXPECT_EQ(d.create("/c/x"), Code::Ok);
  EXPECT_EQ(d.create("/t", "", CreateMode::PersistentWithTtl, kSession, 100), Code::Ok);
  EXPECT_EQ(d.create("/t/x"), Code::Ok);
  // Clients see ephemeralOwner 0 for containers and TTL nodes.
  EXPECT_EQ(d.stat("/c").ephemeral_owner, 0);
  EXPECT_EQ(d.stat("/t").ephemeral_owner, 0);
}

TEST(DeleteErrors, InZooKeeperOrder) {
  TreeDriver d;
  ASSERT_EQ(d.create("/p"), Code::Ok);
  ASSERT_EQ(d.create("/p/q"), Code::Ok);
  const auto del = [&](std::string path, int32_t version, Code session = Code::Ok) {
    return d.submit(DeleteRequest{std::move(path), version}, kSession, session).code;
  };
  EXPECT_EQ(del("/zookeeper", -1, Code::SessionExpired), Code::SessionExpired);
  for (const char* p : {"/", "/zookeeper", "/zookeeper/quota", "/zookeeper/config"}) {
    EXPECT_EQ(del(p, -1), Code::BadArguments) << p;  // oracle
  }
  EXPECT_EQ(del("/p/", -1), Code::BadArguments);
  EXPECT_EQ(del("/nope/x", 3), Code::NoNode);    // oracle (parent missing)
  EXPECT_EQ(del("/p/zz", 3), Code::NoNode);      // oracle: NoNode before BadVersion
  EXPECT_EQ(del("/p", 5), Code::BadVersion);     // oracle: BadVersion before NotEmpty
  EXPECT_EQ(del("/p", 0), Code::NotEmpty);
  EXPECT_EQ(del("/p", -1), Code::NotEmpty);
  EXPECT_EQ(del("/p/q", 0), Code::Ok);
  EXPECT_EQ(del("/p", 0), Code::Ok);
}

TEST(SetDataErrors, InZooKeeperOrder) {
  TreeDriver d;
  ASSERT_EQ(d.create("/p"), Code::Ok);
  const auto set = [&](std::string path, int32_t version, Code session = Code::Ok) {
    return d.submit(SetDataRequest{std::move(path), "x", version}, kSession, session).code;
  };
  EXPECT_EQ(set("/nope", 9, Code::SessionExpired), Code::SessionExpired);
  EXPECT_EQ(set("nope", 9), Code::BadArguments);
  EXPECT_EQ(set("/nope", 9), Code::NoNode);  // oracle
  EXPECT_EQ(set("/p", 7), Code::BadVersion);  // oracle
  EXPECT_EQ(set("/p", 0), Code::Ok);
  EXPECT_EQ(set("/p", 0), Code::BadVersion);  // oracle: version moved to 1
  EXPECT_EQ(set("/p", -1), Code::Ok);
  EXPECT_EQ(d.stat("/p").version, 2);
  EXPECT_EQ(d.submit(SetDataRequest{"/p", std::string(limits::kDataBytesMax + 1, 'x'), -1}).code,
            Code::BadArguments);
}

TEST(CheckErrors, VersionAndExistence) {
  TreeDriver d;
  ASSERT_EQ(d.create("/p"), Code::Ok);
  EXPECT_EQ(d.submit(CheckRequest{"/p", 0}).code, Code::Ok);
  EXPECT_EQ(d.submit(CheckRequest{"/p", -1}).code, Code::Ok);
  EXPECT_EQ(d.submit(CheckRequest{"/p", 1}).code, Code::BadVersion);
  EXPECT_EQ(d.submit(CheckRequest{"/q", 0}).code, Code::NoNode);
  EXPECT_EQ(d.submit(CheckRequest{"/p", 0}, kSession, Code::SessionMoved).code,
            Code::SessionMoved);
}

// ------------------------------------------------------ sessions, reaping

TEST(Sessions, CloseSessionDeletesItsEphemeralsAtOneZxid) {
  TreeDriver d;
  ASSERT_EQ(d.submit(CreateSessionRequest{30000}, kSession).code, Code::Ok);
  ASSERT_EQ(d.submit(CreateSessionRequest{30000}, kOther).code, Code::Ok);
  EXPECT_EQ(d.tree.sessions().at(kSession), 30000);
  ASSERT_EQ(d.create("/a"), Code::Ok);
  ASSERT_EQ(d.create("/a/e1", "", CreateMode::Ephemeral, kSession), Code::Ok);
  ASSERT_EQ(d.create("/a/e2", "", CreateMode::EphemeralSequential, kSession), Code::Ok);
  ASSERT_EQ(d.create("/e3", "", CreateMode::Ephemeral, kSession), Code::Ok);
  ASSERT_EQ(d.create("/a/other", "", CreateMode::Ephemeral, kOther), Code::Ok);
  EXPECT_EQ(d.stat("/a/e1").ephemeral_owner, kSession);
  EXPECT_EQ(d.tree.ephemerals(kSession).size(), 3u);

  ApplyResult r = d.submit(CloseSessionRequest{}, kSession);
  EXPECT_EQ(r.code, Code::Ok);
  const int64_t close_zxid = d.last_zxid();
  EXPECT_EQ(d.tree.find("/a/e1"), nullptr);
  EXPECT_EQ(d.tree.find("/e3"), nullptr);
  EXPECT_NE(d.tree.find("/a/other"), nullptr);
  EXPECT_TRUE(d.tree.ephemerals(kSession).empty());
  EXPECT_EQ(d.tree.sessions().count(kSession), 0u);
  EXPECT_EQ(d.stat("/a").pzxid, close_zxid);
  EXPECT_EQ(d.stat("/").pzxid, close_zxid);
  const auto& close = std::get<CloseSessionTxn>(d.txns.back().body);
  EXPECT_EQ(close.paths, (std::vector<std::string>{"/a/e1", "/a/e20000000001", "/e3"}));
}

TEST(Reaping, ContainersOnceTheyHadAChildAndAreEmpty) {
  TreeDriver d;
  ASSERT_EQ(d.create("/c", "", CreateMode::Container), Code::Ok);
  EXPECT_TRUE(d.tree.reap_candidates(d.now_ms()).empty());  // never had a child
  ASSERT_EQ(d.create("/c/x"), Code::Ok);
  EXPECT_TRUE(d.tree.reap_candidates(d.now_ms()).empty());  // not empty
  ASSERT_EQ(d.remove("/c/x"), Code::Ok);
  EXPECT_EQ(d.tree.reap_candidates(d.now_ms()), std::vector<std::string>{"/c"});
  // A child racing in makes the reap fail with NotEmpty.
  ASSERT_EQ(d.create("/c/y"), Code::Ok);
  EXPECT_EQ(d.submit(DeleteContainerRequest{"/c"}, 0).code, Code::NotEmpty);
  ASSERT_EQ(d.remove("/c/y"), Code::Ok);
  ApplyResult r = d.submit(DeleteContainerRequest{"/c"}, 0);
  EXPECT_EQ(r.code, Code::Ok);
  EXPECT_EQ(d.tree.find("/c"), nullptr);
  EXPECT_EQ(r.events.front(), (WatchEvent{EventType::NodeDeleted, "/c"}));
}

TEST(Reaping, TtlNodesWhenChildlessAndUnmodifiedForTtl) {
  TreeDriver d;
  ASSERT_EQ(d.create("/t", "", CreateMode::PersistentWithTtl, kSession, 1000), Code::Ok);
  EXPECT_TRUE(d.tree.reap_candidates(d.now_ms() + 1000).empty());  // not > ttl yet
  EXPECT_EQ(d.tree.reap_candidates(d.now_ms() + 1001), std::vector<std::string>{"/t"});
  d.advance_time(900);
  ASSERT_EQ(d.set("/t", "touch"), Code::Ok);  // mtime moves the deadline
  EXPECT_TRUE(d.tree.reap_candidates(d.now_ms() + 1000).empty());
  ASSERT_EQ(d.create("/t/kid"), Code::Ok);
  EXPECT_TRUE(d.tree.reap_candidates(d.now_ms() + 5000).empty());  // has a child
}

TEST(Reaping, DeleteContainerRefusesOtherKinds) {
  TreeDriver d;
  ASSERT_EQ(d.create("/p"), Code::Ok);
  EXPECT_EQ(d.submit(DeleteContainerRequest{"/p"}, 0).code, Code::BadArguments);
  EXPECT_EQ(d.submit(DeleteContainerRequest{"/q"}, 0).code, Code::NoNode);
  EXPECT_EQ(d.submit(DeleteContainerRequest{"/zookeeper"}, 0).code, Code::BadArguments);
}

TEST(Reads, GetDataAndChildren) {
  TreeDriver d;
  ASSERT_EQ(d.create("/p", "data"), Code::Ok);
  ASSERT_EQ(d.create("/p/b"), Code::Ok);
  ASSERT_EQ(d.create("/p/a"), Code::Ok);
  Result<NodeData> data = d.tree.get_data("/p");
  ASSERT_TRUE(data.ok());
  EXPECT_EQ(data->data, "data");
  Result<ChildList> kids = d.tree.get_children("/p");
  ASSERT_TRUE(kids.ok());
  EXPECT_EQ(kids->children, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(kids->stat.num_children, 2);
  EXPECT_EQ(d.tree.get_data("/nope").code(), Code::NoNode);
  EXPECT_EQ(d.tree.get_children("/nope").code(), Code::NoNode);
  EXPECT_FALSE(d.tree.stat("/nope").has_value());
}

}  // namespace
}  // namespace zsim::core
