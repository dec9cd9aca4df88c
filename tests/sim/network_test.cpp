// Network: proves the stream and datagram contracts of io::Transport as the
// simulator implements them. Streams: connect / accept, refused (no
// listener, host down), timed out (partition), FIFO under latency jitter,
// orderly close after the data, and breaks (partition, crash) that each end
// learns of at its own time while the bytes in flight are lost. Datagrams:
// loss, duplication and reordering. Links: capacity and queue overflow.
// Partitions: one-way edges, heal, and a partition table that survives
// adding hosts. Tests record what each end heard and when.
#include "sim_test_util.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <deque>
#include <string>
#include <vector>

namespace zsim::sim {
namespace {

using testing::LambdaProcess;
using testing::make_factory;

// What one stream end heard.
struct EndLog {
  std::vector<std::string> messages;
  std::optional<io::CloseReason> closed;
  std::int64_t closed_at = -1;
  std::int64_t connected_at = -1;
  io::ConnId conn = 0;
};

io::StreamHandlers record_into(EndLog& log, Simulator& sim) {
  io::StreamHandlers hs;
  hs.on_message = [&log](io::Bytes b) { log.messages.push_back(std::move(b)); };
  hs.on_closed = [&log, &sim](io::CloseReason r) {
    EXPECT_FALSE(log.closed.has_value()) << "on_closed twice";
    log.closed = r;
    log.closed_at = to_ns(sim.now());
  };
  return hs;
}

// A server host "srv" (id 0) that logs every accepted connection, and a
// client host "cli" (id 1) that does nothing by itself.
struct StreamWorld {
  explicit StreamWorld(SimOptions o, bool listen = true) : sim(std::move(o)) {
    server = sim.add_host("srv", make_factory([this, listen](io::Env& env, LambdaProcess&) {
      if (!listen) return;
      env.net.listen(80, [this](io::ConnId conn, io::HostId peer) {
        EXPECT_EQ(peer, client);
        EndLog& log = accepted.emplace_back();
        log.conn = conn;
        log.connected_at = to_ns(sim.now());
        return record_into(log, sim);
      });
    }));
    client = sim.add_host("cli", make_factory([](io::Env&, LambdaProcess&) {}));
    sim.start(server);
    sim.start(client);
  }
  io::ConnId connect(EndLog& log, io::HostId to = 0) {
    log.conn = sim.env(client).net.connect(to, 80, record_into(log, sim), [this, &log](io::ConnId c) {
      EXPECT_EQ(c, log.conn);
      log.connected_at = to_ns(sim.now());
    });
    return log.conn;
  }
  std::deque<EndLog> accepted;  // declared first: outlives the simulator
  Simulator sim;
  io::HostId server = 0;
  io::HostId client = 0;
};

TEST(Streams, ConnectAcceptAndExchange) {
  StreamWorld w(testing::constant_latency_options(1, millis(1)));
  EndLog cl;
  const io::ConnId conn = w.connect(cl);
  EXPECT_NE(conn, 0U);
  EXPECT_FALSE(w.sim.env(w.client).net.send(conn, "too-early"));  // not connected yet
  w.sim.run_for(millis(10));
  ASSERT_EQ(w.accepted.size(), 1U);
  EXPECT_EQ(w.accepted[0].connected_at, 1'000'000);
  EXPECT_EQ(cl.connected_at, 2'000'000);
  EXPECT_TRUE(w.sim.env(w.client).net.send(conn, "hello"));
  EXPECT_TRUE(w.sim.env(w.server).net.send(w.accepted[0].conn, "world"));
  w.sim.run_for(millis(10));
  EXPECT_EQ(w.accepted[0].messages, std::vector<std::string>{"hello"});
  EXPECT_EQ(cl.messages, std::vector<std::string>{"world"});
  EXPECT_EQ(w.sim.network().stats().connections_opened, 1U);
  EXPECT_EQ(w.sim.network().live_connections(), 1U);
}

TEST(Streams, EachHostsBytesAreCountedBothWays) {
  // Per-host counters (what one client's access pattern costs, lesson 7):
  // a stream message counts for its sender and its destination, a
  // datagram too, whether or not it is delivered.
  StreamWorld w(testing::constant_latency_options(1, millis(1)));
  EndLog cl;
  const io::ConnId conn = w.connect(cl);
  w.sim.run_for(millis(10));
  ASSERT_EQ(w.accepted.size(), 1U);
  EXPECT_EQ(w.sim.network().bytes_sent_by(w.client), 0U);
  EXPECT_TRUE(w.sim.env(w.client).net.send(conn, "hello"));
  EXPECT_TRUE(w.sim.env(w.server).net.send(w.accepted[0].conn, "a longer reply"));
  w.sim.env(w.client).net.send_datagram(w.server, 9, "dgram");  // nobody bound: dropped, still sent
  w.sim.run_for(millis(10));
  EXPECT_EQ(w.sim.network().bytes_sent_by(w.client), 10U);
  EXPECT_EQ(w.sim.network().bytes_sent_to(w.server), 10U);
  EXPECT_EQ(w.sim.network().bytes_sent_by(w.server), 14U);
  EXPECT_EQ(w.sim.network().bytes_sent_to(w.client), 14U);
  EXPECT_EQ(w.sim.network().stats().bytes_sent, 24U);
  EXPECT_EQ(w.sim.network().bytes_sent_by(99), 0U);  // a host never seen
}

TEST(Streams, ConnectIsRefusedWithoutAListenerOrWhenTheHostIsDown) {
  StreamWorld w(testing::constant_latency_options(1, millis(1)), /*listen=*/false);
  EndLog no_listener;
  w.connect(no_listener);
  w.sim.run_for(millis(10));
  EXPECT_EQ(no_listener.closed, io::CloseReason::kRefused);
  EXPECT_EQ(no_listener.closed_at, 2'000'000);  // SYN there, RST back
  EXPECT_EQ(no_listener.connected_at, -1);

  w.sim.crash(w.server);
  EndLog down;
  w.connect(down);
  w.sim.run_for(millis(10));
  EXPECT_EQ(down.closed, io::CloseReason::kRefused);
  EXPECT_EQ(w.sim.network().live_connections(), 0U);
}

TEST(Streams, ConnectTimesOutAcrossAPartition) {
  SimOptions o = testing::constant_latency_options(1, millis(1));
  o.network.connect_timeout = millis(700);
  StreamWorld w(o);
  w.sim.network().set_blocked(w.client, w.server, true);
  EndLog cl;
  w.connect(cl);
  w.sim.run_for(seconds(2));
  EXPECT_EQ(cl.closed, io::CloseReason::kTimedOut);
  EXPECT_EQ(cl.closed_at, 700'000'000);
  EXPECT_TRUE(w.accepted.empty());
  // A one-way block of the answer's direction also times out.
  w.sim.network().heal();
  w.sim.network().set_blocked(w.server, w.client, true);
  EndLog cl2;
  w.connect(cl2);
  w.sim.run_for(seconds(2));
  EXPECT_EQ(cl2.closed, io::CloseReason::kTimedOut);
  EXPECT_TRUE(w.accepted.empty());
}

TEST(Streams, StayFifoUnderLatencyJitter) {
  SimOptions o;
  o.seed = 5;
  o.network.latency = LatencyModel{LatencyModel::Kind::kUniform, micros(10), micros(500), millis(5)};
  StreamWorld w(o);
  EndLog cl;
  const io::ConnId conn = w.connect(cl);
  w.sim.run_for(millis(20));
  ASSERT_EQ(w.accepted.size(), 1U);
  std::vector<std::string> want;
  for (int i = 0; i < 300; ++i) {
    want.push_back(std::to_string(i));
    ASSERT_TRUE(w.sim.env(w.client).net.send(conn, want.back()));
    if (i % 7 == 0) w.sim.run_for(micros(300));  // interleave sends with deliveries
  }
  w.sim.run_for(seconds(1));
  EXPECT_EQ(w.accepted[0].messages, want);
}

TEST(Streams, CloseReachesThePeerAfterTheData) {
  SimOptions o;
  o.seed = 9;
  o.network.latency = LatencyModel{LatencyModel::Kind::kUniform, micros(10), micros(500), millis(5)};
  StreamWorld w(o);
  EndLog cl;
  const io::ConnId conn = w.connect(cl);
  w.sim.run_for(millis(20));
  for (int i = 0; i < 20; ++i) w.sim.env(w.client).net.send(conn, std::to_string(i));
  w.sim.env(w.client).net.close(conn);
  w.sim.env(w.client).net.close(conn);  // idempotent
  EXPECT_FALSE(w.sim.env(w.client).net.send(conn, "after-close"));
  w.sim.run_for(seconds(1));
  ASSERT_EQ(w.accepted.size(), 1U);
  EXPECT_EQ(w.accepted[0].messages.size(), 20U);
  EXPECT_EQ(w.accepted[0].closed, io::CloseReason::kClosedByPeer);
  EXPECT_FALSE(cl.closed.has_value());  // not reported to the end that closed
  EXPECT_EQ(w.sim.network().live_connections(), 0U);
}

TEST(Streams, APartitionBreaksTheConnectionAndEachEndLearnsAtItsOwnTime) {
  SimOptions o = testing::constant_latency_options(3, millis(5));
  o.network.break_detect_min = millis(10);
  o.network.break_detect_max = millis(500);
  StreamWorld w(o);
  auto lines = testing::record_trace(w.sim);
  EndLog cl;
  const io::ConnId conn = w.connect(cl);
  w.sim.run_for(millis(20));
  ASSERT_EQ(w.accepted.size(), 1U);
  w.sim.env(w.client).net.send(conn, "in-flight");  // due at 25ms
  w.sim.run_for(millis(1));
  const std::int64_t cut_at = to_ns(w.sim.now());
  w.sim.network().set_blocked(w.server, w.client, true);  // one direction is enough
  w.sim.run_for(seconds(2));
  EXPECT_TRUE(w.accepted[0].messages.empty());  // lost in flight
  EXPECT_EQ(cl.closed, io::CloseReason::kReset);
  EXPECT_EQ(w.accepted[0].closed, io::CloseReason::kReset);
  EXPECT_GE(cl.closed_at, cut_at + 10'000'000);
  EXPECT_LE(cl.closed_at, cut_at + 500'000'000);
  EXPECT_GE(w.accepted[0].closed_at, cut_at + 10'000'000);
  EXPECT_LE(w.accepted[0].closed_at, cut_at + 500'000'000);
  EXPECT_NE(cl.closed_at, w.accepted[0].closed_at);  // drawn per end
  EXPECT_EQ(testing::count_containing(*lines, "ev=net.break"), 1);
  EXPECT_EQ(testing::count_containing(*lines, "reason=broken"), 1);  // the in-flight drop
  EXPECT_EQ(w.sim.network().stats().connections_broken, 1U);
  EXPECT_EQ(w.sim.network().live_connections(), 0U);
}

TEST(Streams, SendingIntoABreakTheEndDoesNotKnowOfYetIsLost) {
  SimOptions o = testing::constant_latency_options(4, millis(1));
  o.network.break_detect_min = millis(100);
  o.network.break_detect_max = millis(100);
  StreamWorld w(o);
  EndLog cl;
  const io::ConnId conn = w.connect(cl);
  w.sim.run_for(millis(10));
  w.sim.network().set_blocked(w.client, w.server, true);
  w.sim.network().heal();  // healed, but the connection stays broken
  EXPECT_TRUE(w.sim.env(w.client).net.send(conn, "lost"));  // it does not know yet
  w.sim.run_for(millis(50));
  EXPECT_TRUE(w.accepted[0].messages.empty());
  w.sim.run_for(millis(100));
  EXPECT_EQ(cl.closed, io::CloseReason::kReset);
  EXPECT_FALSE(w.sim.env(w.client).net.send(conn, "known-closed"));
}

TEST(Streams, APeerCrashResetsTheOtherEnd) {
  StreamWorld w(testing::constant_latency_options(1, millis(1)));
  EndLog cl;
  w.connect(cl);
  w.sim.run_for(millis(10));
  w.sim.crash(w.server);
  w.sim.run_for(seconds(1));
  EXPECT_EQ(cl.closed, io::CloseReason::kReset);
  EXPECT_EQ(w.sim.network().live_connections(), 0U);
}

TEST(Streams, AStreamResetFaultBreaksTheConnection) {
  SimOptions o = testing::constant_latency_options(1, millis(1));
  o.network.stream_reset = Ratio{1, 1};
  StreamWorld w(o);
  EndLog cl;
  const io::ConnId conn = w.connect(cl);
  w.sim.run_for(millis(10));
  EXPECT_TRUE(w.sim.env(w.client).net.send(conn, "x"));
  w.sim.run_for(seconds(1));
  EXPECT_TRUE(w.accepted[0].messages.empty());
  EXPECT_EQ(cl.closed, io::CloseReason::kReset);
  EXPECT_EQ(w.accepted[0].closed, io::CloseReason::kReset);
}

// Datagram world: "a" (0) sends to "b" (1), port 9.
struct DgramWorld {
  explicit DgramWorld(SimOptions o) : sim(std::move(o)) {
    a = sim.add_host("a", make_factory([](io::Env&, LambdaProcess&) {}));
    b = sim.add_host("b", make_factory([this](io::Env& env, LambdaProcess&) {
      env.net.bind(9, [this](io::HostId from, io::Bytes bytes) {
        EXPECT_EQ(from, a);
        got.push_back(std::move(bytes));
      });
    }));
    sim.start(a);
    sim.start(b);
  }
  void send_n(int n) {
    for (int i = 0; i < n; ++i) sim.env(a).net.send_datagram(b, 9, std::to_string(i));
  }
  Simulator sim;
  io::HostId a = 0, b = 0;
  std::vector<std::string> got;
};

TEST(Datagrams, AllLostAtFullLoss) {
  SimOptions o = testing::constant_latency_options(1);
  o.network.datagram_loss = Ratio{1, 1};
  DgramWorld w(o);
  auto lines = testing::record_trace(w.sim);
  w.send_n(50);
  w.sim.run_for(seconds(1));
  EXPECT_TRUE(w.got.empty());
  EXPECT_EQ(w.sim.network().stats().messages_dropped, 50U);
  EXPECT_EQ(testing::count_containing(*lines, "reason=loss"), 50);
}

TEST(Datagrams, PartialLossLosesSome) {
  SimOptions o = testing::constant_latency_options(2);
  o.network.datagram_loss = Ratio{1, 4};
  DgramWorld w(o);
  w.send_n(400);
  w.sim.run_for(seconds(1));
  EXPECT_GT(w.got.size(), 250U);
  EXPECT_LT(w.got.size(), 350U);
  EXPECT_EQ(w.got.size() + w.sim.network().stats().messages_dropped, 400U);
}

TEST(Datagrams, DuplicatedAtFullDuplication) {
  SimOptions o = testing::constant_latency_options(1);
  o.network.datagram_duplicate = Ratio{1, 1};
  DgramWorld w(o);
  auto lines = testing::record_trace(w.sim);
  w.send_n(10);
  w.sim.run_for(seconds(1));
  ASSERT_EQ(w.got.size(), 20U);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(std::count(w.got.begin(), w.got.end(), std::to_string(i)), 2);
  EXPECT_EQ(w.sim.network().stats().messages_duplicated, 10U);
  EXPECT_EQ(testing::count_containing(*lines, "ev=net.dup"), 10);
}

TEST(Datagrams, JitterReordersButDeliversEachOnce) {
  SimOptions o;
  o.seed = 3;
  o.network.latency = LatencyModel{LatencyModel::Kind::kUniform, micros(100), micros(500), millis(3)};
  DgramWorld w(o);
  w.send_n(100);
  w.sim.run_for(seconds(1));
  ASSERT_EQ(w.got.size(), 100U);
  std::vector<std::string> sorted_got = w.got;
  std::sort(sorted_got.begin(), sorted_got.end());
  EXPECT_EQ(std::adjacent_find(sorted_got.begin(), sorted_got.end()), sorted_got.end());
  std::vector<std::string> in_order;
  for (int i = 0; i < 100; ++i) in_order.push_back(std::to_string(i));
  EXPECT_NE(w.got, in_order);  // reordered
}

TEST(Datagrams, ToADownHostOrUnboundPortAreDropped) {
  DgramWorld w(testing::constant_latency_options(1));
  auto lines = testing::record_trace(w.sim);
  w.sim.env(w.a).net.send_datagram(w.b, 10, "no-port");
  w.sim.run_for(millis(10));
  w.sim.crash(w.b);
  w.sim.env(w.a).net.send_datagram(w.b, 9, "down");
  w.sim.run_for(seconds(1));
  EXPECT_TRUE(w.got.empty());
  EXPECT_EQ(testing::count_containing(*lines, "reason=no_port"), 1);
  EXPECT_EQ(testing::count_containing(*lines, "reason=host_down"), 1);
}

TEST(Datagrams, ExponentialLatencyHasATailCappedAtMax) {
  SimOptions o;
  o.seed = 8;
  o.network.latency = LatencyModel{LatencyModel::Kind::kExponential, micros(100), millis(1), millis(6)};
  DgramWorld w(o);
  w.send_n(2000);
  w.sim.run_for(seconds(1));
  ASSERT_EQ(w.got.size(), 2000U);
  // Everything arrives within [min, max]: the loop idles at the last arrival.
  EXPECT_LE(to_ns(w.sim.now()), 6'000'000);
  EXPECT_GT(to_ns(w.sim.now()), 4'000'000);  // some reach far into the tail
}

TEST(Links, CapacityQueuesMessagesBehindEachOther) {
  SimOptions o = testing::constant_latency_options(1, Duration{0});
  o.network.link_bytes_per_ms = 1000;
  DgramWorld w(o);
  std::vector<std::int64_t> times;
  w.sim.trace().set_sink([&](std::string_view line, std::uint64_t) {
    if (line.find("ev=net.deliver") != std::string_view::npos) times.push_back(to_ns(w.sim.now()));
  });
  for (int i = 0; i < 5; ++i) w.sim.env(w.a).net.send_datagram(w.b, 9, std::string(1000, 'x'));
  w.sim.run_for(seconds(1));
  EXPECT_EQ(times, (std::vector<std::int64_t>{1'000'000, 2'000'000, 3'000'000, 4'000'000, 5'000'000}));
  EXPECT_EQ(w.got.size(), 5U);
}

// Arrival times (ns) of 1,000-byte datagrams sent at time 0 from a, in
// turn, to b and c (3 of each), under `o`.
std::vector<std::int64_t> fan_out_arrivals(SimOptions o) {
  Simulator sim(std::move(o));
  std::vector<std::int64_t> times;
  const auto a = sim.add_host("a", make_factory([](io::Env&, LambdaProcess&) {}));
  auto receiver = make_factory([&](io::Env& env, LambdaProcess&) {
    env.net.bind(9, [&](io::HostId, io::Bytes) { times.push_back(to_ns(sim.now())); });
  });
  const auto b = sim.add_host("b", receiver);
  const auto c = sim.add_host("c", receiver);
  sim.start(a);
  sim.start(b);
  sim.start(c);
  for (int i = 0; i < 3; ++i) {
    sim.env(a).net.send_datagram(b, 9, std::string(1000, 'x'));
    sim.env(a).net.send_datagram(c, 9, std::string(1000, 'x'));
  }
  sim.run_for(seconds(1));
  return times;
}

TEST(Links, PerLinkCapacityDoesNotQueueDifferentLinks) {
  SimOptions o = testing::constant_latency_options(1, Duration{0});
  o.network.link_bytes_per_ms = 1000;
  // a->b and a->c each carry their own 3 messages: 1, 2, 3 ms on both.
  EXPECT_EQ(fan_out_arrivals(o), (std::vector<std::int64_t>{1'000'000, 1'000'000, 2'000'000, 2'000'000,
                                                             3'000'000, 3'000'000}));
}

TEST(Links, HostEgressIsSharedByAllItsLinks) {
  SimOptions o = testing::constant_latency_options(1, Duration{0});
  o.network.host_egress_bytes_per_ms = 1000;
  // a's interface sends the 6 messages one after another, whatever the link.
  EXPECT_EQ(fan_out_arrivals(o), (std::vector<std::int64_t>{1'000'000, 2'000'000, 3'000'000, 4'000'000,
                                                             5'000'000, 6'000'000}));
}

TEST(Links, AFullQueueDropsDatagramsAndBreaksStreams) {
  SimOptions o = testing::constant_latency_options(1, Duration{0});
  o.network.link_bytes_per_ms = 1000;
  o.network.link_queue_bytes_max = 3000;
  DgramWorld w(o);
  auto lines = testing::record_trace(w.sim);
  for (int i = 0; i < 5; ++i) w.sim.env(w.a).net.send_datagram(w.b, 9, std::string(1000, 'x'));
  w.sim.run_for(seconds(1));
  EXPECT_EQ(w.got.size(), 3U);
  EXPECT_EQ(testing::count_containing(*lines, "reason=overflow"), 2);
}

TEST(Partitions, OneWayBlocksOnlyOneDirection) {
  SimOptions o = testing::constant_latency_options(1);
  Simulator sim(o);
  std::vector<std::string> got_a, got_b;
  const auto a = sim.add_host("a", make_factory([&](io::Env& env, LambdaProcess&) {
    env.net.bind(9, [&](io::HostId, io::Bytes m) { got_a.push_back(m); });
  }));
  const auto b = sim.add_host("b", make_factory([&](io::Env& env, LambdaProcess&) {
    env.net.bind(9, [&](io::HostId, io::Bytes m) { got_b.push_back(m); });
  }));
  sim.start(a);
  sim.start(b);
  FaultEvent e;
  e.kind = FaultKind::kPartition;
  e.shape = PartitionShape::kOneWay;
  e.groups = {{"a"}, {"b"}};
  sim.apply(e);
  EXPECT_TRUE(sim.network().is_blocked(a, b));
  EXPECT_FALSE(sim.network().is_blocked(b, a));
  sim.env(a).net.send_datagram(b, 9, "a->b");
  sim.env(b).net.send_datagram(a, 9, "b->a");
  sim.run_for(seconds(1));
  EXPECT_TRUE(got_b.empty());
  EXPECT_EQ(got_a, std::vector<std::string>{"b->a"});
}

TEST(Partitions, ADatagramInFlightWhenAPartitionStartsIsDropped) {
  DgramWorld w(testing::constant_latency_options(1, millis(10)));
  w.send_n(1);
  w.sim.at(millis(5), [&] { w.sim.network().set_blocked(w.a, w.b, true); });
  w.sim.run_for(seconds(1));
  EXPECT_TRUE(w.got.empty());
}

TEST(Partitions, ShapesBlockTheRightEdges) {
  Simulator sim(testing::constant_latency_options(1));
  for (const char* n : {"s1", "s2", "s3", "s4", "s5"}) sim.add_host(n, make_factory([](io::Env&, LambdaProcess&) {}));
  auto parsed = parse_plan(
      "at 0s partition bridge s1 s2 | s3 | s4 s5\n"
      "at 1s heal\n"
      "at 2s partition isolate s2\n"
      "at 3s heal\n"
      "at 4s partition split s1 | s2 s3\n");
  ASSERT_TRUE(std::holds_alternative<FaultPlan>(parsed));
  const FaultPlan& plan = std::get<FaultPlan>(parsed);
  ASSERT_EQ(validate_plan(plan, sim.host_names()), "");
  sim.schedule_plan(plan);
  auto blocked = [&](io::HostId x, io::HostId y) { return sim.network().is_blocked(x, y); };
  sim.run_for(millis(500));  // bridge: s3 (2) talks to everybody; halves do not
  EXPECT_TRUE(blocked(0, 3) && blocked(3, 0) && blocked(1, 4) && blocked(4, 1));
  EXPECT_FALSE(blocked(0, 2) || blocked(2, 0) || blocked(2, 4) || blocked(4, 2) || blocked(0, 1) || blocked(3, 4));
  sim.run_for(millis(1000));  // 1.5s: healed
  EXPECT_FALSE(blocked(0, 3) || blocked(3, 0));
  sim.run_for(millis(1000));  // 2.5s: isolate s2 (1)
  for (io::HostId x : {0U, 2U, 3U, 4U}) {
    EXPECT_TRUE(blocked(1, x));
    EXPECT_TRUE(blocked(x, 1));
  }
  EXPECT_FALSE(blocked(0, 2) || blocked(3, 4));
  sim.run_for(millis(2000));  // 4.5s: split s1 | s2 s3; s4, s5 untouched
  EXPECT_TRUE(blocked(0, 1) && blocked(1, 0) && blocked(0, 2) && blocked(2, 0));
  EXPECT_FALSE(blocked(1, 2) || blocked(0, 3) || blocked(3, 1));
}

TEST(Partitions, TheTableSurvivesAddingHosts) {
  Simulator sim(testing::constant_latency_options(1));
  const auto a = sim.add_host("a", make_factory([](io::Env&, LambdaProcess&) {}));
  const auto b = sim.add_host("b", make_factory([](io::Env&, LambdaProcess&) {}));
  sim.network().set_blocked(b, a, true);
  const auto c = sim.add_host("c", make_factory([](io::Env&, LambdaProcess&) {}));
  EXPECT_TRUE(sim.network().is_blocked(b, a));
  EXPECT_FALSE(sim.network().is_blocked(a, b));
  EXPECT_FALSE(sim.network().is_blocked(b, b));
  EXPECT_FALSE(sim.network().is_blocked(c, a));
  sim.network().set_blocked(c, b, true);
  EXPECT_TRUE(sim.network().is_blocked(b, a));
  EXPECT_TRUE(sim.network().is_blocked(c, b));
  EXPECT_FALSE(sim.network().is_blocked(a, c));
}

}  // namespace
}  // namespace zsim::sim
