// Proves the ACL core behaves as ZooKeeper 3.8's: digest identities are
// user:base64(sha1(user:password)) (vectors taken from a real server),
// fixupACL's validation and `auth` expansion, and each operation's check
// through the pure pipeline (prepare -> apply): CREATE and DELETE on the
// parent, WRITE for setData, READ for check, ADMIN for setACL (with its
// aversion), in ZooKeeper's order against NoNode/BadVersion; lists are per
// node, never inherited; multi ops are checked one by one against the ACLs
// the earlier ops leave; ACLs survive snapshots and the txn encoding, and a
// tree or txn without ACLs keeps the bytes it had before ACLs existed.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "core/codec.h"
#include "core/tree/acl.h"
#include "core/tree/snapshot.h"
#include "core/txn/txn.h"
#include "tree_driver.h"

namespace zsim::core {
namespace {

using testing::TreeDriver;

std::string hex_of(std::string_view bytes) {
  std::string out;
  for (unsigned char c : bytes) out += fmt::format("{:02x}", c);
  return out;
}

Acl acl(int32_t p, std::string scheme, std::string id) { return Acl{p, AclId{std::move(scheme), std::move(id)}}; }
Acl world(int32_t p) { return acl(p, "world", "anyone"); }

CreateRequest create_req(std::string path, AclList list = open_acl()) {
  CreateRequest r;
  r.path = std::move(path);
  r.acl = std::move(list);
  return r;
}

AuthIds ids_of(std::initializer_list<const char*> user_passwords) {
  AuthIds ids;
  for (const char* up : user_passwords) EXPECT_TRUE(add_auth(ids, "digest", up).ok());
  return ids;
}

TEST(AclDigest, Sha1AndBase64MatchTheStandardVectors) {
  EXPECT_EQ(hex_of(sha1("abc")), "a9993e364706816aba3e25717850c26c9cd0d89d");
  EXPECT_EQ(hex_of(sha1("")), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
  // Two blocks (the padding does not fit in the first).
  EXPECT_EQ(hex_of(sha1("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")),
            "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
  EXPECT_EQ(base64(""), "");
  EXPECT_EQ(base64("f"), "Zg==");
  EXPECT_EQ(base64("fo"), "Zm8=");
  EXPECT_EQ(base64("foo"), "Zm9v");
}

TEST(AclDigest, DigestIdsAreWhatARealServerShows) {
  // getAcl on a ZooKeeper 3.8.0 after `addauth digest alice:secret` and
  // `create /n x auth::cdrwa`.
  EXPECT_EQ(digest_id("alice:secret"), "alice:aYXlLOpEooaV1cRAvUL1fp9Qt7E=");
  EXPECT_EQ(digest_id("alice:pw"), "alice:V55/p2T0OpjQ+low3NVAH4aLvm0=");
}

TEST(AclAuth, OnlyDigestUserPasswordIsAccepted) {
  AuthIds ids;
  EXPECT_EQ(add_auth(ids, "foo", "bar").code(), Code::AuthFailed);
  EXPECT_EQ(add_auth(ids, "digest", "nopassword").code(), Code::AuthFailed);
  EXPECT_TRUE(ids.empty());
  EXPECT_TRUE(add_auth(ids, "digest", "bob:pw").ok());
  EXPECT_TRUE(add_auth(ids, "digest", "alice:pw").ok());
  EXPECT_TRUE(add_auth(ids, "digest", "bob:pw").ok());  // once only
  ASSERT_EQ(ids.size(), 2u);
  EXPECT_EQ(ids[0].id, digest_id("alice:pw"));  // sorted
}

TEST(AclFixup, RejectsWhatZooKeeperRejects) {
  const AuthIds none;
  EXPECT_EQ(fix_acl({}, none).code(), Code::InvalidAcl);
  EXPECT_EQ(fix_acl({acl(31, "world", "bob")}, none).code(), Code::InvalidAcl);
  EXPECT_EQ(fix_acl({acl(31, "digest", "bob")}, none).code(), Code::InvalidAcl);
  EXPECT_EQ(fix_acl({acl(31, "digest", "bob:")}, none).code(), Code::InvalidAcl);
  EXPECT_EQ(fix_acl({acl(31, "digest", "a:b:c")}, none).code(), Code::InvalidAcl);
  EXPECT_EQ(fix_acl({acl(31, "foo", "bar")}, none).code(), Code::InvalidAcl);
  EXPECT_EQ(fix_acl({acl(31, "auth", "")}, none).code(), Code::InvalidAcl);
  EXPECT_EQ(fix_acl({acl(31, "ip", "10.0.0")}, none).code(), Code::InvalidAcl);
  EXPECT_EQ(fix_acl({acl(31, "ip", "10.0.0.1/33")}, none).code(), Code::InvalidAcl);
  EXPECT_EQ(fix_acl({acl(64, "world", "anyone")}, none).code(), Code::InvalidAcl);
  EXPECT_TRUE(fix_acl({acl(1, "ip", "10.0.0.0/8")}, none).ok());
  EXPECT_TRUE(fix_acl({acl(0, "world", "anyone")}, none).ok());  // legal, and locks everyone out
  EXPECT_TRUE(fix_acl({acl(1, "digest", "bob:x")}, none).ok());
}

TEST(AclFixup, AuthBecomesEverySessionIdentityAndDuplicatesGo) {
  const AuthIds ids = ids_of({"carol:pw", "dave:pw"});
  Result<AclList> r = fix_acl({acl(3, "auth", "ignored"), world(1), world(1)}, ids);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value(), (AclList{acl(3, "digest", digest_id("carol:pw")), acl(3, "digest", digest_id("dave:pw")),
                                world(1)}));
}

TEST(AclCheck, WorldDigestAndNothingElse) {
  const AuthIds alice = ids_of({"alice:pw"});
  const AclList list{acl(perms::kRead, "digest", digest_id("alice:pw")), world(perms::kWrite),
                     acl(perms::kAll, "ip", "127.0.0.1")};
  EXPECT_TRUE(acl_allows(list, perms::kRead, alice));
  EXPECT_FALSE(acl_allows(list, perms::kRead, {}));
  EXPECT_FALSE(acl_allows(list, perms::kRead, ids_of({"alice:wrong"})));
  EXPECT_TRUE(acl_allows(list, perms::kWrite, {}));
  EXPECT_FALSE(acl_allows(list, perms::kAdmin, alice));  // ip never matches a simulated client
  EXPECT_FALSE(acl_allows({acl(perms::kRead, "digest", "alice:pw")}, perms::kRead, alice));  // raw id, not hashed
}

TEST(AclCheck, GetAclHidesDigestHashes) {
  EXPECT_EQ(redact_digests({acl(1, "digest", "alice:abc="), world(1)}),
            (AclList{acl(1, "digest", "alice:x"), world(1)}));
  EXPECT_EQ(perm_letters(perms::kAll), "cdrwa");
  EXPECT_EQ(perm_letters(perms::kRead | perms::kAdmin), "ra");
  EXPECT_EQ(perm_letters(0), "");
}

// --- each operation's check, through prepare -> apply

TEST(AclPipeline, CreateNeedsCreateOnTheParentBeforeNodeExists) {
  TreeDriver d;
  ASSERT_EQ(d.submit(create_req("/p", {world(perms::kAll & ~perms::kCreate)})).code, Code::Ok);
  EXPECT_EQ(d.submit(create_req("/p/c")).code, Code::NoAuth);
  ASSERT_EQ(d.submit(create_req("/q", {world(perms::kCreate)})).code, Code::Ok);
  EXPECT_EQ(d.submit(create_req("/q/c")).code, Code::Ok);
  // NoAuth is decided before NodeExists: an existing child is not revealed.
  ASSERT_EQ(d.submit(SetAclRequest{"/q", {world(perms::kRead)}, -1}).code, Code::NoAuth);  // no ADMIN
  TreeDriver e;
  ASSERT_EQ(e.submit(create_req("/q")).code, Code::Ok);
  ASSERT_EQ(e.submit(create_req("/q/c")).code, Code::Ok);
  ASSERT_EQ(e.submit(SetAclRequest{"/q", {world(perms::kRead)}, -1}).code, Code::Ok);
  EXPECT_EQ(e.submit(create_req("/q/c")).code, Code::NoAuth);
  // An invalid ACL is refused before the parent is looked up.
  EXPECT_EQ(e.submit(create_req("/missing/c", {acl(1, "foo", "bar")})).code, Code::InvalidAcl);
  EXPECT_EQ(e.submit(create_req("/missing/c")).code, Code::NoNode);
}

TEST(AclPipeline, DeleteNeedsDeleteOnTheParentBeforeNoNodeAndBadVersion) {
  TreeDriver d;
  ASSERT_EQ(d.submit(create_req("/p")).code, Code::Ok);
  ASSERT_EQ(d.submit(create_req("/p/c", {world(0)})).code, Code::Ok);  // the child's own ACL does not matter
  EXPECT_EQ(d.remove("/p/c", 7), Code::BadVersion);
  ASSERT_EQ(d.submit(SetAclRequest{"/p", {world(perms::kAll & ~perms::kDelete)}, -1}).code, Code::Ok);
  EXPECT_EQ(d.remove("/p/c"), Code::NoAuth);
  EXPECT_EQ(d.remove("/p/c", 7), Code::NoAuth);
  EXPECT_EQ(d.remove("/p/missing"), Code::NoAuth);
  ASSERT_EQ(d.submit(SetAclRequest{"/p", {world(perms::kDelete)}, -1}).code, Code::Ok);
  EXPECT_EQ(d.remove("/p/c"), Code::Ok);
}

TEST(AclPipeline, SetDataNeedsWriteBeforeBadVersion) {
  TreeDriver d;
  ASSERT_EQ(d.submit(create_req("/n", {world(perms::kAll & ~perms::kWrite)})).code, Code::Ok);
  EXPECT_EQ(d.set("/n", "x"), Code::NoAuth);
  EXPECT_EQ(d.set("/n", "x", 9), Code::NoAuth);
  ASSERT_EQ(d.submit(create_req("/w", {world(perms::kWrite)})).code, Code::Ok);
  EXPECT_EQ(d.set("/w", "x", 9), Code::BadVersion);
  EXPECT_EQ(d.set("/w", "x"), Code::Ok);
}

TEST(AclPipeline, SetAclNeedsAdminAndChecksTheAclVersion) {
  TreeDriver d;
  ASSERT_EQ(d.submit(create_req("/n")).code, Code::Ok);
  const Stat before = d.stat("/n");
  EXPECT_EQ(d.submit(SetAclRequest{"/n", {world(perms::kAll)}, 3}).code, Code::BadVersion);
  EXPECT_EQ(d.submit(SetAclRequest{"/missing", {world(perms::kAll)}, -1}).code, Code::NoNode);
  EXPECT_EQ(d.submit(SetAclRequest{"/n", {}, -1}).code, Code::InvalidAcl);
  ApplyResult r = d.submit(SetAclRequest{"/n", {world(perms::kRead | perms::kWrite)}, 0});
  ASSERT_EQ(r.code, Code::Ok);
  ASSERT_TRUE(r.ops.at(0).stat.has_value());
  EXPECT_EQ(r.ops.at(0).stat->aversion, 1);
  EXPECT_TRUE(r.events.empty());  // setACL fires no watch
  const Stat after = d.stat("/n");
  EXPECT_EQ(after.aversion, 1);
  EXPECT_EQ(after.mzxid, before.mzxid);  // not a data change
  EXPECT_EQ(after.version, before.version);
  EXPECT_EQ(d.tree.find("/n")->acl, (AclList{world(perms::kRead | perms::kWrite)}));
  // Without ADMIN nobody can change it back, whatever the version.
  EXPECT_EQ(d.submit(SetAclRequest{"/n", {world(perms::kAll)}, 1}).code, Code::NoAuth);
  EXPECT_EQ(d.submit(SetAclRequest{"/n", {world(perms::kAll)}, -1}).code, Code::NoAuth);
}

TEST(AclPipeline, DigestAndAuthSchemes) {
  TreeDriver d;
  d.auth = ids_of({"alice:pw"});
  ASSERT_EQ(d.submit(create_req("/a", {acl(perms::kAll, "auth", "")})).code, Code::Ok);
  EXPECT_EQ(d.tree.find("/a")->acl, (AclList{acl(perms::kAll, "digest", digest_id("alice:pw"))}));
  EXPECT_EQ(d.set("/a", "x"), Code::Ok);
  d.auth = {};
  EXPECT_EQ(d.set("/a", "x"), Code::NoAuth);
  EXPECT_EQ(d.submit(create_req("/b", {acl(perms::kAll, "auth", "")})).code, Code::InvalidAcl);
  d.auth = ids_of({"mallory:pw"});
  EXPECT_EQ(d.set("/a", "x"), Code::NoAuth);
  EXPECT_EQ(d.remove("/a"), Code::Ok);  // DELETE is the root's business, and the root is open
  d.auth = ids_of({"mallory:pw", "alice:pw"});
  ASSERT_EQ(d.submit(create_req("/c", {acl(perms::kCreate, "digest", digest_id("alice:pw"))})).code, Code::Ok);
  EXPECT_EQ(d.submit(create_req("/c/x")).code, Code::Ok);
}

TEST(AclPipeline, ListsAreNotInherited) {
  TreeDriver d;
  d.auth = ids_of({"alice:pw"});
  ASSERT_EQ(d.submit(create_req("/p", {acl(perms::kAll, "auth", "")})).code, Code::Ok);
  ASSERT_EQ(d.submit(create_req("/p/c")).code, Code::Ok);
  EXPECT_EQ(d.tree.find("/p/c")->acl, open_acl());
  d.auth = {};
  EXPECT_EQ(d.set("/p/c", "x"), Code::Ok);  // the child's own (open) list decides
  EXPECT_EQ(d.set("/p", "x"), Code::NoAuth);
}

TEST(AclPipeline, MultiOpsAreCheckedAgainstTheAclsEarlierOpsLeave) {
  TreeDriver d;
  ASSERT_EQ(d.submit(create_req("/locked", {world(perms::kRead)})).code, Code::Ok);
  // A create under a parent without CREATE fails the multi at that op.
  ApplyResult r = d.submit(MultiRequest{{create_req("/ok"), create_req("/locked/c"), SetDataRequest{"/ok", "x", -1}}});
  EXPECT_EQ(r.code, Code::NoAuth);
  ASSERT_EQ(r.ops.size(), 3u);
  EXPECT_EQ(r.ops[0].code, Code::Ok);
  EXPECT_EQ(r.ops[1].code, Code::NoAuth);
  EXPECT_EQ(r.ops[2].code, Code::RuntimeInconsistency);
  EXPECT_EQ(d.tree.find("/ok"), nullptr);
  // A node the multi creates read-only cannot be written by a later op.
  r = d.submit(MultiRequest{{create_req("/ro", {world(perms::kRead)}), SetDataRequest{"/ro", "x", -1}}});
  EXPECT_EQ(r.code, Code::NoAuth);
  EXPECT_EQ(d.tree.find("/ro"), nullptr);
  // check needs READ.
  ASSERT_EQ(d.submit(create_req("/blind", {world(perms::kWrite)})).code, Code::Ok);
  r = d.submit(MultiRequest{{CheckRequest{"/blind", -1}}});
  EXPECT_EQ(r.code, Code::NoAuth);
  r = d.submit(MultiRequest{{CheckRequest{"/locked", 0}, create_req("/ok2", {world(perms::kAll)})}});
  EXPECT_EQ(r.code, Code::Ok);
}

TEST(AclPipeline, PendingSetAclIsSeenByTheNextPreparedRequest) {
  // The server prepares request N+1 before N is applied: the overlay must
  // carry the new ACL, or a write slips through under the old one.
  TreeDriver d;
  ASSERT_EQ(d.submit(create_req("/n")).code, Code::Ok);
  Txn t1 = d.prepare_only(SetAclRequest{"/n", {world(perms::kRead)}, -1});
  Txn t2 = d.prepare_only(SetDataRequest{"/n", "x", -1});
  EXPECT_FALSE(is_failed(t1));
  EXPECT_TRUE(is_failed(t2));
  EXPECT_EQ(std::get<ErrorTxn>(t2.body).code, Code::NoAuth);
  d.apply_txn(t1);
  d.apply_txn(t2);
}

// --- persistence and encodings

TEST(AclPersistence, SnapshotKeepsAclsAndOldTreesKeepTheirBytes) {
  TreeDriver d;
  ASSERT_EQ(d.submit(create_req("/plain")).code, Code::Ok);
  const std::string plain = write_snapshot(d.tree);
  // Format version 1 (no ACLs) right after the magic.
  EXPECT_EQ(plain.substr(8, 4), std::string("\x00\x00\x00\x01", 4));
  ASSERT_EQ(d.submit(SetAclRequest{"/plain", {acl(perms::kRead, "digest", "u:h")}, -1}).code, Code::Ok);
  const std::string with = write_snapshot(d.tree);
  EXPECT_EQ(with.substr(8, 4), std::string("\x00\x00\x00\x02", 4));
  Result<DataTree> back = read_snapshot(with);
  ASSERT_TRUE(back.ok()) << back.status().to_string();
  EXPECT_EQ(back.value(), d.tree);
  EXPECT_EQ(back.value().find("/plain")->aversion, 1);
  EXPECT_EQ(back.value().find("/zookeeper/config")->acl, (AclList{world(perms::kRead)}));
  Result<DataTree> fresh = read_snapshot(write_snapshot(DataTree()));
  ASSERT_TRUE(fresh.ok());
  EXPECT_EQ(fresh.value(), DataTree());
}

TEST(AclPersistence, TxnsRoundTripAndOpenAclCreatesKeepTheirBytes) {
  Txn create{TxnHeader{1, 2, 3, 4}, CreateTxn{"/a", "d", NodeKind::Persistent, 0, 0, 1}};
  const std::string open_bytes = encode_txn(create);
  EXPECT_EQ(open_bytes.find("world"), std::string::npos);
  std::get<CreateTxn>(create.body).acl = {acl(perms::kRead, "digest", "u:h"), world(perms::kRead)};
  Result<Txn> back = decode_txn(encode_txn(create));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back.value(), create);
  Txn set{TxnHeader{1, 2, 4, 4}, SetAclTxn{"/a", {world(perms::kAdmin)}, 5}};
  back = decode_txn(encode_txn(set));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back.value(), set);
  Txn multi{TxnHeader{1, 2, 5, 4}, MultiTxn{{CreateTxn{"/b", "", NodeKind::Persistent, 0, 0, 2, {world(1)}}}}};
  back = decode_txn(encode_txn(multi));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back.value(), multi);
  // A setACL with an empty list is malformed.
  Txn empty{TxnHeader{1, 2, 6, 4}, SetAclTxn{"/a", {}, 1}};
  EXPECT_FALSE(decode_txn(encode_txn(empty)).ok());
}

}  // namespace
}  // namespace zsim::core
