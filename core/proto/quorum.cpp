#include "core/proto/quorum.h"

#include <algorithm>
#include <type_traits>

namespace zsim::core::quorum {
namespace {

// Message tags: the variant's index, fixed here so that reordering the
// variant cannot silently change the encoding.
template <typename T>
constexpr uint8_t tag_of() {
  if constexpr (std::is_same_v<T, LearnerInfo>) return 1;
  if constexpr (std::is_same_v<T, LeaderInfo>) return 2;
  if constexpr (std::is_same_v<T, AckEpoch>) return 3;
  if constexpr (std::is_same_v<T, SyncStart>) return 4;
  if constexpr (std::is_same_v<T, SyncTxn>) return 5;
  if constexpr (std::is_same_v<T, NewLeader>) return 6;
  if constexpr (std::is_same_v<T, AckNewLeader>) return 7;
  if constexpr (std::is_same_v<T, UpToDate>) return 8;
  if constexpr (std::is_same_v<T, Proposal>) return 9;
  if constexpr (std::is_same_v<T, Ack>) return 10;
  if constexpr (std::is_same_v<T, Commit>) return 11;
  if constexpr (std::is_same_v<T, Inform>) return 12;
  if constexpr (std::is_same_v<T, Ping>) return 13;
  if constexpr (std::is_same_v<T, PingReply>) return 14;
  if constexpr (std::is_same_v<T, Forward>) return 15;
  if constexpr (std::is_same_v<T, CreateSession>) return 16;
  if constexpr (std::is_same_v<T, Revalidate>) return 17;
  if constexpr (std::is_same_v<T, SyncDone>) return 18;
  if constexpr (std::is_same_v<T, RevalidateReply>) return 19;
}

constexpr uint8_t kVoteTag = 0x56;  // 'V'

void put_txn(Writer& w, const Txn& txn) { w.bytes(encode_txn(txn)); }

Txn get_txn(Reader& r) {
  const std::string_view bytes = r.bytes(kMessageBytesMax);
  if (!r.ok()) return Txn{};
  Result<Txn> txn = decode_txn(bytes);
  if (!txn.ok()) {
    r.fail("bad txn: " + txn.status().to_string());
    return Txn{};
  }
  return std::move(txn).value();
}

void check_zxid(Reader& r, zab::Zxid zxid) {
  if (!zab::is_valid_zxid(zxid)) r.fail("zxid out of range");
}
void check_epoch(Reader& r, zab::Epoch epoch, bool allow_minus_one = false) {
  if (!(zab::is_valid_epoch(epoch) || (allow_minus_one && epoch == -1))) r.fail("epoch out of range");
}

}  // namespace

std::string encode(const VoteMessage& m) {
  Writer w;
  w.u8(kVoteTag);
  w.i64(m.to);
  w.i64(m.vote.leader);
  w.i64(m.vote.zxid);
  w.i64(m.vote.peer_epoch);
  w.i64(m.vote.round);
  w.u8(static_cast<uint8_t>(m.vote.state));
  return w.take();
}

Result<VoteMessage> decode_vote(std::string_view bytes) {
  Reader r(bytes);
  VoteMessage m;
  if (r.u8() != kVoteTag) r.fail("not a vote");
  m.to = r.i64();
  m.vote.leader = r.i64();
  m.vote.zxid = r.i64();
  m.vote.peer_epoch = r.i64();
  m.vote.round = r.i64();
  const uint8_t state = r.u8();
  if (state > static_cast<uint8_t>(zab::PeerState::Observing)) r.fail("unknown peer state");
  m.vote.state = static_cast<zab::PeerState>(state);
  if (Status s = r.finish(); !s.ok()) return s;
  // Range checks of the vote itself are the election's (Ignored::Malformed).
  return m;
}

std::string encode(const Message& m) {
  Writer w;
  std::visit(
      [&w](const auto& msg) {
        using T = std::decay_t<decltype(msg)>;
        w.u8(tag_of<T>());
        if constexpr (std::is_same_v<T, LearnerInfo>) {
          w.i64(msg.accepted_epoch);
          w.i64(msg.last_zxid);
          w.boolean(msg.observer);
          w.boolean(msg.want_snapshot);
        } else if constexpr (std::is_same_v<T, LeaderInfo>) {
          w.i64(msg.new_epoch);
        } else if constexpr (std::is_same_v<T, AckEpoch>) {
          w.i64(msg.current_epoch);
          w.i64(msg.last_zxid);
        } else if constexpr (std::is_same_v<T, SyncStart>) {
          w.u8(static_cast<uint8_t>(msg.kind));
          w.i64(msg.truncate_to);
          w.bytes(msg.snapshot);
        } else if constexpr (std::is_same_v<T, SyncTxn> || std::is_same_v<T, Proposal> ||
                             std::is_same_v<T, Inform>) {
          put_txn(w, msg.txn);
        } else if constexpr (std::is_same_v<T, NewLeader>) {
          w.i64(msg.epoch);
        } else if constexpr (std::is_same_v<T, Ack> || std::is_same_v<T, Commit>) {
          w.i64(msg.zxid);
        } else if constexpr (std::is_same_v<T, PingReply>) {
          w.varint(msg.touched_sessions.size());
          for (int64_t s : msg.touched_sessions) w.i64(s);
        } else if constexpr (std::is_same_v<T, Forward>) {
          w.i64(msg.session_id);
          w.bytes(wire::encode(wire::ClientFrame{wire::RequestFrame{msg.cxid, msg.op}}));
          if (!msg.auth.empty()) {
            w.varint(msg.auth.size());
            for (const AclId& id : msg.auth) {
              w.bytes(id.scheme);
              w.bytes(id.id);
            }
          }
        } else if constexpr (std::is_same_v<T, CreateSession>) {
          w.i32(msg.token);
          w.i32(msg.timeout_ms);
        } else if constexpr (std::is_same_v<T, Revalidate>) {
          w.i64(msg.session_id);
        } else if constexpr (std::is_same_v<T, SyncDone>) {
          w.i64(msg.session_id);
          w.i32(msg.cxid);
        } else if constexpr (std::is_same_v<T, RevalidateReply>) {
          w.i64(msg.session_id);
          w.boolean(msg.valid);
        }
        // AckNewLeader, UpToDate, Ping: the tag is the message.
      },
      m);
  return w.take();
}

Result<Message> decode_message(std::string_view bytes) {
  if (bytes.size() > kMessageBytesMax) return Result<Message>(Code::MarshallingError, "message too large");
  Reader r(bytes);
  Message m;
  switch (r.u8()) {
    case tag_of<LearnerInfo>(): {
      LearnerInfo x;
      x.accepted_epoch = r.i64();
      x.last_zxid = r.i64();
      x.observer = r.boolean();
      x.want_snapshot = r.boolean();
      check_epoch(r, x.accepted_epoch);
      check_zxid(r, x.last_zxid);
      m = x;
      break;
    }
    case tag_of<LeaderInfo>(): {
      LeaderInfo x;
      x.new_epoch = r.i64();
      check_epoch(r, x.new_epoch);
      m = x;
      break;
    }
    case tag_of<AckEpoch>(): {
      AckEpoch x;
      x.current_epoch = r.i64();
      x.last_zxid = r.i64();
      check_epoch(r, x.current_epoch, true);
      check_zxid(r, x.last_zxid);
      m = x;
      break;
    }
    case tag_of<SyncStart>(): {
      SyncStart x;
      const uint8_t kind = r.u8();
      if (kind > static_cast<uint8_t>(SyncKind::kSnap)) r.fail("unknown sync kind");
      x.kind = static_cast<SyncKind>(kind);
      x.truncate_to = r.i64();
      x.snapshot = r.string(kMessageBytesMax);
      check_zxid(r, x.truncate_to);
      m = std::move(x);
      break;
    }
    case tag_of<SyncTxn>(): m = SyncTxn{get_txn(r)}; break;
    case tag_of<NewLeader>(): {
      NewLeader x;
      x.epoch = r.i64();
      check_epoch(r, x.epoch);
      m = x;
      break;
    }
    case tag_of<AckNewLeader>(): m = AckNewLeader{}; break;
    case tag_of<UpToDate>(): m = UpToDate{}; break;
    case tag_of<Proposal>(): m = Proposal{get_txn(r)}; break;
    case tag_of<Ack>(): {
      Ack x;
      x.zxid = r.i64();
      check_zxid(r, x.zxid);
      m = x;
      break;
    }
    case tag_of<Commit>(): {
      Commit x;
      x.zxid = r.i64();
      check_zxid(r, x.zxid);
      m = x;
      break;
    }
    case tag_of<Inform>(): m = Inform{get_txn(r)}; break;
    case tag_of<Ping>(): m = Ping{}; break;
    case tag_of<PingReply>(): {
      PingReply x;
      const uint64_t n = r.count(kTouchedSessionsMax, 8);
      x.touched_sessions.reserve(n);
      for (uint64_t i = 0; i < n && r.ok(); ++i) x.touched_sessions.push_back(r.i64());
      if (!std::is_sorted(x.touched_sessions.begin(), x.touched_sessions.end()) ||
          std::adjacent_find(x.touched_sessions.begin(), x.touched_sessions.end()) != x.touched_sessions.end()) {
        r.fail("touched sessions not sorted and unique");
      }
      m = std::move(x);
      break;
    }
    case tag_of<Forward>(): {
      Forward x;
      x.session_id = r.i64();
      const std::string_view frame = r.bytes(wire::kFrameBytesMax);
      if (r.ok()) {
        Result<wire::ClientFrame> f = wire::decode_client_frame(frame);
        const auto* req = f.ok() ? std::get_if<wire::RequestFrame>(&f.value()) : nullptr;
        if (req == nullptr || !(wire::is_write(req->op) || std::holds_alternative<wire::SyncOp>(req->op))) {
          r.fail("forwarded op is not a write or sync");
        } else {
          x.cxid = req->xid;
          x.op = req->op;
        }
      }
      if (r.ok() && !r.at_end()) {
        const uint64_t n = r.count(kAclEntriesMax, 2);
        for (uint64_t i = 0; i < n && r.ok(); ++i) {
          AclId id;
          id.scheme = r.string(kAclFieldBytesMax);
          id.id = r.string(kAclFieldBytesMax);
          x.auth.push_back(std::move(id));
        }
        if (r.ok() && (x.auth.empty() || !std::is_sorted(x.auth.begin(), x.auth.end()) ||
                       std::adjacent_find(x.auth.begin(), x.auth.end()) != x.auth.end())) {
          r.fail("forwarded auth ids not sorted, unique and non-empty");
        }
      }
      m = std::move(x);
      break;
    }
    case tag_of<CreateSession>(): {
      CreateSession x;
      x.token = r.i32();
      x.timeout_ms = r.i32();
      if (x.timeout_ms <= 0) r.fail("session timeout must be positive");
      m = x;
      break;
    }
    case tag_of<Revalidate>(): m = Revalidate{r.i64()}; break;
    case tag_of<SyncDone>(): {
      SyncDone x;
      x.session_id = r.i64();
      x.cxid = r.i32();
      m = x;
      break;
    }
    case tag_of<RevalidateReply>(): {
      RevalidateReply x;
      x.session_id = r.i64();
      x.valid = r.boolean();
      m = x;
      break;
    }
    default: r.fail("unknown message tag");
  }
  if (Status s = r.finish(); !s.ok()) return s;
  return m;
}

const char* message_name(const Message& m) {
  static constexpr const char* kNames[] = {
      "FOLLOWERINFO", "LEADERINFO", "ACKEPOCH", "SYNC",   "SYNCTXN", "NEWLEADER",
      "ACKNEWLEADER", "UPTODATE",   "PROPOSAL", "ACK",    "COMMIT",  "INFORM",
      "PING",         "PINGREPLY",  "REQUEST",  "CREATESESSION", "REVALIDATE", "SYNCDONE",
      "REVALIDATEREPLY"};
  static_assert(std::size(kNames) == std::variant_size_v<Message>);
  return kNames[m.index()];
}

}  // namespace zsim::core::quorum
