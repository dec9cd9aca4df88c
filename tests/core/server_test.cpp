// The standalone server and the client library, end to end on a simulated
// network and disk: the request pipeline (writes durable before they are
// applied and answered), reads and per-session FIFO, watches (the event
// before the reply that reflects the change; re-registration after a
// reconnect), sessions (negotiated timeouts, pings keeping them alive,
// expiry removing ephemerals only after the client was cut off longer than
// its timeout, Expired ending the handle), ConnectionLoss on a broken
// connection, and recovery after a crash keeping everything acknowledged.
#include "core/client/client.h"
#include "core/server/server.h"
#include "sim/simulator.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

namespace zsim {
namespace {

using core::Client;
using core::ClientOptions;
using core::Code;
using core::CreateMode;

struct ServerProcess : sim::Process {
  ServerProcess(io::Env& env, core::ServerOptions options) : server(env, options) {}
  core::Server server;
};

// A client host whose process runs `body` on a fiber with a connected handle.
struct ClientProcess : sim::Process {
  using Body = std::function<void(io::Env&, Client&)>;
  ClientProcess(io::Env& env, ClientOptions options, Body body, std::vector<std::string>* events)
      : client(env, std::move(options), [events](const core::WatchedEvent& e) {
          if (events == nullptr) return;
          events->push_back(e.type == core::EventType::None
                                ? std::string("state:") + core::to_string(e.state)
                                : std::string(core::event_type_name(e.type)) + ":" + e.path);
        }) {
    env.fibers.spawn("test", [this, &env, body = std::move(body)] { body(env, client); });
  }
  Client client;
};

struct World {
  sim::Simulator sim{sim::SimOptions{}};
  io::HostId server = 0;
  std::vector<std::string> events;

  explicit World(core::ServerOptions options = fast_ticks()) {
    server = sim.add_host("s1", [options](io::Env& env) { return std::make_unique<ServerProcess>(env, options); });
    sim.start(server);
  }

  static core::ServerOptions fast_ticks() {
    core::ServerOptions o;
    o.tick_ms = 500;  // sessions of 1s..10s
    return o;
  }

  io::HostId add_client(const std::string& name, ClientProcess::Body body, Duration timeout = seconds(4),
                        bool record_events = false) {
    ClientOptions options;
    options.servers = {server};
    options.session_timeout = timeout;
    std::vector<std::string>* ev = record_events ? &events : nullptr;
    const io::HostId h = sim.add_host(name, [options, body, ev](io::Env& env) {
      return std::make_unique<ClientProcess>(env, options, body, ev);
    });
    sim.start(h);
    return h;
  }

  core::Server& srv() { return sim.process_as<ServerProcess>(server)->server; }
};

TEST(Server, CreateReadWriteDeleteThroughTheClient) {
  World w;
  bool done = false;
  w.add_client("c1", [&](io::Env&, Client& zk) {
    ASSERT_TRUE(zk.wait_connected(seconds(5)));
    auto created = zk.create("/a", "hello");
    ASSERT_TRUE(created.ok()) << created.status().to_string();
    EXPECT_EQ(created.value(), "/a");
    EXPECT_EQ(zk.create("/a", "again").code(), Code::NodeExists);
    auto data = zk.get_data("/a");
    ASSERT_TRUE(data.ok());
    EXPECT_EQ(data.value().data, "hello");
    EXPECT_EQ(data.value().stat.version, 0);
    auto stat = zk.set_data("/a", "world", 0);
    ASSERT_TRUE(stat.ok());
    EXPECT_EQ(stat.value().version, 1);
    EXPECT_EQ(zk.set_data("/a", "stale", 0).code(), Code::BadVersion);
    auto seq1 = zk.create("/a/s-", "", CreateMode::PersistentSequential);
    auto seq2 = zk.create("/a/s-", "", CreateMode::PersistentSequential);
    EXPECT_EQ(seq1.value(), "/a/s-0000000000");
    EXPECT_EQ(seq2.value(), "/a/s-0000000001");
    auto kids = zk.get_children("/a");
    ASSERT_TRUE(kids.ok());
    EXPECT_EQ(kids.value(), (std::vector<std::string>{"s-0000000000", "s-0000000001"}));
    EXPECT_EQ(zk.remove("/a").code(), Code::NotEmpty);
    EXPECT_TRUE(zk.remove("/a/s-0000000000").ok());
    auto exists = zk.exists("/a/s-0000000000");
    ASSERT_TRUE(exists.ok());
    EXPECT_FALSE(exists.value().has_value());
    EXPECT_EQ(zk.get_data("/nope").code(), Code::NoNode);
    EXPECT_TRUE(zk.sync("/a").ok());
    done = true;
  });
  w.sim.run_for(seconds(10));
  EXPECT_TRUE(done);
  EXPECT_FALSE(w.sim.failure().has_value());
}

TEST(Server, WatchEventArrivesBeforeTheReplyThatReflectsTheChange) {
  World w;
  std::vector<std::string> log;
  bool done = false;
  const io::HostId c1 = w.add_client("c1", [&](io::Env&, Client& zk) {
    ASSERT_TRUE(zk.wait_connected(seconds(5)));
    zk.set_watcher([&](const core::WatchedEvent& e) {
      if (e.type != core::EventType::None) log.push_back(std::string("event ") + std::string(core::event_type_name(e.type)));
    });
    ASSERT_TRUE(zk.create("/w", "0").ok());
    ASSERT_TRUE(zk.get_data("/w", true).ok());
    ASSERT_TRUE(zk.exists("/gone", true).ok());
    auto s = zk.set_data("/w", "1");
    log.push_back("reply setData");
    ASSERT_TRUE(s.ok());
    ASSERT_TRUE(zk.create("/gone", "").ok());
    log.push_back("reply create");
    // The standard watch fired once: another change is silent.
    ASSERT_TRUE(zk.set_data("/w", "2").ok());
    log.push_back("reply setData2");
    done = true;
  });
  (void)c1;
  w.sim.run_for(seconds(10));
  ASSERT_TRUE(done);
  EXPECT_EQ(log, (std::vector<std::string>{"event NodeDataChanged", "reply setData", "event NodeCreated",
                                           "reply create", "reply setData2"}));
}

TEST(Server, EphemeralVanishesOnlyAfterTheSessionExpires) {
  World w;
  int64_t session = 0;
  w.add_client("c1", [&](io::Env&, Client& zk) {
    ASSERT_TRUE(zk.wait_connected(seconds(5)));
    session = zk.session_id();
    ASSERT_TRUE(zk.create("/e", "", CreateMode::Ephemeral).ok());
  }, seconds(2));
  w.sim.run_for(seconds(1));
  ASSERT_NE(w.srv().tree().find("/e"), nullptr);
  // Idle but connected: pings keep the session (and the node) alive.
  w.sim.run_for(seconds(10));
  ASSERT_NE(w.srv().tree().find("/e"), nullptr);
  // Cut off for less than the timeout: still there.
  const io::HostId c1 = *w.sim.find_host("c1");
  w.sim.network().set_blocked(c1, w.server, true);
  w.sim.network().set_blocked(w.server, c1, true);
  w.sim.run_for(millis(1500));
  EXPECT_NE(w.srv().tree().find("/e"), nullptr);
  // Longer than the timeout (2s, plus at most a tick): gone.
  w.sim.run_for(seconds(2));
  EXPECT_EQ(w.srv().tree().find("/e"), nullptr);
  EXPECT_EQ(w.srv().tree().sessions().count(session), 0u);
}

TEST(Server, ExpiredClientLearnsOnReconnectAndTheHandleIsDead) {
  World w;
  Code after = Code::Ok;
  core::ClientState final_state = core::ClientState::kConnecting;
  w.add_client("c1", [&](io::Env& env, Client& zk) {
    ASSERT_TRUE(zk.wait_connected(seconds(5)));
    ASSERT_TRUE(zk.create("/e", "", CreateMode::Ephemeral).ok());
    env.fibers.sleep(seconds(8));  // partitioned meanwhile (below)
    after = zk.get_data("/e").code();
    final_state = zk.state();
  }, seconds(2), /*record_events=*/true);
  w.sim.run_for(seconds(1));
  const io::HostId c1 = *w.sim.find_host("c1");
  w.sim.network().set_blocked(c1, w.server, true);
  w.sim.network().set_blocked(w.server, c1, true);
  w.sim.run_for(seconds(5));
  w.sim.network().heal();
  w.sim.run_for(seconds(10));
  EXPECT_EQ(after, Code::SessionExpired);
  EXPECT_EQ(final_state, core::ClientState::kExpired);
  EXPECT_EQ(w.events, (std::vector<std::string>{"state:SyncConnected", "state:Disconnected", "state:Expired"}));
}

TEST(Server, AcknowledgedWritesSurviveACrash) {
  World w;
  int acked = 0;
  w.add_client("c1", [&](io::Env&, Client& zk) {
    ASSERT_TRUE(zk.wait_connected(seconds(5)));
    for (int i = 0; i < 50; ++i) {
      if (zk.create("/n" + std::to_string(i), std::to_string(i)).ok()) acked = i + 1;
    }
  });
  // Crash in the middle of the writes, then restart.
  w.sim.run_until_true([&] { return acked >= 20; }, seconds(10));
  const int acked_at_crash = acked;
  w.sim.crash(w.server);
  w.sim.run_for(millis(100));
  w.sim.restart(w.server);
  w.sim.run_for(seconds(1));
  ASSERT_TRUE(w.srv().serving());
  for (int i = 0; i < acked_at_crash; ++i) {
    EXPECT_NE(w.srv().tree().find("/n" + std::to_string(i)), nullptr) << i;
  }
}

TEST(Server, ClientReconnectsAfterAServerRestartAndKeepsItsSession) {
  World w;
  std::vector<Code> codes;
  int64_t before = 0, after = 0;
  w.add_client("c1", [&](io::Env& env, Client& zk) {
    ASSERT_TRUE(zk.wait_connected(seconds(5)));
    before = zk.session_id();
    codes.push_back(zk.create("/x", "1").code());
    env.fibers.sleep(seconds(2));  // the server restarts meanwhile
    ASSERT_TRUE(zk.wait_connected(seconds(5)));
    after = zk.session_id();
    codes.push_back(zk.set_data("/x", "2").code());
  }, seconds(6), true);
  w.sim.run_for(seconds(1));
  w.sim.crash(w.server);
  w.sim.run_for(millis(500));
  w.sim.restart(w.server);
  w.sim.run_for(seconds(10));
  EXPECT_EQ(codes, (std::vector<Code>{Code::Ok, Code::Ok}));
  EXPECT_EQ(before, after);
  EXPECT_EQ(w.events.front(), "state:SyncConnected");
  EXPECT_NE(std::find(w.events.begin(), w.events.end(), "state:Disconnected"), w.events.end());
}

TEST(Server, WatchesAreReregisteredAndMissedChangesFireAfterReconnect) {
  World w;
  bool done = false;
  w.add_client("c2", [&](io::Env& env, Client& zk) {
    ASSERT_TRUE(zk.wait_connected(seconds(5)));
    ASSERT_TRUE(zk.create("/r", "0").ok());
    ASSERT_TRUE(zk.get_data("/r", true).ok());
    env.fibers.sleep(seconds(3));  // cut off meanwhile; c3 changes /r
    done = true;
  }, seconds(6), true);
  w.sim.run_for(seconds(1));
  const io::HostId c2 = *w.sim.find_host("c2");
  w.sim.network().set_blocked(c2, w.server, true);
  w.sim.network().set_blocked(w.server, c2, true);
  w.add_client("c3", [&](io::Env&, Client& zk) {
    ASSERT_TRUE(zk.wait_connected(seconds(5)));
    ASSERT_TRUE(zk.set_data("/r", "1").ok());
  });
  w.sim.run_for(seconds(1));
  w.sim.network().heal();
  w.sim.run_for(seconds(6));
  EXPECT_TRUE(done);
  EXPECT_NE(std::find(w.events.begin(), w.events.end(), "NodeDataChanged:/r"), w.events.end())
      << "the change made while c2 was away fires after it reconnects";
}

TEST(Server, PendingRequestsFailWithConnectionLossWhenTheConnectionBreaks) {
  World w;
  bool connected = false;
  Code code = Code::Ok;
  w.add_client("c1", [&](io::Env& env, Client& zk) {
    ASSERT_TRUE(zk.wait_connected(seconds(5)));
    connected = true;
    env.fibers.sleep(millis(10));
    code = zk.set_data("/missing", "x").code();  // in flight while the server dies
  });
  ASSERT_TRUE(w.sim.run_until_true([&] { return connected; }, seconds(5)));
  w.sim.pause(w.server, seconds(30));  // the request waits in the server's queue
  w.sim.run_for(millis(100));
  w.sim.crash(w.server);
  w.sim.run_for(seconds(5));
  EXPECT_EQ(code, Code::ConnectionLoss);
}

// Records how each operation ended, as a history would.
struct KindRecorder : core::OpObserver {
  std::vector<std::string> calls;
  std::vector<core::OpOutcome::Kind> outcomes;
  uint64_t on_call(int64_t, const core::wire::Op& op) override {
    calls.emplace_back(core::wire::op_name(op));
    outcomes.push_back(core::OpOutcome::Kind::kUnknown);
    return calls.size() - 1;
  }
  void on_return(uint64_t token, const core::OpOutcome& out) override { outcomes.at(token) = out.kind; }
};

TEST(Server, ObserverSeesOkFailedAndUnknownOutcomes) {
  World w;
  KindRecorder rec;
  bool connected = false;
  w.add_client("c1", [&](io::Env& env, Client& zk) {
    ASSERT_TRUE(zk.wait_connected(seconds(5)));
    zk.set_observer(&rec);
    ASSERT_TRUE(zk.create("/o", "").ok());                    // ok
    EXPECT_EQ(zk.create("/o", "").code(), Code::NodeExists);  // failed: certainly not applied
    connected = true;
    env.fibers.sleep(millis(10));
    EXPECT_EQ(zk.set_data("/o", "x").code(), Code::ConnectionLoss);  // unknown: may have happened
  });
  ASSERT_TRUE(w.sim.run_until_true([&] { return connected; }, seconds(5)));
  w.sim.pause(w.server, seconds(30));
  w.sim.run_for(millis(100));
  w.sim.crash(w.server);
  w.sim.run_for(seconds(5));
  EXPECT_EQ(rec.calls, (std::vector<std::string>{"create", "create", "setData"}));
  EXPECT_EQ(rec.outcomes, (std::vector<core::OpOutcome::Kind>{core::OpOutcome::Kind::kOk, core::OpOutcome::Kind::kFailed,
                                                              core::OpOutcome::Kind::kUnknown}));
}

// --- ACLs end to end: reads checked at the server the client reads from,
// getACL's redaction, addauth per connection and re-sent after a reconnect,
// and ACLs kept across a crash (log replay or snapshot).

core::AclList digest_only(const std::string& user_password, int32_t perms) {
  return {core::Acl{perms, core::AclId{"digest", core::digest_id(user_password)}}};
}

TEST(ServerAcl, ReadsAreCheckedAndGetAclHidesHashesWithoutAdmin) {
  World w;
  bool done = false;
  w.add_client("c1", [&](io::Env&, Client& zk) {
    ASSERT_TRUE(zk.wait_connected(seconds(5)));
    ASSERT_TRUE(zk.create("/secret", "s", CreateMode::Persistent, -1, digest_only("alice:pw", core::perms::kAll)).ok());
    EXPECT_EQ(zk.get_data("/secret", true).code(), Code::NoAuth);
    EXPECT_EQ(zk.get_children("/secret").code(), Code::NoAuth);
    EXPECT_EQ(zk.get_acl("/secret").code(), Code::NoAuth);  // needs READ or ADMIN
    auto st = zk.exists("/secret");                         // needs nothing
    ASSERT_TRUE(st.ok());
    EXPECT_TRUE(st.value().has_value());
    EXPECT_EQ(zk.get_acl("/missing").code(), Code::NoNode);
    ASSERT_TRUE(zk.add_auth("digest", "alice:pw").ok());
    EXPECT_EQ(zk.add_auth("foo", "bar").code(), Code::AuthFailed);
    auto d = zk.get_data("/secret");
    ASSERT_TRUE(d.ok());
    EXPECT_EQ(d.value().data, "s");
    auto a = zk.get_acl("/secret");
    ASSERT_TRUE(a.ok());
    EXPECT_EQ(a.value().acl, digest_only("alice:pw", core::perms::kAll));
    // READ without ADMIN: the hash is hidden.
    ASSERT_TRUE(zk.create("/ro", "", CreateMode::Persistent, -1, digest_only("alice:pw", core::perms::kRead)).ok());
    a = zk.get_acl("/ro");
    ASSERT_TRUE(a.ok());
    EXPECT_EQ(a.value().acl.at(0).id.id, "alice:x");
    auto set = zk.set_acl("/ro", core::open_acl(), 0);
    EXPECT_EQ(set.code(), Code::NoAuth);
    done = true;
  });
  w.sim.run_for(seconds(10));
  EXPECT_TRUE(done);
  EXPECT_FALSE(w.sim.failure().has_value());
}

TEST(ServerAcl, AuthIsPerConnectionAndResentAfterAReconnect) {
  World w;
  std::vector<Code> codes;
  bool other_done = false;
  w.add_client("c1", [&](io::Env& env, Client& zk) {
    ASSERT_TRUE(zk.wait_connected(seconds(5)));
    ASSERT_TRUE(zk.add_auth("digest", "alice:pw").ok());
    codes.push_back(zk.create("/mine", "1", CreateMode::Persistent, -1,
                              {core::Acl{core::perms::kAll, core::AclId{"auth", ""}}}).code());
    env.fibers.sleep(seconds(2));  // the server crashes and restarts meanwhile
    ASSERT_TRUE(zk.wait_connected(seconds(5)));
    codes.push_back(zk.set_data("/mine", "2").code());
    auto acl = zk.get_acl("/mine");
    ASSERT_TRUE(acl.ok());
    codes.push_back(acl.value().stat.aversion == 0 ? Code::Ok : Code::SystemError);
  }, seconds(6));
  w.add_client("c2", [&](io::Env& env, Client& zk) {
    ASSERT_TRUE(zk.wait_connected(seconds(5)));
    env.fibers.sleep(seconds(5));
    ASSERT_TRUE(zk.wait_connected(seconds(5)));
    // Another session without alice's identity.
    EXPECT_EQ(zk.set_data("/mine", "x").code(), Code::NoAuth);
    EXPECT_EQ(zk.get_data("/mine").code(), Code::NoAuth);
    ASSERT_TRUE(zk.add_auth("digest", "alice:wrong").ok());
    EXPECT_EQ(zk.set_data("/mine", "x").code(), Code::NoAuth);
    ASSERT_TRUE(zk.add_auth("digest", "alice:pw").ok());
    EXPECT_TRUE(zk.set_data("/mine", "3").ok());
    other_done = true;
  }, seconds(6));
  w.sim.run_for(seconds(1));
  w.sim.crash(w.server);
  w.sim.run_for(millis(500));
  w.sim.restart(w.server);
  w.sim.run_for(seconds(15));
  EXPECT_EQ(codes, (std::vector<Code>{Code::Ok, Code::Ok, Code::Ok}));
  EXPECT_TRUE(other_done);
  // The ACL came back from the disk with the node.
  const core::Znode* n = w.srv().tree().find("/mine");
  ASSERT_NE(n, nullptr);
  EXPECT_EQ(n->acl, digest_only("alice:pw", core::perms::kAll));
}

TEST(ServerAcl, AclsSurviveARestartFromASnapshot) {
  core::ServerOptions o = World::fast_ticks();
  o.snapshot_every_txns = 3;
  World w(o);
  bool written = false;
  w.add_client("c1", [&](io::Env&, Client& zk) {
    ASSERT_TRUE(zk.wait_connected(seconds(5)));
    ASSERT_TRUE(zk.create("/a", "", CreateMode::Persistent, -1, digest_only("bob:pw", core::perms::kRead)).ok());
    ASSERT_TRUE(zk.create("/b", "").ok());
    ASSERT_TRUE(zk.set_acl("/b", {core::Acl{core::perms::kRead, core::AclId{"world", "anyone"}}}, 0).ok());
    for (int i = 0; i < 6; ++i) ASSERT_TRUE(zk.create("/f" + std::to_string(i), "").ok());
    written = true;
  });
  w.sim.run_for(seconds(3));
  ASSERT_TRUE(written);
  const core::DataTree before = w.srv().tree();
  w.sim.crash(w.server);
  w.sim.restart(w.server);
  w.sim.run_for(seconds(2));
  EXPECT_EQ(w.srv().tree().find("/a")->acl, before.find("/a")->acl);
  EXPECT_EQ(w.srv().tree().find("/b")->acl, before.find("/b")->acl);
  EXPECT_EQ(w.srv().tree().find("/b")->aversion, 1);
}

}  // namespace
}  // namespace zsim
