// The server-to-server protocol (core/proto/quorum.h) on untrusted bytes:
// every message reads back identically, every strict prefix and any trailing
// garbage is rejected, values out of range are rejected, and a forwarded op
// must be a write or a sync.
#include "core/proto/quorum.h"

#include <gtest/gtest.h>

namespace zsim::core::quorum {
namespace {

Txn sample_txn() {
  Txn t;
  t.header = TxnHeader{0x0100000000000005, 7, zab::make_zxid(2, 9), 1234};
  t.body = CreateTxn{"/a/b", "data", NodeKind::Persistent, 0, 0, 3};
  return t;
}

std::vector<Message> samples() {
  return {
      LearnerInfo{3, zab::make_zxid(3, 17), false},
      LearnerInfo{0, 0, true},
      LearnerInfo{2, zab::make_zxid(1, 6), false, true},
      LeaderInfo{4},
      AckEpoch{-1, zab::make_zxid(1, 2)},
      AckEpoch{3, 0},
      SyncStart{SyncKind::kDiff, 0, ""},
      SyncStart{SyncKind::kTrunc, zab::make_zxid(2, 3), ""},
      SyncStart{SyncKind::kSnap, 0, std::string("snapshot\0bytes", 14)},
      SyncTxn{sample_txn()},
      NewLeader{4},
      AckNewLeader{},
      UpToDate{},
      Proposal{sample_txn()},
      Ack{zab::make_zxid(4, 1)},
      Commit{zab::make_zxid(4, 1)},
      Inform{sample_txn()},
      Ping{},
      PingReply{{1, 5, 0x0300000000000001}},
      PingReply{},
      Forward{0x0200000000000001, 12, SetDataRequest{"/r", "5", 3}},
      Forward{0x0200000000000001, 13, wire::SyncOp{"/r"}},
      Forward{0x0200000000000001, 14, wire::CloseOp{}},
      CreateSession{99, 4000},
      Revalidate{0x0200000000000001},
      SyncDone{0x0200000000000001, 13},
      RevalidateReply{0x0200000000000001, true},
      RevalidateReply{0x0300000000000002, false},
  };
}

TEST(QuorumCodec, EveryMessageRoundTrips) {
  for (const Message& m : samples()) {
    const std::string bytes = encode(m);
    Result<Message> back = decode_message(bytes);
    ASSERT_TRUE(back.ok()) << message_name(m) << ": " << back.status().to_string();
    EXPECT_EQ(back.value(), m) << message_name(m);
  }
}

TEST(QuorumCodec, PrefixesAndTrailingBytesAreRejected) {
  for (const Message& m : samples()) {
    const std::string bytes = encode(m);
    for (size_t n = 0; n < bytes.size(); ++n) {
      EXPECT_FALSE(decode_message(bytes.substr(0, n)).ok()) << message_name(m) << " prefix " << n;
    }
    EXPECT_FALSE(decode_message(bytes + "x").ok()) << message_name(m);
  }
}

TEST(QuorumCodec, OutOfRangeValuesAreRejected) {
  EXPECT_FALSE(decode_message(encode(LeaderInfo{-1})).ok());
  EXPECT_FALSE(decode_message(encode(LeaderInfo{zab::kEpochMax + 1})).ok());
  EXPECT_FALSE(decode_message(encode(AckEpoch{-2, 0})).ok());
  EXPECT_FALSE(decode_message(encode(Ack{-5})).ok());
  EXPECT_FALSE(decode_message(encode(CreateSession{1, 0})).ok());
  EXPECT_FALSE(decode_message(encode(PingReply{{5, 1}})).ok());  // not sorted
  EXPECT_FALSE(decode_message(encode(PingReply{{5, 5}})).ok());  // not unique
  EXPECT_FALSE(decode_message(std::string(1, '\x7f')).ok());      // unknown tag
  EXPECT_FALSE(decode_message("").ok());
}

TEST(QuorumCodec, ForwardedReadsAreRejected) {
  // A learner forwards writes and syncs only; reads are served locally.
  EXPECT_FALSE(decode_message(encode(Forward{1, 1, wire::GetDataOp{"/a", false}})).ok());
  EXPECT_FALSE(decode_message(encode(Forward{1, 1, wire::PingOp{}})).ok());
}

TEST(QuorumCodec, VotesRoundTripAndBadStatesAreRejected) {
  VoteMessage v{3, zab::Vote{2, zab::make_zxid(5, 6), 5, 9, zab::PeerState::Following}};
  Result<VoteMessage> back = decode_vote(encode(v));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back.value(), v);
  std::string bytes = encode(v);
  bytes.back() = '\x09';  // no such peer state
  EXPECT_FALSE(decode_vote(bytes).ok());
  EXPECT_FALSE(decode_vote(encode(v).substr(0, 10)).ok());
  EXPECT_FALSE(decode_vote(encode(Ping{})).ok());
}

}  // namespace
}  // namespace zsim::core::quorum
