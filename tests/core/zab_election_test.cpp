// Proves that Election (core/zab/election.h) follows FastLeaderElection:
//  - with reliable delivery in any order (RapidCheck picks which message is
//    delivered next), a minority of voters down, servers in different
//    rounds, and timers firing only when the network is idle
//    (finalize_wait_ms longer than the message delay): every live server
//    decides, all decide the same leader, and it is the best
//    (peer_epoch, zxid, sid) among the live voters — or, for servers that
//    start after a quorum decided, they join that quorum's leader, the best
//    among that quorum (property);
//  - with messages dropped and timers firing at arbitrary points (messages
//    arbitrarily slow), and servers restarting their election: every
//    decision names a voter whose own (zxid, peer_epoch) it carries and
//    whose vote beats the initial votes of a quorum; LEADING iff the leader
//    is me; then, once the network heals and servers that did not end up in
//    an established quorum restart (what ZAB's discovery timeout does),
//    every live server decides one common leader (property);
//  - the rules one by one: round handling, the finalize wait, the join path
//    and its check that the leader really leads, backoff, the drops of bad
//    input — and the documented limit: a lost message can make two servers
//    decide different leaders in one round (transcript).
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <vector>

#include "core/zab/election.h"

namespace zsim::core::zab {
namespace {

ZabOptions test_options() {
  ZabOptions o;
  o.finalize_wait_ms = 200;
  o.notification_interval_ms_min = 200;
  o.notification_interval_ms_max = 1600;
  return o;
}

QuorumVerifier make_config(int voters, int observers) {
  std::set<ServerId> v, o;
  for (int i = 1; i <= voters; ++i) v.insert(i);
  for (int i = 1; i <= observers; ++i) o.insert(100 + i);
  return QuorumVerifier(v, o);
}

struct InitialState {
  Zxid zxid = 0;
  Epoch epoch = 0;
};

// A set of Elections wired through an in-test router. Messages take no time;
// the test decides which one is delivered next, which are lost, and when
// timers fire.
class Cluster {
 public:
  Cluster(QuorumVerifier config, std::map<ServerId, InitialState> initial)
      : config_(config), initial_(std::move(initial)) {
    for (const auto& [sid, st] : initial_) nodes_.emplace(sid, Election(sid, config_, test_options()));
  }

  // Starts `sid`'s election. A server coming up connects to the live ones,
  // which resend their current vote on the new connection.
  void start(ServerId sid) {
    if (!up_.contains(sid)) {
      for (ServerId other : up_) absorb(other, node(other).on_connected(sid));
    }
    up_.insert(sid);
    absorb(sid, node(sid).start(initial_.at(sid).zxid, initial_.at(sid).epoch, now_));
  }
  // Drops every message in flight (connections reset).
  void drop_all() { in_flight_.clear(); }
  void set_down(ServerId sid) { down_.insert(sid); }

  void deliver(size_t i, bool drop) {
    ZSIM_ASSERT(i < in_flight_.size());
    Notification n = in_flight_[i];
    in_flight_.erase(in_flight_.begin() + static_cast<ptrdiff_t>(i));
    if (drop || down_.contains(n.to) || !up_.contains(n.to)) return;
    ElectionStep step = node(n.to).on_notification(n, now_);
    RC_ASSERT(step.ignored == Ignored::None || step.ignored == Ignored::ObserverToObserver);
    absorb(n.to, std::move(step));
  }
  // Fires `sid`'s timer at its deadline (time never goes back).
  void fire(ServerId sid) {
    const int64_t deadline = node(sid).next_deadline_ms();
    ZSIM_ASSERT(deadline != kNoDeadline);
    now_ = std::max(now_, deadline);
    absorb(sid, node(sid).tick(now_));
  }
  // The live looking server with the earliest deadline (ties: lowest sid).
  std::optional<ServerId> earliest_timer() const {
    std::optional<ServerId> best;
    for (ServerId sid : up_) {
      const int64_t d = nodes_.at(sid).next_deadline_ms();
      if (d != kNoDeadline && (!best || d < nodes_.at(*best).next_deadline_ms())) best = sid;
    }
    return best;
  }
  std::vector<ServerId> looking() const {
    std::vector<ServerId> out;
    for (ServerId sid : up_) {
      if (nodes_.at(sid).looking()) out.push_back(sid);
    }
    return out;
  }

  // A deterministic stream for delivery choices (one RapidCheck value seeds
  // it: thousands of choices per case would make generation and shrinking
  // slow).
  void seed(uint64_t seed) { rng_ = seed; }
  size_t pick(size_t n) {
    ZSIM_ASSERT(n > 0);
    uint64_t x = (rng_ += 0x9e3779b97f4a7c15ULL);
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return static_cast<size_t>((x ^ (x >> 31)) % n);
  }

  // Reliable delivery in an order the stream picks; timers only when idle.
  // Returns false if the budget ran out before every live server decided.
  bool run_reliable(int steps_max) {
    for (int step = 0; step < steps_max; ++step) {
      if (!in_flight_.empty()) {
        deliver(pick(in_flight_.size()), false);
        continue;
      }
      if (looking().empty()) return true;
      auto sid = earliest_timer();
      ZSIM_ASSERT(sid.has_value());
      fire(*sid);
    }
    return looking().empty();
  }

  // Every decision so far satisfies FastLeaderElection's validity.
  void check_decision(ServerId sid, const Vote& v) const {
    RC_ASSERT(config_.is_voter(v.leader));
    RC_ASSERT(v.zxid == initial_.at(v.leader).zxid);
    RC_ASSERT(v.peer_epoch == initial_.at(v.leader).epoch);
    size_t beaten = 0;
    for (ServerId voter : config_.voters()) {
      const Vote init{.leader = voter, .zxid = initial_.at(voter).zxid, .peer_epoch = initial_.at(voter).epoch};
      if (!better_proposal(init, v)) ++beaten;
    }
    RC_ASSERT(beaten >= config_.quorum_size());
    RC_ASSERT((v.state == PeerState::Leading) == (v.leader == sid));
    RC_ASSERT((v.state == PeerState::Observing) == config_.is_observer(sid));
  }

  Vote best_initial(const std::set<ServerId>& among) const {
    std::optional<Vote> best;
    for (ServerId sid : among) {
      if (!config_.is_voter(sid)) continue;
      Vote v{.leader = sid, .zxid = initial_.at(sid).zxid, .peer_epoch = initial_.at(sid).epoch};
      if (!best || better_proposal(v, *best)) best = v;
    }
    ZSIM_ASSERT(best.has_value());
    return *best;
  }

  Election& node(ServerId sid) { return nodes_.at(sid); }
  const std::set<ServerId>& up() const { return up_; }
  std::vector<Notification>& in_flight() { return in_flight_; }
  int64_t now() const { return now_; }
  void advance_to(int64_t t) { now_ = std::max(now_, t); }
  const std::vector<std::pair<ServerId, Vote>>& decisions() const { return decisions_; }

 private:
  void absorb(ServerId sid, ElectionStep step) {
    for (auto& n : step.send) {
      ZSIM_ASSERT(n.from == sid);
      if (!down_.contains(n.to)) in_flight_.push_back(n);
    }
    if (step.decided) {
      check_decision(sid, *step.decided);
      decisions_.emplace_back(sid, *step.decided);
    }
  }

  QuorumVerifier config_;
  std::map<ServerId, InitialState> initial_;
  std::map<ServerId, Election> nodes_;
  std::set<ServerId> up_;
  std::set<ServerId> down_;
  std::vector<Notification> in_flight_;
  std::vector<std::pair<ServerId, Vote>> decisions_;
  int64_t now_ = 0;
  uint64_t rng_ = 0;
};

// Small ranges so that ties on epoch and zxid (the sid decides) are common.
std::map<ServerId, InitialState> gen_initial(const QuorumVerifier& config) {
  std::map<ServerId, InitialState> out;
  auto add = [&](ServerId sid) {
    const Epoch epoch = *rc::gen::inRange<int64_t>(0, 3);
    const Epoch zxid_epoch = *rc::gen::inRange<int64_t>(0, epoch + 1);
    const int64_t counter = zxid_epoch == 0 ? *rc::gen::inRange<int64_t>(0, 3) : *rc::gen::inRange<int64_t>(1, 4);
    out[sid] = InitialState{.zxid = make_zxid(zxid_epoch, counter), .epoch = epoch};
  };
  for (ServerId sid : config.voters()) add(sid);
  for (ServerId sid : config.observers()) add(sid);
  return out;
}

QuorumVerifier gen_config() {
  const int voters = *rc::gen::element(1, 3, 5, 7);
  const int observers = *rc::gen::inRange(0, 3);
  return make_config(voters, observers);
}

// Reliable network, any delivery order, a minority down, staggered starts:
// every live server decides the same leader; if all started together it is
// the best vote among the live voters.
RC_GTEST_PROP(ZabElection, ReliableNetworkAgreesOnTheBestLiveVoter, ()) {
  const QuorumVerifier config = gen_config();
  Cluster cluster(config, gen_initial(config));
  cluster.seed(*rc::gen::arbitrary<uint64_t>());
  std::vector<ServerId> voters(config.voters().begin(), config.voters().end());
  const size_t down_count = *rc::gen::inRange<size_t>(0, (voters.size() - 1) / 2 + 1);
  const auto shuffled = *rc::gen::container<std::vector<size_t>>(voters.size(), rc::gen::inRange<size_t>(0, 1000));
  std::vector<std::pair<size_t, ServerId>> order;
  for (size_t i = 0; i < voters.size(); ++i) order.emplace_back(shuffled[i], voters[i]);
  std::sort(order.begin(), order.end());
  std::set<ServerId> live;
  for (size_t i = 0; i < order.size(); ++i) {
    if (i < down_count) cluster.set_down(order[i].second);
    else live.insert(order[i].second);
  }
  for (ServerId sid : config.observers()) live.insert(sid);
  // Either all live servers start together, or a first group starts, runs
  // until it decided (if it is a quorum) or for a while (if not), and the
  // rest start later. (Starting servers *during* another's finalize wait
  // can split decisions, like any late vote: see the transcript below.)
  const bool together = *rc::gen::arbitrary<bool>();
  std::set<ServerId> first, second;
  for (ServerId sid : live) (together || *rc::gen::arbitrary<bool>() ? first : second).insert(sid);
  auto start_all = [&](const std::set<ServerId>& group) {
    for (ServerId sid : group) {
      const int rounds = *rc::gen::inRange(1, 4);  // some begin in later rounds
      for (int r = 0; r < rounds; ++r) cluster.start(sid);
    }
  };
  start_all(first);
  std::optional<Vote> first_best;
  if (!second.empty()) {
    if (config.is_quorum(first)) {
      RC_ASSERT(cluster.run_reliable(20000));
      first_best = cluster.best_initial(first);
    } else {
      for (int i = 0; i < 2000 && !cluster.in_flight().empty(); ++i) {
        cluster.deliver(cluster.pick(cluster.in_flight().size()), false);
      }
      RC_ASSERT(cluster.in_flight().empty());
      RC_ASSERT(cluster.decisions().empty());
      cluster.advance_to(cluster.now() + *rc::gen::inRange<int64_t>(0, 3000));
    }
    start_all(second);
  }
  RC_ASSERT(cluster.run_reliable(20000));
  std::optional<ServerId> leader;
  for (ServerId sid : live) {
    const Vote& v = cluster.node(sid).current_vote();
    if (!leader) leader = v.leader;
    RC_ASSERT(v.leader == *leader);
  }
  RC_ASSERT(live.contains(*leader));
  RC_ASSERT(cluster.node(*leader).state() == PeerState::Leading);
  RC_ASSERT(*leader == (first_best ? *first_best : cluster.best_initial(live)).leader);
  RC_TAG(second.empty() ? "together" : first_best ? "late joiners" : "late quorum");
}

// Lossy network, timers at any point, restarts: every decision is valid
// (checked as it happens). Then heal: connections reset, every server that
// is not in an established quorum (a LEADING server followed by a quorum)
// restarts its election — what discovery's init_limit timeout does — and
// all servers converge on one leader, the established one if there was one.
RC_GTEST_PROP(ZabElection, LossyNetworkDecisionsAreValidAndHealingConverges, ()) {
  const QuorumVerifier config = gen_config();
  Cluster cluster(config, gen_initial(config));
  cluster.seed(*rc::gen::arbitrary<uint64_t>());
  std::vector<ServerId> all;
  for (ServerId sid : config.voters()) all.push_back(sid);
  for (ServerId sid : config.observers()) all.push_back(sid);
  for (ServerId sid : all) cluster.start(sid);
  const int steps = *rc::gen::inRange(0, 400);
  for (int i = 0; i < steps; ++i) {
    const int what = *rc::gen::inRange(0, 10);
    if (what < 7 && !cluster.in_flight().empty()) {
      const size_t idx = *rc::gen::inRange<size_t>(0, cluster.in_flight().size());
      cluster.deliver(idx, *rc::gen::inRange(0, 4) == 0);  // drop one in four
    } else if (what < 9) {
      auto looking = cluster.looking();
      if (!looking.empty()) cluster.fire(*rc::gen::elementOf(looking));
    } else {
      cluster.start(*rc::gen::elementOf(all));  // gave up (discovery failed)
    }
  }
  // Heal. A leader keeps its followers only if it leads a quorum.
  cluster.drop_all();
  std::map<ServerId, std::set<ServerId>> groups;
  for (ServerId sid : all) {
    const Election& e = cluster.node(sid);
    if (!e.looking()) groups[e.current_vote().leader].insert(sid);
  }
  std::optional<ServerId> kept;
  for (const auto& [leader, members] : groups) {
    if (cluster.node(leader).state() == PeerState::Leading && config.is_quorum(members)) {
      RC_ASSERT(!kept.has_value());  // two disjoint quorums cannot exist
      kept = leader;
    }
  }
  // Everyone else restarts: stale votes of the lossy phase are forgotten.
  for (ServerId sid : all) {
    const Election& e = cluster.node(sid);
    if (e.looking() || !kept || e.current_vote().leader != *kept) cluster.start(sid);
  }
  RC_ASSERT(cluster.run_reliable(20000));
  const ServerId leader = cluster.node(all.front()).current_vote().leader;
  for (ServerId sid : all) RC_ASSERT(cluster.node(sid).current_vote().leader == leader);
  if (kept) RC_ASSERT(leader == *kept);
  RC_TAG(kept ? "kept" : "reelected");
}

// ---- the rules one by one

Notification looking_vote(ServerId from, ServerId to, ServerId leader, Zxid zxid, Epoch epoch, int64_t round) {
  return Notification{.from = from,
                      .to = to,
                      .vote = Vote{.leader = leader, .zxid = zxid, .peer_epoch = epoch, .round = round,
                                   .state = PeerState::Looking}};
}

Notification settled_vote(ServerId from, ServerId to, ServerId leader, Epoch epoch, int64_t round, PeerState state) {
  return Notification{.from = from,
                      .to = to,
                      .vote = Vote{.leader = leader, .zxid = make_zxid(epoch, 5), .peer_epoch = epoch,
                                   .round = round, .state = state}};
}

TEST(ZabElection, StartSendsMyVoteToEveryOtherVoter) {
  Election e(2, make_config(3, 1), test_options());
  ElectionStep step = e.start(make_zxid(1, 7), 1, 0);
  ASSERT_EQ(step.send.size(), 2u);  // voters 1 and 3; never observers
  EXPECT_EQ(step.send[0].to, 1);
  EXPECT_EQ(step.send[1].to, 3);
  EXPECT_EQ(step.send[0].vote, (Vote{.leader = 2, .zxid = make_zxid(1, 7), .peer_epoch = 1, .round = 1,
                                     .state = PeerState::Looking}));
  EXPECT_TRUE(e.looking());
  EXPECT_EQ(e.next_deadline_ms(), 200);
}

TEST(ZabElection, SingleVoterLeadsAfterTheFinalizeWait) {
  Election e(1, make_config(1, 0), test_options());
  EXPECT_TRUE(e.start(0, 0, 1000).send.empty());
  EXPECT_EQ(e.next_deadline_ms(), 1200);
  EXPECT_FALSE(e.tick(1199).decided.has_value());
  ElectionStep step = e.tick(1200);
  ASSERT_TRUE(step.decided.has_value());
  EXPECT_EQ(step.decided->state, PeerState::Leading);
  EXPECT_EQ(e.next_deadline_ms(), kNoDeadline);
}

TEST(ZabElection, BetterVoteIsAdoptedAndSentToAll) {
  Election e(1, make_config(3, 0), test_options());
  e.start(make_zxid(1, 9), 1, 0);
  // Same epoch, lower zxid, higher sid: not better. The sender learns mine
  // (over datagrams nothing else would tell it).
  ElectionStep worse = e.on_notification(looking_vote(3, 1, 3, make_zxid(1, 8), 1, 1), 10);
  ASSERT_EQ(worse.send.size(), 1u);
  EXPECT_EQ(worse.send[0].to, 3);
  EXPECT_EQ(worse.send[0].vote.leader, 1);
  EXPECT_EQ(e.current_vote().leader, 1);
  // Higher peer epoch beats a higher zxid.
  ElectionStep step = e.on_notification(looking_vote(2, 1, 2, make_zxid(1, 1), 2, 1), 20);
  EXPECT_EQ(step.send.size(), 2u);
  EXPECT_EQ(e.current_vote().leader, 2);
  // Server 2 voted for itself, and so do I now: a quorum → finalize wait.
  EXPECT_EQ(e.next_deadline_ms(), 220);
  ElectionStep done = e.tick(220);
  ASSERT_TRUE(done.decided.has_value());
  EXPECT_EQ(done.decided->leader, 2);
  EXPECT_EQ(done.decided->state, PeerState::Following);
}

TEST(ZabElection, AnObserverThatAskedHearsWhenAVoterChangesItsMind) {
  // Voter 1 proposes 2 when observer 101 asks; then 3's better vote
  // arrives. The observer must hear the change (it learns votes only from
  // voters), or it would decide on a proposal every voter gave up.
  Election e(1, make_config(3, 1), test_options());
  e.start(0, 0, 0);
  e.on_notification(looking_vote(2, 1, 2, 0, 0, 1), 1);
  ElectionStep asked = e.on_notification(looking_vote(101, 1, kNoServer, 0, 0, 1), 2);
  ASSERT_EQ(asked.send.size(), 1u);
  EXPECT_EQ(asked.send[0].vote.leader, 2);
  ElectionStep changed = e.on_notification(looking_vote(3, 1, 3, 0, 0, 1), 3);
  std::set<ServerId> told;
  for (const Notification& n : changed.send) {
    EXPECT_EQ(n.vote.leader, 3);
    told.insert(n.to);
  }
  EXPECT_EQ(told, (std::set<ServerId>{2, 3, 101}));
  // A new election forgets who asked.
  ElectionStep restart = e.start(0, 0, 10);
  for (const Notification& n : restart.send) EXPECT_NE(n.to, 101);
}

TEST(ZabElection, SettledVoteNamesTheEstablishedLeaderAndEpoch) {
  // A decision made on stale votes (epoch 1) is corrected once the leader
  // is known to lead epoch 3: LOOKING peers then hear (leader 2, epoch 3)
  // from every member of the quorum, which is what they count.
  Election e(1, make_config(3, 0), test_options());
  e.start(make_zxid(1, 9), 1, 0);
  e.on_notification(looking_vote(2, 1, 2, make_zxid(1, 9), 1, 1), 10);
  ASSERT_TRUE(e.tick(210).decided.has_value());
  e.settle(2, make_zxid(3, 0), 3);
  ElectionStep answer = e.on_notification(looking_vote(3, 1, 3, make_zxid(1, 2), 1, 5), 300);
  ASSERT_EQ(answer.send.size(), 1u);
  EXPECT_EQ(answer.send[0].vote.leader, 2);
  EXPECT_EQ(answer.send[0].vote.peer_epoch, 3);
  EXPECT_EQ(answer.send[0].vote.state, PeerState::Following);
}

TEST(ZabElection, HigherRoundResetsVotesLowerRoundIsAnswered) {
  Election e(1, make_config(3, 0), test_options());
  e.start(make_zxid(1, 9), 1, 0);
  // Server 3 in round 5 proposes a worse vote: I adopt the round, keep my vote.
  ElectionStep step = e.on_notification(looking_vote(3, 1, 3, make_zxid(1, 2), 1, 5), 1);
  EXPECT_EQ(e.round(), 5);
  EXPECT_EQ(e.current_vote().leader, 1);
  EXPECT_EQ(step.send.size(), 2u);
  EXPECT_EQ(step.send[0].vote.round, 5);
  // A round-1 vote for a better server is answered, not adopted or counted.
  step = e.on_notification(looking_vote(2, 1, 2, make_zxid(2, 1), 2, 1), 2);
  ASSERT_EQ(step.send.size(), 1u);
  EXPECT_EQ(step.send[0].to, 2);
  EXPECT_EQ(step.send[0].vote.leader, 1);
  EXPECT_EQ(e.current_vote().leader, 1);
  EXPECT_EQ(e.next_deadline_ms(), 2 + 200);  // no quorum: only the resend timer
}

TEST(ZabElection, BetterVoteDuringFinalizeWaitCancelsIt) {
  Election e(1, make_config(3, 0), test_options());
  e.start(make_zxid(1, 1), 1, 0);
  e.on_notification(looking_vote(2, 1, 2, make_zxid(1, 5), 1, 1), 0);  // adopt 2; quorum {1,2}
  EXPECT_EQ(e.next_deadline_ms(), 200);
  e.on_notification(looking_vote(3, 1, 3, make_zxid(1, 6), 1, 1), 100);  // better: adopt 3; quorum {1,3}
  EXPECT_EQ(e.current_vote().leader, 3);
  EXPECT_EQ(e.next_deadline_ms(), 300);  // a fresh wait for the new proposal
  EXPECT_FALSE(e.tick(200).decided.has_value());
  EXPECT_EQ(e.tick(300).decided->leader, 3);
}

TEST(ZabElection, JoinsAnEstablishedLeaderOnlyIfItLeads) {
  Election e(4, make_config(5, 0), test_options());
  e.start(make_zxid(3, 50), 3, 0);  // my vote is better than the leader's
  e.on_notification(settled_vote(1, 4, 2, 2, 7, PeerState::Following), 1);
  e.on_notification(settled_vote(3, 4, 2, 2, 7, PeerState::Following), 2);
  // A quorum of three supports 2, but 2 has not said it leads: maybe crashed.
  EXPECT_FALSE(e.on_notification(settled_vote(5, 4, 2, 2, 6, PeerState::Following), 3).decided.has_value());
  // 2 answers, but its vote does not say it leads (it names itself while
  // still following, e.g. mid-sync): still not confirmed.
  EXPECT_FALSE(e.on_notification(settled_vote(2, 4, 2, 2, 7, PeerState::Following), 4).decided.has_value());
  ElectionStep step = e.on_notification(settled_vote(2, 4, 2, 2, 7, PeerState::Leading), 4);
  ASSERT_TRUE(step.decided.has_value());
  EXPECT_EQ(step.decided->leader, 2);
  EXPECT_EQ(step.decided->state, PeerState::Following);
  EXPECT_EQ(e.round(), 7);  // adopts the established round
  // Once settled, a LOOKING server is answered with my final vote.
  ElectionStep answer = e.on_notification(looking_vote(1, 4, 1, 0, 0, 9), 5);
  ASSERT_EQ(answer.send.size(), 1u);
  EXPECT_EQ(answer.send[0].vote.state, PeerState::Following);
  EXPECT_EQ(answer.send[0].vote.leader, 2);
  EXPECT_TRUE(e.on_notification(settled_vote(3, 4, 2, 2, 7, PeerState::Following), 6).send.empty());
}

TEST(ZabElection, ResendsWithExponentialBackoffCapped) {
  Election e(1, make_config(3, 0), test_options());  // min 200, max 1600
  e.start(0, 0, 0);
  std::vector<int64_t> fired;
  for (int i = 0; i < 6; ++i) {
    const int64_t at = e.next_deadline_ms();
    fired.push_back(at);
    EXPECT_EQ(e.tick(at).send.size(), 2u);
  }
  EXPECT_EQ(fired, (std::vector<int64_t>{200, 600, 1400, 3000, 4600, 6200}));
  // start() resets the backoff.
  e.start(0, 0, 7000);
  EXPECT_EQ(e.next_deadline_ms(), 7200);
}

TEST(ZabElection, BadInputIsDroppedAsAValue) {
  Election e(1, make_config(3, 1), test_options());
  EXPECT_EQ(e.on_notification(looking_vote(2, 1, 2, 0, 0, 1), 0).ignored, Ignored::NotStarted);
  e.start(0, 0, 0);
  EXPECT_EQ(e.on_notification(looking_vote(2, 3, 2, 0, 0, 1), 0).ignored, Ignored::NotForMe);
  EXPECT_EQ(e.on_notification(looking_vote(9, 1, 2, 0, 0, 1), 0).ignored, Ignored::UnknownSender);
  EXPECT_EQ(e.on_notification(looking_vote(1, 1, 2, 0, 0, 1), 0).ignored, Ignored::UnknownSender);
  EXPECT_EQ(e.on_notification(looking_vote(2, 1, 2, -5, 0, 1), 0).ignored, Ignored::Malformed);
  EXPECT_EQ(e.on_notification(looking_vote(2, 1, 2, 0, -1, 1), 0).ignored, Ignored::Malformed);
  EXPECT_EQ(e.on_notification(looking_vote(2, 1, 101, 0, 0, 1), 0).ignored, Ignored::LeaderNotVoter);
  // An observer asking gets my vote back and is never counted.
  ElectionStep step = e.on_notification(looking_vote(101, 1, 3, make_zxid(9, 9), 9, 1), 0);
  EXPECT_EQ(step.ignored, Ignored::None);
  ASSERT_EQ(step.send.size(), 1u);
  EXPECT_EQ(step.send[0].to, 101);
  EXPECT_EQ(e.current_vote().leader, 1);
}

TEST(ZabElection, ObserversDoNotTalkToEachOther) {
  const QuorumVerifier config = make_config(3, 2);
  Election e(101, config, test_options());
  e.start(0, 0, 0);
  EXPECT_EQ(e.on_notification(looking_vote(102, 101, 1, 0, 0, 1), 1).ignored, Ignored::ObserverToObserver);
  EXPECT_TRUE(e.on_connected(102).send.empty());
  ASSERT_EQ(e.on_connected(2).send.size(), 1u);  // a voter: my vote asks for its own
  Election v(2, config, test_options());
  EXPECT_TRUE(v.on_connected(1).send.empty());  // not started
  v.start(0, 0, 2);
  EXPECT_EQ(v.on_connected(101).send.size(), 1u);
  EXPECT_TRUE(v.on_connected(2).send.empty());
  EXPECT_TRUE(v.on_connected(77).send.empty());
}

TEST(ZabElection, ObserverFollowsTheVotersDecisionAsObserving) {
  Election e(101, make_config(3, 1), test_options());
  ElectionStep step = e.start(make_zxid(5, 5), 5, 0);
  EXPECT_EQ(step.send.size(), 3u);
  EXPECT_EQ(step.send[0].vote.leader, kNoServer);
  e.on_notification(settled_vote(1, 101, 3, 1, 1, PeerState::Following), 1);
  ElectionStep done = e.on_notification(settled_vote(3, 101, 3, 1, 1, PeerState::Leading), 2);
  ASSERT_TRUE(done.decided.has_value());
  EXPECT_EQ(done.decided->state, PeerState::Observing);
}

// The documented limit: FastLeaderElection alone does not guarantee
// agreement. Servers 1 and 2 agree on 2; 3's votes to them are lost. 2
// decides. Then 3's resend reaches 1 before 1's wait ends: 1 and 3 decide 3.
TEST(ZabElection, LostMessageCanSplitDecisionsDiscoveryMustResolveIt) {
  const QuorumVerifier config = make_config(3, 0);
  Election s1(1, config, test_options()), s2(2, config, test_options()), s3(3, config, test_options());
  s1.start(make_zxid(1, 1), 1, 0);
  auto to2 = s2.start(make_zxid(1, 1), 1, 0).send;
  auto from3 = s3.start(make_zxid(1, 9), 1, 0).send;  // the best vote; both copies are lost
  ASSERT_EQ(to2.size(), 2u);
  auto s1_sends = s1.on_notification(to2[0], 10).send;  // 1 adopts 2
  s2.on_notification(s1_sends[0], 20);                  // 2 sees the quorum {1, 2}
  EXPECT_EQ(s1.next_deadline_ms(), 210);
  EXPECT_EQ(s2.next_deadline_ms(), 220);
  ElectionStep d2 = s2.tick(220);
  ASSERT_TRUE(d2.decided.has_value());
  EXPECT_EQ(d2.decided->state, PeerState::Leading);
  // 3 heard nothing (1's and 2's votes are worse), resends at 200 — slow to 1.
  auto resend = s3.tick(200).send;
  ASSERT_EQ(resend[0].to, 1);
  auto s1_switch = s1.on_notification(resend[0], 205).send;  // before 1's wait ends
  EXPECT_EQ(s1.current_vote().leader, 3);
  s3.on_notification(s1_switch[1], 206);
  EXPECT_EQ(s1.tick(405).decided->leader, 3);
  EXPECT_EQ(s3.tick(406).decided->state, PeerState::Leading);
  // Two leaders of round 1: only 3 has a quorum (1 and 3); 2 will time out
  // in discovery and restart, then join 3.
}

}  // namespace
}  // namespace zsim::core::zab
