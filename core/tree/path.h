// Znode paths: validation with ZooKeeper's messages, and path arithmetic.
//
// A valid path starts with '/', has no trailing '/' (except the root "/"),
// no empty component ("//"), no "." or ".." component, and no NUL, control
// or otherwise forbidden character (ZooKeeper's PathUtils.validatePath). Paths
// are UTF-8; the forbidden code points are ZooKeeper's: U+0000..U+001F,
// U+007F..U+009F, U+D800..U+F8FF, U+FFF0..U+FFFF, and every code point
// outside the BMP (Java sees a surrogate pair). Malformed UTF-8 counts as
// U+FFFD, which is forbidden, as it is for a Java server decoding the bytes.
// The "@N" in messages is the index of the offending code point.
#pragma once

#include <string>
#include <string_view>

#include "core/errors.h"

namespace zsim::core {

inline constexpr std::string_view kRootPath = "/";
inline constexpr std::string_view kZookeeperPath = "/zookeeper";
inline constexpr std::string_view kQuotaPath = "/zookeeper/quota";
inline constexpr std::string_view kConfigPath = "/zookeeper/config";

// Ok, or BadArguments with ZooKeeper's message, e.g.
// "Path must start with / character" or
// "Invalid path string \"/a//b\" caused by empty node name specified @3".
Status validate_path(std::string_view path);

// For a sequential create ZooKeeper validates `path + "1"`, so "/a/" is a
// valid sequential path (it creates "/a/0000000000").
Status validate_path(std::string_view path, bool sequential);

// "/a/b" -> "/a"; "/a" -> "/".  REQUIRES: path valid (or valid sequential
// prefix such as "/a/") and not the root.
std::string_view parent_path(std::string_view path);

// "/a/b" -> "b".  REQUIRES: as parent_path.
std::string_view base_name(std::string_view path);

// "/a" + "b" -> "/a/b"; "/" + "b" -> "/b".
std::string child_path(std::string_view parent, std::string_view name);

// The root and the system nodes under /zookeeper that cannot be deleted
// (deleting them is BadArguments).
bool is_protected_path(std::string_view path);

// True when `path` is `ancestor` or lies below it ("/a/b" is under "/a" and
// under "/"; "/ab" is not under "/a").
bool is_same_or_under(std::string_view path, std::string_view ancestor);

}  // namespace zsim::core
