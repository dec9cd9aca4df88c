// one-administrator-naive / one-administrator: lesson 6 of the course
// ("there is one administrator", tools/lessons.cpp). Two operators' settings
// disagree: the application's operator configured its clients to ask for
// 20 s sessions ("ride out long pauses"), the ensemble's operator bounded
// sessions at 2 s (maxSessionTimeout: "fail over fast"). The servers clamp
// the request, and the connect reply says so: the negotiated timeout is 2 s.
//
// Two candidates run a herd-free election; the leader writes to /db
// without a fencing token, guarded by its own failure detector -- a lease
// on its session. Heartbeats (writes that change nothing: a multi checking
// its election node) answered in a row extend the lease to half the
// timeout past the earlier one's sending (see heartbeat()); the leader
// writes only while the lease lasts, and steps down when it runs out or a
// heartbeat says the session or the node is gone. Heartbeats go on in the
// background, so a leader cut off from the ensemble keeps writing until its
// lease runs out (that is the point of a lease: a short disconnect is not a
// lost leadership).
//
//   naive: timeout = the 20 s it asked for; its lease (10 s) outlives its
//          session, which the ensemble expires 2 s after its last touch;
//   fixed: timeout = the negotiated 2 s (Client::negotiated_timeout_ms());
//          its lease ends 1 s after a heartbeat the leader has surely
//          heard of, well before the ensemble can expire it.
//
// Faults: client pauses and crashes (up to 4 s, longer than the negotiated
// timeout) and the network's (partitions, loss, resets); no server faults:
// a clock that jumps on the ensemble's leader expires sessions early, and
// no lease survives that -- another lesson.
//
// Judged from what really happened (the resource's record, the ensemble's
// commits):
//   acts-after-expiry    nobody writes through a session the ensemble had
//                        already closed (with how long after);
//   one holder at a time (the resource's own judgement): the old leader
//                        never writes again once the next one has;
//   one-leader-after-heal (liveness): after the heal one leader writes --
//                        so a fixed program that never wrote would fail.
#include "core/recipes/herd_free_election.h"
#include "core/recipes/leader_selector.h"
#include "scenarios/recipes/candidate.h"
#include "scenarios/recipes/recipe_scenario.h"
#include "scenarios/recipes/scenarios.h"

#include <fmt/format.h>

#include <algorithm>
#include <memory>
#include <optional>

namespace zsim::scenarios::recipes {

namespace {

constexpr const char* kElection = "/election";
// What the application's operator configured, and the ensemble's bound.
constexpr Duration kAskedTimeout = seconds(20);
constexpr Duration kServerMaxTimeout = seconds(2);
constexpr Duration kRest = millis(150);

// The lease's state, shared with the heartbeats' callbacks (which may run
// after lead() returned, while the handle lives).
struct Lease {
  Time until{};  // host time: no write at or after it
  std::optional<Time> last_ok;  // when the last answered heartbeat was sent
  bool in_flight = false;
  bool failed = false;  // a heartbeat was not answered (ConnectionLoss, ...)
  bool lost = false;    // the session or the node is gone
};

// A heartbeat: a write that changes nothing -- a multi that checks the
// leader's node exists. A write must reach the ensemble's leader, which
// refuses it for a session it has expired or is expiring; a read would not
// do: a follower cut off from the leader answers reads for a while, for a
// session the leader may already have expired.
core::wire::Op heartbeat_op(const std::string& node) {
  core::MultiRequest m;
  m.ops.push_back(core::CheckRequest{node, core::kAnyVersion});
  return m;
}

// Sends a heartbeat unless one is on its way. An answer to heartbeat n
// extends the lease to (time heartbeat n-1 was sent + `length`), if n-1 was
// sent less than `length` before n: the leader has then surely heard of the
// session's touch by n-1 (a follower reports touches to the leader only on
// its next ping, and n's write went the same way after it), while n alone
// may have been prepared by the leader just before it expired the session
// -- after a long silence, that is what happens.
void heartbeat(ClientCtx& me, core::Client& zk, const std::string& node, const std::shared_ptr<Lease>& lease,
               Duration length) {
  if (lease->in_flight) return;
  lease->in_flight = true;
  const Time sent = me.env().clock.now();
  zk.submit(heartbeat_op(node), [lease, sent, length](core::Code code, core::wire::ReplyBody) {
    lease->in_flight = false;
    if (code == core::Code::Ok) {
      if (lease->last_ok && sent - *lease->last_ok < length) {
        lease->until = std::max(lease->until, *lease->last_ok + length);
      }
      lease->last_ok = sent;
    } else if (code == core::Code::SessionExpired || code == core::Code::NoNode) {
      lease->lost = true;
    } else {
      lease->failed = true;
    }
  });
}

// Leads under a lease whose length is half the timeout the leader believes
// its session has.
void lead_with_lease(ClientCtx& me, FencedResource& db, core::recipes::Election& e, bool negotiated) {
  core::Client& zk = e.client();
  const Duration timeout = negotiated ? millis(zk.negotiated_timeout_ms()) : kAskedTimeout;
  const Duration length = timeout / 2;
  auto lease = std::make_shared<Lease>();
  // The first lease: two heartbeats answered in a row.
  while (!lease->lost && !lease->failed && me.env().clock.now() >= lease->until) {
    heartbeat(me, zk, e.node(), lease, length);
    me.sleep(kRest);
  }
  while (!lease->lost && me.env().clock.now() < lease->until) {
    heartbeat(me, zk, e.node(), lease, length);
    // The check just above and this write are one step: no pause falls
    // between. The token is not checked (the database has no fencing): it
    // only tells the resource's judge one leadership from the next.
    db.act(me, e.token());
    me.sleep(kRest);
  }
}

ClientBody lease_leader(FencedResource& db, bool negotiated) {
  return [&db, negotiated](ClientCtx& me) {
    namespace r = core::recipes;
    r::LeaderSelectorHooks hooks;
    hooks.session = [&me]() -> core::Client& { return me.zk(); };
    hooks.candidacy = [&me](core::Client& zk) -> std::unique_ptr<r::Election> {
      r::HerdFreeElectionOptions o;
      o.path = kElection;
      o.id = me.unique_id();
      o.data = me.name();
      return std::make_unique<r::HerdFreeElection>(zk, o);
    };
    hooks.lead = [&me, &db, negotiated](r::Election& e) { lead_with_lease(me, db, e, negotiated); };
    r::LeaderSelector(std::move(hooks), seconds(60)).run();
  };
}

// Nobody writes through a session the ensemble had already closed.
class ActsAfterExpiry final : public Check {
 public:
  std::string name() const override { return "acts-after-expiry"; }
  bool judge_unfinished() const override { return true; }
  std::optional<Violation> on_action(const Cluster& c, const FencedResource& r, const ResourceAction& a) override {
    if (!a.accepted || a.session == 0) return std::nullopt;
    const std::optional<Time> closed = c.ensemble().session_closed_at(a.session);
    if (!closed || *closed >= a.at) return std::nullopt;
    return Violation{sim::Verdict::kInvariant,
                     fmt::format("{} wrote to {} at {}, {:.2f} s after the ensemble had expired its session 0x{:x} (at "
                                 "{}): it asked for {} sessions, the servers allow at most {}, and its lease was "
                                 "reckoned from what it asked for",
                                 a.actor, r.name(), format_time(a.at), static_cast<double>((a.at - *closed).count()) / 1e9,
                                 static_cast<uint64_t>(a.session), format_time(*closed),
                                 format_duration(kAskedTimeout), format_duration(kServerMaxTimeout)),
                     a.actor};
  }
};

Scenario one_administrator(bool fixed) {
  FaultModel faults;
  faults.server_faults = false;
  faults.swarm = false;  // every seed has client and network faults
  faults.down_max = seconds(4);
  faults.fault_gap_mean = millis(400);  // often enough that most seeds cut the leader off
  ClusterShape shape{.voters = 3, .clients = 2};
  shape.session_timeout_min = kAskedTimeout;
  shape.session_timeout_max = kAskedTimeout;
  shape.server_session_timeout_max = kServerMaxTimeout;
  return recipe_scenario({
      .name = fixed ? "one-administrator" : "one-administrator-naive",
      .summary = fixed ? "lesson 6, fixed: leaders ask for 20 s sessions, servers allow 2 s; the leader's lease "
                         "uses the negotiated timeout"
                       : "deliberately broken (lesson 6): leaders ask for 20 s sessions, servers allow 2 s; the "
                         "leader's lease uses the timeout it asked for and outlives its session",
      .shape = shape,
      .faults = faults,
      .setup =
          [fixed](Cluster& c) {
            FencedResource& db = c.fenced_resource("/db", Fencing::kNone);
            c.clients(lease_leader(db, fixed), Until::kRunEnds);
            c.add_check(std::make_unique<ActsAfterExpiry>());
            c.add_check(one_leader_after_heal(db, ElectionLayout{kElection, ElectionLayout::Shape::kLine},
                                              seconds(1)));
          },
  });
}

}  // namespace

void register_one_administrator(std::vector<Scenario>& out) {
  out.push_back(one_administrator(false));
  out.push_back(one_administrator(true));
}

}  // namespace zsim::scenarios::recipes
