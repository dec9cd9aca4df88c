// Proves the durability contract of the txn log (core/server/txn_log.h) on
// the simulator's disk (sim::Disk: only synced bytes survive a crash, torn
// tails included):
//  - any crash, at any point, recovers exactly the tree after some prefix of
//    the appended txns that includes every txn whose sync() called back, and
//    appends after a recovery continue cleanly (property, many crashes);
//  - every torn length and every flipped byte of a log is cut exactly at the
//    first damaged record; later log files go;
//  - snapshots + log replay equal log-only replay; a corrupt newest snapshot
//    falls back to the previous one; retention keeps what that needs;
//  - with a faulty disk (corrupted reads, lying syncs) recovery never
//    crashes: it returns a tree that is some prefix of the history, or an
//    error value;
//  - group commit, the txn cache (txns_after, first_logged_zxid) and
//    truncate_after behave, and the limits are error values.
// A "server" here is a Model that prepares and applies random requests the
// way the real pipeline does and remembers the tree after every zxid.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <map>
#include <memory>

#include "core/server/txn_log.h"
#include "core/tree/snapshot.h"
#include "core/txn/apply.h"
#include "core/txn/prepare.h"
#include "request_gen.h"
#include "sim/disk.h"
#include "sim/event_loop.h"

namespace zsim::core {
namespace {

// A host's disk and event loop. Sync callbacks belong to the current
// incarnation of the process: crash() drops them, like a host crash.
class DiskHost final : public io::Storage, public sim::EventLoop::Gate {
 public:
  explicit DiskHost(uint64_t seed, sim::DiskOptions options = {})
      : disk_(loop_, sim::Rng(seed), options) {
    loop_.set_gate(this);
  }

  sim::GateDecision decide(sim::EventTag tag, sim::EventId) override {
    return tag.incarnation == incarnation_ ? sim::GateDecision::kRun : sim::GateDecision::kDrop;
  }

  std::optional<io::Bytes> read(const std::string& name) override { return disk_.read(name); }
  std::optional<uint64_t> size(const std::string& name) override { return disk_.size(name); }
  void append(const std::string& name, const io::Bytes& bytes) override {
    disk_.append(name, bytes);
  }
  void truncate(const std::string& name, uint64_t length) override {
    disk_.truncate(name, length);
  }
  void sync(const std::string& name, UniqueFunction<void(bool)> done) override {
    ++syncs;
    disk_.sync(name, std::move(done), sim::EventTag{1, incarnation_});
  }
  bool rename(const std::string& from, const std::string& to) override {
    return disk_.rename(from, to);
  }
  bool remove(const std::string& name) override { return disk_.remove(name); }
  std::vector<std::string> list() override { return disk_.list(); }

  void run_all() { loop_.run(time_from_ns(INT64_MAX / 2), 1'000'000); }
  void run_events(uint64_t n) { loop_.run(time_from_ns(INT64_MAX / 2), n); }
  void crash() {
    ++incarnation_;
    disk_.crash();
  }
  // Replaces a file's content durably (test tampering).
  void overwrite(const std::string& name, const std::string& bytes) {
    disk_.remove(name);
    disk_.append(name, bytes);
    disk_.sync(name, [](bool) {}, sim::EventTag{});
    run_all();
  }
  std::vector<std::string> files_with_prefix(std::string_view prefix) {
    std::vector<std::string> out;
    for (const auto& n : disk_.list()) {
      if (n.starts_with(prefix)) out.push_back(n);
    }
    return out;
  }

  sim::Disk& disk() { return disk_; }
  uint64_t syncs = 0;

 private:
  sim::EventLoop loop_;
  sim::Disk disk_;
  uint32_t incarnation_ = 1;
};

// The server side: prepare + apply, with the tree after every zxid kept.
// Zxids sometimes jump to a new epoch (epoch << 32 | 1), as under ZAB.
class Model {
 public:
  Model() { trees_[0] = DataTree(); }

  Txn next(const Request& request, int64_t session, bool new_epoch = false) {
    const int64_t last = tree_.last_zxid();
    const int64_t zxid = new_epoch ? (((last >> 32) + 1) << 32) | 1 : last + 1;
    PrepareContext ctx;
    ctx.session_id = session;
    ctx.cxid = ++cxid_;
    ctx.zxid = zxid;
    ctx.time_ms = 1'700'000'000'000 + zxid % 100000;
    Txn txn = prepare(tree_, pending_, request, ctx);
    apply(tree_, txn);
    pending_.forget_applied(zxid);
    trees_[zxid] = tree_;
    return txn;
  }
  Txn next_random() {
    const auto r = testing::gen_requests(2).front();
    return next(r.request, r.session, *rc::gen::inRange(0, 15) == 0);
  }
  // A plain create, outside RapidCheck.
  Txn next_create(const std::string& path) {
    return next(CreateRequest{path, "v", 0, -1}, 0x100);
  }

  bool has(int64_t zxid) const { return trees_.count(zxid) != 0; }
  const DataTree& at(int64_t zxid) const { return trees_.at(zxid); }
  const DataTree& tree() const { return tree_; }
  // Continue after `zxid`; what came after it was lost or truncated. The
  // forgotten txns are kept as a retired history: a faulty disk may bring
  // them back (a cut that a lying sync never made durable).
  void rewind(int64_t zxid) {
    auto after = trees_.upper_bound(zxid);
    if (after != trees_.end()) retired_.push_back(trees_);
    trees_.erase(after, trees_.end());
    tree_ = trees_.at(zxid);
    pending_ = PendingChanges();
  }
  // Makes the history (current or retired) in which `tree` is the state
  // after its last zxid the current one; false if no history has it.
  bool adopt(const DataTree& tree) {
    const int64_t z = tree.last_zxid();
    if (has(z) && at(z) == tree) return true;
    for (auto it = retired_.rbegin(); it != retired_.rend(); ++it) {
      auto found = it->find(z);
      if (found != it->end() && found->second == tree) {
        std::swap(trees_, *it);
        return true;
      }
    }
    return false;
  }

 private:
  std::map<int64_t, DataTree> trees_;
  std::vector<std::map<int64_t, DataTree>> retired_;
  DataTree tree_;
  PendingChanges pending_;
  int32_t cxid_ = 0;
};

std::unique_ptr<TxnLog> open_log(DiskHost& host, DataTree* tree, TxnLogOptions options = {}) {
  auto log = std::make_unique<TxnLog>(host, options);
  Result<DataTree> r = log->recover();
  EXPECT_TRUE(r.ok()) << r.status().to_string();
  if (r.ok()) *tree = r.value();
  return log;
}

void sync_all(TxnLog& log, DiskHost& host) {
  bool called = false;
  log.sync([&called](bool ok) {
    EXPECT_TRUE(ok);
    called = true;
  });
  host.run_all();
  EXPECT_TRUE(called);
}

TxnLogOptions random_options() {
  TxnLogOptions o;
  o.log_file_bytes_max = *rc::gen::element<uint64_t>(200, 1000, uint64_t{64} << 20);
  o.write_buffer_bytes_max = *rc::gen::element<uint64_t>(100, uint64_t{1} << 20);
  o.cache_txns_max = *rc::gen::element<size_t>(3, 4096);
  return o;
}

// Runs crash cycles against `host`: random appends, syncs, partial progress
// of the disk, snapshots (of the tree as of the last sync, as the server
// would have applied it), then a crash and a recovery. Checks every recovery
// against the model; with `faithful_disk`, also that every acknowledged txn
// survived.
void crash_cycles(DiskHost& host, bool faithful_disk) {
  const TxnLogOptions options = random_options();
  Model model;
  int64_t acked = 0;
  bool callback_broke_contract = false;
  std::unique_ptr<TxnLog> log;
  const int cycles = *rc::gen::inRange(1, 5);
  for (int cycle = 0; cycle <= cycles; ++cycle) {
    log = std::make_unique<TxnLog>(host, options);
    Result<DataTree> r = log->recover();
    if (!r.ok()) {
      RC_ASSERT(!faithful_disk);
      RC_ASSERT(r.code() == Code::DataInconsistency);
      RC_TAG("unrecoverable");
      return;
    }
    const int64_t z = r->last_zxid();
    r->check_invariants();
    if (faithful_disk) {
      RC_ASSERT(model.has(z));  // never a txn beyond what was appended
      RC_ASSERT(r.value() == model.at(z));
      RC_ASSERT(z >= acked);
    } else {
      RC_ASSERT(model.adopt(r.value()));  // some state that really was
    }
    if (!log->recovery_info().cut_reason.empty()) RC_TAG("log cut");
    RC_ASSERT(log->last_appended_zxid() == z);
    model.rewind(z);
    acked = std::min(acked, z);
    if (cycle == cycles) break;
    // As the server: a sync before serving makes the recovery durable.
    log->sync([](bool) {});
    if (*rc::gen::arbitrary<bool>()) host.run_all();

    const int steps = *rc::gen::inRange(0, 30);
    for (int i = 0; i < steps; ++i) {
      log->append(model.next_random());
      switch (*rc::gen::inRange(0, 8)) {
        case 0:
        case 1:
          log->sync([&, zxid = log->last_appended_zxid(), l = log.get()](bool ok) {
            if (!ok || l->last_synced_zxid() < zxid) callback_broke_contract = true;
            acked = std::max(acked, zxid);
          });
          break;
        case 2:
          host.run_events(*rc::gen::inRange<uint64_t>(0, 4));
          break;
        case 3:
          if (!log->snapshot_in_flight() && model.has(log->last_synced_zxid())) {
            log->snapshot(model.at(log->last_synced_zxid()), [](bool) {});
          }
          break;
        default:
          break;
      }
    }
    if (*rc::gen::inRange(0, 3) == 0) host.run_all();
    RC_ASSERT(!callback_broke_contract);
    host.crash();
  }
}

// Property: a crash anywhere recovers exactly the tree after some prefix of
// the appended txns, a prefix holding every txn whose sync() called back.
RC_GTEST_PROP(TxnLog, AnyCrashRecoversASyncedPrefix, ()) {
  DiskHost host(*rc::gen::arbitrary<uint64_t>());
  crash_cycles(host, /*faithful_disk=*/true);
}

// Property: with corrupted reads and lying syncs (outside the contract),
// recovery still never crashes and never invents state: a prefix, or an
// error value.
RC_GTEST_PROP(TxnLog, FaultyDiskNeverCrashesRecovery, ()) {
  sim::DiskOptions options;
  options.corrupt_read = sim::Ratio{1, *rc::gen::inRange<uint64_t>(2, 6)};
  options.lying_sync = sim::Ratio{1, *rc::gen::inRange<uint64_t>(2, 6)};
  DiskHost host(*rc::gen::arbitrary<uint64_t>(), options);
  crash_cycles(host, /*faithful_disk=*/false);
}

// Property: recovering from snapshots plus the log gives the same tree as
// replaying the log alone.
RC_GTEST_PROP(TxnLog, SnapshotsPlusLogEqualLogOnly, ()) {
  const uint64_t seed = *rc::gen::arbitrary<uint64_t>();
  DiskHost with_snaps(seed);
  DiskHost log_only(seed);
  DataTree t1;
  DataTree t2;
  auto a = open_log(with_snaps, &t1);
  auto b = open_log(log_only, &t2);
  Model model;
  const int n = *rc::gen::inRange(1, 60);
  int snapshots = 0;
  for (int i = 0; i < n; ++i) {
    const Txn txn = model.next_random();
    a->append(txn);
    b->append(txn);
    if (*rc::gen::inRange(0, 6) == 0) {
      sync_all(*a, with_snaps);
      bool done = false;
      a->snapshot(model.tree(), [&done](bool ok) { done = ok; });
      with_snaps.run_all();
      RC_ASSERT(done);
      ++snapshots;
    }
  }
  sync_all(*a, with_snaps);
  sync_all(*b, log_only);
  with_snaps.crash();
  log_only.crash();
  a = open_log(with_snaps, &t1);
  b = open_log(log_only, &t2);
  RC_ASSERT(t1 == t2);
  RC_ASSERT(t1 == model.tree());
  RC_ASSERT((a->recovery_info().snapshot_zxid >= 0) == (snapshots > 0));
  RC_ASSERT(b->recovery_info().snapshot_zxid == -1);
  RC_ASSERT(with_snaps.files_with_prefix("snapshot.").size() == std::min(snapshots, 2));
  RC_TAG(snapshots > 0 ? "snapshots" : "no snapshot");
}

// Appends `n` creates /n0, /n1, ... and syncs them.
void append_creates(TxnLog& log, DiskHost& host, Model& model, int n, int from = 0) {
  for (int i = from; i < from + n; ++i) log.append(model.next_create("/n" + std::to_string(i)));
  sync_all(log, host);
}

// Takes a snapshot of the model's tree and waits for it.
void snapshot_now(TxnLog& log, DiskHost& host, const DataTree& tree) {
  bool done = false;
  log.snapshot(tree, [&done](bool ok) { done = ok; });
  host.run_all();
  ASSERT_TRUE(done);
}

TEST(TxnLog, EmptyDiskGivesAFreshTree) {
  DiskHost host(1);
  DataTree tree;
  auto log = open_log(host, &tree);
  EXPECT_EQ(tree, DataTree());
  EXPECT_EQ(log->last_appended_zxid(), 0);
  EXPECT_EQ(log->recovery_info().snapshot_zxid, -1);
  EXPECT_TRUE(host.list().empty());
}

TEST(TxnLog, EveryTornLengthIsCutAtTheLastWholeRecord) {
  DiskHost base(2);
  Model model;
  DataTree tree;
  auto log = open_log(base, &tree);
  append_creates(*log, base, model, 5);
  const std::string name = log_file_name(1);
  ASSERT_EQ(base.list(), std::vector<std::string>{name});
  const std::string full = base.read(name).value();
  // Record ends, found by recovering each prefix: the recovered zxid may
  // only grow with the length, and reach 5 exactly at the full length.
  int64_t previous = -1;
  int clean = 0;
  for (size_t len = 0; len <= full.size(); ++len) {
    DiskHost host(3);
    host.overwrite(name, full.substr(0, len));
    DataTree t;
    auto l = open_log(host, &t);
    ASSERT_TRUE(model.has(t.last_zxid()));
    EXPECT_EQ(t, model.at(t.last_zxid()));
    EXPECT_GE(t.last_zxid(), previous);
    previous = t.last_zxid();
    const RecoveryInfo& info = l->recovery_info();
    if (info.cut_reason.empty()) {
      ++clean;  // a length that ends exactly after a record
      EXPECT_EQ(host.size(name).value(), len);
    }
    if (len == full.size()) {
      EXPECT_EQ(t.last_zxid(), 5);
    }
    // The file is cut to its valid records (or removed if none survive).
    if (t.last_zxid() == 0) {
      EXPECT_FALSE(host.size(name).has_value()) << len;
    } else {
      EXPECT_LE(host.size(name).value(), len);
    }
    // Appends continue cleanly after the cut, and survive the next crash.
    Model m2 = model;
    m2.rewind(t.last_zxid());
    l->append(m2.next_create("/after"));
    sync_all(*l, host);
    host.crash();
    DataTree again;
    open_log(host, &again);
    EXPECT_EQ(again, m2.tree()) << len;
  }
  EXPECT_EQ(clean, 5);  // every other length is cut
}

TEST(TxnLog, EveryFlippedByteCutsTheLogBeforeTheDamagedRecord) {
  DiskHost base(4);
  Model model;
  DataTree tree;
  auto log = open_log(base, &tree);
  append_creates(*log, base, model, 3);
  const std::string name = log_file_name(1);
  const std::string full = base.read(name).value();
  // Where each record ends: recover each prefix once.
  std::vector<size_t> ends;
  for (size_t len = 0; len <= full.size(); ++len) {
    DiskHost host(5);
    host.overwrite(name, full.substr(0, len));
    DataTree t;
    open_log(host, &t);
    if (static_cast<size_t>(t.last_zxid()) > ends.size()) ends.push_back(len);
  }
  ASSERT_EQ(ends.size(), 3u);
  for (size_t pos = 0; pos < full.size(); ++pos) {
    DiskHost host(6);
    std::string bad = full;
    bad[pos] = static_cast<char>(bad[pos] ^ 0x10);
    host.overwrite(name, bad);
    DataTree t;
    auto l = open_log(host, &t);
    // Records wholly before the damaged byte survive; nothing after it.
    int64_t intact = 0;
    while (intact < 3 && ends[static_cast<size_t>(intact)] <= pos) ++intact;
    EXPECT_EQ(t.last_zxid(), intact) << "byte " << pos;
    EXPECT_EQ(t, model.at(intact));
    EXPECT_FALSE(l->recovery_info().cut_reason.empty());
  }
}

TEST(TxnLog, ACorruptRecordRemovesTheLaterLogFiles) {
  DiskHost host(7);
  Model model;
  DataTree tree;
  TxnLogOptions options;
  options.log_file_bytes_max = 100;  // a file per record or two
  auto log = open_log(host, &tree, options);
  append_creates(*log, host, model, 8);
  const auto logs = host.files_with_prefix("log.");
  ASSERT_GE(logs.size(), 4u);
  // Damage the last byte of the second file.
  std::string bytes = host.read(logs[1]).value();
  bytes.back() = static_cast<char>(bytes.back() ^ 1);
  host.overwrite(logs[1], bytes);
  log = open_log(host, &tree, options);
  const RecoveryInfo& info = log->recovery_info();
  EXPECT_EQ(info.cut_file, logs[1]);
  EXPECT_EQ(info.cut_reason, "record checksum mismatch");
  EXPECT_EQ(info.removed_files, std::vector<std::string>(logs.begin() + 2, logs.end()));
  EXPECT_EQ(host.files_with_prefix("log.").size(), 2u);
  EXPECT_EQ(tree, model.at(tree.last_zxid()));
  EXPECT_LT(tree.last_zxid(), 8);
  // The log continues from the cut, in the cut file.
  model.rewind(tree.last_zxid());
  append_creates(*log, host, model, 2, 100);
  host.crash();
  open_log(host, &tree, options);
  EXPECT_EQ(tree, model.tree());
}

TEST(TxnLog, TheCutIsDurableBeforeAnythingNewIsAcknowledged) {
  // The log is behind the snapshot (a SNAP), so after the cut the next txn
  // goes to a new file. If the cut of the old file were not synced along
  // with it, the garbage would come back after a crash, recovery would stop
  // there and drop the acknowledged txn in the new file.
  DiskHost host(8);
  Model model;
  DataTree tree;
  auto log = open_log(host, &tree);
  const Txn t1 = model.next_create("/a");
  const Txn t2 = model.next_create("/b");
  model.next_create("/c");
  log->append(t1);
  log->append(t2);
  sync_all(*log, host);
  snapshot_now(*log, host, model.at(3));
  const std::string name = log_file_name(1);
  host.overwrite(name, host.read(name).value() + "garbage!garbage!");
  host.crash();
  log = open_log(host, &tree);
  EXPECT_EQ(log->recovery_info().cut_file, name);
  EXPECT_EQ(log->recovery_info().snapshot_zxid, 3);
  EXPECT_EQ(tree, model.at(3));
  append_creates(*log, host, model, 1, 10);  // acknowledged
  EXPECT_EQ(host.files_with_prefix("log.").back(), log_file_name(4));
  host.crash();
  log = open_log(host, &tree);
  EXPECT_EQ(tree, model.tree());
  EXPECT_TRUE(log->recovery_info().cut_reason.empty());
}

TEST(TxnLog, ACorruptNewestSnapshotFallsBackToThePreviousOne) {
  DiskHost host(9);
  Model model;
  DataTree tree;
  auto log = open_log(host, &tree);
  append_creates(*log, host, model, 3);
  snapshot_now(*log, host, model.tree());
  append_creates(*log, host, model, 4, 3);
  snapshot_now(*log, host, model.tree());
  append_creates(*log, host, model, 3, 7);
  ASSERT_EQ(host.files_with_prefix("snapshot."),
            (std::vector<std::string>{snapshot_file_name(3), snapshot_file_name(7)}));
  std::string bytes = host.read(snapshot_file_name(7)).value();
  bytes[bytes.size() / 2] = static_cast<char>(bytes[bytes.size() / 2] ^ 4);
  host.overwrite(snapshot_file_name(7), bytes);
  host.crash();
  log = open_log(host, &tree);
  EXPECT_EQ(tree, model.tree());
  EXPECT_EQ(log->recovery_info().snapshot_zxid, 3);
  EXPECT_EQ(log->recovery_info().bad_snapshots,
            std::vector<std::string>{snapshot_file_name(7)});
  EXPECT_EQ(host.files_with_prefix("snapshot."), std::vector<std::string>{snapshot_file_name(3)});
}

TEST(TxnLog, RetentionKeepsTwoSnapshotsAndTheLogsTheOlderNeeds) {
  DiskHost host(10);
  Model model;
  DataTree tree;
  auto log = open_log(host, &tree);
  for (int round = 0; round < 4; ++round) {
    append_creates(*log, host, model, 3, round * 3);
    snapshot_now(*log, host, model.tree());
  }
  append_creates(*log, host, model, 2, 100);
  EXPECT_EQ(host.files_with_prefix("snapshot."),
            (std::vector<std::string>{snapshot_file_name(9), snapshot_file_name(12)}));
  // Logs start with the last file beginning at or before snapshot 9 (it
  // cannot know without reading it that the file ends at 9).
  EXPECT_EQ(host.files_with_prefix("log.").front(), log_file_name(7));
  // The older snapshot alone, with the kept logs, still recovers everything.
  host.remove(snapshot_file_name(12));
  host.crash();
  log = open_log(host, &tree);
  EXPECT_EQ(log->recovery_info().snapshot_zxid, 9);
  EXPECT_EQ(tree, model.tree());
}

TEST(TxnLog, SnapshotOfATreeBehindTheLogKeepsTheTxnsAfterIt) {
  // The server may snapshot its applied tree while later txns are appended
  // but not yet applied: they must stay recoverable.
  DiskHost host(11);
  Model model;
  DataTree tree;
  auto log = open_log(host, &tree);
  append_creates(*log, host, model, 3);
  const DataTree applied = model.tree();
  append_creates(*log, host, model, 2, 3);
  snapshot_now(*log, host, applied);
  append_creates(*log, host, model, 1, 5);
  snapshot_now(*log, host, model.at(5));
  snapshot_now(*log, host, model.tree());
  host.crash();
  log = open_log(host, &tree);
  EXPECT_EQ(tree, model.tree());
  host.remove(snapshot_file_name(6));
  host.crash();
  log = open_log(host, &tree);
  EXPECT_EQ(log->recovery_info().snapshot_zxid, 5);
  EXPECT_EQ(tree, model.tree());
}

TEST(TxnLog, NoValidSnapshotIsAnErrorUnlessTheLogReachesBackToZero) {
  DiskHost host(12);
  Model model;
  DataTree tree;
  auto log = open_log(host, &tree);
  append_creates(*log, host, model, 2);
  snapshot_now(*log, host, model.tree());
  append_creates(*log, host, model, 2, 2);
  host.overwrite(snapshot_file_name(2), "not a snapshot");
  host.crash();
  // The log still starts at zxid 1: a full replay.
  log = open_log(host, &tree);
  EXPECT_EQ(tree, model.tree());
  EXPECT_EQ(log->recovery_info().snapshot_zxid, -1);

  // Once old logs are purged, losing every snapshot is an error value, and
  // recovery changes nothing on disk.
  snapshot_now(*log, host, model.tree());
  append_creates(*log, host, model, 2, 4);
  snapshot_now(*log, host, model.tree());
  append_creates(*log, host, model, 1, 6);
  ASSERT_EQ(host.files_with_prefix("log.").front(), log_file_name(3));
  for (const auto& s : host.files_with_prefix("snapshot.")) host.overwrite(s, "junk");
  host.crash();
  const auto before = host.list();
  TxnLog broken(host);
  Result<DataTree> r = broken.recover();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.code(), Code::DataInconsistency);
  EXPECT_EQ(host.list(), before);
}

TEST(TxnLog, LeftoverTmpSnapshotsAreRemoved) {
  DiskHost host(13);
  Model model;
  DataTree tree;
  auto log = open_log(host, &tree);
  append_creates(*log, host, model, 2);
  log->snapshot(model.tree(), [](bool) { ADD_FAILURE() << "crashed before the sync"; });
  host.crash();
  log = open_log(host, &tree);
  EXPECT_EQ(tree, model.tree());
  EXPECT_TRUE(host.files_with_prefix("snapshot.").empty());
}

TEST(TxnLog, GroupCommitFoldsSyncsIntoOneAndCallsBackInOrder) {
  DiskHost host(14);
  Model model;
  DataTree tree;
  auto log = open_log(host, &tree);
  std::vector<int> order;
  log->append(model.next_create("/a"));
  log->sync([&](bool ok) { order.push_back(ok ? 1 : -1); });
  EXPECT_TRUE(log->sync_in_flight());
  log->append(model.next_create("/b"));
  log->sync([&](bool ok) { order.push_back(ok ? 2 : -2); });
  log->append(model.next_create("/c"));
  log->sync([&](bool ok) { order.push_back(ok ? 3 : -3); });
  EXPECT_EQ(log->last_synced_zxid(), 0);
  const uint64_t syncs_before = host.syncs;
  host.run_all();
  EXPECT_EQ(order, (std::vector<int>{1, 2, 3}));
  EXPECT_EQ(host.syncs - syncs_before, 1u);  // the 2nd and 3rd share one
  EXPECT_EQ(log->last_synced_zxid(), 3);
  // Nothing left to sync: done runs at once.
  bool at_once = false;
  log->sync([&](bool ok) { at_once = ok; });
  EXPECT_TRUE(at_once);
}

TEST(TxnLog, ACallbackCrashedBeforeDoesNotRun) {
  DiskHost host(15);
  Model model;
  DataTree tree;
  auto log = open_log(host, &tree);
  log->append(model.next_create("/a"));
  bool ran = false;
  log->sync([&ran](bool) { ran = true; });
  log.reset();  // the process dies with the sync in flight
  host.run_all();
  EXPECT_FALSE(ran);
}

TEST(TxnLog, TxnsAfterServesTheBoundedCache) {
  DiskHost host(16);
  Model model;
  DataTree tree;
  TxnLogOptions options;
  options.cache_txns_max = 4;
  auto log = open_log(host, &tree, options);
  std::vector<Txn> txns;
  for (int i = 0; i < 10; ++i) {
    txns.push_back(model.next_create("/n" + std::to_string(i)));
    log->append(txns.back());
  }
  auto check = [&](const TxnLog& l) {
    EXPECT_EQ(l.first_logged_zxid(), 7);
    EXPECT_EQ(l.cache_base_zxid(), 6);
    ASSERT_TRUE(l.txns_after(6).has_value());
    EXPECT_EQ(*l.txns_after(6), std::vector<Txn>(txns.begin() + 6, txns.end()));
    EXPECT_EQ(*l.txns_after(8), std::vector<Txn>(txns.begin() + 8, txns.end()));
    EXPECT_TRUE(l.txns_after(10)->empty());
    EXPECT_FALSE(l.txns_after(5).has_value());   // older than the cache: SNAP
    EXPECT_FALSE(l.txns_after(11).has_value());  // ahead of the log: TRUNC
  };
  check(*log);
  sync_all(*log, host);
  host.crash();
  log = open_log(host, &tree, options);
  check(*log);  // rebuilt by recovery
}

TEST(TxnLog, TruncateAfterDropsTheTailAcrossFiles) {
  DiskHost host(17);
  Model model;
  DataTree tree;
  TxnLogOptions options;
  options.log_file_bytes_max = 100;
  auto log = open_log(host, &tree, options);
  append_creates(*log, host, model, 10);
  ASSERT_TRUE(log->truncate_after(4).ok());
  EXPECT_EQ(log->last_appended_zxid(), 4);
  EXPECT_EQ(log->last_synced_zxid(), 4);
  EXPECT_EQ(log->txns_after(2)->size(), 2u);
  EXPECT_FALSE(log->txns_after(5).has_value());
  // Later files are gone at once; without a sync the cut file may come back
  // whole, but never past what it held.
  for (const auto& f : host.files_with_prefix("log.")) EXPECT_LE(f, log_file_name(4));
  sync_all(*log, host);
  host.crash();
  log = open_log(host, &tree, options);
  EXPECT_EQ(tree, model.at(4));
  // A different history continues from 4.
  model.rewind(4);
  append_creates(*log, host, model, 3, 50);
  host.crash();
  log = open_log(host, &tree, options);
  EXPECT_EQ(tree, model.tree());
  EXPECT_EQ(log->txns_after(4)->size(), 3u);
}

TEST(TxnLog, TruncateBelowTheNewestSnapshotIsAnError) {
  DiskHost host(18);
  Model model;
  DataTree tree;
  auto log = open_log(host, &tree);
  append_creates(*log, host, model, 4);
  snapshot_now(*log, host, model.tree());
  append_creates(*log, host, model, 2, 4);
  const auto before = host.list();
  Status s = log->truncate_after(3);
  EXPECT_EQ(s.code(), Code::DataInconsistency);
  EXPECT_EQ(log->last_appended_zxid(), 6);
  EXPECT_EQ(host.list(), before);
  EXPECT_TRUE(log->truncate_after(4).ok());
  EXPECT_EQ(log->last_appended_zxid(), 4);
}

TEST(TxnLog, TruncateCancelsASnapshotPastIt) {
  DiskHost host(19);
  Model model;
  DataTree tree;
  auto log = open_log(host, &tree);
  append_creates(*log, host, model, 5);
  bool result = true;
  log->snapshot(model.tree(), [&result](bool ok) { result = ok; });
  ASSERT_TRUE(log->truncate_after(3).ok());
  host.run_all();
  EXPECT_FALSE(result);
  EXPECT_TRUE(host.files_with_prefix("snapshot.").empty());
}

TEST(TxnLog, TooManyFilesIsAnErrorValue) {
  DiskHost host(20);
  Model model;
  DataTree tree;
  TxnLogOptions options;
  options.log_file_bytes_max = 50;
  auto log = open_log(host, &tree, options);
  append_creates(*log, host, model, 4);
  ASSERT_GE(host.files_with_prefix("log.").size(), 3u);
  options.log_files_max = 2;
  TxnLog limited(host, options);
  Result<DataTree> r = limited.recover();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.code(), Code::DataInconsistency);
}

TEST(TxnLog, AnOversizedRecordLengthIsACut) {
  DiskHost host(21);
  Model model;
  DataTree tree;
  TxnLogOptions options;
  auto log = open_log(host, &tree, options);
  append_creates(*log, host, model, 3);
  options.record_bytes_max = 10;  // smaller than any record
  log = open_log(host, &tree, options);
  EXPECT_EQ(tree, DataTree());
  EXPECT_NE(log->recovery_info().cut_reason.find("over the limit"), std::string::npos);
}

TEST(TxnLog, ASnapshotAheadOfTheLogContinuesIt) {
  // A follower that got a SNAP: the log is behind the tree; the next txn
  // follows the snapshot.
  DiskHost leader_disk(22);
  Model model;
  DataTree tree;
  auto leader = open_log(leader_disk, &tree);
  append_creates(*leader, leader_disk, model, 5);
  DiskHost host(23);
  auto log = open_log(host, &tree);
  bool waited = false;
  log->snapshot(model.tree(), [](bool) {});
  EXPECT_EQ(log->last_appended_zxid(), 5);
  log->sync([&waited](bool ok) { waited = ok; });
  EXPECT_FALSE(waited);  // the snapshot is not durable yet
  host.run_all();
  EXPECT_TRUE(waited);
  append_creates(*log, host, model, 2, 5);
  host.crash();
  log = open_log(host, &tree);
  EXPECT_EQ(tree, model.tree());
  EXPECT_EQ(log->recovery_info().snapshot_zxid, 5);
}

}  // namespace
}  // namespace zsim::core
