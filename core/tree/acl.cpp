#include "core/tree/acl.h"

#include <algorithm>
#include <array>

#include <fmt/format.h>

#include "core/codec.h"

namespace zsim::core {
namespace {

uint32_t rotl(uint32_t x, int n) { return (x << n) | (x >> (32 - n)); }

// One 64-byte block of FIPS 180-4 SHA-1.
void sha1_block(std::array<uint32_t, 5>& h, const unsigned char* block) {
  std::array<uint32_t, 80> w{};
  for (int i = 0; i < 16; ++i) {
    w[i] = (uint32_t{block[4 * i]} << 24) | (uint32_t{block[4 * i + 1]} << 16) |
           (uint32_t{block[4 * i + 2]} << 8) | uint32_t{block[4 * i + 3]};
  }
  for (int i = 16; i < 80; ++i) w[i] = rotl(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
  uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
  for (int i = 0; i < 80; ++i) {
    uint32_t f = 0, k = 0;
    if (i < 20) {
      f = (b & c) | (~b & d), k = 0x5A827999;
    } else if (i < 40) {
      f = b ^ c ^ d, k = 0x6ED9EBA1;
    } else if (i < 60) {
      f = (b & c) | (b & d) | (c & d), k = 0x8F1BBCDC;
    } else {
      f = b ^ c ^ d, k = 0xCA62C1D6;
    }
    const uint32_t t = rotl(a, 5) + f + e + k + w[i];
    e = d, d = c, c = rotl(b, 30), b = a, a = t;
  }
  h[0] += a, h[1] += b, h[2] += c, h[3] += d, h[4] += e;
}

bool valid_digest_id(std::string_view id) {
  // user:hash, one colon, a non-empty hash (Java's split(":") giving 2 parts).
  const size_t colon = id.find(':');
  return colon != std::string_view::npos && id.find(':', colon + 1) == std::string_view::npos &&
         colon + 1 < id.size();
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

bool valid_ipv4(std::string_view id) {
  std::string_view addr = id;
  if (const size_t slash = id.find('/'); slash != std::string_view::npos) {
    const std::string_view bits = id.substr(slash + 1);
    if (bits.empty() || bits.size() > 2 || !std::all_of(bits.begin(), bits.end(), is_digit)) return false;
    if (std::stoi(std::string(bits)) > 32) return false;
    addr = id.substr(0, slash);
  }
  int parts = 0;
  size_t start = 0;
  while (start <= addr.size()) {
    const size_t dot = std::min(addr.find('.', start), addr.size());
    const std::string_view part = addr.substr(start, dot - start);
    if (part.empty() || part.size() > 3 || !std::all_of(part.begin(), part.end(), is_digit)) return false;
    if (std::stoi(std::string(part)) > 255) return false;
    ++parts;
    start = dot + 1;
  }
  return parts == 4;
}

Status invalid(std::string why) { return Status(Code::InvalidAcl, std::move(why)); }

}  // namespace

const AclList& open_acl() {
  static const AclList kOpen{Acl{perms::kAll, AclId{"world", "anyone"}}};
  return kOpen;
}

bool is_open_acl(const AclList& acl) { return acl == open_acl(); }

std::string sha1(std::string_view bytes) {
  std::array<uint32_t, 5> h{0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0};
  std::string msg(bytes);
  const uint64_t bit_length = static_cast<uint64_t>(bytes.size()) * 8;
  msg.push_back(static_cast<char>(0x80));
  while (msg.size() % 64 != 56) msg.push_back('\0');
  for (int i = 7; i >= 0; --i) msg.push_back(static_cast<char>((bit_length >> (8 * i)) & 0xff));
  for (size_t off = 0; off < msg.size(); off += 64) {
    sha1_block(h, reinterpret_cast<const unsigned char*>(msg.data() + off));
  }
  std::string out;
  for (uint32_t word : h) {
    for (int i = 3; i >= 0; --i) out.push_back(static_cast<char>((word >> (8 * i)) & 0xff));
  }
  return out;
}

std::string base64(std::string_view bytes) {
  static constexpr std::string_view kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  for (size_t i = 0; i < bytes.size(); i += 3) {
    const size_t n = std::min<size_t>(3, bytes.size() - i);
    uint32_t v = 0;
    for (size_t j = 0; j < 3; ++j) {
      v = (v << 8) | (j < n ? static_cast<unsigned char>(bytes[i + j]) : 0u);
    }
    for (size_t j = 0; j < 4; ++j) {
      out.push_back(j <= n ? kAlphabet[(v >> (18 - 6 * j)) & 63] : '=');
    }
  }
  return out;
}

std::string digest_id(std::string_view user_password) {
  const size_t colon = user_password.find(':');
  const std::string_view user = user_password.substr(0, colon);
  return fmt::format("{}:{}", user, base64(sha1(user_password)));
}

Status add_auth(AuthIds& ids, std::string_view scheme, std::string_view auth) {
  if (scheme != "digest") {
    return Status(Code::AuthFailed, fmt::format("unsupported auth scheme '{}'", scheme));
  }
  if (auth.find(':') == std::string_view::npos || auth.size() > kAclFieldBytesMax) {
    return Status(Code::AuthFailed, "digest auth must be user:password");
  }
  AclId id{"digest", digest_id(auth)};
  const auto it = std::lower_bound(ids.begin(), ids.end(), id);
  if (it == ids.end() || *it != id) ids.insert(it, std::move(id));
  return Status();
}

bool acl_allows(const AclList& acl, int32_t perm, const AuthIds& ids) {
  if (acl.empty()) return true;
  for (const Acl& a : acl) {
    if ((a.perms & perm) == 0) continue;
    if (a.id.scheme == "world" && a.id.id == "anyone") return true;
    // Digest identities match by equality; ip entries match no simulated
    // client (they hold no ip identity).
    if (std::binary_search(ids.begin(), ids.end(), a.id)) return true;
  }
  return false;
}

Result<AclList> fix_acl(const AclList& requested, const AuthIds& ids) {
  if (requested.empty()) return invalid("empty ACL");
  if (requested.size() > kAclEntriesMax) return invalid("too many ACL entries");
  AclList out;
  const auto add = [&out](Acl a) {
    if (std::find(out.begin(), out.end(), a) == out.end()) out.push_back(std::move(a));
  };
  for (const Acl& a : requested) {
    if ((a.perms & ~perms::kAll) != 0) return invalid(fmt::format("permission bits {:#x}", a.perms));
    const std::string& scheme = a.id.scheme;
    if (scheme == "world") {
      if (a.id.id != "anyone") return invalid("world:" + a.id.id);
      add(a);
    } else if (scheme == "auth") {
      // The id is ignored: every identity the session holds gets the perms.
      if (ids.empty()) return invalid("auth scheme without any authenticated id");
      for (const AclId& id : ids) add(Acl{a.perms, id});
    } else if (scheme == "digest") {
      if (!valid_digest_id(a.id.id)) return invalid("digest:" + a.id.id);
      add(a);
    } else if (scheme == "ip") {
      if (!valid_ipv4(a.id.id)) return invalid("ip:" + a.id.id);
      add(a);
    } else {
      return invalid("unknown scheme " + scheme);
    }
  }
  return out;
}

AclList redact_digests(AclList acl) {
  for (Acl& a : acl) {
    if (a.id.scheme != "digest") continue;
    const size_t colon = a.id.id.find(':');
    if (colon != std::string::npos) a.id.id = a.id.id.substr(0, colon) + ":x";
  }
  return acl;
}

std::string perm_letters(int32_t p) {
  std::string out;
  if ((p & perms::kCreate) != 0) out += 'c';
  if ((p & perms::kDelete) != 0) out += 'd';
  if ((p & perms::kRead) != 0) out += 'r';
  if ((p & perms::kWrite) != 0) out += 'w';
  if ((p & perms::kAdmin) != 0) out += 'a';
  return out;
}

void put_acl_list(Writer& out, const AclList& acl) {
  out.varint(acl.size());
  for (const Acl& a : acl) {
    out.i32(a.perms);
    out.bytes(a.id.scheme);
    out.bytes(a.id.id);
  }
}

AclList get_acl_list(Reader& in) {
  AclList acl;
  const uint64_t n = in.count(kAclEntriesMax, 4 + 2);
  for (uint64_t i = 0; i < n && in.ok(); ++i) {
    Acl a;
    a.perms = in.i32();
    a.id.scheme = in.string(kAclFieldBytesMax);
    a.id.id = in.string(kAclFieldBytesMax);
    acl.push_back(std::move(a));
  }
  return acl;
}

}  // namespace zsim::core
