// Creating a node exactly once per id, whatever was lost: the offer of a
// queue item, the submission of a task.
//
// The trap: a create can commit while its reply is lost (ConnectionLoss).
// A protected name (protected_create.h) finds such a node again by listing
// its parent -- but a queue's item or a submitted task may already have
// been taken away by a consumer or a master when the creator looks, and a
// second create then makes a duplicate that is processed twice.
//
// The algorithm: multi(create <marker> PERSISTENT, create <path>). The
// marker (one per id, e.g. /queue-ids/<id>) stays when the node is taken;
// sending the same multi again after a ConnectionLoss fails with
// NodeExists if the first one committed -- the whole multi, atomically --
// which means "already created". The node itself may be SEQUENTIAL.
//
// ConnectionLoss: waits to be connected again and sends the same multi;
//   after `attempts_max` losses gives up with ConnectionLoss (unknown: call
//   again with the same marker, never a new one).
// Session expiry: SessionExpired (unknown); call again with the same
//   marker through a new session: same guarantee (the markers are
//   persistent).
// Invariant: at most one node per marker, ever; Ok means it exists or
//   existed.
//
// Blocking: call from a fiber. Uses only core::Client.
#pragma once

#include "core/client/client.h"

#include <string>

namespace zsim::core::recipes {

struct CreateOnceOptions {
  // Multis lost to ConnectionLoss before giving up.
  int attempts_max = 20;
  // How long each retry waits for the handle to be connected again.
  Duration reconnect_wait = seconds(10);
};

// Ok: the node of `marker` was created (by this call or an earlier one
// whose reply was lost). Else ConnectionLoss / SessionExpired (unknown), or
// the failure of the multi (e.g. NoNode: a parent is missing).
// REQUIRES: nothing else creates `marker`; `mode` is sequential or `path`
// is not created by anyone else (NodeExists must mean the marker).
Status create_once(Client& zk, const std::string& marker, const std::string& path, const std::string& data,
                   CreateMode mode, const CreateOnceOptions& options = {});

// The request to create `path`, for a multi.
CreateRequest create_op(std::string path, std::string data, CreateMode mode);
// The request to delete `path` (any version), for a multi.
DeleteRequest delete_op(std::string path);

}  // namespace zsim::core::recipes
