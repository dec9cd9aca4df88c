// ZabOptions: every timing knob of ZAB replication in one place.
//
// Units are in the names. Election timing is in milliseconds of the host's
// clock, passed in as `now_ms` values; the leader's and followers' liveness
// checks count ticks of `tick_ms` (ZooKeeper's tickTime, initLimit,
// syncLimit), which the caller drives. The pure state machines in core/zab/
// never read a clock: they take `now_ms` or a tick number as an argument
// and report the next deadline they care about.
#pragma once

#include <cstdint>

namespace zsim::core::zab {

struct ZabOptions {
  // ZooKeeper's tickTime: the unit of init_limit_ticks and sync_limit_ticks.
  // The leader pings its followers every tick_ms / 2 and checks its quorum
  // on every such half tick (see QuorumLiveness).
  int64_t tick_ms = 100;
  // Discovery + synchronization must finish within this many ticks
  // (ZooKeeper's initLimit), else the leader (or follower) gives up and the
  // server starts a new election.
  int64_t init_limit_ticks = 10;
  // A follower that is not heard from for this many ticks is no longer
  // counted towards the leader's quorum; a follower that does not hear from
  // its leader for this long starts an election (ZooKeeper's syncLimit).
  int64_t sync_limit_ticks = 5;

  // After a quorum agrees with my proposal, wait this long for a better
  // vote before deciding (ZooKeeper's finalizeWait, 200 ms).
  int64_t finalize_wait_ms = 200;
  // When no notification arrives for this long, resend my vote to every
  // voter and double the interval, up to the max (ZooKeeper: 200 ms, capped
  // at 60 s; the cap here is lower so that simulated liveness phases heal
  // in seconds, not minutes).
  int64_t notification_interval_ms_min = 200;
  int64_t notification_interval_ms_max = 6400;

  // Planted bug (core/server/planted_bugs.h, ZOOKEEPER-1419-like): order
  // proposals by (zxid, leader) only, ignoring the epoch. Off except
  // through the catalog.
  bool planted_vote_without_epoch = false;
};

// True if the knobs are usable: all positive, min <= max,
// tick_ms >= 2 (half ticks are whole milliseconds).
bool options_valid(const ZabOptions& options);

}  // namespace zsim::core::zab
