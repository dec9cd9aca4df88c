// Proves the codec is safe on untrusted bytes and exact on its own output:
// every value written reads back identically (RapidCheck over mixed records),
// every strict prefix of a valid buffer is rejected with MarshallingError
// (never a crash or an out-of-bounds read — run under ASan), overlong or
// non-minimal varints and over-limit lengths/counts are rejected, and CRC32C
// matches the published check values.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "core/codec.h"

namespace zsim::core {
namespace {

// One record exercising every primitive, so the properties cover them all.
struct Record {
  uint8_t a = 0;
  bool b = false;
  uint32_t c = 0;
  int32_t d = 0;
  uint64_t e = 0;
  int64_t f = 0;
  uint64_t g = 0;
  int64_t h = 0;
  std::string bytes;
  std::vector<std::string> list;
  friend bool operator==(const Record&, const Record&) = default;
};

std::string encode(const Record& r) {
  Writer w;
  w.u8(r.a);
  w.boolean(r.b);
  w.u32(r.c);
  w.i32(r.d);
  w.u64(r.e);
  w.i64(r.f);
  w.varint(r.g);
  w.svarint(r.h);
  w.bytes(r.bytes);
  w.varint(r.list.size());
  for (const auto& s : r.list) {
    w.bytes(s);
  }
  return w.take();
}

Result<Record> decode(std::string_view in) {
  Reader r(in);
  Record out;
  out.a = r.u8();
  out.b = r.boolean();
  out.c = r.u32();
  out.d = r.i32();
  out.e = r.u64();
  out.f = r.i64();
  out.g = r.varint();
  out.h = r.svarint();
  out.bytes = r.string(1 << 20);
  const uint64_t n = r.count(1000);
  for (uint64_t i = 0; i < n && r.ok(); ++i) {
    out.list.push_back(r.string(1 << 20));
  }
  if (Status s = r.finish(); !s.ok()) {
    return s;
  }
  return out;
}

Record gen_record() {
  Record r;
  r.a = *rc::gen::arbitrary<uint8_t>();
  r.b = *rc::gen::arbitrary<bool>();
  r.c = *rc::gen::arbitrary<uint32_t>();
  r.d = *rc::gen::arbitrary<int32_t>();
  r.e = *rc::gen::arbitrary<uint64_t>();
  r.f = *rc::gen::arbitrary<int64_t>();
  r.g = *rc::gen::arbitrary<uint64_t>();
  r.h = *rc::gen::arbitrary<int64_t>();
  r.bytes = *rc::gen::arbitrary<std::string>();
  r.list = *rc::gen::container<std::vector<std::string>>(rc::gen::arbitrary<std::string>());
  return r;
}

// Property: decode(encode(r)) == r for every record.
RC_GTEST_PROP(Codec, RoundTripsEveryRecord, ()) {
  const Record r = gen_record();
  Result<Record> back = decode(encode(r));
  RC_ASSERT(back.ok());
  RC_ASSERT(back.value() == r);
}

// Property: every strict prefix of a valid encoding fails cleanly.
RC_GTEST_PROP(Codec, RejectsEveryTruncation, ()) {
  const std::string full = encode(gen_record());
  for (size_t len = 0; len < full.size(); ++len) {
    Result<Record> back = decode(std::string_view(full).substr(0, len));
    RC_ASSERT(!back.ok());
    RC_ASSERT(back.code() == Code::MarshallingError);
  }
}

// Property: the varint encodings of extreme values stay within 10 bytes and
// read back.
TEST(Codec, VarintExtremes) {
  for (uint64_t v : {uint64_t{0}, uint64_t{127}, uint64_t{128}, ~uint64_t{0}}) {
    Writer w;
    w.varint(v);
    EXPECT_LE(w.size(), 10u);
    Reader r(w.view());
    EXPECT_EQ(r.varint(), v);
    EXPECT_TRUE(r.finish().ok());
  }
  for (int64_t v : {INT64_MIN, int64_t{-1}, int64_t{0}, int64_t{1}, INT64_MAX}) {
    Writer w;
    w.svarint(v);
    Reader r(w.view());
    EXPECT_EQ(r.svarint(), v);
    EXPECT_TRUE(r.finish().ok());
  }
}

TEST(Codec, RejectsOverlongAndNonMinimalVarints) {
  const std::string eleven(11, '\x80');
  Reader overlong(eleven);
  overlong.varint();
  EXPECT_FALSE(overlong.ok());

  // 10th byte carrying more than the top bit of a uint64.
  std::string overflow(9, '\xff');
  overflow += '\x02';
  Reader too_big(overflow);
  too_big.varint();
  EXPECT_FALSE(too_big.ok());

  const std::string non_minimal("\x80\x00", 2);
  Reader padded(non_minimal);
  padded.varint();
  EXPECT_FALSE(padded.ok());
  EXPECT_EQ(padded.status().code(), Code::MarshallingError);
}

TEST(Codec, LimitsLengthsAndCounts) {
  Writer w;
  w.bytes("hello");
  Reader tight(w.view());
  EXPECT_TRUE(tight.bytes(4).empty());
  EXPECT_FALSE(tight.ok());

  // A count that claims more elements than the remaining bytes can hold.
  Writer lying;
  lying.varint(1000);
  lying.raw("abc");
  Reader r(lying.view());
  EXPECT_EQ(r.count(1u << 20), 0u);
  EXPECT_FALSE(r.ok());

  Writer over;
  over.varint(5);
  over.raw("abcde");
  Reader r2(over.view());
  EXPECT_EQ(r2.count(4), 0u);
  EXPECT_FALSE(r2.ok());
}

TEST(Codec, StickyFailureConsumesNothingMore) {
  Reader r(std::string_view("\x01", 1));
  EXPECT_EQ(r.u32(), 0u);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.u8(), 0u);  // the byte is still there but the reader failed
  EXPECT_EQ(r.offset(), 0u);
  EXPECT_NE(r.status().message().find("truncated"), std::string::npos);
}

TEST(Codec, BooleanRejectsOtherBytes) {
  Reader r(std::string_view("\x02", 1));
  r.boolean();
  EXPECT_FALSE(r.ok());
}

TEST(Codec, FinishRejectsTrailingBytes) {
  Reader r(std::string_view("\x01\x02", 2));
  r.u8();
  EXPECT_FALSE(r.finish().ok());
}

TEST(Codec, FixedIntegersAreBigEndian) {
  Writer w;
  w.u32(0x01020304);
  EXPECT_EQ(w.view(), std::string_view("\x01\x02\x03\x04", 4));
  w.patch_u32(0, 0xAABBCCDD);
  EXPECT_EQ(w.view(), std::string_view("\xAA\xBB\xCC\xDD", 4));
}

TEST(Crc32c, MatchesPublishedCheckValues) {
  EXPECT_EQ(crc32c(""), 0u);
  EXPECT_EQ(crc32c("123456789"), 0xE3069283u);
  // RFC 3720 B.4: 32 bytes of zeros, and of 0xFF.
  EXPECT_EQ(crc32c(std::string(32, '\0')), 0x8A9136AAu);
  EXPECT_EQ(crc32c(std::string(32, '\xff')), 0x62A8AB43u);
}

// Property: CRC is incremental: crc(a+b) == crc(b, crc(a)), for any split
// (exercising the 8-byte and byte-wise paths at every alignment).
RC_GTEST_PROP(Crc32c, IsIncremental, (const std::string& a, const std::string& b)) {
  RC_ASSERT(crc32c(a + b) == crc32c(b, crc32c(a)));
}

TEST(Crc32c, DetectsSingleBitFlips) {
  const std::string data = "the quick brown fox jumps over the lazy dog";
  const uint32_t good = crc32c(data);
  for (size_t i = 0; i < data.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string bad = data;
      bad[i] = static_cast<char>(bad[i] ^ (1 << bit));
      EXPECT_NE(crc32c(bad), good);
    }
  }
}

TEST(Errors, CodesHaveZooKeeperValuesAndNames) {
  EXPECT_EQ(static_cast<int>(Code::NoNode), -101);
  EXPECT_EQ(static_cast<int>(Code::NodeExists), -110);
  EXPECT_EQ(static_cast<int>(Code::SessionMoved), -118);
  EXPECT_EQ(code_name(Code::BadVersion), "BadVersion");
  EXPECT_EQ(code_from_int(-111), Code::NotEmpty);
  EXPECT_FALSE(code_from_int(-9).has_value());
  EXPECT_EQ(Status(Code::NoNode, "/a").to_string(), "NoNode: /a");
}

}  // namespace
}  // namespace zsim::core
