#include "core/tree/snapshot.h"

#include <algorithm>

#include <fmt/format.h>

#include "core/codec.h"
#include "core/limits.h"
#include "core/tree/path.h"

namespace zsim::core {
namespace {

constexpr std::string_view kMagic = "ZSIMSNAP";
// Version 1: no ACLs (every node has its initial_acl()). Version 2: each node
// ends with its ACL list. A tree whose nodes all have their initial ACL is still
// written as version 1, so runs that never set an ACL keep their snapshot
// bytes (and so their traces and fingerprints).
constexpr uint32_t kFormatVersionNoAcl = 1;
constexpr uint32_t kFormatVersionAcl = 2;
// Smallest encoding of one node: empty path and data lengths (2) + fixed
// fields (5*8 + 3*4 + 1 + 2*8).
constexpr size_t kNodeBytesMin = 2 + 5 * 8 + 3 * 4 + 1 + 2 * 8;

void write_node(Writer& out, const std::string& path, const Znode& node, bool with_acl) {
  out.bytes(path);
  out.bytes(node.data);
  out.i64(node.czxid);
  out.i64(node.mzxid);
  out.i64(node.pzxid);
  out.i64(node.ctime_ms);
  out.i64(node.mtime_ms);
  out.i32(node.version);
  out.i32(node.aversion);
  out.i32(node.child_creations);
  out.u8(static_cast<uint8_t>(node.kind));
  out.i64(node.ephemeral_owner);
  out.i64(node.ttl_ms);
  if (with_acl) put_acl_list(out, node.acl);
}

Znode read_node(Reader& in, std::string* path, bool with_acl) {
  *path = in.string(limits::kPathBytesMax);
  Znode node;
  node.data = in.string(limits::kDataBytesMax);
  node.czxid = in.i64();
  node.mzxid = in.i64();
  node.pzxid = in.i64();
  node.ctime_ms = in.i64();
  node.mtime_ms = in.i64();
  node.version = in.i32();
  node.aversion = in.i32();
  node.child_creations = in.i32();
  const uint8_t kind = in.u8();
  node.ephemeral_owner = in.i64();
  node.ttl_ms = in.i64();
  node.acl = with_acl ? get_acl_list(in) : initial_acl(*path);
  if (kind > static_cast<uint8_t>(NodeKind::Ttl)) {
    in.fail(fmt::format("unknown node kind {}", kind));
  }
  node.kind = static_cast<NodeKind>(kind);
  return node;
}

Status read_body(Reader& in, DataTree* tree, bool with_acl) {
  tree->restore_last_zxid(in.i64());
  const uint64_t sessions = in.count(limits::kSnapshotSessionsMax, 12);
  for (uint64_t i = 0; i < sessions && in.ok(); ++i) {
    const int64_t id = in.i64();
    const int32_t timeout_ms = in.i32();
    if (in.ok()) {
      if (Status s = tree->restore_session(id, timeout_ms); !s.ok()) {
        return s;
      }
    }
  }
  const uint64_t nodes = in.count(limits::kSnapshotNodesMax, kNodeBytesMin);
  std::string path;
  for (uint64_t i = 0; i < nodes && in.ok(); ++i) {
    Znode node = read_node(in, &path, with_acl);
    if (!in.ok()) {
      break;
    }
    if (i == 0 && path != kRootPath) {
      return Status(Code::DataInconsistency, "snapshot does not start with the root");
    }
    if (Status s = tree->restore_node(path, std::move(node)); !s.ok()) {
      return s;
    }
  }
  if (Status s = in.finish(); !s.ok()) {
    return s;
  }
  if (tree->find(kRootPath) == nullptr) {
    return Status(Code::DataInconsistency, "snapshot has no root");
  }
  return Status();
}

}  // namespace

std::string write_snapshot(const DataTree& tree) {
  const bool with_acl = std::any_of(tree.nodes().begin(), tree.nodes().end(),
                                   [](const auto& item) { return item.second.acl != initial_acl(item.first); });
  Writer out;
  out.raw(kMagic);
  out.u32(with_acl ? kFormatVersionAcl : kFormatVersionNoAcl);
  out.i64(tree.last_zxid());
  out.varint(tree.sessions().size());
  for (const auto& [id, timeout_ms] : tree.sessions()) {
    out.i64(id);
    out.i32(timeout_ms);
  }
  out.varint(tree.nodes().size());
  // Path order puts every parent before its children.
  for (const auto& [path, node] : tree.nodes()) {
    write_node(out, path, node, with_acl);
  }
  out.u32(crc32c(out.view()));
  return out.take();
}

Result<DataTree> read_snapshot(std::string_view bytes) {
  const size_t header = kMagic.size() + 4;
  if (bytes.size() < header + 4) {
    return Status(Code::DataInconsistency,
                  fmt::format("snapshot of {} bytes is too short", bytes.size()));
  }
  if (bytes.substr(0, kMagic.size()) != kMagic) {
    return Status(Code::DataInconsistency, "not a snapshot (bad magic)");
  }
  const std::string_view covered = bytes.substr(0, bytes.size() - 4);
  Reader trailer(bytes.substr(bytes.size() - 4));
  if (trailer.u32() != crc32c(covered)) {
    return Status(Code::DataInconsistency, "snapshot checksum mismatch");
  }
  Reader in(covered.substr(kMagic.size()));
  const uint32_t version = in.u32();
  if (version != kFormatVersionNoAcl && version != kFormatVersionAcl) {
    return Status(Code::DataInconsistency,
                  fmt::format("unknown snapshot format version {}", version));
  }
  DataTree tree = DataTree::blank();
  if (Status s = read_body(in, &tree, version == kFormatVersionAcl); !s.ok()) {
    return s;
  }
  return tree;
}

}  // namespace zsim::core
