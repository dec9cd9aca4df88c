// Snapshots: the whole DataTree as bytes, and back.
//
// Contents: the last applied zxid, the session table, and every node in path
// order with everything stored (data, zxids, times, versions, the child
// creation counter that names sequential children, kind, ephemeral owner,
// ttl, and the ACL list when any node has one other than its initial_acl():
// format version 2; a tree of initial ACLs is written as version 1, byte for
// byte as before ACLs existed). Children lists and the ephemeral/container/ttl indices are rebuilt on
// read. The same tree always gives the same bytes.
//
// Layout: "ZSIMSNAP" magic, u32 format version, the body, then a CRC32C of
// everything before it. read_snapshot verifies magic, version and checksum
// first, then decodes with bounds checks and validates the structure, so a
// corrupt or truncated snapshot is an error value (DataInconsistency or
// MarshallingError), never a crash.
#pragma once

#include <string>
#include <string_view>

#include "core/errors.h"
#include "core/tree/data_tree.h"

namespace zsim::core {

std::string write_snapshot(const DataTree& tree);

Result<DataTree> read_snapshot(std::string_view bytes);

}  // namespace zsim::core
