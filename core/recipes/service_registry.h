// ServiceRegistry: service registration and discovery (Curator's
// ServiceDiscovery / ServiceCache), and group membership, which is the same
// recipe under another parent (`/nodes`: a member registers, a watcher
// keeps the member list).
//
// Algorithm.
//   An instance (ServiceInstance) owns one EPHEMERAL node
//   `path`/<name>, data = its address. register_once() makes sure the node
//   exists, holds the address and is owned by the CURRENT session:
//     - absent: create it (the parent is made if missing);
//     - present, owned by another session: the node of an earlier session
//       of this instance (a crashed process, an expired handle) that has not
//       expired yet -- delete it (with its version) and create ours, so the
//       registry names the live process at once instead of a dead one for a
//       session timeout;
//     - present and ours with another address: setData (with its version).
//   Every read watches the node (exists/getData with a watch), so its
//   deletion wakes the instance, which registers again.
//   A discovery client (ServiceDiscovery) keeps a cached view:
//   refresh() = getChildren(path, watch) and getData(child, watch) for each
//   child; a child gone between the two reads is left out (its deletion
//   also fired the children watch). It re-reads on EVERY wake-up of its
//   handle -- a watch event says "something changed", the read says what --
//   and never trusts a notification's content.
// Znodes: `path` PERSISTENT (made if missing); `path`/<name> EPHEMERAL,
//   data = the address. Names are unique per live instance (two live
//   processes with one name would delete each other's node).
// ConnectionLoss: an instance re-checks its node after the reconnect (a
//   create whose reply was lost shows up as a node owned by its session);
//   a discovery client keeps its last view and refreshes after the
//   reconnect (the handle re-arms its watches on reconnect, and the refresh
//   re-arms them anyway).
// Session expiry: the node went with the session; both return
//   SessionExpired: the caller takes a new session and registers (or
//   refreshes) again from scratch.
// Invariant: once the ensemble and the network are quiet, the children of
//   `path` are exactly the instances whose sessions are alive, each holding
//   its address, and every discovery client's view equals them.
//
// Blocking: every call runs on a fiber. Uses only core::Client.
#pragma once

#include "core/client/client.h"

#include <map>
#include <optional>
#include <string>

namespace zsim::core::recipes {

struct ServiceInstanceOptions {
  std::string path = "/service_registry";
  // REQUIRES: a single path segment (non-empty, no '/').
  std::string name;
  std::string address;
  int rounds_max = 16;
};

class ServiceInstance {
 public:
  ServiceInstance(Client& zk, ServiceInstanceOptions options);

  // Makes sure this session's node is registered (see the file comment)
  // and watched. Ok; SessionExpired (start again in a new session);
  // ConnectionLoss or another error after rounds_max rounds (call again).
  Code register_once();

  // Keeps the registration for as long as the session lives: registers,
  // waits for an event on the handle (or `idle_timeout`), registers again.
  // Returns SessionExpired when the session is gone, or Ok once `stop()`
  // says so (checked after every wake-up).
  template <typename Stop>
  Code maintain(Duration idle_timeout, Stop&& stop) {
    while (!stop()) {
      const uint64_t seen = zk_.event_count();
      const Code c = register_once();
      if (c == Code::SessionExpired) return c;
      if (c == Code::ConnectionLoss && zk_.state() != ClientState::kConnected) {
        const Code r = reconnect(idle_timeout);
        if (r == Code::SessionExpired) return r;
        continue;
      }
      (void)zk_.wait_event(seen, idle_timeout);
    }
    return Code::Ok;
  }

  // Deletes the node if this session owns it (best effort).
  void unregister();

  const std::string& node() const { return node_; }

 private:
  std::optional<Code> round();
  Code reconnect(Duration wait);

  Client& zk_;
  ServiceInstanceOptions options_;
  std::string node_;
};

// name -> address.
using ServiceView = std::map<std::string, std::string>;

class ServiceDiscovery {
 public:
  ServiceDiscovery(Client& zk, std::string path = "/service_registry");

  // Reads the registry again (and re-arms the watches). Ok: view() is the
  // registry as one server saw it; otherwise the error, and view() is kept
  // as it was (NodeExists: the parent appeared between two reads; refresh
  // again). A missing parent is an empty registry (watched with exists,
  // so its creation wakes us).
  Code refresh();

  // Keeps the view current: refresh, call `on_view(view())` after each
  // successful refresh, wait for an event on the handle (or
  // `idle_timeout`), refresh again. Returns SessionExpired when the
  // session is gone, or Ok once `stop()` says so.
  template <typename OnView, typename Stop>
  Code follow(Duration idle_timeout, OnView&& on_view, Stop&& stop) {
    while (!stop()) {
      const uint64_t seen = zk_.event_count();
      const Code c = refresh();
      if (c == Code::SessionExpired) return c;
      if (c == Code::Ok) on_view(view_);
      if (c == Code::NodeExists) continue;
      if (c != Code::Ok && zk_.state() != ClientState::kConnected) {
        if (reconnect(idle_timeout) == Code::SessionExpired) return Code::SessionExpired;
        continue;
      }
      // Read: wait for the next change. A failure while connected: wait
      // too, rather than spin (any event, or the timeout, retries).
      (void)zk_.wait_event(seen, idle_timeout);
    }
    return Code::Ok;
  }

  const ServiceView& view() const { return view_; }
  // How many refreshes succeeded (for tests and measurements).
  uint64_t refreshes() const { return refreshes_; }

 private:
  Code reconnect(Duration wait);

  Client& zk_;
  std::string path_;
  ServiceView view_;
  uint64_t refreshes_ = 0;
};

}  // namespace zsim::core::recipes
