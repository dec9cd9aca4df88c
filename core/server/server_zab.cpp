// The replication half of Server: ZAB's election, discovery, synchronization
// and broadcast, driving the pure state machines of core/zab in the order
// docs/zab.md gives (persist before send).
//
// Two rules keep the tree honest about what is committed:
//  - During broadcast the tree holds exactly the committed txns; proposals
//    wait, logged, in unapplied_. Outside broadcast (electing, syncing,
//    after a restart) the tree holds the whole log: what is not yet known to
//    be committed sits in unreported_ too, and is reported to the invariant
//    monitor only once a leader's history confirms it (the leader's own at
//    establishment, a learner's when its sync keeps it).
//  - Only committed trees are snapshotted, so a snapshot is a floor that
//    no TRUNC ever has to go below.
#include "core/server/server.h"

#include "core/assert.h"
#include "core/codec.h"
#include "core/tree/snapshot.h"
#include "core/zab/sync.h"

#include <algorithm>
#include <utility>

namespace zsim::core {
namespace {

constexpr const char* kAcceptedEpochFile = "acceptedEpoch";
constexpr const char* kCurrentEpochFile = "currentEpoch";
constexpr int kEpochReadAttempts = 3;
// Written only under the planted ZOOKEEPER-2355 bug.
constexpr const char* kLastZxidSeenFile = "lastZxidSeen";

io::Hex hex(int64_t v) { return io::Hex{static_cast<uint64_t>(v)}; }

}  // namespace

// --- configuration -------------------------------------------------------------

std::string Server::ensemble_error(const ServerOptions& o) {
  if (o.ensemble.empty()) return "";
  std::set<int32_t> ids;
  std::set<io::HostId> hosts;
  std::set<zab::ServerId> voters;
  std::set<zab::ServerId> observers;
  for (const EnsembleMember& m : o.ensemble) {
    if (m.server_id < 0 || m.server_id > 255) return "server ids must be in [0, 255]";
    if (!ids.insert(m.server_id).second) return "server id " + std::to_string(m.server_id) + " appears twice";
    if (!hosts.insert(m.host).second) return "two servers on one host";
    (m.observer ? observers : voters).insert(m.server_id);
  }
  if (voters.empty()) return "an ensemble needs a voter";
  if (ids.count(o.server_id) == 0) return "this server (id " + std::to_string(o.server_id) + ") is not in the ensemble";
  if (o.tick_ms < 2 || o.init_limit_ticks <= 0 || o.sync_limit_ticks <= 0) return "tick and limits must be positive";
  zab::ZabOptions z;
  z.tick_ms = o.tick_ms;
  z.init_limit_ticks = o.init_limit_ticks;
  z.sync_limit_ticks = o.sync_limit_ticks;
  z.finalize_wait_ms = o.finalize_wait_ms;
  z.notification_interval_ms_min = o.notification_interval_ms_min;
  z.notification_interval_ms_max = o.notification_interval_ms_max;
  if (!zab::options_valid(z)) return "election timings must be positive, min <= max";
  if (o.zxid_counter_max < 2 || o.zxid_counter_max > zab::kCounterMax) return "zxid_counter_max out of range";
  return "";
}

zab::ZabOptions Server::zab_options() const {
  zab::ZabOptions z;
  z.tick_ms = options_.tick_ms;
  z.init_limit_ticks = options_.init_limit_ticks;
  z.sync_limit_ticks = options_.sync_limit_ticks;
  z.finalize_wait_ms = options_.finalize_wait_ms;
  z.notification_interval_ms_min = options_.notification_interval_ms_min;
  z.notification_interval_ms_max = options_.notification_interval_ms_max;
  z.planted_vote_without_epoch = planted(PlantedBug::kVoteWithoutEpoch);
  return z;
}

const EnsembleMember* Server::member_by_host(io::HostId host) const {
  for (const EnsembleMember& m : options_.ensemble) {
    if (m.host == host) return &m;
  }
  return nullptr;
}

const EnsembleMember* Server::member_by_id(zab::ServerId sid) const {
  for (const EnsembleMember& m : options_.ensemble) {
    if (m.server_id == sid) return &m;
  }
  return nullptr;
}

int64_t Server::now_ms() {
  // The election wants time that never goes back; a clock jumped backwards
  // holds it still until the clock catches up.
  mono_ms_ = std::max(mono_ms_, to_ns(env_.clock.now()) / 1'000'000);
  return mono_ms_;
}

// --- durable epochs ------------------------------------------------------------------

void Server::load_epochs() {
  auto read_epoch = [this](const char* name) -> std::optional<int64_t> {
    for (int attempt = 0; attempt < kEpochReadAttempts; ++attempt) {
      std::optional<io::Bytes> bytes = env_.disk.read(name);
      if (!bytes) return std::nullopt;
      if (bytes->size() != 12) continue;
      Reader r(*bytes);
      const int64_t value = r.i64();
      const uint32_t crc = r.u32();
      if (r.ok() && crc == crc32c(std::string_view(*bytes).substr(0, 8)) && zab::is_valid_epoch(value)) {
        return value;
      }
    }
    env_.trace.event("zab.epoch_file_unreadable", {{"file", name}});
    return std::nullopt;
  };
  // Missing (a new server) or unreadable: the epoch of the last logged txn,
  // as ZooKeeper does when it upgrades from a version without these files.
  const int64_t logged = zab::epoch_of(log_.last_appended_zxid());
  current_epoch_ = std::max(read_epoch(kCurrentEpochFile).value_or(logged), logged);
  accepted_epoch_ = std::max(read_epoch(kAcceptedEpochFile).value_or(current_epoch_), current_epoch_);
}

void Server::persist_epoch(const char* name, int64_t value, UniqueFunction<void(bool)> done) {
  Writer w;
  w.i64(value);
  w.u32(crc32c(w.view()));
  const std::string file = name;
  // A write of an earlier role may still be in flight (a pause, then a new
  // leader at once): each write has its own tmp file, and only the newest
  // one is renamed into place.
  const uint64_t seq = ++epoch_writes_[file];
  const std::string tmp = file + ".tmp" + std::to_string(seq);
  env_.disk.remove(tmp);
  env_.disk.append(tmp, w.take());
  env_.disk.sync(tmp, [this, alive = alive_, file, tmp, seq, done = std::move(done)](bool ok) mutable {
    if (!*alive) return;
    if (epoch_writes_[file] != seq) {
      env_.disk.remove(tmp);  // superseded: its role is gone
      return;
    }
    // rename is durable at once (io::Storage): the file is either the old
    // epoch or the new one, never a torn mix.
    if (ok) ok = env_.disk.rename(tmp, file);
    done(ok);
  });
}

// --- start and election ------------------------------------------------------------------

zab::Zxid Server::last_zxid_claimed() const {
  const zab::Zxid logged = log_.last_appended_zxid();
  return planted(PlantedBug::kLastZxidBeforeSync) ? std::max(logged, claimed_zxid_) : logged;
}

void Server::start_ensemble() {
  std::set<zab::ServerId> voters;
  std::set<zab::ServerId> observers;
  for (const EnsembleMember& m : options_.ensemble) (m.observer ? observers : voters).insert(m.server_id);
  config_.emplace(voters, observers);
  election_ = std::make_unique<zab::Election>(options_.server_id, *config_, zab_options());
  load_epochs();
  if (planted(PlantedBug::kLastZxidBeforeSync)) {
    // ZOOKEEPER-2355, planted: the zxid recorded ahead of the log counts.
    if (std::optional<io::Bytes> b = env_.disk.read(kLastZxidSeenFile); b && b->size() == 12) {
      Reader r(*b);
      const int64_t z = r.i64();
      if (r.u32() == crc32c(std::string_view(*b).substr(0, 8)) && r.ok()) claimed_zxid_ = z;
    }
  }
  // What recovery replayed may include txns no quorum ever had: they wait
  // for a leader's verdict before they count as committed.
  if (auto txns = log_.txns_after(log_.cache_base_zxid())) {
    int64_t prev = log_.cache_base_zxid();
    for (Txn& t : *txns) {
      const int64_t z = t.header.zxid;
      unreported_.push_back(Unreported{std::move(t), prev});
      prev = z;
    }
  }
  env_.trace.event("zab.start", {{"accepted_epoch", accepted_epoch_},
                                 {"current_epoch", current_epoch_},
                                 {"zxid", hex(log_.last_appended_zxid())},
                                 {"ensemble", config_->to_string()}});
  env_.net.listen(options_.client_port, [this](io::ConnId conn, io::HostId) { return on_accept(conn); });
  env_.net.listen(options_.quorum_port,
                  [this](io::ConnId conn, io::HostId host) { return on_learner_accept(conn, host); });
  env_.net.bind(options_.election_port,
                [this](io::HostId from, io::Bytes bytes) { on_vote_datagram(from, bytes); });
  env_.clock.schedule(millis(options_.tick_ms / 2), [this] { on_half_tick(); });
  env_.clock.schedule(millis(options_.reap_interval_ms), [this] { on_reap(); });
  role_ = Role::kLooking;
  become_looking("started");
}

void Server::become_looking(const char* why) {
  if (down_) return;
  ++generation_;
  ++stats_.elections;
  env_.trace.event("zab.looking", {{"why", why}, {"was", role_name(role_)}});
  serving_ = false;
  drop_all_clients("electing");
  // Leader state.
  for (const auto& [conn, l] : learners_) env_.net.close(conn);
  learners_.clear();
  discovery_.reset();
  tracker_.reset();
  liveness_.reset();
  established_ = false;
  accepted_persisted_ = false;
  current_persisted_ = false;
  disk_step_in_flight_ = false;
  leader_log_synced_ = false;
  sync_markers_.clear();
  tracked_.clear();
  // Learner state.
  if (leader_conn_ != 0) env_.net.close(leader_conn_);
  leader_conn_ = 0;
  stage_ = LearnerStage::kConnecting;
  newleader_pending_ = false;
  absorb_unapplied();
  pending_ = PendingChanges{};
  leader_sid_ = zab::kNoServer;
  role_ = Role::kLooking;
  on_election_step(election_->start(last_zxid_claimed(), current_epoch_, now_ms()));
}

void Server::absorb_unapplied() {
  // Proposals of a lost epoch (or of an abandoned sync): logged, maybe
  // committed, maybe not. The tree takes them (it holds the whole log
  // outside broadcast); the next leader's sync confirms or truncates them.
  while (!unapplied_.empty()) {
    Txn txn = std::move(unapplied_.front());
    unapplied_.pop_front();
    apply_txn(txn, false);
  }
}

void Server::on_election_step(zab::ElectionStep step) {
  for (const zab::Notification& n : step.send) {
    const EnsembleMember* to = member_by_id(n.to);
    if (to == nullptr) continue;
    env_.net.send_datagram(to->host, options_.election_port, quorum::encode(quorum::VoteMessage{n.to, n.vote}));
  }
  if (!step.decided || role_ != Role::kLooking) return;
  const zab::Vote& v = *step.decided;
  env_.trace.event("zab.decided", {{"leader", v.leader},
                                   {"zxid", hex(v.zxid)},
                                   {"peer_epoch", v.peer_epoch},
                                   {"round", v.round},
                                   {"state", zab::peer_state_name(v.state)}});
  if (v.leader == options_.server_id) {
    become_leader();
  } else {
    become_learner(v.leader);
  }
}

void Server::on_vote_datagram(io::HostId from, const io::Bytes& bytes) {
  if (down_ || !election_) return;
  const EnsembleMember* sender = member_by_host(from);
  if (sender == nullptr) return;
  Result<quorum::VoteMessage> m = quorum::decode_vote(bytes);
  if (!m.ok()) return;  // a datagram: dropped, as lost ones are
  zab::Notification n{sender->server_id, m.value().to, m.value().vote};
  on_election_step(election_->on_notification(n, now_ms()));
}

void Server::on_half_tick() {
  env_.clock.schedule(millis(options_.tick_ms / 2), [this] { on_half_tick(); });
  if (down_) return;
  ++half_ticks_;
  switch (role_) {
    case Role::kLooking: on_election_step(election_->tick(now_ms())); break;
    case Role::kLeading: leader_half_tick(); break;
    case Role::kFollowing:
    case Role::kObserving: learner_half_tick(); break;
    case Role::kStandalone: break;
  }
}

// --- leader ---------------------------------------------------------------------------

void Server::become_leader() {
  ++generation_;
  // Our whole log is the new history: a stale tail we once could not cut
  // back is part of it now, so no SNAP is needed any more.
  force_snap_ = false;
  role_ = Role::kLeading;
  leader_sid_ = options_.server_id;
  init_deadline_tick_ = half_ticks_ + 2 * options_.init_limit_ticks;
  discovery_.emplace(options_.server_id, *config_, accepted_epoch_,
                     zab::StateSummary{current_epoch_, last_zxid_claimed()});
  env_.trace.event("zab.leading", {{"accepted_epoch", accepted_epoch_}, {"zxid", hex(log_.last_appended_zxid())}});
  discovery_->begin();
  leader_progress();
}

io::StreamHandlers Server::on_learner_accept(io::ConnId conn, io::HostId host) {
  io::StreamHandlers h;
  const EnsembleMember* m = member_by_host(host);
  if (down_ || role_ != Role::kLeading || m == nullptr || m->server_id == options_.server_id) {
    env_.net.close(conn);
    return h;
  }
  Learner& l = learners_[conn];
  l.sid = m->server_id;
  l.observer = m->observer;
  const uint64_t gen = generation_;
  h.on_message = [this, conn, gen](io::Bytes bytes) {
    if (gen == generation_) on_learner_message(conn, bytes);
  };
  h.on_closed = [this, conn, gen](io::CloseReason) {
    if (gen == generation_) on_learner_closed(conn);
  };
  return h;
}

void Server::send_learner(io::ConnId conn, const quorum::Message& m) {
  if (learners_.count(conn) == 0) return;
  env_.net.send(conn, quorum::encode(m));
}

void Server::on_learner_closed(io::ConnId conn) {
  auto it = learners_.find(conn);
  if (it == learners_.end()) return;
  if (liveness_) liveness_->forget(it->second.sid);
  learners_.erase(it);
}

void Server::drop_learner(io::ConnId conn, const char* why) {
  auto it = learners_.find(conn);
  if (it == learners_.end()) return;
  env_.trace.event("zab.drop_learner", {{"sid", it->second.sid}, {"why", why}});
  env_.net.close(conn);
  on_learner_closed(conn);
}

void Server::on_learner_message(io::ConnId conn, const io::Bytes& bytes) {
  auto it = learners_.find(conn);
  if (it == learners_.end()) return;
  Result<quorum::Message> decoded = quorum::decode_message(bytes);
  if (!decoded.ok()) return drop_learner(conn, "malformed message");
  Learner& l = it->second;
  if (established_ && l.forwarding && liveness_) liveness_->heard(l.sid, half_ticks_);
  quorum::Message& msg = decoded.value();
  if (auto* info = std::get_if<quorum::LearnerInfo>(&msg)) {
    if (l.info || info->observer != l.observer) return drop_learner(conn, "bad LEARNERINFO");
    l.info = true;
    l.want_snapshot = info->want_snapshot;
    const zab::DiscoveryStep step = discovery_->on_follower_info(l.sid, info->accepted_epoch);
    if (step.outcome == zab::DiscoveryOutcome::LaterEpoch) return on_later_epoch(l.sid, info->accepted_epoch);
    if (step.outcome != zab::DiscoveryOutcome::Counted && step.outcome != zab::DiscoveryOutcome::Duplicate) {
      return drop_learner(conn, zab::discovery_outcome_name(step.outcome).data());
    }
    return leader_progress();
  }
  if (auto* ack = std::get_if<quorum::AckEpoch>(&msg)) {
    if (!l.info || !l.leader_info_sent || l.epoch_acked) return drop_learner(conn, "unexpected ACKEPOCH");
    l.epoch_acked = true;
    l.last_zxid = ack->last_zxid;
    const zab::DiscoveryStep step = discovery_->on_ack_epoch(l.sid, ack->current_epoch, ack->last_zxid);
    if (step.outcome == zab::DiscoveryOutcome::Refused) {
      env_.trace.event("zab.refused", {{"by", l.sid}, {"their_epoch", ack->current_epoch},
                                       {"their_zxid", hex(ack->last_zxid)}});
      return become_looking("a follower is more recent");
    }
    if (step.outcome != zab::DiscoveryOutcome::Counted && step.outcome != zab::DiscoveryOutcome::Duplicate) {
      return drop_learner(conn, zab::discovery_outcome_name(step.outcome).data());
    }
    return leader_progress();
  }
  if (std::holds_alternative<quorum::AckNewLeader>(msg)) {
    if (!l.sync_sent || l.newleader_acked) return drop_learner(conn, "unexpected ACK of NEWLEADER");
    l.newleader_acked = true;
    if (!established_) discovery_->on_newleader_ack(l.sid);
    return leader_progress();
  }
  if (auto* ack = std::get_if<quorum::Ack>(&msg)) {
    if (!l.forwarding || l.observer || !tracker_) return;
    return on_proposal_acked(l.sid, ack->zxid);
  }
  if (auto* pr = std::get_if<quorum::PingReply>(&msg)) {
    if (!established_) return;
    for (int64_t s : pr->touched_sessions) touch_tracked(s);
    return;
  }
  // Client traffic: only from a learner that serves, to a leader that serves.
  if (!established_ || !l.uptodate) return;
  if (auto* fwd = std::get_if<quorum::Forward>(&msg)) {
    if (std::holds_alternative<wire::SyncOp>(fwd->op)) {
      sync_markers_.push_back(SyncMarker{last_proposed(), conn, fwd->session_id, fwd->cxid});
      return resolve_sync_markers();
    }
    submit_write(l.sid, fwd->session_id, fwd->cxid, wire::to_request(fwd->op), fwd->auth);
    return;
  }
  if (auto* cs = std::get_if<quorum::CreateSession>(&msg)) {
    const int32_t timeout_ms = std::clamp(cs->timeout_ms, min_session_timeout_ms(), max_session_timeout_ms());
    submit_write(l.sid, 0, cs->token, CreateSessionRequest{timeout_ms});
    return;
  }
  if (auto* rv = std::get_if<quorum::Revalidate>(&msg)) {
    auto t = tracked_.find(rv->session_id);
    const bool valid = t != tracked_.end() && !t->second.closing;
    if (valid) {
      t->second.owner = l.sid;
      touch_tracked(rv->session_id);
    }
    return send_learner(conn, quorum::RevalidateReply{rv->session_id, valid});
  }
  drop_learner(conn, "unexpected message");
}

// A learner accepted a later epoch than this leadership's (it led, or
// followed, an attempt that never got a quorum): it refuses our LEADERINFO
// and can never join this epoch. Adopt its acceptedEpoch and re-elect, so
// the next epoch is later than every one accepted (zab/discovery.h). A
// higher acceptedEpoch is only a stronger promise, so taking it in memory
// is safe; it is written too, best effort, so a restart remembers it.
void Server::on_later_epoch(zab::ServerId sid, int64_t their_epoch) {
  env_.trace.event("zab.later_epoch", {{"sid", sid}, {"their_epoch", their_epoch},
                                       {"epoch", *discovery_->new_epoch()}});
  accepted_epoch_ = std::max(accepted_epoch_, their_epoch);
  persist_epoch(kAcceptedEpochFile, accepted_epoch_, [](bool) {});
  become_looking("a learner accepted a later epoch");
}

// Moves discovery and synchronization along as far as what is durable
// allows. Called after every step that may unblock it.
void Server::leader_progress() {
  if (role_ != Role::kLeading || !discovery_) return;
  const zab::DiscoveryPhase phase = discovery_->phase();
  if (phase == zab::DiscoveryPhase::CollectingInfo) return;
  const int64_t epoch = *discovery_->new_epoch();
  // 1. acceptedEpoch = new epoch, durable before any LEADERINFO.
  if (!accepted_persisted_) {
    if (disk_step_in_flight_) return;
    disk_step_in_flight_ = true;
    const uint64_t gen = generation_;
    persist_epoch(kAcceptedEpochFile, epoch, [this, gen, epoch](bool ok) {
      if (gen != generation_) return;
      if (!ok) return fail_disk();
      disk_step_in_flight_ = false;
      accepted_epoch_ = epoch;
      accepted_persisted_ = true;
      env_.random.fault_site("zab.leader.epoch-accepted");
      leader_progress();
    });
    return;
  }
  for (auto& [conn, l] : learners_) {
    if (l.info && !l.leader_info_sent) {
      l.leader_info_sent = true;
      send_learner(conn, quorum::LeaderInfo{epoch});
    }
  }
  if (phase == zab::DiscoveryPhase::CollectingEpochAcks) return;
  // 2. A quorum acked the epoch: currentEpoch = new epoch, durable before
  //    any NEWLEADER; and the leader's own log durable before it counts
  //    its own NEWLEADER ack.
  if (!current_persisted_) {
    if (disk_step_in_flight_) return;
    disk_step_in_flight_ = true;
    const uint64_t gen = generation_;
    persist_epoch(kCurrentEpochFile, epoch, [this, gen, epoch](bool ok) {
      if (gen != generation_) return;
      if (!ok) return fail_disk();
      disk_step_in_flight_ = false;
      current_epoch_ = epoch;
      current_persisted_ = true;
      leader_progress();
    });
    return;
  }
  if (!leader_log_synced_) {
    if (disk_step_in_flight_) return;
    disk_step_in_flight_ = true;
    const uint64_t gen = generation_;
    log_.sync([this, gen](bool ok) {
      if (gen != generation_) return;
      if (!ok) return fail_disk();
      disk_step_in_flight_ = false;
      leader_log_synced_ = true;
      leader_progress();
    });
    return;
  }
  for (auto& [conn, l] : learners_) {
    if (l.epoch_acked && !l.sync_sent) sync_learner(conn);
  }
  // 3. A quorum acked NEWLEADER: serve.
  if (discovery_->phase() == zab::DiscoveryPhase::Established && !established_) establish();
  if (!established_) return;
  for (auto& [conn, l] : learners_) {
    if (l.newleader_acked && !l.uptodate) {
      l.uptodate = true;
      send_learner(conn, quorum::UpToDate{});
    }
  }
}

void Server::sync_learner(io::ConnId conn) {
  Learner& l = learners_.at(conn);
  l.sync_sent = true;
  // Before establishment the leader's whole log is its history (the tree
  // holds it all); during broadcast the tree is the committed part and the
  // proposals in unapplied_ follow as PROPOSALs.
  const zab::Zxid committed = tree_.last_zxid();
  const zab::Zxid base = std::min(log_.cache_base_zxid(), committed);
  std::vector<Txn> cached = log_.txns_after(base).value_or(std::vector<Txn>{});
  std::erase_if(cached, [&](const Txn& t) { return t.header.zxid > committed; });
  std::vector<zab::Zxid> zxids;
  zxids.reserve(cached.size());
  for (const Txn& t : cached) zxids.push_back(t.header.zxid);
  zab::SyncPlan plan{zab::SyncKind::Snap, 0, committed, committed};
  // A learner that cannot truncate asked for a SNAP: only a SNAP will do.
  if (!l.want_snapshot && (cached.empty() ? base == committed : cached.back().header.zxid == committed)) {
    plan = zab::decide_sync(zab::summarize(base, committed, zxids), l.last_zxid);
  }
  if (plan.kind == zab::SyncKind::Trunc && planted(PlantedBug::kDiffWithoutTrunc)) {
    // ZOOKEEPER-1154, planted: the txns after the common point, as a DIFF.
    plan.kind = zab::SyncKind::Diff;
    plan.send_after = plan.truncate_to;
  }
  env_.trace.event("zab.sync", {{"sid", l.sid}, {"plan", zab::to_string(plan)}});
  if (plan.kind == zab::SyncKind::Snap) {
    send_learner(conn, quorum::SyncStart{quorum::SyncKind::kSnap, 0, write_snapshot(tree_)});
  } else {
    const bool trunc = plan.kind == zab::SyncKind::Trunc;
    send_learner(conn, quorum::SyncStart{trunc ? quorum::SyncKind::kTrunc : quorum::SyncKind::kDiff,
                                         trunc ? plan.truncate_to : 0, std::string{}});
    for (const Txn& t : cached) {
      if (t.header.zxid > plan.send_after) send_learner(conn, quorum::SyncTxn{t});
    }
  }
  // From here on the learner gets every new proposal (or, an observer,
  // every commit); the outstanding ones follow now, in order.
  l.forwarding = true;
  if (!l.observer) {
    for (const Txn& t : unapplied_) send_learner(conn, quorum::Proposal{t});
  }
  send_learner(conn, quorum::NewLeader{*discovery_->new_epoch()});
  env_.random.fault_site("zab.leader.newleader-sent");
}

void Server::establish() {
  established_ = true;
  ++stats_.established;
  const int64_t epoch = *discovery_->new_epoch();
  // A quorum holds the leader's whole log now: all of it is committed,
  // including a snapshot it took from an earlier, never established leader.
  if (snapshot_unreported_ >= 0 && options_.observer != nullptr) {
    options_.observer->on_leader_snapshot(snapshot_unreported_);
  }
  snapshot_unreported_ = -1;
  for (Unreported& u : unreported_) report_commit(u.txn, u.prev_zxid);
  unreported_.clear();
  pending_ = PendingChanges{};
  next_zxid_ = zab::first_zxid_of_epoch(epoch);
  tracker_.emplace(options_.server_id, *config_, tree_.last_zxid());
  liveness_.emplace(options_.server_id, *config_, 2 * options_.sync_limit_ticks);
  for (const auto& [conn, l] : learners_) {
    if (l.forwarding) liveness_->heard(l.sid, half_ticks_);
  }
  self_acked_ = tree_.last_zxid();
  track_all_sessions();
  if (options_.observer != nullptr) options_.observer->on_established(epoch, tree_.last_zxid());
  election_->settle(options_.server_id, tree_.last_zxid(), epoch);
  serving_ = true;
  env_.trace.event("zab.established", {{"epoch", epoch},
                                       {"zxid", hex(tree_.last_zxid())},
                                       {"acks", uint64_t{discovery_->newleader_acks().size()}}});
  env_.random.fault_site("zab.leader.established");
}

void Server::propose(Txn txn) {
  const zab::Zxid zxid = txn.header.zxid;
  ++stats_.proposals;
  log_.append(txn);
  env_.random.fault_site("zab.leader.proposal-logged");
  tracker_->propose(zxid);
  // Encoded once for every follower.
  quorum::Proposal proposal{std::move(txn)};
  const std::string bytes = quorum::encode(proposal);
  for (const auto& [conn, l] : learners_) {
    if (l.forwarding && !l.observer) env_.net.send(conn, bytes);
  }
  env_.random.fault_site("zab.leader.proposal-sent");
  unapplied_.push_back(std::move(proposal.txn));
  const uint64_t gen = generation_;
  log_.sync([this, gen](bool ok) {
    if (gen != generation_) return;
    if (!ok) return fail_disk();
    on_leader_synced();
  });
}

void Server::on_leader_synced() {
  const zab::Zxid synced = log_.last_synced_zxid();
  if (planted(PlantedBug::kCommitBeforeQuorum)) {
    // Deliberately broken: the leader's own log is taken for a quorum.
    std::vector<zab::Zxid> ready;
    for (const Txn& t : unapplied_) {
      if (t.header.zxid <= synced) ready.push_back(t.header.zxid);
    }
    self_acked_ = std::max(self_acked_, synced);
    commit_upto(ready);
    return;
  }
  std::vector<zab::Zxid> mine;
  for (const Txn& t : unapplied_) {
    if (t.header.zxid > self_acked_ && t.header.zxid <= synced) mine.push_back(t.header.zxid);
  }
  self_acked_ = std::max(self_acked_, synced);
  for (zab::Zxid z : mine) on_proposal_acked(options_.server_id, z);
}

void Server::on_proposal_acked(zab::ServerId from, zab::Zxid zxid) {
  const zab::AckResult r = tracker_->on_ack(from, zxid);
  commit_upto(r.committed);
}

void Server::commit_upto(const std::vector<zab::Zxid>& zxids) {
  for (zab::Zxid z : zxids) {
    if (z <= tree_.last_zxid()) continue;  // committed early (unsafe mode)
    ZSIM_ASSERT(!unapplied_.empty());
    ZSIM_ASSERT(unapplied_.front().header.zxid == z);
    quorum::Inform inform{std::move(unapplied_.front())};
    unapplied_.pop_front();
    const std::string commit = quorum::encode(quorum::Commit{z});
    std::string informed;  // encoded for the first observer that needs it
    for (const auto& [conn, l] : learners_) {
      if (!l.forwarding) continue;
      if (!l.observer) {
        env_.net.send(conn, commit);
        continue;
      }
      if (informed.empty()) informed = quorum::encode(inform);
      env_.net.send(conn, informed);
    }
    env_.random.fault_site("zab.leader.commit-sent");
    apply_txn(inform.txn, true);
  }
  if (!zxids.empty()) {
    resolve_sync_markers();
    maybe_snapshot();
  }
}

zab::Zxid Server::last_proposed() const {
  return unapplied_.empty() ? tree_.last_zxid() : unapplied_.back().header.zxid;
}

void Server::resolve_sync_markers() {
  while (!sync_markers_.empty() && sync_markers_.front().zxid <= tree_.last_zxid()) {
    const SyncMarker m = sync_markers_.front();
    sync_markers_.pop_front();
    if (m.learner == 0) {
      mark_sync_ready(m.session_id, m.cxid);
    } else {
      send_learner(m.learner, quorum::SyncDone{m.session_id, m.cxid});
    }
  }
}

void Server::leader_half_tick() {
  if (!established_) {
    if (half_ticks_ > init_deadline_tick_) become_looking("no quorum synchronized within initLimit");
    return;
  }
  const std::string ping = quorum::encode(quorum::Ping{});
  for (const auto& [conn, l] : learners_) {
    if (l.forwarding) env_.net.send(conn, ping);
  }
  if (!liveness_->has_quorum(half_ticks_) && !planted(PlantedBug::kLeaderNeverStepsDown)) {
    return become_looking("lost the quorum within syncLimit");
  }
  if (half_ticks_ % 2 == 0) expire_sessions();
}

// --- learner --------------------------------------------------------------------------

void Server::become_learner(zab::ServerId leader) {
  ++generation_;
  if (leader_conn_ != 0) env_.net.close(leader_conn_);
  leader_conn_ = 0;
  newleader_acked_ = false;
  // A new stream to the leader: answers to revalidations asked on the old
  // one will not come; those clients try again.
  drop_revalidating("the leader connection was replaced");
  absorb_unapplied();
  const bool observer = config_->is_observer(options_.server_id);
  role_ = observer ? Role::kObserving : Role::kFollowing;
  leader_sid_ = leader;
  init_deadline_tick_ = half_ticks_ + 2 * options_.init_limit_ticks;
  leader_heard_tick_ = half_ticks_;
  stage_ = LearnerStage::kConnecting;
  acked_upto_ = 0;
  newleader_pending_ = false;
  ZSIM_ASSERT(member_by_id(leader) != nullptr);
  env_.trace.event(observer ? "zab.observing" : "zab.following", {{"leader", leader}});
  connect_to_leader();
}

void Server::connect_to_leader() {
  const EnsembleMember* m = member_by_id(leader_sid_);
  ZSIM_ASSERT(m != nullptr);
  const bool observer = role_ == Role::kObserving;
  const uint64_t gen = generation_;
  io::StreamHandlers h;
  h.on_message = [this, gen](io::Bytes bytes) {
    if (gen == generation_) on_leader_message(bytes);
  };
  h.on_closed = [this, gen](io::CloseReason reason) {
    if (gen != generation_) return;
    leader_conn_ = 0;
    // Refused before the leader said anything: it may not have decided yet
    // (servers that restarted together decide within a few milliseconds
    // of each other). Try again within initLimit, as ZooKeeper's learner
    // does, instead of starting a new election round at once: a round per
    // refusal kept a power-lost ensemble electing in lockstep (kv seed 507).
    const bool nothing_heard = stage_ == LearnerStage::kConnecting || stage_ == LearnerStage::kInfoSent;
    if (nothing_heard && half_ticks_ + 1 < init_deadline_tick_) {
      env_.trace.event("zab.leader_retry", {{"leader", leader_sid_}});
      stage_ = LearnerStage::kConnecting;
      env_.clock.schedule(millis(options_.tick_ms / 2), [this, gen] {
        if (gen == generation_ && leader_conn_ == 0) connect_to_leader();
      });
      return;
    }
    become_looking(reason == io::CloseReason::kRefused ? "leader refused" : "leader connection lost");
  };
  leader_conn_ = env_.net.connect(m->host, options_.quorum_port, std::move(h), [this, gen, observer](io::ConnId) {
    if (gen != generation_) return;
    stage_ = LearnerStage::kInfoSent;
    leader_heard_tick_ = half_ticks_;
    send_leader(quorum::LearnerInfo{accepted_epoch_, last_zxid_claimed(), observer, force_snap_});
  });
}

void Server::send_leader(const quorum::Message& m) {
  if (leader_conn_ == 0) return;
  env_.net.send(leader_conn_, quorum::encode(m));
}

void Server::on_leader_message(const io::Bytes& bytes) {
  Result<quorum::Message> decoded = quorum::decode_message(bytes);
  if (!decoded.ok()) return become_looking("malformed message from the leader");
  leader_heard_tick_ = half_ticks_;
  quorum::Message& msg = decoded.value();
  const bool syncing_or_later = stage_ == LearnerStage::kSyncing || stage_ == LearnerStage::kBroadcast;
  if (auto* li = std::get_if<quorum::LeaderInfo>(&msg)) {
    if (stage_ != LearnerStage::kInfoSent) return become_looking("unexpected LEADERINFO");
    const zab::Zxid last = last_zxid_claimed();
    switch (zab::on_leader_info(accepted_epoch_, li->new_epoch)) {
      case zab::LeaderInfoAction::Reject: return become_looking("the leader's epoch is older than ours");
      case zab::LeaderInfoAction::AlreadyAccepted:
        stage_ = LearnerStage::kEpochAcked;
        new_epoch_ = li->new_epoch;
        return send_leader(quorum::AckEpoch{-1, last});
      case zab::LeaderInfoAction::Accept: {
        const uint64_t gen = generation_;
        const int64_t epoch = li->new_epoch;
        persist_epoch(kAcceptedEpochFile, epoch, [this, gen, epoch](bool ok) {
          if (gen != generation_) return;
          if (!ok) return fail_disk();
          accepted_epoch_ = epoch;
          new_epoch_ = epoch;
          stage_ = LearnerStage::kEpochAcked;
          env_.random.fault_site("zab.learner.epoch-accepted");
          send_leader(quorum::AckEpoch{current_epoch_, last_zxid_claimed()});
        });
        return;
      }
    }
    return;
  }
  if (auto* ss = std::get_if<quorum::SyncStart>(&msg)) {
    if (stage_ != LearnerStage::kEpochAcked) return become_looking("unexpected SYNC");
    stage_ = LearnerStage::kSyncing;
    return on_sync_start(std::move(*ss));
  }
  if (auto* st = std::get_if<quorum::SyncTxn>(&msg)) {
    if (stage_ != LearnerStage::kSyncing || newleader_pending_) return become_looking("unexpected SYNC txn");
    return on_sync_txn(st->txn);
  }
  if (auto* p = std::get_if<quorum::Proposal>(&msg)) {
    if (!syncing_or_later || role_ == Role::kObserving) return become_looking("unexpected PROPOSAL");
    return on_proposal(std::move(p->txn));
  }
  if (auto* c = std::get_if<quorum::Commit>(&msg)) {
    if (!syncing_or_later || role_ == Role::kObserving) return become_looking("unexpected COMMIT");
    return on_commit_msg(c->zxid);
  }
  if (auto* in = std::get_if<quorum::Inform>(&msg)) {
    if (!syncing_or_later || role_ != Role::kObserving) return become_looking("unexpected INFORM");
    if (in->txn.header.zxid <= log_.last_appended_zxid()) return become_looking("INFORM out of order");
    log_.append(in->txn);
    log_.sync([](bool) {});  // an observer acknowledges nothing
    flush_unreported();
    return apply_txn(in->txn, true);
  }
  if (auto* nl = std::get_if<quorum::NewLeader>(&msg)) {
    if (stage_ != LearnerStage::kSyncing || newleader_pending_ || nl->epoch != new_epoch_) {
      return become_looking("unexpected NEWLEADER");
    }
    newleader_pending_ = true;
    return try_ack_newleader();
  }
  if (std::holds_alternative<quorum::UpToDate>(msg)) {
    if (stage_ != LearnerStage::kSyncing || !newleader_acked_) return become_looking("unexpected UPTODATE");
    stage_ = LearnerStage::kBroadcast;
    if (planted(PlantedBug::kEpochAtUpToDate)) persist_epoch(kCurrentEpochFile, current_epoch_, [](bool) {});
    flush_unreported();
    serving_ = true;
    env_.trace.event("zab.uptodate", {{"leader", leader_sid_}, {"zxid", hex(tree_.last_zxid())}});
    return;
  }
  if (std::holds_alternative<quorum::Ping>(msg)) {
    quorum::PingReply reply;
    reply.touched_sessions.assign(touched_.begin(), touched_.end());
    touched_.clear();
    return send_leader(reply);
  }
  if (auto* sd = std::get_if<quorum::SyncDone>(&msg)) {
    if (stage_ != LearnerStage::kBroadcast) return;
    return mark_sync_ready(sd->session_id, sd->cxid);
  }
  if (auto* rr = std::get_if<quorum::RevalidateReply>(&msg)) {
    if (stage_ != LearnerStage::kBroadcast) return;
    return on_revalidate_reply(rr->session_id, rr->valid);
  }
  become_looking("unexpected message from the leader");
}

void Server::reconnect_for_snapshot(const char* why) {
  env_.trace.event("zab.need_snapshot", {{"why", why}});
  force_snap_ = true;
  become_learner(leader_sid_);
}

void Server::on_sync_start(quorum::SyncStart m) {
  if (m.kind == quorum::SyncKind::kTrunc && planted(PlantedBug::kTruncOffByOne) &&
      zab::counter_of(m.truncate_to) > 1 && log_.last_appended_zxid() > m.truncate_to) {
    // ZOOKEEPER-1156, planted: the txn at the truncation point goes too.
    m.truncate_to -= 1;
  }
  newleader_acked_ = false;
  if (force_snap_ && m.kind != quorum::SyncKind::kSnap) {
    // We asked for a SNAP because our log could not be cut back: a DIFF or
    // TRUNC would build the leader's history on top of a stale tail.
    return become_looking("asked for a SNAP, offered something else");
  }
  if (m.kind == quorum::SyncKind::kDiff) {
    // Our whole log is on the leader's history: it is committed once the
    // leader is established (reported then: flush_unreported).
    env_.trace.event("zab.synced", {{"kind", "DIFF"}, {"zxid", hex(tree_.last_zxid())}});
    return;
  }
  if (m.kind == quorum::SyncKind::kTrunc) {
    const zab::Zxid to = m.truncate_to;
    if (log_.last_appended_zxid() > to) {
      if (tree_.last_zxid() > to && (log_.sync_in_flight() || log_.snapshot_in_flight())) {
        return reconnect_for_snapshot("TRUNC while the disk is busy");
      }
      if (Status s = log_.truncate_after(to); !s.ok()) return reconnect_for_snapshot("TRUNC below our snapshot");
      env_.random.fault_site("zab.learner.trunc-done");
    }
    // What the truncation kept is on the leader's history; what it dropped
    // is gone.
    while (!unreported_.empty() && unreported_.back().txn.header.zxid > to) unreported_.pop_back();
    if (tree_.last_zxid() > to) {
      Result<DataTree> rebuilt = log_.recover();
      if (!rebuilt.ok()) {
        env_.trace.event("zk.recovery_failed", {{"error", rebuilt.status().to_string()}});
        return reconnect_for_snapshot("the log did not read back after TRUNC");
      }
      tree_ = std::move(rebuilt).value();
      ZSIM_ASSERT(tree_.last_zxid() == to);
    }
    env_.trace.event("zab.synced", {{"kind", "TRUNC"}, {"zxid", hex(tree_.last_zxid())}});
    return;
  }
  Result<DataTree> snap = read_snapshot(m.snapshot);
  if (!snap.ok()) return become_looking("bad snapshot from the leader");
  const zab::Zxid at = snap.value().last_zxid();
  if (log_.last_appended_zxid() > at) {
    if (Status s = log_.truncate_after(at); !s.ok()) return become_looking("cannot truncate to the leader's snapshot");
  }
  force_snap_ = false;
  unreported_.clear();
  unapplied_.clear();
  tree_ = std::move(snap).value();
  txns_since_snapshot_ = 0;
  snapshot_unreported_ = at;
  const uint64_t gen = generation_;
  log_.snapshot(tree_, [this, gen](bool ok) {
    if (gen != generation_) return;
    if (!ok) return fail_disk();
    env_.random.fault_site("zab.learner.snapshot-written");
    try_ack_newleader();
  });
  env_.trace.event("zab.synced", {{"kind", "SNAP"}, {"zxid", hex(at)}});
}

void Server::on_sync_txn(const Txn& txn) {
  if (txn.header.zxid <= log_.last_appended_zxid()) return become_looking("SYNC txn out of order");
  log_.append(txn);
  env_.random.fault_site("zab.learner.sync-txn-logged");
  apply_txn(txn, false);
}

void Server::flush_unreported() {
  // The leader is established (it commits, or sent UPTODATE): the history
  // it synchronized us to is committed.
  if (snapshot_unreported_ >= 0 && options_.observer != nullptr) options_.observer->on_snapshot(snapshot_unreported_);
  snapshot_unreported_ = -1;
  for (Unreported& u : unreported_) report_commit(u.txn, u.prev_zxid);
  unreported_.clear();
}

void Server::try_ack_newleader() {
  if (!newleader_pending_ || log_.snapshot_in_flight()) return;
  newleader_pending_ = false;
  // Persist what we received, then the epoch, then acknowledge.
  const uint64_t gen = generation_;
  const int64_t epoch = new_epoch_;
  auto ack = [this, gen, epoch] {
    if (gen != generation_) return;
    current_epoch_ = epoch;
    newleader_acked_ = true;
    election_->settle(leader_sid_, log_.last_appended_zxid(), epoch);
    send_leader(quorum::AckNewLeader{});
    env_.random.fault_site("zab.learner.newleader-acked");
    ack_synced();
  };
  auto persist_then_ack = [this, gen, epoch, ack](bool ok) {
    if (gen != generation_) return;
    if (!ok) return fail_disk();
    if (planted(PlantedBug::kEpochAtUpToDate)) return ack();  // ZOOKEEPER-1282: written at UPTODATE
    persist_epoch(kCurrentEpochFile, epoch, [this, gen, ack](bool ok2) {
      if (gen != generation_) return;
      if (!ok2) return fail_disk();
      ack();
    });
  };
  if (planted(PlantedBug::kNewLeaderAckBeforeSync)) return persist_then_ack(true);  // ZOOKEEPER-3911
  if (planted(PlantedBug::kLastZxidBeforeSync)) {
    // ZOOKEEPER-2355, planted: the zxid the sync reached is recorded as the
    // last processed one (durably, on its own) and NEWLEADER acknowledged,
    // while the sync's txns are still only in the log's unsynced tail.
    claimed_zxid_ = log_.last_appended_zxid();
    return persist_epoch(kLastZxidSeenFile, claimed_zxid_, std::move(persist_then_ack));
  }
  log_.sync(std::move(persist_then_ack));
}

void Server::on_proposal(Txn txn) {
  const zab::Zxid zxid = txn.header.zxid;
  if (zxid <= log_.last_appended_zxid()) return become_looking("PROPOSAL out of order");
  log_.append(txn);
  env_.random.fault_site("zab.follower.proposal-logged");
  unapplied_.push_back(std::move(txn));
  if (planted(PlantedBug::kAckBeforeSync)) {
    // Planted: the ACK promises a txn the disk does not hold yet.
    if (newleader_acked_ && role_ == Role::kFollowing) {
      send_leader(quorum::Ack{zxid});
      acked_upto_ = zxid;
      env_.random.fault_site("zab.follower.ack-sent");
    }
  }
  const uint64_t gen = generation_;
  log_.sync([this, gen](bool ok) {
    if (gen != generation_) return;
    if (!ok) return fail_disk();
    ack_synced();
  });
}

void Server::ack_synced() {
  // ACKs wait for NEWLEADER's: the leader counts them only from synced
  // followers, and our epoch must be durable first.
  if (!newleader_acked_ || role_ != Role::kFollowing) return;
  const zab::Zxid synced = log_.last_synced_zxid();
  bool sent = false;
  for (const Txn& t : unapplied_) {
    const zab::Zxid z = t.header.zxid;
    if (z > acked_upto_ && z <= synced) {
      send_leader(quorum::Ack{z});
      sent = true;
    }
  }
  acked_upto_ = std::max(acked_upto_, synced);
  if (sent) env_.random.fault_site("zab.follower.ack-sent");
}

void Server::on_commit_msg(zab::Zxid zxid) {
  if (unapplied_.empty() || unapplied_.front().header.zxid != zxid) {
    return become_looking("COMMIT of a txn we were not proposed next");
  }
  flush_unreported();
  Txn txn = std::move(unapplied_.front());
  unapplied_.pop_front();
  apply_txn(txn, true);
  maybe_snapshot();
}

void Server::learner_half_tick() {
  if (stage_ != LearnerStage::kBroadcast && half_ticks_ > init_deadline_tick_) {
    return become_looking("not synchronized within initLimit");
  }
  if (stage_ == LearnerStage::kBroadcast && half_ticks_ - leader_heard_tick_ > 2 * options_.sync_limit_ticks) {
    return become_looking("the leader is silent beyond syncLimit");
  }
}

}  // namespace zsim::core
