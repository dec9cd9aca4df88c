// io::Storage: a host's disk, as named files with explicit sync.
//
// Durability contract (what a crash keeps):
//  - Bytes are durable only once a sync() of that file has completed (its
//    callback ran with true). A crash keeps each file as of its last
//    completed sync; the last unsynced append may survive torn (a prefix).
//  - rename() and remove() are atomic and durable when they return (as with
//    a journaled file system and a directory fsync folded in).
//  - A faulty disk may return corrupted bytes from read(), or report a sync
//    as done without making anything durable. Code that must survive that
//    checksums what it writes.
//
// Threading: calls are synchronous except sync(), whose callback runs later
// from the host's event loop.
#pragma once

#include "core/io/function.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace zsim::io {

using Bytes = std::string;

class Storage {
 public:
  virtual ~Storage() = default;

  // The whole file, or nullopt if it does not exist.
  virtual std::optional<Bytes> read(const std::string& name) = 0;

  // Size in bytes, or nullopt if the file does not exist.
  virtual std::optional<std::uint64_t> size(const std::string& name) = 0;

  // Appends to the file, creating it if absent.
  virtual void append(const std::string& name, const Bytes& bytes) = 0;

  // Cuts the file to `length` bytes (no-op if shorter). REQUIRES: exists.
  virtual void truncate(const std::string& name, std::uint64_t length) = 0;

  // Makes everything written to `name` so far durable, then calls done(ok).
  // ok is false only if the file does not exist. The callback does not run
  // if the process crashes first (and then nothing was made durable).
  virtual void sync(const std::string& name, UniqueFunction<void(bool)> done) = 0;

  // Atomically replaces `to` with `from`. Returns false if `from` is absent.
  virtual bool rename(const std::string& from, const std::string& to) = 0;

  // Deletes the file. Returns false if it was absent.
  virtual bool remove(const std::string& name) = 0;

  // All file names, sorted.
  virtual std::vector<std::string> list() = 0;
};

}  // namespace zsim::io
