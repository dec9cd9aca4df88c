#include "tools/diagram/message_labels.h"

#include "core/proto/quorum.h"
#include "core/proto/wire.h"
#include "core/tree/watches.h"

#include <fmt/format.h>

#include <type_traits>
#include <variant>

namespace zsim::tools::diagram {
namespace {

using Label = sim::Network::MessageLabel;

// The ports of core/server/server.h's defaults, which every scenario uses.
constexpr io::Port kClientPort = 2181;
constexpr io::Port kQuorumPort = 2888;
constexpr io::Port kElectionPort = 3888;

std::string zxid_text(std::int64_t zxid) { return fmt::format("0x{:x}", zxid); }

std::string op_text(const core::wire::Op& op) {
  std::string out = core::wire::op_name(op);
  std::visit(
      [&out](const auto& o) {
        if constexpr (requires { o.path; }) out += " " + o.path;
      },
      op);
  return out;
}

Label client_frame(std::string_view bytes) {
  auto frame = core::wire::decode_client_frame(bytes);
  if (!frame.ok()) return {"data", fmt::format("{} bytes (not a client frame)", bytes.size())};
  if (const auto* c = std::get_if<core::wire::ConnectRequest>(&frame.value())) {
    return {"connect", fmt::format("ConnectRequest session=0x{:x} timeout={}ms last_zxid={}", c->session_id,
                                   c->timeout_ms, zxid_text(c->last_zxid_seen))};
  }
  const auto& r = std::get<core::wire::RequestFrame>(frame.value());
  if (std::holds_alternative<core::wire::PingOp>(r.op)) return {"ping", "ping (client)"};
  return {"request", fmt::format("{} xid={}", op_text(r.op), r.xid)};
}

Label server_frame(std::string_view bytes) {
  auto frame = core::wire::decode_server_frame(bytes);
  if (!frame.ok()) return {"data", fmt::format("{} bytes (not a server frame)", bytes.size())};
  if (const auto* c = std::get_if<core::wire::ConnectResponse>(&frame.value())) {
    return {"connect", fmt::format("ConnectResponse session=0x{:x} timeout={}ms", c->session_id, c->timeout_ms)};
  }
  if (const auto* n = std::get_if<core::wire::Notification>(&frame.value())) {
    return {"watch", fmt::format("watch {} {}", core::event_type_name(n->type), n->path)};
  }
  const auto& r = std::get<core::wire::ReplyFrame>(frame.value());
  if (r.xid == core::wire::kPingXid) return {"ping", "ping reply"};
  return {"reply", fmt::format("reply xid={} err={} zxid={}", r.xid, core::code_name(r.err), zxid_text(r.zxid))};
}

Label quorum_message(std::string_view bytes) {
  auto m = core::quorum::decode_message(bytes);
  if (!m.ok()) return {"data", fmt::format("{} bytes (not a quorum message)", bytes.size())};
  const std::string name = core::quorum::message_name(m.value());
  return std::visit(
      [&name](const auto& msg) -> Label {
        using T = std::decay_t<decltype(msg)>;
        namespace q = core::quorum;
        if constexpr (std::is_same_v<T, q::Proposal> || std::is_same_v<T, q::Inform>) {
          return {name, fmt::format("{} zxid={}", name, zxid_text(msg.txn.header.zxid))};
        } else if constexpr (std::is_same_v<T, q::Ack> || std::is_same_v<T, q::Commit>) {
          return {name, fmt::format("{} zxid={}", name, zxid_text(msg.zxid))};
        } else if constexpr (std::is_same_v<T, q::Ping> || std::is_same_v<T, q::PingReply>) {
          return {"ping", name};
        } else if constexpr (std::is_same_v<T, q::Forward>) {
          return {"forward", fmt::format("{} {} session=0x{:x} cxid={}", name, op_text(msg.op), msg.session_id,
                                         msg.cxid)};
        } else if constexpr (std::is_same_v<T, q::CreateSession> || std::is_same_v<T, q::Revalidate> ||
                             std::is_same_v<T, q::RevalidateReply> || std::is_same_v<T, q::SyncDone>) {
          return {"forward", name};
        } else if constexpr (std::is_same_v<T, q::LeaderInfo>) {
          return {"sync", fmt::format("{} epoch={}", name, msg.new_epoch)};
        } else if constexpr (std::is_same_v<T, q::LearnerInfo> || std::is_same_v<T, q::AckEpoch>) {
          return {"sync", fmt::format("{} last_zxid={}", name, zxid_text(msg.last_zxid))};
        } else if constexpr (std::is_same_v<T, q::NewLeader>) {
          return {"sync", fmt::format("{} epoch={}", name, msg.epoch)};
        } else if constexpr (std::is_same_v<T, q::SyncTxn>) {
          return {"sync", fmt::format("{} zxid={}", name, zxid_text(msg.txn.header.zxid))};
        } else {
          return {"sync", name};
        }
      },
      m.value());
}

Label vote(std::string_view bytes) {
  auto v = core::quorum::decode_vote(bytes);
  if (!v.ok()) return {"data", fmt::format("{} bytes (not a vote)", bytes.size())};
  return {"vote", fmt::format("vote {}", core::zab::to_string(v.value().vote))};
}

}  // namespace

sim::Network::MessageLabel label_message(io::Port port, bool to_listener, std::string_view bytes) {
  switch (port) {
    case kClientPort: return to_listener ? client_frame(bytes) : server_frame(bytes);
    case kQuorumPort: return quorum_message(bytes);
    case kElectionPort: return vote(bytes);
    default: return {"data", fmt::format("{} bytes to port {}", bytes.size(), port)};
  }
}

}  // namespace zsim::tools::diagram
