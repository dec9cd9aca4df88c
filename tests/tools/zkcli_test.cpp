// The pure zkCli-compatibility helpers (tools/shell/zkcli.h) that decide what
// zsim shell prints where Java decides it in zkCli: UTF-8 decoding with
// U+FFFD, String.hashCode, the iteration order of a java.util.HashSet (the
// order a real server lists children in, hence deleteall's deletion order),
// and Integer.decode. Expected values come from a real JVM / ZooKeeper 3.8.0
// (the deletion orders below were observed with zkCli's deleteall).
#include "tools/shell/zkcli.h"

#include <gtest/gtest.h>

namespace zsim::tools::zkcli {
namespace {

const std::string kFffd = "\xef\xbf\xbd";

TEST(ZkCliUtf8, IllFormedSequencesBecomeOneReplacementEach) {
  EXPECT_EQ(replace_invalid_utf8("plain"), "plain");
  EXPECT_EQ(replace_invalid_utf8("\xc3\xa9t\xc3\xa9"), "\xc3\xa9t\xc3\xa9");  // well formed: unchanged
  EXPECT_EQ(replace_invalid_utf8("\xff"), kFffd);
  // A truncated sequence is one maximal subpart: one U+FFFD (observed: zkCli
  // stores a<EF BF BD>b for a<E2 82>b).
  EXPECT_EQ(replace_invalid_utf8("a\xe2\x82" "b"), "a" + kFffd + "b");
  // Java reads an encoded surrogate as one malformed sequence (observed:
  // dataLength 3); overlongs and code points past U+10FFFF byte by byte.
  EXPECT_EQ(replace_invalid_utf8("\xed\xa0\x80"), kFffd);
  EXPECT_EQ(replace_invalid_utf8("\xed\xa0x"), kFffd + "x");
  EXPECT_EQ(replace_invalid_utf8("\xed\x9f\xbf"), "\xed\x9f\xbf");  // U+D7FF is fine
  EXPECT_EQ(replace_invalid_utf8("\xc0\xaf"), kFffd + kFffd);
  EXPECT_EQ(replace_invalid_utf8("\xf4\x90\x80\x80"), kFffd + kFffd + kFffd + kFffd);
  EXPECT_EQ(replace_invalid_utf8("\xf0\x9f\x98\x80\xf0\x9f\x98"), "\xf0\x9f\x98\x80" + kFffd);
  EXPECT_EQ(replace_invalid_utf8(std::string("a\0b", 3)), std::string("a\0b", 3));
}

TEST(ZkCliJava, StringHashCodeOfUtf16) {
  EXPECT_EQ(java_string_hash(""), 0);
  EXPECT_EQ(java_string_hash("a"), 97);
  EXPECT_EQ(java_string_hash("hello"), 99162322);
  EXPECT_EQ(java_string_hash("lock-0000000001"), -864326685);  // wraps as Java int arithmetic does
  EXPECT_EQ(java_string_hash("\xc3\xa9"), 0xe9);                    // one UTF-16 unit
  // U+1F600 is the surrogate pair D83D DE00: 31 * 0xd83d + 0xde00.
  EXPECT_EQ(java_string_hash("\xf0\x9f\x98\x80"), 31 * 0xd83d + 0xde00);
}

TEST(ZkCliJava, HashSetOrderIsTheOrderARealServerListsChildren) {
  // Observed with deleteall (deepest first = this order reversed): four
  // children in a HashSet(8): c, b, a, x deleted, so x a b c listed.
  EXPECT_EQ(java_hash_set_order({"a", "b", "c", "x"}, 8), (std::vector<std::string>{"x", "a", "b", "c"}));
  // Fourteen children: the table has grown to 32 buckets.
  const std::vector<std::string> names = {"a",  "b",       "c", "zeta", "alpha", "k9", "node-10", "x", "yy", "q",
                                          "m", "lock-0000000001", "lock-0000000002", "w"};
  EXPECT_EQ(java_hash_set_order(names, 8),
            (std::vector<std::string>{"zeta", "yy", "a", "b", "c", "node-10", "m", "k9", "q", "alpha", "w", "x",
                                      "lock-0000000001", "lock-0000000002"}));
  // Same bucket: insertion order ("a" and "i" share bucket 1 of 8).
  EXPECT_EQ(java_hash_set_order({"i", "a"}, 8), (std::vector<std::string>{"i", "a"}));
  EXPECT_EQ(java_hash_set_order({"a", "i"}, 8), (std::vector<std::string>{"a", "i"}));
}

TEST(ZkCliJava, IntegerDecodeAcceptsHexOctalAndSigns) {
  EXPECT_EQ(java_integer_decode("7"), 7);
  EXPECT_EQ(java_integer_decode("0x1f"), 31);
  EXPECT_EQ(java_integer_decode("#10"), 16);
  EXPECT_EQ(java_integer_decode("010"), 8);
  EXPECT_EQ(java_integer_decode("-0x80000000"), INT32_MIN);
  EXPECT_EQ(java_integer_decode("0"), 0);
  EXPECT_EQ(java_integer_decode("2147483648"), std::nullopt);
  EXPECT_EQ(java_integer_decode("x"), std::nullopt);
  EXPECT_EQ(java_integer_decode("0x"), std::nullopt);
  EXPECT_EQ(java_integer_decode("--1"), std::nullopt);
  EXPECT_EQ(java_integer_decode("08"), std::nullopt);
  EXPECT_EQ(java_integer_decode(""), std::nullopt);
}

}  // namespace
}  // namespace zsim::tools::zkcli
