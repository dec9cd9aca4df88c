// Disk: one host's files, with the durability rules of io::Storage.
//
// Each file keeps its current bytes and what a crash would leave. Appends
// after the last sync are "unsynced"; a crash cuts a file back to its last
// completed sync and, when tearing is on, keeps a random prefix of the last
// unsynced append (a torn write). A sync completes after the disk's latency;
// it makes durable what was written before it was issued.
//
// Faults, switched per run (fault plan `disk` events): corruption on read
// (one byte of the returned copy flipped, with a ratio), and lying syncs
// (a sync reports success but makes nothing durable, with a ratio).
//
// The Disk survives crashes (it is the host's hardware); the process that
// uses it does not. Single-threaded.
#pragma once

#include "core/io/storage.h"
#include "sim/event_loop.h"
#include "sim/network.h"  // Ratio
#include "sim/rng.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace zsim::sim {

struct DiskOptions {
  // How long a sync takes, drawn uniformly from [min, max].
  Duration sync_latency_min = micros(200);
  Duration sync_latency_max = millis(2);
  // Whether a crash may keep a torn prefix of the last unsynced append.
  bool torn_writes = true;
  // Faults, off unless a plan switches them on.
  Ratio corrupt_read;
  Ratio lying_sync;
  // Largest file; an append past it is a bug in the caller (assert).
  std::uint64_t file_bytes_max = std::uint64_t{1} << 32;
};

struct DiskStats {
  std::uint64_t bytes_written = 0;
  std::uint64_t syncs = 0;
  std::uint64_t lied_syncs = 0;
  std::uint64_t corrupted_reads = 0;
  std::uint64_t torn_files = 0;
};

class Disk {
 public:
  Disk(EventLoop& loop, Rng rng, DiskOptions options);

  std::optional<io::Bytes> read(const std::string& name);
  std::optional<std::uint64_t> size(const std::string& name) const;
  void append(const std::string& name, const io::Bytes& bytes);
  void truncate(const std::string& name, std::uint64_t length);
  // `done` runs from the loop with `tag`'s gating (dies with the process).
  void sync(const std::string& name, UniqueFunction<void(bool)> done, EventTag tag);
  bool rename(const std::string& from, const std::string& to);
  bool remove(const std::string& name);
  std::vector<std::string> list() const;

  // Power loss: every file goes back to what was durable.
  void crash();

  DiskOptions& options() { return options_; }
  const DiskStats& stats() const { return stats_; }

  // Durable content of a file, for tests and checkers.
  std::optional<io::Bytes> durable_content(const std::string& name) const;

 private:
  struct File {
    io::Bytes data;
    // While only appends happened since the last sync, the durable content
    // is data[0, synced_len). After a truncate, the durable content is kept
    // whole in `durable` until the next sync.
    std::uint64_t synced_len = 0;
    std::optional<io::Bytes> durable;
    std::uint64_t last_append_at = 0;  // offset of the last unsynced append
    bool exists_durably = false;
  };

  void make_durable(File& f, std::uint64_t length);

  EventLoop& loop_;
  Rng rng_;
  DiskOptions options_;
  DiskStats stats_;
  std::map<std::string, File> files_;
};

}  // namespace zsim::sim
