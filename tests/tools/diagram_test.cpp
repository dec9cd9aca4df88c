// The space-time diagram's pure parts and the ShiViz log (tools/diagram/).
//
// Proves: the collector turns events into the right hosts (in reading
// order), arrows (delivered, dropped, duplicated, in flight), partition
// bands, lifeline marks, operations and the witness of a violation, and
// opens on the window around it; the page embeds that model safely and is
// the same bytes for the same model; message labels name what the protocols
// carry; and on a real run, observing changes nothing (same fingerprint)
// while the ShiViz log's vector clocks put every send before its delivery.
#include "core/proto/quorum.h"
#include "core/proto/wire.h"
#include "scenarios/scenario.h"
#include "tools/diagram/diagram_html.h"
#include "tools/diagram/diagram_model.h"
#include "tools/diagram/message_labels.h"
#include "tools/diagram/run_observer.h"
#include "tools/diagram/shiviz.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <map>
#include <set>
#include <sstream>

namespace zsim::tools::diagram {
namespace {

using Fields = std::vector<std::pair<std::string, std::string>>;

DiagramEvent ev(std::int64_t t_ms, std::string host, std::string kind, Fields fields, Fields extras = {},
                bool note = false) {
  DiagramEvent e;
  e.t_ns = t_ms * 1'000'000;
  e.host = std::move(host);
  e.kind = std::move(kind);
  e.fields = std::move(fields);
  e.extras = std::move(extras);
  e.note = note;
  if (!note) e.line = "t=" + std::to_string(t_ms) + "ms host=" + e.host + " ev=" + e.kind;
  return e;
}

// A small failing run: s10, s2, c1 talk; a partition; a crash, a pause; two
// operations, one the first violating op of the witness.
std::vector<DiagramEvent> failing_run() {
  return {
      ev(0, "sim", "run.start", {{"scenario", "demo"}, {"seed", "7"}}),
      ev(1, "s10", "host.start", {{"incarnation", "1"}}),
      ev(1, "s2", "host.start", {{"incarnation", "1"}}),
      ev(1, "c1", "host.start", {{"incarnation", "1"}}),
      ev(100, "c1", "op.call", {{"process", "1"}, {"call_ns", "100000000"}, {"f", "write"}, {"input", "5"}}, {},
         true),
      ev(100, "c1", "net.send", {{"conn", "2"}, {"to", "s2"}, {"bytes", "40"}},
         {{"msg", "1"}, {"kind", "request"}, {"detail", "setData /r xid=1"}}),
      ev(102, "s2", "net.deliver", {{"conn", "3"}, {"bytes", "40"}}, {{"msg", "1"}}),
      ev(103, "s2", "net.send", {{"dgram", "true"}, {"to", "s10"}, {"bytes", "20"}},
         {{"msg", "2"}, {"kind", "vote"}, {"detail", "vote ..."}}),
      ev(103, "s2", "net.dup", {{"to", "s10"}, {"bytes", "20"}}, {{"msg", "3"}, {"of", "2"}}),
      ev(104, "s10", "net.deliver", {{"dgram", "true"}, {"from", "s2"}}, {{"msg", "2"}}),
      ev(200, "sim", "fault", {{"event", "at 200ms partition split s2 | s10 c1"}}),
      ev(201, "s2", "net.drop", {{"to", "c1"}, {"bytes", "9"}, {"reason", "partition"}},
         {{"msg", "4"}, {"kind", "reply"}, {"detail", "reply xid=1"}}),
      ev(240, "s2", "net.send", {{"conn", "5"}, {"to", "s10"}, {"bytes", "9"}},
         {{"msg", "5"}, {"kind", "COMMIT"}, {"detail", "COMMIT zxid=0x1"}}),
      ev(250, "s10", "host.crash", {{"incarnation", "1"}}),
      ev(300, "sim", "fault", {{"event", "at 300ms heal"}}),
      ev(310, "s10", "host.start", {{"incarnation", "2"}}),
      ev(320, "s2", "host.pause", {{"for", "50ms"}}),
      ev(370, "s2", "host.resume", {{"held", "0"}}),
      ev(400, "c1", "op.return", {{"process", "1"}, {"call_ns", "100000000"}, {"status", "info"}, {"output", "nil"}},
         {}, true),
      ev(500, "c1", "op.call", {{"process", "1"}, {"call_ns", "500000000"}, {"f", "read"}, {"input", "nil"}}, {},
         true),
      ev(510, "c1", "op.return", {{"process", "1"}, {"call_ns", "500000000"}, {"status", "ok"}, {"output", "3"}}, {},
         true),
      ev(2900, "s10", "net.send", {{"conn", "7"}, {"to", "c1"}, {"bytes", "9"}},
         {{"msg", "6"}, {"kind", "reply"}, {"detail", "reply xid=2"}}),
      ev(3000, "sim", "check.witness",
         {{"partition", "key 0"}, {"linearized", "1:100000000"}, {"stuck", "1:500000000"}}, {}, true),
      ev(3000, "sim", "fail", {{"verdict", "linearizability"}, {"message", "not linearizable"}}),
      ev(3000, "sim", "run.end", {{"verdict", "linearizability"}}),
  };
}

DiagramModel collect(const std::vector<DiagramEvent>& events) {
  DiagramCollector c;
  for (const auto& e : events) c.on_event(e);
  return c.finish();
}

TEST(DiagramModel, HostsInReadingOrderWithRoles) {
  const DiagramModel m = collect(failing_run());
  ASSERT_EQ(m.hosts.size(), 3u);
  EXPECT_EQ(m.hosts[0].name, "s2");  // s2 before s10: by number, not by text
  EXPECT_EQ(m.hosts[1].name, "s10");
  EXPECT_EQ(m.hosts[2].name, "c1");
  EXPECT_EQ(m.hosts[2].role, "client");
  EXPECT_EQ(host_role("o3"), "observer");
  EXPECT_EQ(host_role("server"), "host");
}

TEST(DiagramModel, MessagesDeliveredDroppedDuplicatedInFlight) {
  const DiagramModel m = collect(failing_run());
  ASSERT_EQ(m.messages.size(), 6u);
  const auto& request = m.messages[0];
  EXPECT_EQ(request.kind, "request");
  EXPECT_EQ(m.hosts[request.from].name, "c1");
  EXPECT_EQ(m.hosts[request.to].name, "s2");
  EXPECT_EQ(request.end, DiagramMessage::End::kDelivered);
  EXPECT_EQ(request.end_ns - request.send_ns, 2'000'000);
  const auto& vote = m.messages[1];
  EXPECT_EQ(vote.end, DiagramMessage::End::kDelivered);
  EXPECT_TRUE(vote.datagram);
  const auto& dup = m.messages[2];
  EXPECT_TRUE(dup.duplicate);
  EXPECT_EQ(dup.kind, "vote");
  EXPECT_EQ(dup.end, DiagramMessage::End::kDropped);  // on its way to s10 when s10 crashed
  EXPECT_EQ(dup.drop_reason, "receiver crashed");
  const auto& reply = m.messages[3];
  EXPECT_EQ(reply.end, DiagramMessage::End::kDropped);
  EXPECT_EQ(reply.drop_reason, "partition");
  EXPECT_EQ(reply.send_ns, reply.end_ns);  // dropped as it was sent
  const auto& commit = m.messages[4];  // on its way to s10 when s10 crashed
  EXPECT_EQ(commit.end, DiagramMessage::End::kDropped);
  EXPECT_EQ(commit.drop_reason, "receiver crashed");
  EXPECT_EQ(commit.end_ns, 250'000'000);
  const auto& late = m.messages[5];  // never delivered: in flight at the end
  EXPECT_EQ(late.end, DiagramMessage::End::kInFlight);
  EXPECT_EQ(late.end_ns, m.end_ns);
  EXPECT_EQ(m.kinds, (std::vector<std::string>{"COMMIT", "reply", "request", "vote"}));
}

TEST(DiagramModel, FaultsBandsAndMarks) {
  const DiagramModel m = collect(failing_run());
  ASSERT_EQ(m.bands.size(), 1u);
  EXPECT_EQ(m.bands[0].label, "partition split s2 | s10 c1");
  EXPECT_EQ(m.bands[0].start_ns, 200'000'000);
  EXPECT_EQ(m.bands[0].end_ns, 300'000'000);  // until the heal
  std::map<std::string, int> kinds;
  for (const auto& mark : m.marks) ++kinds[mark.kind];
  EXPECT_EQ(kinds["crash"], 1);
  EXPECT_EQ(kinds["restart"], 1);
  EXPECT_EQ(kinds["start"], 3);
  ASSERT_EQ(kinds["pause"], 1);
  for (const auto& mark : m.marks) {
    if (mark.kind == "pause") {
      EXPECT_EQ(mark.end_ns - mark.t_ns, 50'000'000);  // a gap until the resume
    }
  }
}

TEST(DiagramModel, OperationsWitnessVerdictAndFocus) {
  const DiagramModel m = collect(failing_run());
  EXPECT_EQ(m.scenario, "demo");
  EXPECT_EQ(m.verdict, "linearizability");
  ASSERT_EQ(m.ops.size(), 2u);
  EXPECT_EQ(m.hosts[m.ops[0].host].name, "c1");
  EXPECT_EQ(m.ops[0].status, "info");
  EXPECT_TRUE(m.ops[0].witness);
  EXPECT_FALSE(m.ops[0].first_violation);
  EXPECT_EQ(m.ops[1].status, "ok");
  EXPECT_TRUE(m.ops[1].stuck);
  EXPECT_TRUE(m.ops[1].first_violation);
  // The window around the first violating op (called at 0.5 s), clipped to the run.
  EXPECT_EQ(m.focus_start_ns, 0);
  EXPECT_EQ(m.focus_end_ns, 1'500'000'000);
}

TEST(DiagramModel, PassingRunOpensOnTheLastFaults) {
  std::vector<DiagramEvent> events = {ev(0, "sim", "run.start", {{"scenario", "x"}, {"seed", "1"}})};
  for (int k = 1; k <= 5; ++k) {
    events.push_back(ev(k * 2000, "sim", "fault", {{"event", "at 1s crash s1"}}));
  }
  events.push_back(ev(30000, "sim", "run.end", {{"verdict", "ok"}}));
  const DiagramModel m = collect(events);
  EXPECT_EQ(m.verdict, "ok");
  EXPECT_EQ(m.focus_start_ns, 5'500'000'000);  // the third-last fault (6 s), less half a second
  EXPECT_EQ(m.focus_end_ns, 12'000'000'000);   // the last (10 s), plus two seconds
}

TEST(DiagramHtml, EmbedsTheModelSafelyAndIsDeterministic) {
  std::vector<DiagramEvent> events = failing_run();
  events[5].extras[2].second = "create /a</script><script>alert(1)</script>";
  const DiagramModel m = collect(events);
  const std::string page = render_html(m);
  EXPECT_EQ(page, render_html(collect(events)));
  EXPECT_EQ(page.find("alert(1)</script>"), std::string::npos);  // '<' is \u003c inside the JSON
  // The JSON between the tags parses back to the model's counts.
  const std::string open = "<script type=\"application/json\" id=\"model\">";
  const std::size_t at = page.find(open) + open.size();
  const auto j = nlohmann::json::parse(page.substr(at, page.find("</script>", at) - at));
  EXPECT_EQ(j["hosts"].size(), 3u);
  EXPECT_EQ(j["messages"].size(), 6u);
  EXPECT_EQ(j["messages"][0][6], "create /a</script><script>alert(1)</script>");
  EXPECT_EQ(j["ops"][1][8], 2 | 4);  // stuck and the first violation
  // No network: nothing is fetched from anywhere.
  EXPECT_EQ(page.find("http://"), std::string::npos);
  EXPECT_EQ(page.find("https://"), std::string::npos);
}

TEST(MessageLabels, NameWhatTheProtocolsCarry) {
  core::quorum::Proposal p;
  p.txn.header.zxid = 0x100000003;
  auto label = label_message(2888, true, core::quorum::encode(core::quorum::Message{p}));
  EXPECT_EQ(label.kind, "PROPOSAL");
  EXPECT_EQ(label.detail, "PROPOSAL zxid=0x100000003");
  label = label_message(2888, false, core::quorum::encode(core::quorum::Message{core::quorum::Commit{0x100000003}}));
  EXPECT_EQ(label.kind, "COMMIT");
  label = label_message(3888, true, core::quorum::encode(core::quorum::VoteMessage{}));
  EXPECT_EQ(label.kind, "vote");
  core::wire::RequestFrame req;
  req.xid = 4;
  req.op = core::wire::GetDataOp{"/r", false};
  label = label_message(2181, true, core::wire::encode(core::wire::ClientFrame{req}));
  EXPECT_EQ(label.kind, "request");
  EXPECT_EQ(label.detail, "getData /r xid=4");
  core::wire::ReplyFrame reply;
  reply.xid = 4;
  label = label_message(2181, false, core::wire::encode(core::wire::ServerFrame{reply}));
  EXPECT_EQ(label.kind, "reply");
  label = label_message(2181, true, "\x01garbage");
  EXPECT_EQ(label.kind, "data");
  EXPECT_EQ(label_message(9999, true, "abc").kind, "data");
}

TEST(ShivizLog, ClocksTickPerEventAndMergeOnDelivery) {
  ShivizLog log;
  EXPECT_EQ(ShivizLog::header(), "(?<event>.*)\\n(?<host>\\S*) (?<clock>{.*})\n\n");
  auto clock_of = [](const std::string& two_lines) {
    const std::size_t nl = two_lines.find('\n');
    const std::string second = two_lines.substr(nl + 1);
    return nlohmann::json::parse(second.substr(second.find(' ') + 1));
  };
  EXPECT_EQ(clock_of(log.on_event(ev(1, "a", "host.start", {}))), nlohmann::json({{"a", 1}}));
  const std::string send =
      log.on_event(ev(2, "a", "net.send", {{"to", "b"}}, {{"msg", "9"}, {"kind", "vote"}, {"detail", "x y"}}));
  EXPECT_NE(send.find(" msg=9 kind=vote detail=\"x y\"\n"), std::string::npos);
  EXPECT_EQ(clock_of(send), nlohmann::json({{"a", 2}}));
  EXPECT_EQ(clock_of(log.on_event(ev(3, "b", "host.start", {}))), nlohmann::json({{"b", 1}}));
  EXPECT_EQ(clock_of(log.on_event(ev(4, "b", "net.deliver", {}, {{"msg", "9"}}))),
            nlohmann::json({{"a", 2}, {"b", 2}}));
  // Notes are not trace events: no lines, no tick.
  EXPECT_EQ(log.on_event(ev(5, "b", "op.call", {}, {}, true)), "");
  EXPECT_EQ(clock_of(log.on_event(ev(6, "b", "zk.apply", {}))), nlohmann::json({{"a", 2}, {"b", 3}}));
}

// --- a real run ---------------------------------------------------------------

struct Observed {
  scenarios::RunResult result;
  std::vector<DiagramEvent> events;
};

Observed observed_run(const std::string& scenario, std::uint64_t seed) {
  const scenarios::Scenario* s = scenarios::find_scenario(scenario);
  EXPECT_NE(s, nullptr);
  Observed o;
  scenarios::RunOptions options;
  options.seed = seed;
  options.observe = [&o](sim::Simulator& sim) {
    observe_run(sim, [&o](const DiagramEvent& e) { o.events.push_back(e); });
  };
  o.result = scenarios::run_scenario(*s, options);
  return o;
}

// The same run, unobserved.
scenarios::RunResult plain_run(const std::string& scenario, uint64_t seed) {
  scenarios::RunOptions plain;
  plain.seed = seed;
  return scenarios::run_scenario(*scenarios::find_scenario(scenario), plain);
}

TEST(DiagramModel, AFailureJudgedAtTheEndOpensOnTheMomentTheCheckNames) {
  const std::vector<DiagramEvent> events = {
      ev(0, "sim", "run.start", {{"scenario", "x"}, {"seed", "1"}}),
      ev(3000, "sim", "fault", {{"event", "at 3s crash c4"}}),
      ev(50000, "sim", "check.moment", {{"check", "one-status-per-task"}, {"at_ns", "4500000000"}}),
      ev(50000, "sim", "fail", {{"verdict", "liveness"}, {"message", "tasks left"}}),
  };
  const DiagramModel m = collect(events);
  EXPECT_EQ(m.moment_ns, 4'500'000'000);
  EXPECT_EQ(m.focus_start_ns, 2'500'000'000);  // two seconds either side of the moment, not of the failure
  EXPECT_EQ(m.focus_end_ns, 6'500'000'000);
  bool ticked = false;
  for (const auto& t : m.ticks) {
    ticked = ticked || (t.t_ns == 4'500'000'000 && t.label.find("one-status") != std::string::npos);
  }
  EXPECT_TRUE(ticked);
}

TEST(DiagramRealRun, TheCourseExamplesDiagramOpensOnTheDeadWorkersSessionEnd) {
  // Seed 25 of work-queue-no-recovery-naive: c4 crashes at 8.18 s with tasks
  // assigned; the run fails at its end (liveness), but the diagram opens on
  // the end of c4.1's session, a few seconds after the crash.
  const Observed o = observed_run("work-queue-no-recovery-naive", 25);
  const scenarios::RunResult r = plain_run("work-queue-no-recovery-naive", 25);
  EXPECT_EQ(o.result.fingerprint, r.fingerprint);  // the note changes nothing
  EXPECT_EQ(r.verdict, sim::Verdict::kLiveness);
  const DiagramModel m = collect(o.events);
  EXPECT_GT(m.moment_ns, 8'180'000'000);
  EXPECT_LT(m.moment_ns, 12'000'000'000);
  EXPECT_EQ(m.focus_start_ns, m.moment_ns - 2'000'000'000);
  EXPECT_LT(m.focus_end_ns, m.fail_ns);
}

TEST(DiagramRealRun, ObservingChangesNothingAndEveryArrowIsWhole) {
  const Observed o = observed_run("register", 3);
  const scenarios::RunResult r = plain_run("register", 3);
  EXPECT_EQ(o.result.fingerprint, r.fingerprint);
  EXPECT_EQ(o.result.trace_events, r.trace_events);

  const DiagramModel m = collect(o.events);
  EXPECT_EQ(m.scenario, "register");
  EXPECT_EQ(m.verdict, "ok");
  std::size_t servers = 0, clients = 0;
  for (const auto& h : m.hosts) {
    servers += h.role == "server" ? 1 : 0;
    clients += h.role == "client" ? 1 : 0;
  }
  EXPECT_EQ(servers, 5u);
  EXPECT_GT(clients, 0u);
  std::size_t originals = 0, delivered = 0, dropped = 0;
  std::map<std::string, std::size_t> kinds;
  for (const auto& msg : m.messages) {
    EXPECT_LE(msg.send_ns, msg.end_ns);
    EXPECT_NE(msg.from, msg.to);
    delivered += msg.end == DiagramMessage::End::kDelivered ? 1 : 0;
    // The network counts what it dropped; a crash loses deliveries untraced.
    dropped += msg.end == DiagramMessage::End::kDropped && msg.drop_reason != "receiver crashed" ? 1 : 0;
    ++kinds[msg.kind];
    originals += msg.duplicate ? 0 : 1;
  }
  EXPECT_EQ(originals, r.messages_sent);  // one arrow per message sent, plus duplicates
  EXPECT_EQ(dropped, r.messages_dropped);
  EXPECT_GT(delivered, 100u);
  for (const char* k : {"request", "reply", "vote", "PROPOSAL", "ACK", "COMMIT", "ping"}) {
    EXPECT_GT(kinds[k], 0u) << k;
  }
  EXPECT_EQ(kinds["data"], 0u);  // every message of the ensemble decodes
  EXPECT_GT(m.ops.size(), 10u);
  for (const auto& op : m.ops) EXPECT_EQ(m.hosts[op.host].role, "client");
}

TEST(DiagramRealRun, RecipeScenariosDrawTheirClientsOperations) {
  // The lock keeps no history: its handles' operations are drawn from the
  // client library's observer (scenarios/op_notes.h), without changing the run.
  const Observed o = observed_run("lock", 3);
  EXPECT_EQ(o.result.fingerprint, plain_run("lock", 3).fingerprint);
  const DiagramModel m = collect(o.events);
  ASSERT_GT(m.ops.size(), 10u);
  std::set<std::string> fs;
  std::size_t returned = 0;
  for (const auto& op : m.ops) {
    EXPECT_EQ(m.hosts[op.host].role, "client");
    if (op.return_ns >= 0) {
      EXPECT_LE(op.call_ns, op.return_ns);
      ++returned;
    }
    fs.insert(op.f);
  }
  EXPECT_TRUE(fs.count("create")) << "the lock's nodes";
  EXPECT_TRUE(fs.count("getChildren")) << "the line";
  EXPECT_GT(returned, m.ops.size() / 2);
}

TEST(DiagramRealRun, ShivizClocksPutEverySendBeforeItsDelivery) {
  const Observed o = observed_run("register", 5);
  ShivizLog log;
  std::map<std::string, std::uint64_t> own;           // host -> its last own component
  std::map<std::string, nlohmann::json> sent;         // msg -> clock of the send
  std::size_t deliveries_checked = 0;
  for (const DiagramEvent& e : o.events) {
    const std::string lines = log.on_event(e);
    if (e.note) continue;
    const std::string second = lines.substr(lines.find('\n') + 1);
    ASSERT_EQ(second.substr(0, e.host.size() + 1), e.host + " ");
    const auto clock = nlohmann::json::parse(second.substr(e.host.size() + 1));
    // A host's own component counts its events: 1, 2, 3, ...
    ASSERT_EQ(clock[e.host].get<std::uint64_t>(), ++own[e.host]);
    std::string msg;
    for (const auto& [k, v] : e.extras) {
      if (k == "msg") msg = v;
    }
    if (msg.empty() || msg == "0") continue;
    if (e.kind == "net.send" || e.kind == "net.dup") sent[msg] = clock;
    if (e.kind != "net.deliver") continue;
    ASSERT_TRUE(sent.count(msg)) << "a delivery of a message never sent: " << e.line;
    // send happens-before deliver: every component <=, the sender's strictly less than the receiver's view.
    for (const auto& [host, n] : sent[msg].items()) {
      ASSERT_TRUE(clock.contains(host));
      EXPECT_LE(n.get<std::uint64_t>(), clock[host].get<std::uint64_t>());
    }
    EXPECT_LT(sent[msg][e.host].is_null() ? 0 : sent[msg][e.host].get<std::uint64_t>(),
              clock[e.host].get<std::uint64_t>());
    ++deliveries_checked;
  }
  EXPECT_GT(deliveries_checked, 100u);
}

}  // namespace
}  // namespace zsim::tools::diagram
