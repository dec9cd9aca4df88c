// CommitLog: what the ensemble really committed, for checks that judge a
// recipe by the znode states it produced -- never by what a client believes.
//
// It listens to every server's committed txns (EnsembleWorld's
// CommitListener) and keeps, once per zxid, in the global time of the
// first server that reported it:
//   - every node ever created: path, czxid, ephemeralOwner, when it was
//     created and when (and at which zxid) it was deleted -- by a delete, a
//     multi or the closeSession of its expired session;
//   - every session: when it was created and when it was closed.
// A server that installs a snapshot skips reporting the txns inside it; the
// nodes of such a tree that the log has not seen are added from the tree
// (creation time: when the snapshot was reported), so every node a client
// can name is known. A delete hidden inside a snapshot is inferred when the
// same path is created again (its time is then an upper bound).
//
// Single-threaded, like the simulator. Memory grows with the run's txns (a
// few thousand in a recipe scenario).
#pragma once

#include "core/io/time.h"
#include "core/tree/data_tree.h"
#include "core/txn/txn.h"
#include "scenarios/ensemble_world.h"
#include "sim/simulator.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

namespace zsim::scenarios::recipes {

struct NodeLife {
  std::string path;
  int64_t czxid = 0;
  int64_t owner = 0;  // ephemeralOwner: the session, or 0
  Time created_at{};
  std::optional<int64_t> deleted_zxid;
  std::optional<Time> deleted_at;
};

struct SessionLife {
  int64_t id = 0;
  std::optional<Time> created_at;  // absent if created inside a snapshot
  std::optional<int64_t> closed_zxid;
  std::optional<Time> closed_at;
};

// One committed value of a tracked node (CommitLog::track_data): its create
// (version 0) or a setData.
struct DataChange {
  int64_t zxid = 0;
  int32_t version = 0;
  std::string data;
  Time at{};
};

class CommitLog final : public CommitListener {
 public:
  explicit CommitLog(sim::Simulator& sim) : sim_(sim) {}

  void on_commit(const std::string& server, const core::Txn& txn) override;
  void on_snapshot(const std::string& server, const core::DataTree& tree) override;

  // The node created at `czxid`, or null if no such create was committed
  // (a multi can create several at one zxid: the first of them).
  const NodeLife* node(int64_t czxid) const;
  // Every node ever created, by czxid (= commit order; the nodes of one
  // multi in the multi's order).
  const std::multimap<int64_t, NodeLife>& nodes() const { return nodes_; }
  // The session, or null if the log never saw it.
  const SessionLife* session(int64_t id) const;
  // Keeps every committed value of `path` from now on (data_history).
  // Call before the run starts.
  void track_data(std::string path);
  // The committed values of a tracked path, by zxid (a value installed
  // only through a snapshot is taken from the snapshot's tree); null if the
  // path is not tracked.
  const std::map<int64_t, DataChange>* data_history(const std::string& path) const;
  // Distinct zxids committed so far.
  uint64_t committed() const { return seen_.size(); }

 private:
  void apply(const core::Txn& txn);
  void created(const core::CreateTxn& c, int64_t zxid);
  void deleted(const std::string& path, int64_t zxid);
  void data_changed(const std::string& path, int64_t zxid, int32_t version, const std::string& data);
  NodeLife* find(int64_t czxid, const std::string& path);

  sim::Simulator& sim_;
  std::unordered_set<int64_t> seen_;              // zxids reported (membership only)
  std::multimap<int64_t, NodeLife> nodes_;        // by czxid (a multi: several)
  std::map<std::string, int64_t> live_;           // path -> czxid of the live node
  std::map<int64_t, SessionLife> sessions_;       // by session id
  std::map<std::string, std::map<int64_t, DataChange>> data_;  // tracked path -> values by zxid
};

}  // namespace zsim::scenarios::recipes
