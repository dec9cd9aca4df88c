// Proves txns survive the log exactly: decode(encode(t)) == t for arbitrary
// well-formed txns of every kind and for every txn prepare() produces from
// random requests; every strict prefix of an encoding is rejected with
// MarshallingError; malformed records (unknown tags, codes, kinds,
// inconsistent fields, multis mixing errors and ops) are rejected, not
// trusted.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "request_gen.h"
#include "tree_driver.h"

namespace zsim::core {
namespace {

std::string gen_bytes() { return *rc::gen::arbitrary<std::string>(); }

CreateTxn gen_create_txn() {
  CreateTxn t;
  t.path = gen_bytes();
  t.data = gen_bytes();
  t.kind = static_cast<NodeKind>(*rc::gen::inRange(0, 4));
  t.ephemeral_owner =
      t.kind == NodeKind::Ephemeral ? *rc::gen::nonZero<int64_t>() : 0;
  t.ttl_ms = t.kind == NodeKind::Ttl ? *rc::gen::positive<int64_t>() : 0;
  t.parent_creations = *rc::gen::arbitrary<int32_t>();
  return t;
}

Code gen_code() {
  return *rc::gen::element(Code::Ok, Code::NoNode, Code::NodeExists, Code::BadVersion,
                           Code::NotEmpty, Code::RuntimeInconsistency, Code::SessionExpired,
                           Code::BadArguments, Code::NoChildrenForEphemerals);
}

TxnOp gen_real_op() {
  switch (*rc::gen::inRange(0, 4)) {
    case 0:
      return gen_create_txn();
    case 1:
      return DeleteTxn{gen_bytes()};
    case 2:
      return SetDataTxn{gen_bytes(), gen_bytes(), *rc::gen::arbitrary<int32_t>()};
    default:
      return CheckTxn{gen_bytes(), *rc::gen::arbitrary<int32_t>()};
  }
}

TxnBody gen_body() {
  switch (*rc::gen::inRange(0, 8)) {
    case 0:
      return ErrorTxn{gen_code()};
    case 1: {
      MultiTxn m;
      const int n = *rc::gen::inRange(0, 6);
      const bool failed = *rc::gen::arbitrary<bool>();
      for (int i = 0; i < n; ++i) {
        m.ops.push_back(failed ? TxnOp(ErrorTxn{gen_code()}) : gen_real_op());
      }
      return m;
    }
    case 2:
      return CreateSessionTxn{*rc::gen::arbitrary<int32_t>()};
    case 3:
      return CloseSessionTxn{*rc::gen::container<std::vector<std::string>>(
          rc::gen::arbitrary<std::string>())};
    default:
      return std::visit([](auto&& op) -> TxnBody { return op; }, gen_real_op());
  }
}

Txn gen_txn() {
  Txn t;
  t.header.session_id = *rc::gen::arbitrary<int64_t>();
  t.header.cxid = *rc::gen::arbitrary<int32_t>();
  t.header.zxid = *rc::gen::arbitrary<int64_t>();
  t.header.time_ms = *rc::gen::arbitrary<int64_t>();
  t.body = gen_body();
  return t;
}

// Property: every well-formed txn round-trips exactly.
RC_GTEST_PROP(TxnCodec, RoundTripsArbitraryTxns, ()) {
  const Txn txn = gen_txn();
  Result<Txn> back = decode_txn(encode_txn(txn));
  RC_ASSERT(back.ok());
  RC_ASSERT(back.value() == txn);
}

// Property: every txn prepare() makes round-trips exactly.
RC_GTEST_PROP(TxnCodec, RoundTripsPreparedTxns, ()) {
  testing::TreeDriver d;
  for (const auto& r : testing::gen_requests(40)) {
    d.submit(r.request, r.session);
  }
  for (const Txn& txn : d.txns) {
    Result<Txn> back = decode_txn(encode_txn(txn));
    RC_ASSERT(back.ok());
    RC_ASSERT(back.value() == txn);
  }
}

// Property: no strict prefix of an encoded txn decodes.
RC_GTEST_PROP(TxnCodec, RejectsEveryTruncation, ()) {
  const std::string bytes = encode_txn(gen_txn());
  for (size_t len = 0; len < bytes.size(); ++len) {
    Result<Txn> back = decode_txn(std::string_view(bytes).substr(0, len));
    RC_ASSERT(!back.ok());
    RC_ASSERT(back.code() == Code::MarshallingError);
  }
}

// Property: a txn followed by another decodes one at a time from a Reader
// (how the log will read records).
RC_GTEST_PROP(TxnCodec, DecodesSequencesFromOneReader, ()) {
  const Txn a = gen_txn();
  const Txn b = gen_txn();
  Writer w;
  encode_txn(w, a);
  encode_txn(w, b);
  Reader r(w.view());
  Result<Txn> first = decode_txn(r);
  Result<Txn> second = decode_txn(r);
  RC_ASSERT(first.ok());
  RC_ASSERT(second.ok());
  RC_ASSERT(first.value() == a);
  RC_ASSERT(second.value() == b);
  RC_ASSERT(r.at_end());
}

Txn simple(TxnBody body) {
  Txn t;
  t.header = TxnHeader{1, 2, 3, 4};
  t.body = std::move(body);
  return t;
}

// Corrupts the byte at `offset` from the end of the encoding.
std::string with_byte(std::string bytes, size_t offset, char value) {
  bytes[offset] = value;
  return bytes;
}

TEST(TxnCodec, RejectsMalformedRecords) {
  constexpr size_t kTagOffset = 1 + 8 + 4 + 8 + 8;
  const std::string error = encode_txn(simple(ErrorTxn{Code::NoNode}));
  EXPECT_FALSE(decode_txn(with_byte(error, 0, 9)).ok());             // format version
  EXPECT_FALSE(decode_txn(with_byte(error, kTagOffset, 99)).ok());   // unknown tag
  EXPECT_FALSE(decode_txn(with_byte(error, error.size() - 1, 9)).ok());  // code -101 -> -247
  EXPECT_FALSE(decode_txn(error + "x").ok());                         // trailing bytes

  CreateTxn c{"/e", "", NodeKind::Ephemeral, 7, 0, 1};
  const std::string create = encode_txn(simple(c));
  // kind byte sits after tag, path (1+2), data (1): make the kind unknown,
  // then make an ephemeral without an owner.
  const size_t kind_at = kTagOffset + 1 + 3 + 1;
  EXPECT_TRUE(decode_txn(create).ok());
  EXPECT_FALSE(decode_txn(with_byte(create, kind_at, 7)).ok());
  c.ephemeral_owner = 0;
  EXPECT_FALSE(decode_txn(encode_txn(simple(c))).ok());

  MultiTxn mixed{{ErrorTxn{Code::Ok}, DeleteTxn{"/a"}}};
  EXPECT_FALSE(decode_txn(encode_txn(simple(mixed))).ok());
  MultiTxn nested;
  nested.ops.push_back(DeleteTxn{"/a"});
  std::string bytes = encode_txn(simple(nested));
  EXPECT_FALSE(decode_txn(with_byte(bytes, kTagOffset + 2, 6)).ok());  // multi inside multi
}

TEST(TxnCodec, DescribeIsReadable) {
  EXPECT_EQ(describe(simple(DeleteTxn{"/a"})), "zxid=0x3 session=0x1 delete /a");
  EXPECT_EQ(describe(simple(MultiTxn{{ErrorTxn{Code::Ok}, ErrorTxn{Code::NoNode}}})),
            "zxid=0x3 session=0x1 multi [error Ok; error NoNode]");
}

}  // namespace
}  // namespace zsim::core
