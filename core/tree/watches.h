// Watches: which watcher hears which event (ZooKeeper's server-side
// WatchManager pair plus DataTree.setWatches), pure and deterministic.
//
// Two tables, as in ZooKeeper:
//   data table  — getData/exists watches (an exists() on a missing node is an
//                 "exist" watch; the server stores it with the data watches),
//                 PERSISTENT and PERSISTENT_RECURSIVE watches;
//   child table — getChildren watches, PERSISTENT and PERSISTENT_RECURSIVE
//                 watches (ZooKeeper 3.8's DataTree.addWatch adds to both).
// Triggers (from apply(); `events` in txn order):
//   NodeCreated(p), NodeDataChanged(p) -> data table at p;
//   NodeDeleted(p)          -> data table at p, then child table at p, a
//                              watcher hearing it at most once;
//   NodeChildrenChanged(p)  -> child table at p.
// PERSISTENT_RECURSIVE watches also match every descendant of their path,
// in both tables, for every event but NodeChildrenChanged, which they never
// hear. Standard watches are removed when they fire; persistent ones stay.
// Within one event each watcher is notified at most once, in increasing
// WatcherId order; events keep txn order. One mode per (table, path,
// watcher), as ZooKeeper's WatcherModeManager keeps: a later add replaces
// the earlier mode. So a one-shot watch set after a recursive one on the
// same path replaces it in its table only (after a getData -w, the child
// table stays recursive: descendants' deletions are still heard). The
// conformance scripts pin each case against a real 3.8.0 server
// (tests/tools/conformance/watch-modes.zk).
//
// A WatcherId is opaque here: the server uses whatever identifies a
// client's watch registrations (ZooKeeper uses the connection).
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/tree/data_tree.h"

namespace zsim::core {

// ZooKeeper's Watcher.Event.EventType values.
enum class EventType : int32_t {
  None = -1,
  NodeCreated = 1,
  NodeDeleted = 2,
  NodeDataChanged = 3,
  NodeChildrenChanged = 4,
  DataWatchRemoved = 5,
  ChildWatchRemoved = 6,
  PersistentWatchRemoved = 7,
};

std::string_view event_type_name(EventType type);

struct WatchEvent {
  EventType type = EventType::None;
  std::string path;
  friend bool operator==(const WatchEvent&, const WatchEvent&) = default;
};

using WatcherId = int64_t;

enum class WatchKind : uint8_t {
  Data,                 // getData / exists on an existing node
  Exist,                // exists on a missing node (stored as Data)
  Child,                // getChildren
  Persistent,           // addWatch PERSISTENT
  PersistentRecursive,  // addWatch PERSISTENT_RECURSIVE
};

struct WatchDelivery {
  WatcherId watcher = 0;
  WatchEvent event;
  friend bool operator==(const WatchDelivery&, const WatchDelivery&) = default;
};

// What a reconnecting client re-registers (ZooKeeper's SetWatches2).
struct WatchSet {
  std::vector<std::string> data;
  std::vector<std::string> exist;
  std::vector<std::string> child;
  std::vector<std::string> persistent;
  std::vector<std::string> persistent_recursive;
};

class WatchManager {
 public:
  // REQUIRES: path is a valid path.
  void add(WatcherId watcher, std::string_view path, WatchKind kind);

  // Removes every watch of `watcher` (its connection or session is gone).
  void remove_watcher(WatcherId watcher);

  // Delivers `events` (in order) to the matching watchers, removing the
  // standard watches that fire.
  std::vector<WatchDelivery> trigger(const std::vector<WatchEvent>& events);

  // The reconnect rule (DataTree.setWatches): for each re-registered watch,
  // either the event for what the client missed since `last_zxid` fires now,
  // or the watch is registered again:
  //   data:  node gone -> NodeDeleted; mzxid > last_zxid -> NodeDataChanged;
  //   exist: node present -> NodeCreated;
  //   child: node gone -> NodeDeleted; pzxid > last_zxid -> NodeChildrenChanged;
  //   persistent ones are re-registered and fire nothing.
  // A create+delete while the client was away leaves no trace and fires
  // nothing. Deliveries come in list order: data, exist, child.
  std::vector<WatchDelivery> reregister(const DataTree& tree, int64_t last_zxid,
                                        WatcherId watcher, const WatchSet& watches);

  // Watches registered, over both tables.
  size_t size() const;
  // True if `watcher` has a watch of `kind` on `path` (Exist reads as Data).
  bool has(WatcherId watcher, std::string_view path, WatchKind kind) const;

 private:
  enum class Mode : uint8_t { Standard, Persistent, PersistentRecursive };
  // path -> watcher -> mode. Ordered so deliveries are deterministic.
  using Table = std::map<std::string, std::map<WatcherId, Mode>, std::less<>>;

  static void put(Table& table, std::map<WatcherId, std::set<std::string>>& by_watcher,
                  WatcherId watcher, std::string_view path, Mode mode);
  // Watchers at `path` in `table` (recursive ones only if `recursive_hears`),
  // plus recursive ones at its ancestors; one-shot matches are removed.
  std::set<WatcherId> collect(Table& table, std::map<WatcherId, std::set<std::string>>& by_watcher,
                              std::string_view path, bool with_ancestors, bool recursive_hears);

  Table data_;
  Table child_;
  // Reverse indices for remove_watcher.
  std::map<WatcherId, std::set<std::string>> data_by_watcher_;
  std::map<WatcherId, std::set<std::string>> child_by_watcher_;
};

}  // namespace zsim::core
