#include "core/codec.h"

#include <array>

#include <fmt/format.h>

namespace zsim::core {

// ---------------------------------------------------------------- Writer

// Big-endian, built in a local buffer and appended at once: one capacity
// check instead of one per byte (encoding is on every message's path).
void Writer::u32(uint32_t v) {
  char b[4];
  for (int i = 0; i < 4; ++i) b[i] = static_cast<char>(v >> (24 - 8 * i));
  buf_.append(b, 4);
}

void Writer::u64(uint64_t v) {
  char b[8];
  for (int i = 0; i < 8; ++i) b[i] = static_cast<char>(v >> (56 - 8 * i));
  buf_.append(b, 8);
}

void Writer::varint(uint64_t v) {
  while (v >= 0x80) {
    u8(static_cast<uint8_t>(v | 0x80));
    v >>= 7;
  }
  u8(static_cast<uint8_t>(v));
}

void Writer::svarint(int64_t v) {
  const uint64_t u = static_cast<uint64_t>(v);
  varint((u << 1) ^ (v < 0 ? ~uint64_t{0} : uint64_t{0}));
}

void Writer::bytes(std::string_view v) {
  varint(v.size());
  raw(v);
}

void Writer::patch_u32(size_t offset, uint32_t v) {
  ZSIM_ASSERT(offset <= buf_.size());
  ZSIM_ASSERT(buf_.size() - offset >= 4);
  for (int i = 0; i < 4; ++i) {
    buf_[offset + static_cast<size_t>(i)] = static_cast<char>(v >> (24 - 8 * i));
  }
}

// ---------------------------------------------------------------- Reader

bool Reader::need(size_t n, const char* what) {
  if (!ok_) {
    return false;
  }
  if (remaining() < n) {
    fail(fmt::format("truncated: {} needs {} bytes, {} left", what, n, remaining()));
    return false;
  }
  return true;
}

void Reader::fail(std::string_view why) {
  if (!ok_) {
    return;  // the first failure is the one worth reporting
  }
  ok_ = false;
  fail_offset_ = pos_;
  fail_reason_ = std::string(why);
}

uint8_t Reader::u8() {
  if (!need(1, "u8")) {
    return 0;
  }
  return static_cast<uint8_t>(in_[pos_++]);
}

bool Reader::boolean() {
  const uint8_t v = u8();
  if (v > 1) {
    fail(fmt::format("boolean byte {}", v));
    return false;
  }
  return v == 1;
}

uint32_t Reader::u32() {
  if (!need(4, "u32")) {
    return 0;
  }
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) {
    v = (v << 8) | static_cast<uint8_t>(in_[pos_++]);
  }
  return v;
}

uint64_t Reader::u64() {
  if (!need(8, "u64")) {
    return 0;
  }
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) {
    v = (v << 8) | static_cast<uint8_t>(in_[pos_++]);
  }
  return v;
}

uint64_t Reader::varint() {
  // At most 10 bytes; the 10th may only carry the top bit of a uint64.
  uint64_t v = 0;
  const size_t start = pos_;
  for (int i = 0; i < 10; ++i) {
    if (!need(1, "varint")) {
      return 0;
    }
    const uint8_t byte = static_cast<uint8_t>(in_[pos_++]);
    if (i == 9 && byte > 1) {
      pos_ = start;
      fail("varint overflows 64 bits");
      return 0;
    }
    v |= uint64_t{byte & 0x7Fu} << (7 * i);
    if ((byte & 0x80) == 0) {
      if (byte == 0 && i > 0) {
        // Only the minimal encoding is accepted, so bytes are canonical.
        pos_ = start;
        fail("varint not minimally encoded");
        return 0;
      }
      return v;
    }
  }
  pos_ = start;
  fail("varint longer than 10 bytes");
  return 0;
}

int64_t Reader::svarint() {
  const uint64_t u = varint();
  return static_cast<int64_t>((u >> 1) ^ (~(u & 1) + 1));
}

std::string_view Reader::raw(size_t n) {
  if (!need(n, "raw bytes")) {
    return {};
  }
  std::string_view out = in_.substr(pos_, n);
  pos_ += n;
  return out;
}

std::string_view Reader::bytes(size_t max_bytes) {
  const size_t start = pos_;
  const uint64_t len = varint();
  if (!ok_) {
    return {};
  }
  if (len > max_bytes) {
    pos_ = start;
    fail(fmt::format("byte string of {} bytes exceeds limit {}", len, max_bytes));
    return {};
  }
  return raw(static_cast<size_t>(len));
}

uint64_t Reader::count(uint64_t max_count, size_t min_element_bytes) {
  ZSIM_ASSERT(min_element_bytes >= 1);
  const size_t start = pos_;
  const uint64_t n = varint();
  if (!ok_) {
    return 0;
  }
  if (n > max_count) {
    pos_ = start;
    fail(fmt::format("count {} exceeds limit {}", n, max_count));
    return 0;
  }
  if (n > remaining() / min_element_bytes) {
    pos_ = start;
    fail(fmt::format("count {} cannot fit in {} bytes left", n, remaining()));
    return 0;
  }
  return n;
}

Status Reader::status() const {
  if (ok_) {
    return Status();
  }
  return Status(Code::MarshallingError,
                fmt::format("at byte {}: {}", fail_offset_, fail_reason_));
}

Status Reader::finish() {
  if (ok_ && !at_end()) {
    fail(fmt::format("{} trailing bytes", remaining()));
  }
  return status();
}

// ---------------------------------------------------------------- CRC32C

namespace {

// Slicing-by-8 tables, built at compile time: table[0] is the classic
// byte-at-a-time table; table[k][b] is the CRC of byte b followed by k zeros.
using CrcTables = std::array<std::array<uint32_t, 256>, 8>;

constexpr CrcTables make_crc_tables() {
  CrcTables t{};
  for (uint32_t b = 0; b < 256; ++b) {
    uint32_t crc = b;
    for (int bit = 0; bit < 8; ++bit) {
      crc = (crc & 1) != 0 ? (crc >> 1) ^ 0x82F63B78u : crc >> 1;
    }
    t[0][b] = crc;
  }
  for (size_t k = 1; k < 8; ++k) {
    for (uint32_t b = 0; b < 256; ++b) {
      const uint32_t prev = t[k - 1][b];
      t[k][b] = (prev >> 8) ^ t[0][prev & 0xFF];
    }
  }
  return t;
}

constexpr CrcTables kCrcTables = make_crc_tables();

uint32_t byte_at(std::string_view data, size_t i) {
  return static_cast<uint8_t>(data[i]);
}

}  // namespace

uint32_t crc32c(std::string_view data, uint32_t crc) {
  const auto& t = kCrcTables;
  uint32_t c = ~crc;
  size_t i = 0;
  for (; data.size() - i >= 8; i += 8) {
    const uint32_t lo = c ^ (byte_at(data, i) | byte_at(data, i + 1) << 8 |
                             byte_at(data, i + 2) << 16 | byte_at(data, i + 3) << 24);
    c = t[7][lo & 0xFF] ^ t[6][(lo >> 8) & 0xFF] ^ t[5][(lo >> 16) & 0xFF] ^
        t[4][lo >> 24] ^ t[3][byte_at(data, i + 4)] ^ t[2][byte_at(data, i + 5)] ^
        t[1][byte_at(data, i + 6)] ^ t[0][byte_at(data, i + 7)];
  }
  for (; i < data.size(); ++i) {
    c = (c >> 8) ^ t[0][(c ^ byte_at(data, i)) & 0xFF];
  }
  return ~c;
}

}  // namespace zsim::core
