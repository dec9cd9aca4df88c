// Proves snapshots are exact, deterministic and safe: any tree built by
// random requests reads back equal (nodes, Stats, sequential counters,
// ephemeral owners, sessions, last zxid) and keeps behaving the same (the
// next sequential name); the same tree always gives the same bytes; every
// truncation and every single-bit flip is an error value, never a crash; and
// a checksum-valid but structurally broken snapshot is refused.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <functional>

#include "core/codec.h"
#include "core/tree/snapshot.h"
#include "request_gen.h"
#include "tree_driver.h"

namespace zsim::core {
namespace {

DataTree random_tree() {
  testing::TreeDriver d;
  for (const auto& r : testing::gen_requests(60)) {
    d.submit(r.request, r.session);
  }
  return d.tree;
}

// Property: read(write(t)) == t, and write is a function of the tree.
RC_GTEST_PROP(Snapshot, RoundTripsAnyTree, ()) {
  const DataTree tree = random_tree();
  const std::string bytes = write_snapshot(tree);
  Result<DataTree> back = read_snapshot(bytes);
  RC_ASSERT(back.ok());
  RC_ASSERT(back.value() == tree);
  back.value().check_invariants();
  RC_ASSERT(write_snapshot(back.value()) == bytes);
}

// Property: no strict prefix of a snapshot reads.
RC_GTEST_PROP(Snapshot, RejectsEveryTruncation, ()) {
  const std::string bytes = write_snapshot(random_tree());
  for (size_t len = 0; len < bytes.size(); ++len) {
    RC_ASSERT(!read_snapshot(std::string_view(bytes).substr(0, len)).ok());
  }
}

TEST(Snapshot, RejectsEverySingleBitFlip) {
  testing::TreeDriver d;
  d.create("/a", "data");
  d.create("/a/e", "", CreateMode::Ephemeral, 0x42);
  const std::string bytes = write_snapshot(d.tree);
  for (size_t i = 0; i < bytes.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string bad = bytes;
      bad[i] = static_cast<char>(bad[i] ^ (1 << bit));
      Result<DataTree> back = read_snapshot(bad);
      ASSERT_FALSE(back.ok()) << "byte " << i << " bit " << bit;
      EXPECT_EQ(back.code(), Code::DataInconsistency);
    }
  }
}

TEST(Snapshot, RestoredTreeContinuesTheSequence) {
  testing::TreeDriver d;
  d.create("/q");
  d.create_path("/q/n-", CreateMode::PersistentSequential);
  d.create_path("/q/n-", CreateMode::PersistentSequential);
  d.remove("/q/n-0000000000");
  d.submit(CreateSessionRequest{5000}, 0x9);
  d.create("/q/e", "", CreateMode::Ephemeral, 0x9);
  Result<DataTree> back = read_snapshot(write_snapshot(d.tree));
  ASSERT_TRUE(back.ok());
  d.tree = back.value();
  EXPECT_EQ(d.create_path("/q/n-", CreateMode::PersistentSequential), "/q/n-0000000003");
  EXPECT_EQ(d.tree.sessions().at(0x9), 5000);
  EXPECT_EQ(d.tree.ephemerals(0x9).count("/q/e"), 1u);
  EXPECT_EQ(d.stat("/q").cversion, 5);
}

// A snapshot with a valid checksum around the given body.
std::string seal(const std::function<void(Writer&)>& body) {
  Writer w;
  w.raw("ZSIMSNAP");
  w.u32(1);
  body(w);
  w.u32(crc32c(w.view()));
  return w.take();
}

void node(Writer& w, const std::string& path, uint8_t kind = 0, int64_t owner = 0) {
  w.bytes(path);
  w.bytes("");
  for (int i = 0; i < 5; ++i) {
    w.i64(0);
  }
  for (int i = 0; i < 3; ++i) {
    w.i32(0);
  }
  w.u8(kind);
  w.i64(owner);
  w.i64(0);
}

TEST(Snapshot, RefusesStructurallyBrokenContents) {
  const auto body = [](std::vector<std::pair<std::string, uint8_t>> nodes) {
    return seal([&](Writer& w) {
      w.i64(7);
      w.varint(0);
      w.varint(nodes.size());
      for (const auto& [path, kind] : nodes) {
        node(w, path, kind, kind == 1 ? 0x5 : 0);
      }
    });
  };
  EXPECT_TRUE(read_snapshot(body({{"/", 0}, {"/a", 0}})).ok());
  EXPECT_EQ(read_snapshot(body({{"/a", 0}})).code(), Code::DataInconsistency);  // no root first
  EXPECT_EQ(read_snapshot(body({})).code(), Code::DataInconsistency);           // no root
  EXPECT_EQ(read_snapshot(body({{"/", 0}, {"/a/b", 0}})).code(), Code::DataInconsistency);
  EXPECT_EQ(read_snapshot(body({{"/", 0}, {"/a", 0}, {"/a", 0}})).code(),
            Code::DataInconsistency);  // duplicate
  EXPECT_EQ(read_snapshot(body({{"/", 0}, {"/e", 1}, {"/e/c", 0}})).code(),
            Code::DataInconsistency);  // child of an ephemeral
  EXPECT_EQ(read_snapshot(body({{"/", 0}, {"/a//b", 0}})).code(), Code::DataInconsistency);
  EXPECT_EQ(read_snapshot(body({{"/", 9}})).code(), Code::MarshallingError);  // unknown kind
  // A node count larger than the bytes can hold.
  const std::string lying = seal([](Writer& w) {
    w.i64(0);
    w.varint(0);
    w.varint(1000000);
  });
  EXPECT_EQ(read_snapshot(lying).code(), Code::MarshallingError);
  EXPECT_EQ(read_snapshot("garbage").code(), Code::DataInconsistency);
}

}  // namespace
}  // namespace zsim::core
