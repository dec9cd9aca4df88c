#include "core/txn/txn.h"

#include <fmt/format.h>

#include "core/limits.h"

namespace zsim::core {
namespace {

constexpr uint8_t kTxnFormatVersion = 1;

// Body tags. Stable: they are stored in txn logs.
enum class Tag : uint8_t {
  Error = 1,
  Create = 2,
  Delete = 3,
  SetData = 4,
  Check = 5,
  Multi = 6,
  CreateSession = 7,
  CloseSession = 8,
  // A create whose ACL is not the open ACL: Create's fields, then the list.
  // (An open-ACL create keeps tag Create and its old bytes.)
  CreateWithAcl = 9,
  SetAcl = 10,
};

// ------------------------------------------------------------------ encode

void encode_op(Writer& out, const ErrorTxn& t) {
  out.u8(static_cast<uint8_t>(Tag::Error));
  out.i32(static_cast<int32_t>(t.code));
}

void encode_op(Writer& out, const CreateTxn& t) {
  const bool open = is_open_acl(t.acl);
  out.u8(static_cast<uint8_t>(open ? Tag::Create : Tag::CreateWithAcl));
  out.bytes(t.path);
  out.bytes(t.data);
  out.u8(static_cast<uint8_t>(t.kind));
  out.i64(t.ephemeral_owner);
  out.i64(t.ttl_ms);
  out.i32(t.parent_creations);
  if (!open) put_acl_list(out, t.acl);
}

void encode_op(Writer& out, const SetAclTxn& t) {
  out.u8(static_cast<uint8_t>(Tag::SetAcl));
  out.bytes(t.path);
  put_acl_list(out, t.acl);
  out.i32(t.version);
}

void encode_op(Writer& out, const DeleteTxn& t) {
  out.u8(static_cast<uint8_t>(Tag::Delete));
  out.bytes(t.path);
}

void encode_op(Writer& out, const SetDataTxn& t) {
  out.u8(static_cast<uint8_t>(Tag::SetData));
  out.bytes(t.path);
  out.bytes(t.data);
  out.i32(t.version);
}

void encode_op(Writer& out, const CheckTxn& t) {
  out.u8(static_cast<uint8_t>(Tag::Check));
  out.bytes(t.path);
  out.i32(t.version);
}

void encode_op(Writer& out, const MultiTxn& t) {
  out.u8(static_cast<uint8_t>(Tag::Multi));
  out.varint(t.ops.size());
  for (const TxnOp& op : t.ops) {
    std::visit([&](const auto& o) { encode_op(out, o); }, op);
  }
}

void encode_op(Writer& out, const CreateSessionTxn& t) {
  out.u8(static_cast<uint8_t>(Tag::CreateSession));
  out.i32(t.timeout_ms);
}

void encode_op(Writer& out, const CloseSessionTxn& t) {
  out.u8(static_cast<uint8_t>(Tag::CloseSession));
  out.varint(t.paths.size());
  for (const std::string& path : t.paths) {
    out.bytes(path);
  }
}

// ------------------------------------------------------------------ decode

std::string read_path(Reader& in) { return in.string(limits::kPathBytesMax); }
std::string read_data(Reader& in) { return in.string(limits::kDataBytesMax); }

ErrorTxn decode_error(Reader& in) {
  const int32_t raw = in.i32();
  const std::optional<Code> code = code_from_int(raw);
  if (!code) {
    in.fail(fmt::format("unknown error code {}", raw));
    return {};
  }
  return ErrorTxn{*code};
}

CreateTxn decode_create(Reader& in, bool with_acl) {
  CreateTxn t;
  t.path = read_path(in);
  t.data = read_data(in);
  const uint8_t kind = in.u8();
  t.ephemeral_owner = in.i64();
  t.ttl_ms = in.i64();
  t.parent_creations = in.i32();
  if (with_acl) {
    t.acl = get_acl_list(in);
    if (in.ok() && (t.acl.empty() || is_open_acl(t.acl))) {
      in.fail("create: an ACL list that is empty or belongs under the plain tag");
    }
  }
  if (kind > static_cast<uint8_t>(NodeKind::Ttl)) {
    in.fail(fmt::format("unknown node kind {}", kind));
    return t;
  }
  t.kind = static_cast<NodeKind>(kind);
  if ((t.kind == NodeKind::Ephemeral) != (t.ephemeral_owner != 0)) {
    in.fail("create: ephemeral owner does not match kind");
  }
  if ((t.kind == NodeKind::Ttl) != (t.ttl_ms > 0)) {
    in.fail("create: ttl does not match kind");
  }
  return t;
}

// Decodes one op of the kinds allowed inside a multi (tag already read).
bool decode_simple_op(Reader& in, Tag tag, TxnOp* out) {
  switch (tag) {
    case Tag::Error:
      *out = decode_error(in);
      return true;
    case Tag::Create:
    case Tag::CreateWithAcl:
      *out = decode_create(in, tag == Tag::CreateWithAcl);
      return true;
    case Tag::Delete:
      *out = DeleteTxn{read_path(in)};
      return true;
    case Tag::SetData: {
      SetDataTxn t;
      t.path = read_path(in);
      t.data = read_data(in);
      t.version = in.i32();
      *out = std::move(t);
      return true;
    }
    case Tag::Check: {
      CheckTxn t;
      t.path = read_path(in);
      t.version = in.i32();
      *out = std::move(t);
      return true;
    }
    default:
      return false;
  }
}

MultiTxn decode_multi(Reader& in) {
  MultiTxn t;
  const uint64_t n = in.count(limits::kMultiOpsMax, 2);
  bool any_error = false;
  bool all_error = true;
  for (uint64_t i = 0; i < n && in.ok(); ++i) {
    const auto tag = static_cast<Tag>(in.u8());
    TxnOp op;
    if (!decode_simple_op(in, tag, &op)) {
      in.fail(fmt::format("tag {} not allowed in a multi", static_cast<int>(tag)));
      break;
    }
    const bool is_error = std::holds_alternative<ErrorTxn>(op);
    any_error = any_error || is_error;
    all_error = all_error && is_error;
    t.ops.push_back(std::move(op));
  }
  if (any_error && !all_error) {
    in.fail("multi mixes error and real ops");
  }
  return t;
}

CloseSessionTxn decode_close_session(Reader& in) {
  CloseSessionTxn t;
  const uint64_t n = in.count(limits::kCloseSessionPathsMax, 2);
  for (uint64_t i = 0; i < n && in.ok(); ++i) {
    t.paths.push_back(read_path(in));
  }
  return t;
}

TxnBody decode_body(Reader& in) {
  const uint8_t raw_tag = in.u8();
  const auto tag = static_cast<Tag>(raw_tag);
  TxnOp op;
  if (decode_simple_op(in, tag, &op)) {
    return std::visit([](auto&& o) -> TxnBody { return std::move(o); }, std::move(op));
  }
  switch (tag) {
    case Tag::Multi:
      return decode_multi(in);
    case Tag::CreateSession:
      return CreateSessionTxn{in.i32()};
    case Tag::CloseSession:
      return decode_close_session(in);
    case Tag::SetAcl: {
      SetAclTxn t;
      t.path = read_path(in);
      t.acl = get_acl_list(in);
      t.version = in.i32();
      if (in.ok() && t.acl.empty()) in.fail("setACL: empty ACL");
      return t;
    }
    default:
      in.fail(fmt::format("unknown txn tag {}", raw_tag));
      return ErrorTxn{};
  }
}

}  // namespace

bool is_failed(const Txn& txn) {
  if (std::holds_alternative<ErrorTxn>(txn.body)) {
    return true;
  }
  if (const auto* multi = std::get_if<MultiTxn>(&txn.body)) {
    return !multi->ops.empty() && std::holds_alternative<ErrorTxn>(multi->ops.front());
  }
  return false;
}

void encode_txn(Writer& out, const Txn& txn) {
  out.u8(kTxnFormatVersion);
  out.i64(txn.header.session_id);
  out.i32(txn.header.cxid);
  out.i64(txn.header.zxid);
  out.i64(txn.header.time_ms);
  std::visit([&](const auto& body) { encode_op(out, body); }, txn.body);
}

std::string encode_txn(const Txn& txn) {
  Writer out;
  encode_txn(out, txn);
  return out.take();
}

Result<Txn> decode_txn(Reader& in) {
  const uint8_t version = in.u8();
  if (in.ok() && version != kTxnFormatVersion) {
    in.fail(fmt::format("unknown txn format version {}", version));
  }
  Txn txn;
  txn.header.session_id = in.i64();
  txn.header.cxid = in.i32();
  txn.header.zxid = in.i64();
  txn.header.time_ms = in.i64();
  txn.body = decode_body(in);
  if (!in.ok()) {
    return in.status();
  }
  return txn;
}

Result<Txn> decode_txn(std::string_view bytes) {
  Reader in(bytes);
  Result<Txn> txn = decode_txn(in);
  if (!txn.ok()) {
    return txn;
  }
  Status rest = in.finish();
  if (!rest.ok()) {
    return rest;
  }
  return txn;
}

namespace {

std::string_view kind_name(NodeKind kind) {
  switch (kind) {
    case NodeKind::Persistent:
      return "persistent";
    case NodeKind::Ephemeral:
      return "ephemeral";
    case NodeKind::Container:
      return "container";
    case NodeKind::Ttl:
      return "ttl";
  }
  return "?";
}

std::string describe_op(const ErrorTxn& t) { return fmt::format("error {}", code_name(t.code)); }
std::string describe_op(const CreateTxn& t) {
  // An open ACL is not mentioned, so traces of runs without ACLs keep their bytes.
  return fmt::format("create {} kind={} bytes={}{}", t.path, kind_name(t.kind), t.data.size(),
                     is_open_acl(t.acl) ? "" : fmt::format(" acl_entries={}", t.acl.size()));
}
std::string describe_op(const DeleteTxn& t) { return fmt::format("delete {}", t.path); }
std::string describe_op(const SetDataTxn& t) {
  return fmt::format("setData {} version={} bytes={}", t.path, t.version, t.data.size());
}
std::string describe_op(const CheckTxn& t) {
  return fmt::format("check {} version={}", t.path, t.version);
}
std::string describe_op(const MultiTxn& t) {
  std::string out = "multi [";
  for (size_t i = 0; i < t.ops.size(); ++i) {
    out += i == 0 ? "" : "; ";
    out += std::visit([](const auto& o) { return describe_op(o); }, t.ops[i]);
  }
  return out + "]";
}
std::string describe_op(const SetAclTxn& t) {
  return fmt::format("setACL {} version={} entries={}", t.path, t.version, t.acl.size());
}
std::string describe_op(const CreateSessionTxn& t) {
  return fmt::format("createSession timeout_ms={}", t.timeout_ms);
}
std::string describe_op(const CloseSessionTxn& t) {
  return fmt::format("closeSession ephemerals={}", t.paths.size());
}

}  // namespace

std::string describe(const Txn& txn) {
  return fmt::format("zxid={:#x} session={:#x} {}", txn.header.zxid, txn.header.session_id,
                     std::visit([](const auto& b) { return describe_op(b); }, txn.body));
}

}  // namespace zsim::core
