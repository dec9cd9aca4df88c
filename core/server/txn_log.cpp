#include "core/server/txn_log.h"

#include <fmt/format.h>

#include <algorithm>
#include <utility>

#include "core/assert.h"
#include "core/codec.h"
#include "core/tree/snapshot.h"
#include "core/txn/apply.h"

namespace zsim::core {
namespace {

constexpr std::string_view kLogPrefix = "log.";
constexpr std::string_view kSnapshotPrefix = "snapshot.";
constexpr std::string_view kTmpSuffix = ".tmp";
constexpr std::string_view kLogMagic = "ZSIMTLOG";
constexpr uint32_t kLogFormatVersion = 1;
constexpr uint64_t kHeaderBytes = 8 + 4 + 8 + 4;
constexpr uint64_t kRecordHeaderBytes = 8;
constexpr size_t kHexDigits = 16;

std::string hex_name(std::string_view prefix, int64_t zxid) {
  return fmt::format("{}{:016x}", prefix, static_cast<uint64_t>(zxid));
}

// The zxid in `prefix` + 16 lowercase hex digits (+ `suffix`), if the name
// is exactly that.
std::optional<int64_t> parse_name(std::string_view name, std::string_view prefix,
                                  std::string_view suffix = {}) {
  if (name.size() != prefix.size() + kHexDigits + suffix.size()) return std::nullopt;
  if (name.substr(0, prefix.size()) != prefix) return std::nullopt;
  if (name.substr(prefix.size() + kHexDigits) != suffix) return std::nullopt;
  uint64_t value = 0;
  for (char c : name.substr(prefix.size(), kHexDigits)) {
    uint64_t digit = 0;
    if (c >= '0' && c <= '9') {
      digit = static_cast<uint64_t>(c - '0');
    } else if (c >= 'a' && c <= 'f') {
      digit = static_cast<uint64_t>(c - 'a' + 10);
    } else {
      return std::nullopt;
    }
    value = value << 4 | digit;
  }
  return static_cast<int64_t>(value);
}

std::string encode_header(int64_t prev_zxid) {
  Writer w;
  w.raw(kLogMagic);
  w.u32(kLogFormatVersion);
  w.i64(prev_zxid);
  w.u32(crc32c(w.view()));
  ZSIM_ASSERT(w.size() == kHeaderBytes);
  return w.take();
}

uint32_t record_crc(std::string_view length_bytes, std::string_view payload) {
  return crc32c(payload, crc32c(length_bytes));
}

}  // namespace

std::string log_file_name(int64_t first_zxid) { return hex_name(kLogPrefix, first_zxid); }
std::string snapshot_file_name(int64_t zxid) { return hex_name(kSnapshotPrefix, zxid); }

// One log file as read back: the header, the valid records, and why reading
// stopped early (empty if the whole file is valid).
struct TxnLog::ParsedLog {
  bool header_ok = false;
  int64_t prev_zxid = 0;
  std::vector<std::pair<Txn, uint64_t>> records;  // txn, end offset
  uint64_t valid_end = 0;
  uint64_t file_bytes = 0;
  std::string stop;

  bool clean() const { return header_ok && stop.empty(); }
  bool better_than(const ParsedLog& other) const {
    if (header_ok != other.header_ok) return header_ok;
    return valid_end > other.valid_end;
  }
};

struct TxnLog::PendingSnapshot {
  int64_t zxid = 0;
  std::string tmp;
  bool cancelled = false;
  UniqueFunction<void(bool)> done;
};

namespace {

void parse_records(std::string_view bytes, uint64_t record_bytes_max,
                   std::vector<std::pair<Txn, uint64_t>>* records, uint64_t* end,
                   std::string* stop) {
  uint64_t off = kHeaderBytes;
  while (off < bytes.size()) {
    const uint64_t left = bytes.size() - off;
    if (left < kRecordHeaderBytes) {
      *stop = "torn record header";
      break;
    }
    Reader head(bytes.substr(off, kRecordHeaderBytes));
    const uint32_t length = head.u32();
    const uint32_t crc = head.u32();
    if (length > record_bytes_max) {
      *stop = fmt::format("record length {} over the limit", length);
      break;
    }
    if (left - kRecordHeaderBytes < length) {
      *stop = "torn record";
      break;
    }
    const std::string_view payload = bytes.substr(off + kRecordHeaderBytes, length);
    if (record_crc(bytes.substr(off, 4), payload) != crc) {
      *stop = "record checksum mismatch";
      break;
    }
    Result<Txn> txn = decode_txn(payload);
    if (!txn.ok()) {
      *stop = "undecodable record: " + txn.status().to_string();
      break;
    }
    off += kRecordHeaderBytes + length;
    records->emplace_back(std::move(txn).value(), off);
  }
  *end = off;
}

}  // namespace

TxnLog::TxnLog(io::Storage& disk, TxnLogOptions options) : disk_(disk), options_(options) {
  ZSIM_ASSERT(options_.snapshots_kept >= 1);
  ZSIM_ASSERT(options_.read_attempts_max >= 1);
  ZSIM_ASSERT(options_.record_bytes_max <= UINT32_MAX);
  ZSIM_ASSERT(options_.log_files_max >= 1);
}

TxnLog::~TxnLog() = default;

// ---- recovery ---------------------------------------------------------------

void TxnLog::reset_state() {
  info_ = RecoveryInfo{};
  last_appended_ = 0;
  last_synced_ = 0;
  appended_since_snapshot_ = 0;
  files_.clear();
  open_ = false;
  buffer_.clear();
  dirty_.clear();
  snapshots_.clear();
  waiting_.clear();
  cache_reset(0);
}

Result<DataTree> TxnLog::recover() {
  ZSIM_ASSERT(!round_in_flight_);
  ZSIM_ASSERT(snapshot_ == nullptr);
  reset_state();
  std::vector<int64_t> snapshots;
  std::vector<int64_t> logs;
  std::vector<std::string> tmps;
  for (const std::string& name : disk_.list()) {
    if (auto z = parse_name(name, kLogPrefix)) {
      logs.push_back(*z);
    } else if (auto s = parse_name(name, kSnapshotPrefix)) {
      snapshots.push_back(*s);
    } else if (parse_name(name, kSnapshotPrefix, kTmpSuffix)) {
      tmps.push_back(name);
    }
  }
  if (logs.size() > options_.log_files_max || snapshots.size() > options_.snapshot_files_max) {
    return Status(Code::DataInconsistency,
                  fmt::format("{} log files and {} snapshots exceed the limits ({}, {})",
                              logs.size(), snapshots.size(), options_.log_files_max,
                              options_.snapshot_files_max));
  }
  std::sort(logs.begin(), logs.end());
  std::sort(snapshots.begin(), snapshots.end());
  DataTree tree = DataTree::blank();
  if (Status s = load_base(snapshots, logs, &tree); !s.ok()) {
    return s;
  }
  for (const std::string& tmp : tmps) {
    disk_.remove(tmp);
    info_.removed_files.push_back(tmp);
  }
  replay(logs, &tree);
  finish_recovery(tree);
  return tree;
}

Result<DataTree> TxnLog::load_snapshot(const std::string& name) const {
  Status last(Code::DataInconsistency, name + " is missing");
  for (int attempt = 0; attempt < options_.read_attempts_max; ++attempt) {
    std::optional<io::Bytes> bytes = disk_.read(name);
    if (!bytes.has_value()) break;
    Result<DataTree> tree = read_snapshot(*bytes);
    if (tree.ok()) return tree;
    last = tree.status();
  }
  return last;
}

Status TxnLog::load_base(const std::vector<int64_t>& snapshots, const std::vector<int64_t>& logs,
                         DataTree* tree) {
  std::vector<std::string> bad;
  for (auto it = snapshots.rbegin(); it != snapshots.rend(); ++it) {
    const std::string name = snapshot_file_name(*it);
    Result<DataTree> loaded = load_snapshot(name);
    if (loaded.ok() && loaded->last_zxid() == *it) {
      *tree = std::move(loaded).value();
      info_.snapshot_zxid = *it;
      break;
    }
    bad.push_back(name);
  }
  if (info_.snapshot_zxid < 0 && !snapshots.empty()) {
    // Every snapshot is unreadable: a fresh tree is right only if the log
    // still reaches back to the very first txn.
    const bool log_from_start =
        !logs.empty() && [&] {
          ParsedLog first = read_log(log_file_name(logs.front()));
          return first.header_ok && first.prev_zxid == 0;
        }();
    if (!log_from_start) {
      return Status(Code::DataInconsistency,
                    fmt::format("no snapshot reads back valid ({} tried) and the log does not "
                                "reach back to zxid 0",
                                snapshots.size()));
    }
  }
  if (info_.snapshot_zxid < 0) {
    *tree = DataTree();
  }
  for (const std::string& name : bad) {
    disk_.remove(name);
  }
  info_.bad_snapshots = std::move(bad);
  for (int64_t z : snapshots) {
    if (z <= info_.snapshot_zxid) snapshots_.insert(z);
  }
  return Status();
}

TxnLog::ParsedLog TxnLog::read_log(const std::string& name) const {
  ParsedLog best;
  best.stop = "missing";
  for (int attempt = 0; attempt < options_.read_attempts_max; ++attempt) {
    std::optional<io::Bytes> bytes = disk_.read(name);
    if (!bytes.has_value()) break;
    ParsedLog p;
    p.file_bytes = bytes->size();
    if (bytes->size() < kHeaderBytes) {
      p.stop = "torn file header";
    } else {
      const std::string_view view(*bytes);
      Reader h(view.substr(0, kHeaderBytes));
      const std::string_view magic = h.raw(kLogMagic.size());
      const uint32_t version = h.u32();
      p.prev_zxid = h.i64();
      const uint32_t crc = h.u32();
      p.header_ok = magic == kLogMagic && version == kLogFormatVersion &&
                    crc == crc32c(view.substr(0, kHeaderBytes - 4));
      if (p.header_ok) {
        parse_records(view, options_.record_bytes_max, &p.records, &p.valid_end, &p.stop);
      } else {
        p.stop = "corrupt file header";
      }
    }
    if (p.clean()) return p;
    if (attempt == 0 || p.better_than(best)) best = std::move(p);
  }
  return best;
}

void TxnLog::replay(const std::vector<int64_t>& logs, DataTree* tree) {
  if (logs.empty()) return;
  // Start in the last file that begins at or before the tree's zxid: it
  // holds the first txn after it (or the log is behind the tree).
  const auto after = std::upper_bound(logs.begin(), logs.end(), tree->last_zxid());
  const size_t first = after == logs.begin() ? 0 : static_cast<size_t>(after - logs.begin() - 1);
  for (size_t i = first; i < logs.size(); ++i) {
    const std::string name = log_file_name(logs[i]);
    ParsedLog p = read_log(name);
    if (!p.header_ok) {
      cut_log(logs, i, 0, true, p.stop);
      return;
    }
    LogFile file{name, logs[i], p.prev_zxid, kHeaderBytes, {}};
    int64_t pred = p.prev_zxid;
    for (auto& [txn, end] : p.records) {
      const int64_t zxid = txn.header.zxid;
      std::string why;
      if (file.records.empty() && zxid != logs[i]) {
        why = fmt::format("first txn {:#x} does not match the file name", zxid);
      } else if (zxid <= pred) {
        why = fmt::format("txn {:#x} does not follow {:#x}", zxid, pred);
      } else if (zxid > tree->last_zxid() && pred != tree->last_zxid()) {
        why = fmt::format("txn {:#x} follows {:#x}, but the tree is at {:#x}", zxid, pred,
                          tree->last_zxid());
      }
      if (!why.empty()) {
        const bool keep = !file.records.empty();
        if (keep) files_.push_back(file);
        cut_log(logs, i, file.size, !keep, why);
        return;
      }
      if (zxid > tree->last_zxid()) {
        apply(*tree, txn);
        ++info_.txns_replayed;
      }
      const int64_t cache_last = cache_.empty() ? cache_base_ : cache_.back().header.zxid;
      if (cache_last != pred) cache_reset(pred);
      cache_push(txn, end - file.size - kRecordHeaderBytes);
      file.records.push_back(Record{zxid, end});
      file.size = end;
      pred = zxid;
    }
    if (file.records.empty()) {
      cut_log(logs, i, 0, true, p.stop.empty() ? "no records" : p.stop);
      return;
    }
    files_.push_back(file);
    if (!p.stop.empty()) {
      cut_log(logs, i, p.valid_end, false, p.stop);
      return;
    }
  }
}

void TxnLog::cut_log(const std::vector<int64_t>& logs, size_t index, uint64_t offset,
                     bool remove_file, std::string reason) {
  const std::string name = log_file_name(logs[index]);
  info_.cut_file = name;
  info_.cut_offset = offset;
  info_.cut_reason = std::move(reason);
  if (remove_file) {
    disk_.remove(name);
    info_.removed_files.push_back(name);
  } else {
    ZSIM_ASSERT(offset > kHeaderBytes);
    const std::optional<uint64_t> size = disk_.size(name);
    if (size.has_value() && *size > offset) {
      disk_.truncate(name, offset);
    }
  }
  for (size_t j = index + 1; j < logs.size(); ++j) {
    const std::string later = log_file_name(logs[j]);
    disk_.remove(later);
    info_.removed_files.push_back(later);
  }
}

void TxnLog::finish_recovery(const DataTree& tree) {
  const int64_t cache_last = cache_.empty() ? cache_base_ : cache_.back().header.zxid;
  if (cache_last != tree.last_zxid()) cache_reset(tree.last_zxid());
  last_appended_ = tree.last_zxid();
  last_synced_ = tree.last_zxid();
  // What recovery read may be an unsynced tail that happened to survive, and
  // its truncation is not durable yet: the first sync() covers both.
  for (const LogFile& f : files_) dirty_.insert(f.name);
  open_ = !files_.empty();
  recovered_ = true;
}

// ---- appending and group commit ---------------------------------------------

TxnLog::LogFile& TxnLog::writable_file(int64_t zxid) {
  if (open_ && !files_.empty() && files_.back().last_zxid() == last_appended_ &&
      files_.back().size < options_.log_file_bytes_max) {
    return files_.back();
  }
  roll();
  LogFile file{log_file_name(zxid), zxid, last_appended_, kHeaderBytes, {}};
  ZSIM_ASSERT_MSG(!disk_.size(file.name).has_value(), "a log file with this name exists");
  ZSIM_ASSERT(buffer_.empty());
  buffer_ = encode_header(last_appended_);
  files_.push_back(std::move(file));
  open_ = true;
  return files_.back();
}

void TxnLog::append(const Txn& txn) {
  ZSIM_ASSERT(recovered_);
  const int64_t zxid = txn.header.zxid;
  ZSIM_ASSERT(zxid > last_appended_);
  const std::string payload = encode_txn(txn);
  ZSIM_ASSERT_MSG(payload.size() <= options_.record_bytes_max, "txn over record_bytes_max");
  LogFile& file = writable_file(zxid);
  Writer record;
  record.u32(static_cast<uint32_t>(payload.size()));
  record.u32(record_crc(record.view(), payload));
  record.raw(payload);
  buffer_ += record.view();
  file.size += record.size();
  file.records.push_back(Record{zxid, file.size});
  last_appended_ = zxid;
  ++appended_since_snapshot_;
  cache_push(txn, payload.size());
  if (buffer_.size() >= options_.write_buffer_bytes_max) flush();
}

void TxnLog::flush() {
  if (buffer_.empty()) return;
  ZSIM_ASSERT(open_);
  ZSIM_ASSERT(!files_.empty());
  disk_.append(files_.back().name, buffer_);
  dirty_.insert(files_.back().name);
  buffer_.clear();
}

void TxnLog::roll() {
  flush();
  open_ = false;
}

void TxnLog::sync(UniqueFunction<void(bool)> done) {
  ZSIM_ASSERT(recovered_);
  waiting_.push_back(std::move(done));
  if (!round_in_flight_) start_round();
}

void TxnLog::start_round() {
  ZSIM_ASSERT(!round_in_flight_);
  flush();
  if (dirty_.empty()) {
    // No log bytes to sync. Only a snapshot that put the log ahead (a SNAP)
    // can still be on its way; its completion restarts the round.
    if (last_synced_ < last_appended_ && snapshot_ != nullptr) return;
    const bool ok = last_synced_ >= last_appended_;
    std::vector<UniqueFunction<void(bool)>> callbacks = std::move(waiting_);
    waiting_.clear();
    for (auto& cb : callbacks) cb(ok);
    return;
  }
  round_in_flight_ = true;
  const uint64_t id = ++round_id_;
  round_.target = last_appended_;
  round_.ok = true;
  round_.files.assign(dirty_.begin(), dirty_.end());
  round_.pending = round_.files.size();
  round_.callbacks = std::move(waiting_);
  waiting_.clear();
  dirty_.clear();
  const std::vector<std::string> files = round_.files;
  std::weak_ptr<bool> alive = alive_;
  for (const std::string& name : files) {
    disk_.sync(name, [this, alive, id](bool ok) {
      if (alive.expired()) return;
      on_round_synced(id, ok);
    });
  }
}

void TxnLog::on_round_synced(uint64_t round_id, bool ok) {
  ZSIM_ASSERT(round_in_flight_);
  ZSIM_ASSERT(round_id == round_id_);
  ZSIM_ASSERT(round_.pending > 0);
  round_.ok = round_.ok && ok;
  if (--round_.pending > 0) return;
  round_in_flight_ = false;
  if (round_.ok) {
    last_synced_ = std::max(last_synced_, round_.target);
  } else {
    for (const std::string& name : round_.files) dirty_.insert(name);
  }
  const bool result = round_.ok;
  std::vector<UniqueFunction<void(bool)>> callbacks = std::move(round_.callbacks);
  round_.callbacks.clear();
  for (auto& cb : callbacks) cb(result);
  if (!waiting_.empty() && !round_in_flight_) start_round();
}

// ---- the txn cache ----------------------------------------------------------

void TxnLog::cache_push(const Txn& txn, uint64_t bytes) {
  cache_.push_back(txn);
  cache_sizes_.push_back(bytes);
  cache_bytes_ += bytes;
  while (!cache_.empty() &&
         (cache_.size() > options_.cache_txns_max || cache_bytes_ > options_.cache_bytes_max)) {
    cache_base_ = cache_.front().header.zxid;
    cache_bytes_ -= cache_sizes_.front();
    cache_.pop_front();
    cache_sizes_.pop_front();
  }
}

void TxnLog::cache_reset(int64_t base) {
  cache_.clear();
  cache_sizes_.clear();
  cache_bytes_ = 0;
  cache_base_ = base;
}

std::optional<std::vector<Txn>> TxnLog::txns_after(int64_t after) const {
  if (after < cache_base_ || after > last_appended_) return std::nullopt;
  const auto from = std::partition_point(cache_.begin(), cache_.end(),
                                         [after](const Txn& t) { return t.header.zxid <= after; });
  return std::vector<Txn>(from, cache_.end());
}

int64_t TxnLog::first_logged_zxid() const {
  return cache_.empty() ? 0 : cache_.front().header.zxid;
}

// ---- snapshots --------------------------------------------------------------

void TxnLog::snapshot(const DataTree& tree, UniqueFunction<void(bool)> done) {
  ZSIM_ASSERT(recovered_);
  ZSIM_ASSERT(snapshot_ == nullptr);
  const int64_t zxid = tree.last_zxid();
  auto pending = std::make_unique<PendingSnapshot>();
  pending->zxid = zxid;
  pending->tmp = std::string(snapshot_file_name(zxid)) + std::string(kTmpSuffix);
  pending->done = std::move(done);
  disk_.remove(pending->tmp);
  disk_.append(pending->tmp, write_snapshot(tree));
  roll();
  if (zxid > last_appended_) {
    // The tree is ahead of the log (a SNAP): the log continues from it.
    last_appended_ = zxid;
    cache_reset(zxid);
  }
  appended_since_snapshot_ = 0;
  const std::string tmp = pending->tmp;
  snapshot_ = std::move(pending);
  std::weak_ptr<bool> alive = alive_;
  disk_.sync(tmp, [this, alive](bool ok) {
    if (alive.expired()) return;
    on_snapshot_synced(ok);
  });
}

void TxnLog::on_snapshot_synced(bool ok) {
  ZSIM_ASSERT(snapshot_ != nullptr);
  std::unique_ptr<PendingSnapshot> s = std::move(snapshot_);
  bool done_ok = false;
  if (ok && !s->cancelled && disk_.rename(s->tmp, snapshot_file_name(s->zxid))) {
    snapshots_.insert(s->zxid);
    // The tree up to the snapshot survives a crash now, log or no log.
    last_synced_ = std::max(last_synced_, std::min(s->zxid, last_appended_));
    purge();
    done_ok = true;
  } else {
    disk_.remove(s->tmp);
  }
  s->done(done_ok);
  if (!waiting_.empty() && !round_in_flight_) start_round();
}

void TxnLog::purge() {
  while (snapshots_.size() > options_.snapshots_kept) {
    disk_.remove(snapshot_file_name(*snapshots_.begin()));
    snapshots_.erase(snapshots_.begin());
  }
  ZSIM_ASSERT(!snapshots_.empty());
  const int64_t oldest = *snapshots_.begin();
  std::vector<int64_t> logs;
  for (const std::string& name : disk_.list()) {
    if (auto z = parse_name(name, kLogPrefix)) logs.push_back(*z);
  }
  // Recovery from `oldest` starts in the last log file beginning at or
  // before it; everything before that file is no longer needed.
  const auto after = std::upper_bound(logs.begin(), logs.end(), oldest);
  if (after == logs.begin()) return;
  const int64_t keep_from = *(after - 1);
  // Files with a sync pending (recovered ones before the first sync) wait
  // for a later purge rather than fail that sync.
  auto busy = [this](const std::string& name) {
    return dirty_.count(name) != 0 ||
           (round_in_flight_ &&
            std::find(round_.files.begin(), round_.files.end(), name) != round_.files.end());
  };
  for (int64_t z : logs) {
    const std::string name = log_file_name(z);
    if (z >= keep_from || busy(name)) break;
    disk_.remove(name);
    std::erase_if(files_, [z](const LogFile& f) { return f.first_zxid == z; });
  }
}

// ---- truncation (ZAB's TRUNC) -------------------------------------------------

Status TxnLog::truncate_after(int64_t zxid) {
  ZSIM_ASSERT(recovered_);
  if (zxid >= last_appended_) return Status();
  const int64_t newest_snapshot = snapshots_.empty() ? 0 : *snapshots_.rbegin();
  const int64_t indexed_from = files_.empty() ? last_appended_ : files_.front().prev_zxid;
  if (zxid < newest_snapshot || zxid < indexed_from) {
    return Status(Code::DataInconsistency,
                  fmt::format("cannot truncate to {:#x}: the log holds only txns after {:#x}",
                              zxid, std::max(newest_snapshot, indexed_from)));
  }
  flush();
  if (snapshot_ != nullptr && snapshot_->zxid > zxid) snapshot_->cancelled = true;
  int64_t kept = indexed_from;
  while (!files_.empty() && files_.back().first_zxid > zxid) {
    kept = files_.back().prev_zxid;
    disk_.remove(files_.back().name);
    dirty_.erase(files_.back().name);
    files_.pop_back();
  }
  if (!files_.empty()) {
    LogFile& f = files_.back();
    while (!f.records.empty() && f.records.back().zxid > zxid) f.records.pop_back();
    ZSIM_ASSERT(!f.records.empty());  // its first txn is f.first_zxid <= zxid
    const uint64_t end = f.records.back().end;
    if (end < f.size) {
      disk_.truncate(f.name, end);
      f.size = end;
      dirty_.insert(f.name);
    }
    kept = f.records.back().zxid;
  }
  last_appended_ = std::max(kept, newest_snapshot);
  last_synced_ = std::min(last_synced_, last_appended_);
  if (round_in_flight_) round_.target = std::min(round_.target, last_appended_);
  open_ = !files_.empty();
  while (!cache_.empty() && cache_.back().header.zxid > last_appended_) {
    cache_bytes_ -= cache_sizes_.back();
    cache_.pop_back();
    cache_sizes_.pop_back();
  }
  const int64_t cache_last = cache_.empty() ? cache_base_ : cache_.back().header.zxid;
  if (cache_last != last_appended_) cache_reset(last_appended_);
  return Status();
}

}  // namespace zsim::core
