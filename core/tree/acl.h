// ACLs: ZooKeeper's per-node access control lists, pure (no I/O).
//
// Every znode carries its own ACL list, decided when it is created and
// replaced by setACL; a child never inherits its parent's list. An entry
// grants a bitmask of permissions (READ, WRITE, CREATE, DELETE, ADMIN) to an
// identity (scheme, id). The schemes, as in ZooKeeper 3.8:
//   world:anyone            everybody;
//   digest:user:B64HASH     a session that ran `addauth digest user:password`
//                           where B64HASH = base64(sha1("user:password"));
//   auth:<ignored>          only in a request: replaced by every digest
//                           identity the requesting session has added
//                           (InvalidACL if it has none);
//   ip:ADDR[/BITS]          accepted and stored, but never matches: simulated
//                           clients have no addresses (a documented gap).
// A session's identities (its "auth info") come only from addauth; they are
// per connection on the server, and the client re-sends them after every
// reconnect, as ZooKeeper's client does.
//
// Checks (ZooKeeper's ZooKeeperServer.checkACL): an operation needing
// permission P on a node passes if some entry of the node's list grants P to
// world:anyone or to an identity the session holds (same scheme, equal id).
// Which node and which P each operation needs is in core/txn/prepare.h (writes)
// and core/server/server.cpp (reads).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/errors.h"

namespace zsim::core {

// ZooDefs.Perms.
namespace perms {
inline constexpr int32_t kRead = 1;
inline constexpr int32_t kWrite = 2;
inline constexpr int32_t kCreate = 4;
inline constexpr int32_t kDelete = 8;
inline constexpr int32_t kAdmin = 16;
inline constexpr int32_t kAll = 31;
}  // namespace perms

// An identity: (scheme, id), e.g. ("digest", "alice:aYXl...=").
struct AclId {
  std::string scheme;
  std::string id;
  friend bool operator==(const AclId&, const AclId&) = default;
  friend auto operator<=>(const AclId&, const AclId&) = default;
};

struct Acl {
  int32_t perms = 0;
  AclId id;
  friend bool operator==(const Acl&, const Acl&) = default;
};

using AclList = std::vector<Acl>;
// The identities a session has authenticated as, sorted and unique.
using AuthIds = std::vector<AclId>;

// ZooDefs.Ids.OPEN_ACL_UNSAFE: world:anyone with every permission; what every
// node gets unless its creator asks for something else.
const AclList& open_acl();
bool is_open_acl(const AclList& acl);

// Largest ACL list a request, txn or snapshot may carry.
inline constexpr size_t kAclEntriesMax = 1024;
inline constexpr size_t kAclFieldBytesMax = 4096;

// The digest identity of "user:password": "user:" + base64(sha1(whole)).
// (DigestAuthenticationProvider.generateDigest.)
std::string digest_id(std::string_view user_password);

// Adds the identity that `addauth scheme auth` gives, keeping `ids` sorted
// and unique. AuthFailed for a scheme other than digest, or a digest auth
// without a ':' (ZooKeeper's provider accepts any bytes; we require
// user:password so that the id is well formed).
Status add_auth(AuthIds& ids, std::string_view scheme, std::string_view auth);

// ZooKeeper's checkACL: true if `acl` grants any bit of `perm` to world:anyone
// or to one of `ids`. An empty list grants everything (ZooKeeper's rule; our
// nodes never have one, fix_acl refuses it).
bool acl_allows(const AclList& acl, int32_t perm, const AuthIds& ids);

// ZooKeeper's fixupACL: validates a requested list and resolves `auth`
// entries into the session's digest identities; drops duplicates, keeping
// the first. InvalidACL for an empty list, an unknown scheme, world with an
// id other than anyone, a digest id that is not user:hash, an ip id that is
// not an address, an `auth` entry when the session has no identity, or
// permission bits outside kAll.
Result<AclList> fix_acl(const AclList& requested, const AuthIds& ids);

// What getACL shows a session without ADMIN on the node: digest ids with the
// hash replaced by "x" ("alice:x"), as ZooKeeper 3.6+ does.
AclList redact_digests(AclList acl);

// zkCli's permission letters, in its order "cdrwa" ("" for none).
std::string perm_letters(int32_t perms);

// Encoding helpers for the txn, wire and snapshot formats.
class Writer;
class Reader;
void put_acl_list(Writer& out, const AclList& acl);
AclList get_acl_list(Reader& in);

// Building blocks, exposed for their own tests.
std::string sha1(std::string_view bytes);  // 20 raw bytes
std::string base64(std::string_view bytes);

}  // namespace zsim::core
