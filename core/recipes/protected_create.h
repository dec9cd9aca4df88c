// Protected creates (Curator's "protection mode", CURATOR-45), for every
// recipe that creates a node it must find again.
//
// The trap: a create can succeed on the ensemble while its reply is lost
// (ConnectionLoss). Creating again then leaves a second node -- for a
// SEQUENTIAL create a node nobody knows about, which blocks a lock or an
// election line until its session ends (or forever, for a persistent one).
//
// The algorithm: the node's name carries a unique id, "_c_<id>-<base>", e.g.
// "/election/_c_9f3a01c2d4e5b6a7-n_0000000004". After a ConnectionLoss,
// once the handle is connected again, list the parent and look for a child
// carrying the id before creating again. For ephemeral modes a found node
// counts only if its ephemeralOwner is this handle's session (CURATOR-498:
// a lagging server can still list a node of an earlier, expiring session
// that carries the same id). The id must be unique to the creator: a fresh
// random one per recipe instance, or a stable name if the recipe wants a
// restarted process to recognise (and, through the owner check, refuse) its
// old nodes.
//
// Znodes: parent/_c_<id>-<base>[sequence]. The parent must exist.
// ConnectionLoss: waits to be connected again, then looks before creating
//   again; after `attempts_max` losses it gives up with ConnectionLoss (a
//   node may exist; it carries the id, so a later find_protected() sees it).
// Session expiry: SessionExpired; any ephemeral it made is gone with the
//   session, and nothing is retried (the handle is dead).
// Invariant: at most one node per successful call is known to the caller,
//   and the node returned is owned by this session (ephemeral modes).
//
// Blocking: call from a fiber. Uses only core::Client.
#pragma once

#include "core/client/client.h"

#include <optional>
#include <string>
#include <string_view>

namespace zsim::core::recipes {

// The name prefix that marks a node as created by the holder of `id`.
std::string protected_prefix(std::string_view id);

// True when child `name` carries `id` ("_c_<id>-..."), exactly.
bool carries_id(std::string_view name, std::string_view id);

struct ProtectedNode {
  std::string path;
  Stat stat;
};

struct ProtectedCreateOptions {
  // Creates tried (each lost to ConnectionLoss) before giving up.
  int attempts_max = 20;
  // How long each retry waits for the handle to be connected again.
  Duration reconnect_wait = seconds(10);
  // Ephemeral modes: a found node is ours only if its ephemeralOwner is this
  // session (CURATOR-498). Switching it off is the planted bug of the naive
  // election scenario, never a sane choice.
  bool check_owner = true;
};

// Looks in `parent` for a child carrying `id` -- for ephemeral modes with
// check_owner, one owned by this session. nullopt when there is none.
// Errors: whatever getChildren/getData said (ConnectionLoss, SessionExpired,
// NoNode for a missing parent).
Result<std::optional<ProtectedNode>> find_protected(Client& zk, const std::string& parent, std::string_view id,
                                                    CreateMode mode, bool check_owner = true);

// Creates parent/_c_<id>-<base> in `mode` (see the file comment).
Result<ProtectedNode> protected_create(Client& zk, const std::string& parent, std::string_view base,
                                       std::string_view id, const std::string& data, CreateMode mode,
                                       const ProtectedCreateOptions& options = {});

// Creates `path` and any missing ancestors as PERSISTENT nodes (Curator's
// creatingParentsIfNeeded); NodeExists on the way is fine. Ok, or the
// first other failure.
Code ensure_path(Client& zk, const std::string& path);

// Waits, after a ConnectionLoss, until the handle is connected again. Ok, or
// the code to give up with: SessionExpired (expired or closed handle) or
// ConnectionLoss (still not connected after `wait`).
Code await_reconnect(Client& zk, Duration wait);

}  // namespace zsim::core::recipes
