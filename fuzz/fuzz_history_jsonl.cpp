// Fuzz target: zsim's JSON-lines histories (checkers/history_io.h,
// docs/history-format.md). Any input must load or give a ParseError; a
// history that loads must write and read back to the same JSON lines.
#include "checkers/history_io.h"

#include <cstdint>
#include <cstdlib>
#include <string_view>

namespace checkers = zsim::checkers;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const checkers::LoadResult r = checkers::read_jsonl_history(text);
  if (!r.history) return 0;
  const std::string written = checkers::write_jsonl_history(*r.history);
  const checkers::LoadResult again = checkers::read_jsonl_history(written);
  if (!again.history || checkers::write_jsonl_history(*again.history) != written) std::abort();
  return 0;
}
