#include "core/proto/wire.h"

#include "core/assert.h"
#include "core/limits.h"

#include <iterator>

namespace zsim::core::wire {
namespace {

// Frame tags. Client frames and server frames have their own tag spaces.
enum ClientTag : uint8_t { kConnect = 1, kRequest = 2 };
enum ServerTag : uint8_t { kConnectResponse = 1, kReply = 2, kNotification = 3 };

// Op tags, in the order of the Op variant.
enum OpTag : uint8_t {
  kCreate = 1, kDelete, kSetData, kCheck, kMulti, kGetData, kExists, kGetChildren, kSync,
  kAddWatch, kClose, kPing, kSetWatches, kSetAcl, kGetAcl, kAuth,
  // A create whose ACL is not the open ACL (an open-ACL create keeps kCreate
  // and its old bytes): kCreate's fields, then the list.
  kCreateWithAcl,
};

// Body tags, in the order of the ReplyBody variant.
enum BodyTag : uint8_t { kEmpty = 1, kCreateBody, kStatBody, kDataBody, kChildrenBody, kSyncBody, kMultiBody, kAclBody };

constexpr size_t kPathMax = limits::kPathBytesMax;
constexpr size_t kDataMax = limits::kDataBytesMax + 1;  // one over, so the server can refuse it
constexpr size_t kListMax = 1 << 20;

void put_stat(Writer& w, const Stat& s) {
  w.i64(s.czxid);
  w.i64(s.mzxid);
  w.i64(s.ctime_ms);
  w.i64(s.mtime_ms);
  w.i32(s.version);
  w.i32(s.cversion);
  w.i32(s.aversion);
  w.i64(s.ephemeral_owner);
  w.i32(s.data_length);
  w.i32(s.num_children);
  w.i64(s.pzxid);
}

Stat get_stat(Reader& r) {
  Stat s;
  s.czxid = r.i64();
  s.mzxid = r.i64();
  s.ctime_ms = r.i64();
  s.mtime_ms = r.i64();
  s.version = r.i32();
  s.cversion = r.i32();
  s.aversion = r.i32();
  s.ephemeral_owner = r.i64();
  s.data_length = r.i32();
  s.num_children = r.i32();
  s.pzxid = r.i64();
  return s;
}

void put_strings(Writer& w, const std::vector<std::string>& v) {
  w.varint(v.size());
  for (const auto& s : v) w.bytes(s);
}

std::vector<std::string> get_strings(Reader& r, size_t max_each) {
  std::vector<std::string> v;
  const uint64_t n = r.count(kListMax, 1);
  for (uint64_t i = 0; i < n && r.ok(); ++i) v.push_back(r.string(max_each));
  return v;
}

void put_write_op(Writer& w, const MultiOp& op);

void put_op(Writer& w, const Op& op) {
  std::visit(
      [&w](const auto& o) {
        using T = std::decay_t<decltype(o)>;
        if constexpr (std::is_same_v<T, CreateRequest>) {
          const bool open = is_open_acl(o.acl);
          w.u8(open ? kCreate : kCreateWithAcl);
          w.bytes(o.path);
          w.bytes(o.data);
          w.i32(o.mode);
          w.i64(o.ttl_ms);
          if (!open) put_acl_list(w, o.acl);
        } else if constexpr (std::is_same_v<T, SetAclRequest>) {
          w.u8(kSetAcl);
          w.bytes(o.path);
          put_acl_list(w, o.acl);
          w.i32(o.version);
        } else if constexpr (std::is_same_v<T, GetAclOp>) {
          w.u8(kGetAcl);
          w.bytes(o.path);
        } else if constexpr (std::is_same_v<T, AuthOp>) {
          w.u8(kAuth);
          w.bytes(o.scheme);
          w.bytes(o.auth);
        } else if constexpr (std::is_same_v<T, DeleteRequest>) {
          w.u8(kDelete);
          w.bytes(o.path);
          w.i32(o.version);
        } else if constexpr (std::is_same_v<T, SetDataRequest>) {
          w.u8(kSetData);
          w.bytes(o.path);
          w.bytes(o.data);
          w.i32(o.version);
        } else if constexpr (std::is_same_v<T, CheckRequest>) {
          w.u8(kCheck);
          w.bytes(o.path);
          w.i32(o.version);
        } else if constexpr (std::is_same_v<T, MultiRequest>) {
          w.u8(kMulti);
          w.varint(o.ops.size());
          for (const MultiOp& m : o.ops) put_write_op(w, m);
        } else if constexpr (std::is_same_v<T, GetDataOp>) {
          w.u8(kGetData);
          w.bytes(o.path);
          w.boolean(o.watch);
        } else if constexpr (std::is_same_v<T, ExistsOp>) {
          w.u8(kExists);
          w.bytes(o.path);
          w.boolean(o.watch);
        } else if constexpr (std::is_same_v<T, GetChildrenOp>) {
          w.u8(kGetChildren);
          w.bytes(o.path);
          w.boolean(o.watch);
          w.boolean(o.with_stat);
        } else if constexpr (std::is_same_v<T, SyncOp>) {
          w.u8(kSync);
          w.bytes(o.path);
        } else if constexpr (std::is_same_v<T, AddWatchOp>) {
          w.u8(kAddWatch);
          w.bytes(o.path);
          w.i32(static_cast<int32_t>(o.mode));
        } else if constexpr (std::is_same_v<T, CloseOp>) {
          w.u8(kClose);
        } else if constexpr (std::is_same_v<T, PingOp>) {
          w.u8(kPing);
        } else if constexpr (std::is_same_v<T, SetWatchesOp>) {
          w.u8(kSetWatches);
          w.i64(o.relative_zxid);
          put_strings(w, o.watches.data);
          put_strings(w, o.watches.exist);
          put_strings(w, o.watches.child);
          put_strings(w, o.watches.persistent);
          put_strings(w, o.watches.persistent_recursive);
        }
      },
      op);
}

void put_write_op(Writer& w, const MultiOp& op) {
  std::visit([&w](const auto& o) { put_op(w, Op{o}); }, op);
}

std::optional<Op> get_op(Reader& r, bool inside_multi) {
  const uint8_t tag = r.u8();
  if (!r.ok()) return std::nullopt;
  switch (tag) {
    case kCreate:
    case kCreateWithAcl: {
      CreateRequest o;
      o.path = r.string(kPathMax);
      o.data = r.string(kDataMax);
      o.mode = r.i32();
      o.ttl_ms = r.i64();
      // Any list, even an empty one: the server answers InvalidACL.
      if (tag == kCreateWithAcl) o.acl = get_acl_list(r);
      return Op{std::move(o)};
    }
    case kDelete: {
      DeleteRequest o;
      o.path = r.string(kPathMax);
      o.version = r.i32();
      return Op{std::move(o)};
    }
    case kSetData: {
      SetDataRequest o;
      o.path = r.string(kPathMax);
      o.data = r.string(kDataMax);
      o.version = r.i32();
      return Op{std::move(o)};
    }
    case kCheck: {
      CheckRequest o;
      o.path = r.string(kPathMax);
      o.version = r.i32();
      return Op{std::move(o)};
    }
    default: break;
  }
  if (inside_multi) {
    r.fail("a multi may hold only create, delete, setData and check");
    return std::nullopt;
  }
  switch (tag) {
    case kMulti: {
      MultiRequest o;
      const uint64_t n = r.count(limits::kMultiOpsMax, 2);
      for (uint64_t i = 0; i < n && r.ok(); ++i) {
        auto inner = get_op(r, true);
        if (!inner) return std::nullopt;
        std::visit(
            [&o](auto& x) {
              using T = std::decay_t<decltype(x)>;
              if constexpr (std::is_constructible_v<MultiOp, T>) o.ops.emplace_back(std::move(x));
            },
            *inner);
      }
      return Op{std::move(o)};
    }
    case kGetData: {
      GetDataOp o;
      o.path = r.string(kPathMax);
      o.watch = r.boolean();
      return Op{std::move(o)};
    }
    case kExists: {
      ExistsOp o;
      o.path = r.string(kPathMax);
      o.watch = r.boolean();
      return Op{std::move(o)};
    }
    case kGetChildren: {
      GetChildrenOp o;
      o.path = r.string(kPathMax);
      o.watch = r.boolean();
      o.with_stat = r.boolean();
      return Op{std::move(o)};
    }
    case kSync: {
      SyncOp o;
      o.path = r.string(kPathMax);
      return Op{std::move(o)};
    }
    case kAddWatch: {
      AddWatchOp o;
      o.path = r.string(kPathMax);
      const int32_t mode = r.i32();
      if (mode != 0 && mode != 1) r.fail("unknown addWatch mode");
      o.mode = static_cast<AddWatchMode>(mode);
      return Op{std::move(o)};
    }
    case kSetAcl: {
      SetAclRequest o;
      o.path = r.string(kPathMax);
      o.acl = get_acl_list(r);
      o.version = r.i32();
      return Op{std::move(o)};
    }
    case kGetAcl: return Op{GetAclOp{r.string(kPathMax)}};
    case kAuth: {
      AuthOp o;
      o.scheme = r.string(kAclFieldBytesMax);
      o.auth = r.string(kAclFieldBytesMax);
      return Op{std::move(o)};
    }
    case kClose: return Op{CloseOp{}};
    case kPing: return Op{PingOp{}};
    case kSetWatches: {
      SetWatchesOp o;
      o.relative_zxid = r.i64();
      o.watches.data = get_strings(r, kPathMax);
      o.watches.exist = get_strings(r, kPathMax);
      o.watches.child = get_strings(r, kPathMax);
      o.watches.persistent = get_strings(r, kPathMax);
      o.watches.persistent_recursive = get_strings(r, kPathMax);
      return Op{std::move(o)};
    }
    default: r.fail("unknown op tag"); return std::nullopt;
  }
}

void put_op_result(Writer& w, const OpResult& o) {
  w.i32(static_cast<int32_t>(o.code));
  w.bytes(o.path);
  w.boolean(o.stat.has_value());
  if (o.stat) put_stat(w, *o.stat);
}

OpResult get_op_result(Reader& r) {
  OpResult o;
  const auto code = code_from_int(r.i32());
  if (!code) r.fail("unknown error code");
  o.code = code.value_or(Code::SystemError);
  o.path = r.string(kPathMax);
  if (r.boolean()) o.stat = get_stat(r);
  return o;
}

void put_body(Writer& w, const ReplyBody& body) {
  std::visit(
      [&w](const auto& b) {
        using T = std::decay_t<decltype(b)>;
        if constexpr (std::is_same_v<T, EmptyReply>) {
          w.u8(kEmpty);
        } else if constexpr (std::is_same_v<T, CreateReply>) {
          w.u8(kCreateBody);
          w.bytes(b.path);
          put_stat(w, b.stat);
        } else if constexpr (std::is_same_v<T, StatReply>) {
          w.u8(kStatBody);
          put_stat(w, b.stat);
        } else if constexpr (std::is_same_v<T, DataReply>) {
          w.u8(kDataBody);
          w.bytes(b.data);
          put_stat(w, b.stat);
        } else if constexpr (std::is_same_v<T, ChildrenReply>) {
          w.u8(kChildrenBody);
          put_strings(w, b.children);
          put_stat(w, b.stat);
        } else if constexpr (std::is_same_v<T, SyncReply>) {
          w.u8(kSyncBody);
          w.bytes(b.path);
        } else if constexpr (std::is_same_v<T, MultiReply>) {
          w.u8(kMultiBody);
          w.varint(b.results.size());
          for (const OpResult& o : b.results) put_op_result(w, o);
        } else if constexpr (std::is_same_v<T, AclReply>) {
          w.u8(kAclBody);
          put_acl_list(w, b.acl);
          put_stat(w, b.stat);
        }
      },
      body);
}

ReplyBody get_body(Reader& r) {
  switch (r.u8()) {
    case kEmpty: return EmptyReply{};
    case kCreateBody: {
      CreateReply b;
      b.path = r.string(kPathMax);
      b.stat = get_stat(r);
      return b;
    }
    case kStatBody: return StatReply{get_stat(r)};
    case kDataBody: {
      DataReply b;
      b.data = r.string(kDataMax);
      b.stat = get_stat(r);
      return b;
    }
    case kChildrenBody: {
      ChildrenReply b;
      b.children = get_strings(r, kPathMax);
      b.stat = get_stat(r);
      return b;
    }
    case kSyncBody: return SyncReply{r.string(kPathMax)};
    case kMultiBody: {
      MultiReply b;
      const uint64_t n = r.count(limits::kMultiOpsMax, 6);
      for (uint64_t i = 0; i < n && r.ok(); ++i) b.results.push_back(get_op_result(r));
      return b;
    }
    case kAclBody: {
      AclReply b;
      b.acl = get_acl_list(r);
      b.stat = get_stat(r);
      return b;
    }
    default: r.fail("unknown reply body tag"); return EmptyReply{};
  }
}

}  // namespace

bool is_write(const Op& op) {
  return std::holds_alternative<CreateRequest>(op) || std::holds_alternative<DeleteRequest>(op) ||
         std::holds_alternative<SetDataRequest>(op) || std::holds_alternative<CheckRequest>(op) ||
         std::holds_alternative<MultiRequest>(op) || std::holds_alternative<CloseOp>(op) ||
         std::holds_alternative<SetAclRequest>(op);
}

Request to_request(const Op& op) {
  return std::visit(
      [](const auto& o) -> Request {
        using T = std::decay_t<decltype(o)>;
        if constexpr (std::is_same_v<T, CreateRequest> || std::is_same_v<T, DeleteRequest> ||
                      std::is_same_v<T, SetDataRequest> || std::is_same_v<T, CheckRequest> ||
                      std::is_same_v<T, MultiRequest> || std::is_same_v<T, SetAclRequest>) {
          return o;
        } else if constexpr (std::is_same_v<T, CloseOp>) {
          return CloseSessionRequest{};
        } else {
          ZSIM_ASSERT_MSG(false, "not a write op");
          return CloseSessionRequest{};
        }
      },
      op);
}

const char* op_name(const Op& op) {
  static constexpr const char* kNames[] = {"create",  "delete",      "setData", "check",    "multi",
                                           "getData", "exists",      "getChildren", "sync", "addWatch",
                                           "close",   "ping",        "setWatches", "setACL", "getACL",
                                           "auth"};
  static_assert(std::size(kNames) == std::variant_size_v<Op>);
  return kNames[op.index()];
}

std::string encode(const ClientFrame& frame) {
  Writer w;
  if (const auto* c = std::get_if<ConnectRequest>(&frame)) {
    w.u8(kConnect);
    w.i64(c->last_zxid_seen);
    w.i32(c->timeout_ms);
    w.i64(c->session_id);
  } else {
    const auto& req = std::get<RequestFrame>(frame);
    w.u8(kRequest);
    w.i32(req.xid);
    put_op(w, req.op);
  }
  return w.take();
}

std::string encode(const ServerFrame& frame) {
  Writer w;
  std::visit(
      [&w](const auto& f) {
        using T = std::decay_t<decltype(f)>;
        if constexpr (std::is_same_v<T, ConnectResponse>) {
          w.u8(kConnectResponse);
          w.i32(f.timeout_ms);
          w.i64(f.session_id);
        } else if constexpr (std::is_same_v<T, ReplyFrame>) {
          w.u8(kReply);
          w.i32(f.xid);
          w.i64(f.zxid);
          w.i32(static_cast<int32_t>(f.err));
          put_body(w, f.body);
        } else {
          w.u8(kNotification);
          w.i32(static_cast<int32_t>(f.type));
          w.bytes(f.path);
        }
      },
      frame);
  return w.take();
}

Result<ClientFrame> decode_client_frame(std::string_view bytes) {
  if (bytes.size() > kFrameBytesMax) return Result<ClientFrame>(Code::MarshallingError, "frame too large");
  Reader r(bytes);
  ClientFrame frame;
  switch (r.u8()) {
    case kConnect: {
      ConnectRequest c;
      c.last_zxid_seen = r.i64();
      c.timeout_ms = r.i32();
      c.session_id = r.i64();
      frame = c;
      break;
    }
    case kRequest: {
      RequestFrame req;
      req.xid = r.i32();
      auto op = get_op(r, false);
      if (op) req.op = std::move(*op);
      frame = std::move(req);
      break;
    }
    default: r.fail("unknown client frame tag");
  }
  if (Status s = r.finish(); !s.ok()) return s;
  return frame;
}

Result<ServerFrame> decode_server_frame(std::string_view bytes) {
  if (bytes.size() > kFrameBytesMax) return Result<ServerFrame>(Code::MarshallingError, "frame too large");
  Reader r(bytes);
  ServerFrame frame;
  switch (r.u8()) {
    case kConnectResponse: {
      ConnectResponse c;
      c.timeout_ms = r.i32();
      c.session_id = r.i64();
      frame = c;
      break;
    }
    case kReply: {
      ReplyFrame f;
      f.xid = r.i32();
      f.zxid = r.i64();
      const auto code = code_from_int(r.i32());
      if (!code) r.fail("unknown error code");
      f.err = code.value_or(Code::SystemError);
      f.body = get_body(r);
      frame = std::move(f);
      break;
    }
    case kNotification: {
      Notification n;
      n.type = static_cast<EventType>(r.i32());
      if (event_type_name(n.type) == "?") r.fail("unknown event type");
      n.path = r.string(kPathMax);
      frame = std::move(n);
      break;
    }
    default: r.fail("unknown server frame tag");
  }
  if (Status s = r.finish(); !s.ok()) return s;
  return frame;
}

}  // namespace zsim::core::wire
