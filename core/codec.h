// Binary codec: a byte Writer and a bounds-checked Reader, plus CRC32C.
//
// One format vocabulary for the txn log, snapshots and the wire protocol:
//   - fixed-width integers, big-endian (network order, as ZooKeeper's jute);
//   - LEB128 varints (unsigned; only the minimal encoding is accepted, so
//     equal values have equal bytes) and zigzag varints (signed);
//   - byte strings as a varint length then the bytes.
//
// The Reader treats its input as untrusted. Every read is bounds-checked; the
// first failure (truncation, overlong varint, length over its limit) makes the
// reader *sticky-failed*: that read and every later one return zero/empty and
// consume nothing, and status() reports MarshallingError with the offset and
// reason. Decoders can therefore read a whole record and check ok() once; no
// input can make a decoder read out of bounds or loop unboundedly, provided
// element counts are read with count() (which bounds them by the remaining
// input and an explicit maximum).
//
// Not thread-safe; a Reader borrows its input, which must outlive it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/errors.h"

namespace zsim::core {

class Writer {
 public:
  Writer() = default;

  void u8(uint8_t v) { buf_.push_back(static_cast<char>(v)); }
  void boolean(bool v) { u8(v ? 1 : 0); }
  void u32(uint32_t v);
  void i32(int32_t v) { u32(static_cast<uint32_t>(v)); }
  void u64(uint64_t v);
  void i64(int64_t v) { u64(static_cast<uint64_t>(v)); }
  void varint(uint64_t v);
  void svarint(int64_t v);  // zigzag: small magnitudes stay small
  // Varint length, then the bytes.
  void bytes(std::string_view v);
  // The bytes as they are, no length.
  void raw(std::string_view v) { buf_.append(v); }

  // Overwrites 4 bytes at `offset` with `v` (big-endian), e.g. a length or a
  // checksum reserved earlier with u32(0).
  // REQUIRES: offset + 4 <= size().
  void patch_u32(size_t offset, uint32_t v);

  size_t size() const { return buf_.size(); }
  std::string_view view() const { return buf_; }
  std::string take() { return std::move(buf_); }
  void clear() { buf_.clear(); }

 private:
  std::string buf_;
};

class Reader {
 public:
  explicit Reader(std::string_view input) : in_(input) {}

  uint8_t u8();
  bool boolean();  // any byte other than 0 or 1 fails
  uint32_t u32();
  int32_t i32() { return static_cast<int32_t>(u32()); }
  uint64_t u64();
  int64_t i64() { return static_cast<int64_t>(u64()); }
  uint64_t varint();
  int64_t svarint();
  // A length-prefixed byte string of at most `max_bytes`, as a view into the
  // input (valid while the input lives). Fails if longer or truncated.
  std::string_view bytes(size_t max_bytes);
  std::string string(size_t max_bytes) { return std::string(bytes(max_bytes)); }
  // Exactly `n` raw bytes.
  std::string_view raw(size_t n);
  // An element count (varint) for a sequence whose elements take at least
  // `min_element_bytes` each: fails if above `max_count` or if the remaining
  // input cannot hold that many elements. Bounds every decode loop.
  // REQUIRES: min_element_bytes >= 1.
  uint64_t count(uint64_t max_count, size_t min_element_bytes = 1);

  // Records a semantic decoding failure (e.g. an unknown enum value) the same
  // way as a bounds failure: the first reason sticks.
  void fail(std::string_view why);

  bool ok() const { return ok_; }
  size_t offset() const { return pos_; }
  size_t remaining() const { return in_.size() - pos_; }
  bool at_end() const { return pos_ == in_.size(); }

  // Ok, or MarshallingError naming the offset and the first failure.
  Status status() const;
  // As status(), and also fails if input is left over.
  Status finish();

 private:
  bool need(size_t n, const char* what);

  std::string_view in_;
  size_t pos_ = 0;
  bool ok_ = true;
  size_t fail_offset_ = 0;
  std::string fail_reason_;
};

// CRC32C (Castagnoli, reflected polynomial 0x82F63B78), as used by iSCSI,
// ext4 and LevelDB. `crc` is the running value from a previous call (0 to
// start), so crc32c(b, crc32c(a)) == crc32c(a + b).
uint32_t crc32c(std::string_view data, uint32_t crc = 0);

}  // namespace zsim::core
