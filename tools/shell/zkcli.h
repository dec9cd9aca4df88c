// zkCli (ZooKeeper 3.8 ZooKeeperMain) compatibility: how it splits a line
// into words, how its commons-cli parser reads options, and how it prints
// stats, times, watch events and errors. Pure functions, no I/O, so the
// shell engine and its tests share one definition of "what zkCli prints".
//
// Verified against a real zkCli 3.8.0 (Debian `zookeeper` 3.8.0-11); see
// docs/shell.md for the list of checked behaviours.
#pragma once

#include "core/errors.h"
#include "core/tree/znode.h"

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace zsim::tools::zkcli {

// Splits a command line as ZooKeeperMain.MyCommandOptions does: words are
// runs of non-blanks, or "..." / '...' (the quotes are stripped). The first
// word is the command.
std::vector<std::string> split_words(std::string_view line);

// One option of a command: a letter, with or without an argument.
struct OptionSpec {
  char name = 0;
  bool has_arg = false;
};

// What commons-cli's DefaultParser makes of a command's words.
struct ParsedCommand {
  std::set<char> flags;                 // options seen
  std::map<char, std::string> values;   // first value of each option with an argument
  std::vector<std::string> args;        // non-option words, the command name first
  // Set when parsing failed: zkCli's message, e.g.
  // "org.apache.commons.cli.UnrecognizedOptionException: Unrecognized option: -x".
  std::optional<std::string> error;

  bool has(char c) const { return flags.count(c) != 0; }
};

ParsedCommand parse_options(const std::vector<std::string>& words, std::span<const OptionSpec> spec);

// Java's Integer.parseInt / Long.parseLong (decimal, optional sign, no
// blanks, in range).
std::optional<int32_t> parse_java_int(std::string_view s);
std::optional<int64_t> parse_java_long(std::string_view s);
// Java's Integer.decode: an optional sign, then 0x/0X/# and hex digits, or
// 0 and octal digits, or decimal digits; in range.
std::optional<int32_t> java_integer_decode(std::string_view s);

// The line a Java NumberFormatException escaping zkCli's main thread prints
// first: Exception in thread "main" java.lang.NumberFormatException: For input string: "abc"
std::string number_format_crash(std::string_view input);

// "0x" + Long.toHexString(v).
std::string hex(int64_t v);

// java.util.Date.toString() in UTC for milliseconds since the Unix epoch:
// "Sat Nov 21 18:48:01 UTC 2026".
std::string java_date(int64_t epoch_ms);

// The 11 lines of zkCli's StatPrinter; times are epoch milliseconds made by
// `to_epoch_ms` from the stat's own (server clock) values.
std::string format_stat(const core::Stat& stat, int64_t (*to_epoch_ms)(int64_t));

// The message zkCli prints for a failed call on `path` (CliWrapperException):
// "Node does not exist: /a", "KeeperErrorCode = ConnectionLoss for /a", ...
std::string error_message(core::Code code, std::string_view path);

// KeeperException.Code's message: "ConnectionLoss", "Session expired", ...
std::string code_message(core::Code code);

// The usage block ZooKeeperMain.usage() prints (for unknown commands and
// `help`), every line newline-terminated.
const std::string& usage_block();

// "ls [-s] [-w] [-R] path" etc.: a command's usage line, or "" if zkCli has
// no such command.
std::string usage_of(std::string_view command);

// zkCli's AclParser: "scheme:id:perm[,scheme:id:perm...]", each entry cut at
// its first and last ':'; perm letters c d r w a. What zkCli prints on the
// way ("foo does not have the form scheme:id:perm", "Unknown perm type: z")
// goes to `complaints`, in order; malformed entries are skipped and unknown
// letters ignored, as zkCli does.
core::AclList parse_acl(std::string_view text, std::vector<std::string>* complaints);

// getAcl's lines: "'world,'anyone" then ": cdrwa" per entry.
std::string format_acl(const core::AclList& acl);

// zkCli commands that zsim shell knows about but does not implement.
bool is_unsupported_zkcli_command(std::string_view command);

// What zkCli (in a UTF-8 locale) makes of a line's bytes: Java decodes them
// into a String, replacing each maximal ill-formed subsequence with U+FFFD
// (Unicode's "maximal subpart" practice), and encodes that back as UTF-8
// for paths and data. Well-formed UTF-8 is returned unchanged.
std::string replace_invalid_utf8(std::string_view bytes);

// Java's String.hashCode of the UTF-16 form of `utf8`. REQUIRES: well-formed
// UTF-8 (replace_invalid_utf8 makes it so).
int32_t java_string_hash(std::string_view utf8);

// The order a java.util.HashSet<String> iterates `names` in, given in
// insertion order: by bucket (HashMap's spread hash masked by the table
// size), then by insertion. The table starts at `initial_capacity` and
// doubles whenever the set holds more than 3/4 of it (as it grows; it never
// shrinks). A ZooKeeper server's getChildren answers in this order (a
// DataNode's children are a HashSet(8)), so zkCli's deleteall, which lists a
// subtree breadth first, deletes in it.
std::vector<std::string> java_hash_set_order(const std::vector<std::string>& names, size_t initial_capacity);

}  // namespace zsim::tools::zkcli
