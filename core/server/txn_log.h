// TxnLog: the server's durable storage — the txn log, snapshots, and crash
// recovery from them (ZooKeeper's FileTxnSnapLog), on the io::Storage seam.
//
// Files (names sort in zxid order; other names on the disk are left alone):
//   log.<16 hex>        txns, named by the zxid of their first txn;
//   snapshot.<16 hex>   a whole DataTree (core/tree/snapshot.h), named by its
//                       last zxid; written as snapshot.<hex>.tmp, synced,
//                       then renamed, so a snapshot file is always complete.
// A log file is a 24-byte header — "ZSIMTLOG", u32 format version, i64
// prev_zxid (the zxid of the txn logged just before this file's first txn,
// or of the snapshot it continues), u32 CRC32C of those 20 bytes — then
// records [length u32][crc32c u32 of length+payload][encode_txn payload].
// Each record's predecessor is the record before it, or the header's
// prev_zxid for the first one: the log is a hash-free chain, so recovery can
// tell a log that continues a snapshot from one with a hole in it.
//
// Durability (io::Storage contract: only synced bytes survive a crash, an
// unsynced tail may survive torn; rename/remove are durable at once):
//  - append() only buffers; sync() writes the buffer and syncs every log file
//    with unsynced bytes (after a roll, the old file too), then calls back.
//    A txn acknowledged after its sync() callback survives every crash.
//  - recover() replays the newest snapshot that reads back valid plus the
//    longest valid chain of log records after it. A torn or corrupt record
//    (checksum, length, decode, non-increasing zxid, broken chain) ends the
//    log: the file is truncated there and every later log file removed. The
//    truncation is made durable by the first sync() after recovery, before
//    anything new is acknowledged.
//  - A faulty disk (corrupted reads, lying syncs) is outside this contract:
//    corrupted reads are retried (read_attempts_max) and checksums catch
//    the rest, but data a lying sync never wrote is lost here; replication
//    (a quorum) covers that later. Whatever the disk returns, recovery never
//    crashes: it yields a consistent tree (some prefix of what was logged) or
//    an error value.
//
// Replication hooks (ZAB): txns_after() for DIFF sync from a bounded
// in-memory cache of the most recent txns (no disk reads: a follower older
// than the cache gets a SNAP); truncate_after() for TRUNC.
//
// Threading: single-threaded, event-driven. Callbacks run from the storage's
// sync callbacks (the host's event loop), never after the TxnLog is destroyed.
// Call order for the server: recover() once; then sync() once and wait for
// it before serving (it makes recovery's truncation, and whatever recovery
// read back from an unsynced tail, durable); then append()/sync()/snapshot()
// freely, applying a txn only after the sync() that covers it calls back.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/errors.h"
#include "core/io/function.h"
#include "core/io/storage.h"
#include "core/tree/data_tree.h"
#include "core/txn/txn.h"

namespace zsim::core {

struct TxnLogOptions {
  // Largest encoded txn (record payload). Appending a bigger one is a bug in
  // the caller (assert): prepare()'s limits keep txns far below it. Reading
  // a record that claims more is corruption.
  uint64_t record_bytes_max = uint64_t{64} << 20;
  // A log file rolls to a new one once it holds this many bytes.
  uint64_t log_file_bytes_max = uint64_t{64} << 20;
  // Recovery refuses (error value) a disk with more log or snapshot files
  // than this: take snapshots often enough that old logs are deleted.
  size_t log_files_max = 4096;
  size_t snapshot_files_max = 64;
  // Snapshots kept after a new one is durable (>= 1); logs needed to recover
  // from the oldest kept one are kept too, so a corrupt newest snapshot
  // still leaves a way back.
  size_t snapshots_kept = 2;
  // append() writes its buffer to the file once it holds this many bytes,
  // even before a sync().
  uint64_t write_buffer_bytes_max = uint64_t{1} << 20;
  // Recent txns kept in memory for txns_after() (count and encoded bytes).
  size_t cache_txns_max = 4096;
  uint64_t cache_bytes_max = uint64_t{16} << 20;
  // Reads of a file whose contents fail their checks are retried up to this
  // many times in all (a faulty disk may corrupt one read, not the data).
  int read_attempts_max = 3;
};

// What the last recover() found and did, for traces and tests.
struct RecoveryInfo {
  int64_t snapshot_zxid = -1;             // the snapshot used; -1: none (fresh tree)
  std::vector<std::string> bad_snapshots;  // failed to read; removed
  uint64_t txns_replayed = 0;             // applied on top of the snapshot
  // Where the log was cut (empty: it ended cleanly), at which byte, and why.
  std::string cut_file;
  uint64_t cut_offset = 0;
  std::string cut_reason;
  std::vector<std::string> removed_files;  // log files after the cut, *.tmp
};

class TxnLog {
 public:
  explicit TxnLog(io::Storage& disk, TxnLogOptions options = {});
  ~TxnLog();
  TxnLog(const TxnLog&) = delete;
  TxnLog& operator=(const TxnLog&) = delete;

  // Loads the newest snapshot that reads back valid (removing newer corrupt
  // ones), replays every logged txn after it in zxid order with apply(), cuts
  // the log at the first torn/corrupt/unchained record (truncating that file
  // and removing later log files) and returns the tree; its last_zxid() is
  // the last recovered txn. An empty disk gives a fresh DataTree. With no
  // valid snapshot a fresh tree is used only if the log reaches back to zxid
  // 0; otherwise (or with more files than the limits) DataInconsistency, and
  // nothing on disk is changed.
  // Call once at process start, before anything else; may be called again to
  // rebuild the tree (e.g. after truncate_after()).
  // REQUIRES: no sync() or snapshot() in flight.
  Result<DataTree> recover();
  const RecoveryInfo& recovery_info() const { return info_; }

  // Buffers `txn` at the end of the log; durable after the next sync().
  // REQUIRES: recover() ran; txn.header.zxid > last_appended_zxid(); its
  // encoding is at most record_bytes_max.
  void append(const Txn& txn);

  // Makes every txn appended so far durable, then calls done(ok). Group
  // commit: sync()s called while one is in flight share the next one, and
  // callbacks run in call order. ok is false if the storage failed a sync
  // (then nothing is promised; the server should stop). done runs before
  // sync() returns only when there is nothing left to make durable.
  void sync(UniqueFunction<void(bool ok)> done);

  int64_t last_appended_zxid() const { return last_appended_; }
  int64_t last_synced_zxid() const { return last_synced_; }
  bool sync_in_flight() const { return round_in_flight_; }

  // Serializes `tree` now (the caller may change it on return), writes it as
  // a snapshot (tmp file, sync, rename), rolls the log to a new file, and
  // once the snapshot is durable deletes what recovery no longer needs (all
  // but the newest snapshots_kept snapshots, and the logs before the oldest
  // kept one), then calls done(ok) (false: the storage failed the sync; the
  // snapshot was discarded, the log is unaffected).
  // The tree may be behind the log (txns appended, not yet applied). If it is
  // ahead (a SNAP from the leader), the log continues from the tree: the next
  // txn appended must follow tree.last_zxid(); first truncate_after() any
  // logged txns that conflict.
  // REQUIRES: recover() ran; no snapshot() in flight.
  void snapshot(const DataTree& tree, UniqueFunction<void(bool ok)> done);
  bool snapshot_in_flight() const { return snapshot_ != nullptr; }
  // Txns appended since the last snapshot() call (or recovery); the server's
  // cue to take one.
  uint64_t appended_since_snapshot() const { return appended_since_snapshot_; }

  // ---- replication (ZAB)

  // The logged txns with zxid > after, in order (DIFF), from the in-memory
  // cache; nullopt if the cache does not reach back to `after` (the caller
  // sends a snapshot) or `after` > last_appended_zxid() (the caller truncates
  // the follower). Whether `after` is on this log's history at all is the
  // caller's decision (ZAB's sync rules).
  std::optional<std::vector<Txn>> txns_after(int64_t after) const;
  // The zxid of the oldest cached txn, 0 if the cache is empty.
  int64_t first_logged_zxid() const;
  // txns_after(x) answers for every x in [cache_base_zxid(), last_appended].
  int64_t cache_base_zxid() const { return cache_base_; }

  // Drops every logged txn with zxid > `zxid` and every snapshot past it
  // (TRUNC), and cancels an in-flight snapshot past it (its done(false)).
  // File removals are durable on return; the truncation of the file holding
  // `zxid` becomes durable with the next sync() — call one before acting on
  // it (e.g. before ZAB's ACK). The tree in memory is the caller's:
  // recover() rebuilds it from disk. last_appended_zxid() becomes the last
  // txn kept. Errors (nothing changed): `zxid` is older than the newest
  // durable snapshot or than the log this process has indexed (the caller
  // needs a snapshot from the leader instead).
  // REQUIRES: recover() ran.
  Status truncate_after(int64_t zxid);

 private:
  struct Record {
    int64_t zxid;
    uint64_t end;  // offset just past the record
  };
  struct LogFile {
    std::string name;
    int64_t first_zxid = 0;
    int64_t prev_zxid = 0;
    uint64_t size = 0;             // bytes in the file, buffered ones included
    std::vector<Record> records;  // every record in the file, in order
    int64_t last_zxid() const { return records.empty() ? prev_zxid : records.back().zxid; }
  };
  struct PendingSnapshot;
  struct ParsedLog;

  // recover() steps.
  void reset_state();
  Status load_base(const std::vector<int64_t>& snapshots, const std::vector<int64_t>& logs,
                   DataTree* tree);
  void replay(const std::vector<int64_t>& logs, DataTree* tree);
  void cut_log(const std::vector<int64_t>& logs, size_t index, uint64_t offset,
               bool remove_file, std::string reason);
  ParsedLog read_log(const std::string& name) const;
  Result<DataTree> load_snapshot(const std::string& name) const;
  void finish_recovery(const DataTree& tree);

  // append() / sync() helpers.
  LogFile& writable_file(int64_t zxid);
  void flush();
  void roll();
  void start_round();
  void on_round_synced(uint64_t round_id, bool ok);
  void cache_push(const Txn& txn, uint64_t bytes);
  void cache_reset(int64_t base);

  // snapshot() helpers.
  void on_snapshot_synced(bool ok);
  void purge();

  io::Storage& disk_;
  const TxnLogOptions options_;
  // Guards callbacks against running after destruction.
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
  bool recovered_ = false;
  RecoveryInfo info_;

  int64_t last_appended_ = 0;
  int64_t last_synced_ = 0;
  uint64_t appended_since_snapshot_ = 0;

  // The log files this process knows (from the one recovery started in),
  // oldest first; the last one is where appends go while `open_` is true.
  std::vector<LogFile> files_;
  bool open_ = false;
  std::string buffer_;              // unwritten bytes for files_.back()
  std::set<std::string> dirty_;     // files with unsynced bytes (or truncation)
  std::set<int64_t> snapshots_;     // snapshot zxids on disk

  // Group commit.
  bool round_in_flight_ = false;
  uint64_t round_id_ = 0;
  struct RoundState {
    int64_t target = 0;
    size_t pending = 0;
    bool ok = true;
    std::vector<std::string> files;
    std::vector<UniqueFunction<void(bool)>> callbacks;
  } round_;
  std::vector<UniqueFunction<void(bool)>> waiting_;

  std::unique_ptr<PendingSnapshot> snapshot_;

  // Recent txns, a contiguous chain after cache_base_ ending at
  // last_appended_.
  std::deque<Txn> cache_;
  std::deque<uint64_t> cache_sizes_;
  uint64_t cache_bytes_ = 0;
  int64_t cache_base_ = 0;
};

// File names, exposed for tests and tools.
std::string log_file_name(int64_t first_zxid);
std::string snapshot_file_name(int64_t zxid);

}  // namespace zsim::core
