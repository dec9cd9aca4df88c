// Disk: proves the durability contract of io::Storage as the simulated disk
// implements it. A crash keeps exactly the synced bytes (torn writes off),
// or the synced bytes plus a prefix of the unsynced tail (torn writes on);
// a sync makes durable only what was written before it was issued; a lying
// sync reports success and keeps nothing; a corrupting read flips exactly
// one bit of the copy it returns; rename and remove are durable at once.
// Tests drive a bare Disk on an EventLoop.
#include "sim/disk.h"

#include <gtest/gtest.h>

#include <bit>
#include <string>

namespace zsim::sim {
namespace {

DiskOptions exact() {
  DiskOptions o;
  o.torn_writes = false;
  return o;
}

void sync_now(EventLoop& loop, Disk& d, const std::string& name, bool expect_ok = true) {
  bool done = false;
  d.sync(name, [&](bool ok) {
    EXPECT_EQ(ok, expect_ok);
    done = true;
  }, EventTag{});
  loop.run(loop.now() + seconds(1), UINT64_MAX);
  ASSERT_TRUE(done);
}

TEST(Disk, ReadsWhatWasWritten) {
  EventLoop loop;
  Disk d(loop, Rng(1), exact());
  EXPECT_EQ(d.read("f"), std::nullopt);
  EXPECT_EQ(d.size("f"), std::nullopt);
  d.append("f", "abc");
  d.append("f", "def");
  EXPECT_EQ(d.read("f"), std::optional<std::string>{"abcdef"});
  EXPECT_EQ(d.size("f"), std::optional<std::uint64_t>{6});
  d.truncate("f", 4);
  EXPECT_EQ(d.read("f"), std::optional<std::string>{"abcd"});
  d.truncate("f", 100);  // longer: no-op
  EXPECT_EQ(d.size("f"), std::optional<std::uint64_t>{4});
  d.append("g", "");
  EXPECT_EQ(d.list(), (std::vector<std::string>{"f", "g"}));
}

TEST(Disk, CrashKeepsOnlySyncedBytes) {
  EventLoop loop;
  Disk d(loop, Rng(1), exact());
  d.append("log", "one;");
  sync_now(loop, d, "log");
  d.append("log", "two;");
  d.append("never-synced", "x");
  EXPECT_EQ(d.durable_content("log"), std::optional<std::string>{"one;"});
  EXPECT_EQ(d.durable_content("never-synced"), std::nullopt);
  d.crash();
  EXPECT_EQ(d.read("log"), std::optional<std::string>{"one;"});
  EXPECT_EQ(d.read("never-synced"), std::nullopt);  // never durable: gone
  EXPECT_EQ(d.list(), std::vector<std::string>{"log"});
}

TEST(Disk, SyncCoversOnlyWhatWasWrittenBeforeIt) {
  EventLoop loop;
  Disk d(loop, Rng(1), exact());
  d.append("log", "before;");
  bool done = false;
  d.sync("log", [&](bool ok) { done = ok; }, EventTag{});
  d.append("log", "after;");  // while the sync is in flight
  loop.run(loop.now() + seconds(1), UINT64_MAX);
  ASSERT_TRUE(done);
  d.crash();
  EXPECT_EQ(d.read("log"), std::optional<std::string>{"before;"});
}

TEST(Disk, ASyncThatNeverCompletesMakesNothingDurable) {
  EventLoop loop;
  Disk d(loop, Rng(1), exact());
  d.append("log", "data");
  d.sync("log", [](bool) { ADD_FAILURE() << "must not complete"; }, EventTag{});
  d.crash();  // power loss before the sync completed
  EXPECT_EQ(d.read("log"), std::nullopt);
}

TEST(Disk, TruncateIsDurableOnlyAfterASync) {
  EventLoop loop;
  Disk d(loop, Rng(1), exact());
  d.append("log", "0123456789");
  sync_now(loop, d, "log");
  d.truncate("log", 3);
  d.append("log", "abc");
  EXPECT_EQ(d.durable_content("log"), std::optional<std::string>{"0123456789"});
  d.crash();
  EXPECT_EQ(d.read("log"), std::optional<std::string>{"0123456789"});
  d.truncate("log", 3);
  sync_now(loop, d, "log");
  d.crash();
  EXPECT_EQ(d.read("log"), std::optional<std::string>{"012"});
}

TEST(Disk, SyncOfAMissingFileReportsFalse) {
  EventLoop loop;
  Disk d(loop, Rng(1), exact());
  sync_now(loop, d, "nope", /*expect_ok=*/false);
}

TEST(Disk, TornWritesKeepAPrefixOfTheUnsyncedTail) {
  int torn = 0, kept_all = 0, kept_none = 0;
  const std::string tail = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
  for (std::uint64_t seed = 1; seed <= 200; ++seed) {
    EventLoop loop;
    Disk d(loop, Rng(seed), DiskOptions{});
    d.append("log", "synced;");
    sync_now(loop, d, "log");
    d.append("log", tail);
    d.crash();
    const std::string after = *d.read("log");
    ASSERT_EQ(after.rfind("synced;", 0), 0U) << "the synced part is always kept";
    const std::string kept = after.substr(7);
    ASSERT_EQ(tail.rfind(kept, 0), 0U) << "only a prefix of the tail: " << kept;
    if (kept.empty()) ++kept_none;
    else if (kept == tail) ++kept_all;
    else ++torn;
  }
  // Each outcome happens: a prefix, nothing, and the whole tail (a crash
  // that could never keep every unsynced byte would hide bugs that need
  // the write to have landed after all).
  EXPECT_GT(torn, 20);
  EXPECT_GT(kept_none, 20);
  EXPECT_GT(kept_all, 0);
}

TEST(Disk, ALyingSyncSucceedsButKeepsNothing) {
  EventLoop loop;
  DiskOptions o = exact();
  o.lying_sync = Ratio{1, 1};
  Disk d(loop, Rng(1), o);
  d.append("log", "data");
  sync_now(loop, d, "log");  // reports ok
  EXPECT_EQ(d.stats().lied_syncs, 1U);
  d.crash();
  EXPECT_EQ(d.read("log"), std::nullopt);
}

TEST(Disk, ACorruptReadFlipsOneBitOfTheCopyOnly) {
  EventLoop loop;
  DiskOptions o = exact();
  o.corrupt_read = Ratio{1, 1};
  Disk d(loop, Rng(1), o);
  const std::string data(64, 'z');
  d.append("f", data);
  for (int i = 0; i < 20; ++i) {
    const std::string got = *d.read("f");
    ASSERT_EQ(got.size(), data.size());
    int bits = 0;
    for (std::size_t k = 0; k < got.size(); ++k) {
      bits += std::popcount(static_cast<unsigned>(static_cast<unsigned char>(got[k] ^ data[k])));
    }
    EXPECT_EQ(bits, 1);
  }
  d.options().corrupt_read = Ratio{};
  EXPECT_EQ(d.read("f"), std::optional<std::string>{data});  // stored bytes intact
  EXPECT_EQ(d.stats().corrupted_reads, 20U);
}

TEST(Disk, RenameAndRemoveAreDurableAtOnce) {
  EventLoop loop;
  Disk d(loop, Rng(1), exact());
  d.append("tmp", "snapshot");
  sync_now(loop, d, "tmp");
  d.append("old", "stale");
  sync_now(loop, d, "old");
  EXPECT_TRUE(d.rename("tmp", "old"));
  EXPECT_FALSE(d.rename("tmp", "x"));
  d.append("gone", "g");
  sync_now(loop, d, "gone");
  EXPECT_TRUE(d.remove("gone"));
  EXPECT_FALSE(d.remove("gone"));
  d.crash();
  EXPECT_EQ(d.list(), std::vector<std::string>{"old"});
  EXPECT_EQ(d.read("old"), std::optional<std::string>{"snapshot"});
}

}  // namespace
}  // namespace zsim::sim
