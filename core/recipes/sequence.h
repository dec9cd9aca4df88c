// Sequential znode names: the 10-digit suffix ZooKeeper appends to a
// SEQUENTIAL create ("n_0000000042"), and ordering children by it.
//
// Recipes that queue on sequential children (elections, locks, queues) sort
// what getChildren returned by this suffix -- getChildren returns children in
// no particular order -- and find their own place in the line. Names that
// carry no suffix (a foreign child) sort after every sequenced one, by name,
// so they never take the head of a line.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace zsim::core::recipes {

// The sequence number a SEQUENTIAL create appended to `name`: its last 10
// characters as a non-negative decimal. nullopt if `name` has no such suffix.
std::optional<int64_t> sequence_of(std::string_view name);

// `children` ordered by sequence number (ties and unsequenced names: by
// name). The head of the line is front().
std::vector<std::string> sorted_by_sequence(std::vector<std::string> children);

// The last path component: "/a/b/c" -> "c".
std::string_view base_name(std::string_view path);

// parent + "/" + child ("/" + child under the root).
std::string child_path(std::string_view parent, std::string_view child);

}  // namespace zsim::core::recipes
