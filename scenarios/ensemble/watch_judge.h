// WatchJudge: judges the watch events clients saw against the committed
// history, by ZooKeeper's promise for watches (the `watches` scenario).
//
// What the judge knows of an event (scenarios/ensemble/client_log.h): its
// type and path, the last zxid the client had seen when it came (L: every
// reply and ping before it), and the zxid of the next reply on the same
// connection (every frame after an event comes from a tree that applied
// the change). Notifications carry no zxid (ZooKeeper 3.8's do not
// either), so for a one-shot watch the change is the first one after the
// watch was set -- exactly known -- and for persistent watches the events
// are matched, in order, to the changes they cover. The changes are derived
// from the committed txns themselves (create: NodeCreated of the node and
// NodeChildrenChanged of its parent; delete, and each ephemeral of a
// closeSession: NodeDeleted and the parent's NodeChildrenChanged; setData:
// NodeDataChanged; a multi: those of its ops), not from core::apply's
// event list.
//
// One-shot watches. A "slot" per path and table -- the data table for
// getData/exists, the child table for getChildren -- is set at the zxid R
// of the reply that set it (the server keeps one watch per path, table and
// client, registered when it answered); a later read with a watch while
// the slot is set changes nothing. Then:
//  - it fires at most once per registration: an event needs a set slot and
//    clears it (NodeDeleted clears both slots of its path);
//  - for the first change after it was set: that change (zxid z1 > R)
//    exists, z1 > L, z1 <= the next reply's zxid on the connection, and,
//    on the connection the watch was set on, the event's type is z1's;
//  - the client sees the event before any data newer than the change: no
//    reply with a zxid >= z1 arrives while the slot is set. A reconnect
//    re-registers the watch with the last zxid seen and the new server
//    fires what was missed, so this holds across connections: none is
//    lost;
//  - events of watches set on the connection they fire on come in zxid
//    order.
// Across a reconnect the event's type may reflect the new server's state
// (a node changed, then deleted, fires NodeDeleted): it must be one the
// watch can fire. And an exists() watch on a missing node misses a create
// and delete that both happened while the client was away (ZooKeeper's
// documented limit: the reconnect finds no node and sets the watch again);
// that registration is then judged only as far as that allows (counted in
// unjudged()).
//
// Persistent watches (addWatch: PERSISTENT hears NodeCreated,
// NodeDataChanged, NodeDeleted and NodeChildrenChanged of its path;
// PERSISTENT_RECURSIVE the first three on its path and below), from the
// registration's zxid on:
//  - every event is a committed change the watches cover, matched in
//    commit order to the earliest change it can be, above L and at or
//    below the next reply's zxid (so: no phantom, no duplicate, zxid
//    order);
//  - none is lost on a live connection: a reply at zxid R means every
//    covered change up to R came before it. Changes made while the client
//    was away (up to its new connection's first reply or event) may be
//    lost: ZooKeeper re-registers persistent watches without replaying
//    what was missed.
//
// A session uses one kind of watch (the client library delivers every
// event to one watcher, so a persistent and a one-shot watch on one path
// could not be told apart): a session that added a persistent watch is
// judged by the persistent rules only.
//
// REQUIRES: the committed history has no unknown stretch (CommitLog::chain()
// covers every entry): a change in a gap could not be told from a phantom.
#pragma once

#include "core/tree/watches.h"
#include "core/txn/txn.h"
#include "scenarios/commit_log.h"
#include "scenarios/ensemble/client_log.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace zsim::scenarios::ensemble {

// One change a committed txn made that a watch can hear about.
struct WatchChange {
  std::int64_t zxid = 0;
  core::EventType type = core::EventType::None;
  std::string path;
};

// The changes of one txn, in the order it makes them.
std::vector<WatchChange> changes_of(const core::Txn& txn);

class WatchJudge {
 public:
  // REQUIRES: `log` outlives the judge.
  WatchJudge(const CommitLog& commits, const ClientLog& log);

  // "" or the first violation in this session's timeline.
  std::string judge(const SessionTimeline& t);

  std::uint64_t events() const { return events_; }      // events judged
  std::uint64_t unjudged() const { return unjudged_; }  // the exists() limit applied

 private:
  enum class Table : std::uint8_t { kData, kChild };
  struct Slot {
    bool exist = false;            // data table, set by exists() on a missing node
    std::int64_t armed_at = -1;    // the reply's zxid; -1: not set
    std::optional<WatchChange> first;  // the first change after armed_at
    bool reconnected = false;      // a reconnect since it was set
    bool uncertain = false;        // lost to the exists() limit: not judged
  };
  using Slots = std::map<std::pair<std::string, Table>, Slot>;
  struct Registration {
    std::string path;
    bool recursive = false;
    std::int64_t at = 0;
  };

  static std::vector<std::int64_t> next_replies(const SessionTimeline& t);
  std::int64_t next_reply_zxid(std::size_t i) const;
  static std::optional<WatchChange> first_after(const std::map<std::string, std::vector<WatchChange>>& index,
                                                const std::string& path, std::int64_t zxid);
  bool deleted_between(const std::string& path, std::int64_t after, std::int64_t upto) const;

  std::string judge_one_shot(const SessionTimeline& t);
  std::string unheard_before(const SessionTimeline& t, Slots& slots, const ClientOp& op);
  void arm(Slots& slots, const ClientOp& op);
  std::string on_one_shot_event(const SessionTimeline& t, Slots& slots, std::size_t i, std::int64_t& last_exact);
  std::string judge_fired(const SessionTimeline& t, const Slot& slot, Table table, std::size_t i,
                          std::int64_t& last_exact);

  static bool covers(const Registration& r, const WatchChange& c);
  std::string judge_persistent(const SessionTimeline& t);
  std::string match_event(const SessionTimeline& t, std::size_t i, const std::vector<const WatchChange*>& expected,
                          std::vector<bool>& delivered, std::size_t& head, std::int64_t conn_from);

  const ClientLog& log_;
  std::map<std::string, std::vector<WatchChange>> data_;   // per path: Created, DataChanged, Deleted
  std::map<std::string, std::vector<WatchChange>> child_;  // per path: ChildrenChanged, Deleted
  std::vector<WatchChange> all_;                           // commit order
  std::vector<std::int64_t> next_reply_;                   // of the timeline being judged
  std::uint64_t events_ = 0;
  std::uint64_t unjudged_ = 0;
};

}  // namespace zsim::scenarios::ensemble
