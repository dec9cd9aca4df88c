// ConfigNode: a configuration znode that writers update with version
// checks and every consumer watches (ZooKeeper's "configuration management"
// use, Curator's optimistic read-modify-write).
//
// Algorithm.
//   Writer, update(transform): getData(path) -> (data, version);
//     setData(path, transform(data), version). BadVersion: another writer
//     came first: read again and transform the NEW value (no update is
//     lost). A missing node is created with transform("") (NodeExists:
//     read again). ConnectionLoss: the write may or may not have landed.
//     After the reconnect the writer reads again: if the node holds the
//     value it wrote, it landed; otherwise it transforms what it reads and
//     writes again with the version it read. A lost write still in flight
//     cannot land as well: it carries the older expected version, so at
//     most one of the two is applied. (Values must be unique per write for
//     the "it landed" test -- e.g. carry the writer's id and a count.)
//   Consumer, ConfigWatcher: getData(path, watch) on every wake-up of its
//     handle, and publishes the value only when its version is higher than
//     the last one it published: a consumer never goes back. In a new
//     session it sync()s before the first read, so that a lagging server
//     does not hand it an older version than the ensemble's (a new session
//     carries no last-seen zxid).
// Znodes: `path` PERSISTENT (its parent must exist), data = the config.
// ConnectionLoss: see above; the watcher keeps its value and reads again
//   after the reconnect.
// Session expiry: SessionExpired; the caller takes a new session (the
//   watcher keeps its highest version across sessions of one process).
// Invariant: every committed value was made from the value just before it
//   (version v+1 from version v: no lost update); each consumer's published
//   versions never go down, and once writes stop, every consumer ends with
//   the last committed value.
//
// Blocking: every call runs on a fiber. Uses only core::Client.
#pragma once

#include "core/client/client.h"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace zsim::core::recipes {

struct ConfigValue {
  std::string data;
  int32_t version = -1;  // -1: the node does not exist
  int64_t mzxid = 0;
};

struct ConfigWriterOptions {
  std::string path = "/config";
  int rounds_max = 32;
  // How long to wait for a reconnect after a ConnectionLoss.
  Duration reconnect_wait = seconds(10);
  // setData with the version read. false only to plant the bug: a blind
  // setData (version -1) overwrites whatever came between the read and the
  // write -- a lost update (the config-unversioned-naive scenario).
  bool check_version = true;
};

class ConfigWriter {
 public:
  ConfigWriter(Client& zk, ConfigWriterOptions options);

  // Applies `transform` to the current value and writes the result with
  // the version it read; retries on BadVersion. Returns the value as
  // written (its version is the new one). Errors: SessionExpired;
  // ConnectionLoss if not connected again within reconnect_wait (the write
  // may have landed: call again -- it is found by its value); BadVersion if
  // rounds_max rounds all lost the race.
  Result<ConfigValue> update(const std::function<std::string(const std::string&)>& transform);

 private:
  Client& zk_;
  ConfigWriterOptions options_;
};

class ConfigWatcher {
 public:
  explicit ConfigWatcher(std::string path = "/config") : path_(std::move(path)) {}

  // Reads (and watches) the node through `zk`; if its version is higher
  // than the one held, holds it and returns true. Errors: the read's
  // (NoNode: no config yet, watched for its creation). Syncs first on a
  // session it has not read through yet.
  Result<bool> read(Client& zk);

  // Keeps reading on every wake-up of `zk` until its session is lost
  // (SessionExpired) or `stop()`; calls on_new(value()) after each read
  // that moved the value forward.
  template <typename OnNew, typename Stop>
  Code follow(Client& zk, Duration idle_timeout, OnNew&& on_new, Stop&& stop) {
    while (!stop()) {
      if (zk.state() == ClientState::kExpired || zk.state() == ClientState::kClosed) return Code::SessionExpired;
      const uint64_t seen = zk.event_count();
      auto r = read(zk);
      if (r.code() == Code::SessionExpired) return Code::SessionExpired;
      if (r.ok() && r.value()) on_new(value_);
      if (!r.ok() && r.code() != Code::NoNode && zk.state() != ClientState::kConnected) {
        if (reconnect(zk, idle_timeout) == Code::SessionExpired) return Code::SessionExpired;
        continue;
      }
      (void)zk.wait_event(seen, idle_timeout);
    }
    return Code::Ok;
  }

  // The highest version read so far (version -1 before the first).
  const ConfigValue& value() const { return value_; }

 private:
  static Code reconnect(Client& zk, Duration wait);

  std::string path_;
  ConfigValue value_;
  int64_t synced_session_ = 0;
};

}  // namespace zsim::core::recipes
