// Reading and writing histories: zsim's JSON-lines format (docs/
// history-format.md) and importers for what Jepsen and Knossos write.
//
// Every reader takes the whole file as text and returns either a History or
// a ParseError with a 1-based line and column; none throws or crashes on
// malformed input, and none guesses a verdict from a broken file.
//
// The two Jepsen dialects read `:fail` differently (see docs/checkers.md):
//   Knossos EDN   `:fail` = the operation did not happen (status fail);
//   Jepsen logs   `:fail :cas` = a completed CAS whose comparison failed
//                 (status ok, output false); `:fail <f> :timed-out` = the
//                 result is unknown (status info); any other `:fail` = did
//                 not happen.
// Knossos also reads `:ok :read nil` as "value not recorded" (its register
// models accept any value for it), so the EDN importer makes such reads
// unknown; in Jepsen logs `:ok :read nil` is a read of an absent register.
// In both, `:info` and an invocation with no completion are status info.
// Operations of non-numeric processes (`:nemesis`) are not client
// operations and are skipped.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "checkers/history.h"
#include "checkers/value.h"

namespace zsim::checkers {

enum class HistoryFormat { edn, jepsen_log, jsonl };

// "edn", "jepsen-log", "jsonl" → format; nullopt for anything else.
std::optional<HistoryFormat> parse_format_name(std::string_view name);
// Guesses from a file name: .edn, .jsonl/.json, .log/.txt.
std::optional<HistoryFormat> guess_format(std::string_view file_name);

struct LoadResult {
  std::optional<History> history;  // set on success
  ParseError error;                // meaningful when !history
};

LoadResult read_edn_history(std::string_view text);
LoadResult read_jepsen_log(std::string_view text);
LoadResult read_jsonl_history(std::string_view text);
LoadResult read_history(std::string_view text, HistoryFormat format);

// One JSON object per operation, one per line, in the order given.
std::string write_jsonl_history(const History& h);

}  // namespace zsim::checkers
