// Proves path validation accepts exactly what ZooKeeper's PathUtils accepts,
// with its messages (the shell prints them verbatim), and that the path
// helpers split and join paths as the tree needs. Messages marked "oracle"
// were produced by a real ZooKeeper 3.8 zkCli.
#include <gtest/gtest.h>

#include "core/tree/path.h"

namespace zsim::core {
namespace {

std::string message(std::string_view path, bool sequential = false) {
  Status s = validate_path(path, sequential);
  EXPECT_FALSE(s.ok()) << path;
  EXPECT_EQ(s.code(), Code::BadArguments);
  return s.message();
}

TEST(Path, AcceptsOrdinaryPaths) {
  for (std::string_view p : {"/", "/a", "/a/b", "/a.b", "/.a", "/a/..b", "/a/b.", "/zookeeper",
                             "/\xc3\xa9t\xc3\xa9" /* été */}) {
    EXPECT_TRUE(validate_path(p).ok()) << p;
  }
}

TEST(Path, RejectsWithZooKeeperMessages) {
  EXPECT_EQ(message(""), "Path length must be > 0");
  EXPECT_EQ(message("p"), "Path must start with / character");                 // oracle
  EXPECT_EQ(message("/p/"), "Path must not end with / character");            // oracle
  EXPECT_EQ(message("/p//q"),
            "Invalid path string \"/p//q\" caused by empty node name specified @3");  // oracle
  EXPECT_EQ(message("/p/./q"),
            "Invalid path string \"/p/./q\" caused by relative paths not allowed @3");  // oracle
  EXPECT_EQ(message("/p/.."),
            "Invalid path string \"/p/..\" caused by relative paths not allowed @4");
  EXPECT_EQ(message("/."), "Invalid path string \"/.\" caused by relative paths not allowed @1");
  std::string with_nul = "/a";
  with_nul += '\0';
  with_nul += "b";
  EXPECT_EQ(message(with_nul),
            "Invalid path string \"" + with_nul + "\" caused by null character not allowed @2");
  EXPECT_EQ(message("/a\tb"), "Invalid path string \"/a\tb\" caused by invalid character @2");
  EXPECT_EQ(message("/a\x7f"), "Invalid path string \"/a\x7f\" caused by invalid character @2");
}

TEST(Path, ForbiddenCodePointsAsJavaSeesThem) {
  // U+0085 (a C1 control), U+E000 (private use), U+FFF5, a non-BMP code point
  // (a surrogate pair in Java), and malformed UTF-8 (U+FFFD in Java).
  for (std::string_view p : {"/a\xc2\x85", "/a\xee\x80\x80", "/a\xef\xbf\xb5",
                             "/a\xf0\x9f\x98\x80", "/a\xff", "/a\xc3"}) {
    EXPECT_NE(message(p).find("invalid character @2"), std::string::npos) << p;
  }
  // The index counts code points, not bytes: "é" is one.
  EXPECT_NE(message("/\xc3\xa9\x01").find("@2"), std::string::npos);
}

TEST(Path, SequentialValidatesWithSuffix) {
  // zkCli `create -s /p/` creates "/p/0000000000" on a real server.
  EXPECT_TRUE(validate_path("/p/", true).ok());
  EXPECT_TRUE(validate_path("/", true).ok());
  EXPECT_FALSE(validate_path("/p//", true).ok());
}

TEST(Path, Arithmetic) {
  EXPECT_EQ(parent_path("/a"), "/");
  EXPECT_EQ(parent_path("/a/b/c"), "/a/b");
  EXPECT_EQ(parent_path("/a/"), "/a");
  EXPECT_EQ(base_name("/a/b"), "b");
  EXPECT_EQ(child_path("/", "a"), "/a");
  EXPECT_EQ(child_path("/a", "b"), "/a/b");
  EXPECT_TRUE(is_same_or_under("/a/b", "/a"));
  EXPECT_TRUE(is_same_or_under("/a", "/a"));
  EXPECT_TRUE(is_same_or_under("/a", "/"));
  EXPECT_FALSE(is_same_or_under("/ab", "/a"));
  EXPECT_FALSE(is_same_or_under("/a", "/a/b"));
}

TEST(Path, ProtectedPaths) {
  for (std::string_view p : {"/", "/zookeeper", "/zookeeper/quota", "/zookeeper/config"}) {
    EXPECT_TRUE(is_protected_path(p)) << p;
  }
  EXPECT_FALSE(is_protected_path("/zookeeper/foo"));
  EXPECT_FALSE(is_protected_path("/zoo"));
}

}  // namespace
}  // namespace zsim::core
