#include "sim/disk.h"

#include "core/assert.h"

#include <algorithm>

namespace zsim::sim {

Disk::Disk(EventLoop& loop, Rng rng, DiskOptions options)
    : loop_(loop), rng_(rng), options_(options) {}

std::optional<io::Bytes> Disk::read(const std::string& name) {
  auto it = files_.find(name);
  if (it == files_.end()) return std::nullopt;
  io::Bytes copy = it->second.data;
  if (!copy.empty() && rng_.chance(options_.corrupt_read.num, options_.corrupt_read.den)) {
    const std::uint64_t pos = rng_.below(copy.size());
    copy[pos] = static_cast<char>(copy[pos] ^ static_cast<char>(1 << rng_.below(8)));
    ++stats_.corrupted_reads;
  }
  return copy;
}

std::optional<std::uint64_t> Disk::size(const std::string& name) const {
  auto it = files_.find(name);
  if (it == files_.end()) return std::nullopt;
  return it->second.data.size();
}

void Disk::append(const std::string& name, const io::Bytes& bytes) {
  File& f = files_[name];
  ZSIM_ASSERT_MSG(f.data.size() + bytes.size() <= options_.file_bytes_max, "file too large");
  f.last_append_at = f.data.size();
  f.data += bytes;
  stats_.bytes_written += bytes.size();
}

void Disk::truncate(const std::string& name, std::uint64_t length) {
  auto it = files_.find(name);
  ZSIM_ASSERT_MSG(it != files_.end(), "truncate of a missing file");
  File& f = it->second;
  if (length >= f.data.size()) return;
  if (!f.durable.has_value()) f.durable = f.data.substr(0, f.synced_len);
  f.data.resize(length);
  f.synced_len = std::min(f.synced_len, length);
  f.last_append_at = std::min(f.last_append_at, length);
}

void Disk::make_durable(File& f, std::uint64_t length) {
  const std::uint64_t len = std::min<std::uint64_t>(length, f.data.size());
  f.durable.reset();
  f.synced_len = std::max(f.synced_len, len);
  f.exists_durably = true;
}

void Disk::sync(const std::string& name, UniqueFunction<void(bool)> done, EventTag tag) {
  const Duration latency{rng_.between(options_.sync_latency_min.count(),
                                      std::max(options_.sync_latency_min, options_.sync_latency_max).count())};
  auto it = files_.find(name);
  const bool exists = it != files_.end();
  const std::uint64_t target = exists ? it->second.data.size() : 0;
  const bool lie = exists && rng_.chance(options_.lying_sync.num, options_.lying_sync.den);
  loop_.schedule_after(
      latency,
      [this, name, target, lie, exists, done = std::move(done)]() mutable {
        if (exists) {
          auto jt = files_.find(name);
          if (jt != files_.end()) {
            ++stats_.syncs;
            if (lie) {
              ++stats_.lied_syncs;
            } else {
              make_durable(jt->second, target);
            }
          }
        }
        done(exists);
      },
      tag);
}

bool Disk::rename(const std::string& from, const std::string& to) {
  auto it = files_.find(from);
  if (it == files_.end()) return false;
  File moved = std::move(it->second);
  files_.erase(it);
  files_[to] = std::move(moved);
  return true;
}

bool Disk::remove(const std::string& name) { return files_.erase(name) > 0; }

std::vector<std::string> Disk::list() const {
  std::vector<std::string> names;
  names.reserve(files_.size());
  for (const auto& [name, f] : files_) names.push_back(name);
  return names;
}

std::optional<io::Bytes> Disk::durable_content(const std::string& name) const {
  auto it = files_.find(name);
  if (it == files_.end() || !it->second.exists_durably) return std::nullopt;
  const File& f = it->second;
  if (f.durable.has_value()) return *f.durable;
  return f.data.substr(0, f.synced_len);
}

void Disk::crash() {
  for (auto it = files_.begin(); it != files_.end();) {
    File& f = it->second;
    if (f.durable.has_value()) {
      f.data = std::move(*f.durable);
      f.durable.reset();
      f.synced_len = f.data.size();
    } else {
      std::uint64_t keep = f.synced_len;
      const std::uint64_t unsynced = f.data.size() - f.synced_len;
      // Unsynced bytes may or may not have reached the platter: keep a
      // random prefix of them (possibly cutting an append in two).
      if (options_.torn_writes && unsynced > 0 && rng_.chance(1, 2)) {
        keep += rng_.below(unsynced + 1);
        if (keep > f.synced_len && keep < f.data.size()) ++stats_.torn_files;
      }
      f.data.resize(keep);
      f.synced_len = keep;
    }
    f.last_append_at = f.data.size();
    if (!f.exists_durably && f.data.empty()) {
      it = files_.erase(it);
    } else {
      f.exists_durably = true;
      ++it;
    }
  }
}

}  // namespace zsim::sim
