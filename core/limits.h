// The limits of the coordination core, in one place ("a limit on everything").
//
// Requests beyond these are refused with an error value by prepare(); bytes
// beyond them are refused by the decoders. The server applies the packet
// limit (ZooKeeper's jute.maxbuffer, where an oversized packet drops the
// connection) before any of these matter.
#pragma once

#include <cstddef>
#include <cstdint>

namespace zsim::core::limits {

// ZooKeeper's jute.maxbuffer default (1 MiB - 1), applied to znode data.
inline constexpr size_t kDataBytesMax = 1024 * 1024 - 1;
// ZooKeeper has no path limit besides the packet (jute.maxbuffer), and
// serves long paths up to it; so does zsim: a longer path cannot fit in a
// frame (the connection is dropped), and prepare() refuses one as
// BadArguments as a safety net.
inline constexpr size_t kPathBytesMax = kDataBytesMax;
// Ops in one multi.
inline constexpr size_t kMultiOpsMax = 4096;
// Ephemerals one closeSession txn may list (and so per session).
inline constexpr size_t kCloseSessionPathsMax = 1 << 20;
// Nodes in a snapshot.
inline constexpr size_t kSnapshotNodesMax = size_t{1} << 26;
// Sessions in a snapshot.
inline constexpr size_t kSnapshotSessionsMax = size_t{1} << 24;

}  // namespace zsim::core::limits
