// Fuzz target: Jepsen text logs (checkers/history_io.h). Any input must load
// or give a ParseError; a history that loads must write as JSON lines and
// read back without error.
#include "checkers/history_io.h"

#include <cstdint>
#include <cstdlib>
#include <string_view>

namespace checkers = zsim::checkers;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const checkers::LoadResult r = checkers::read_jepsen_log(text);
  if (r.history && !checkers::read_jsonl_history(checkers::write_jsonl_history(*r.history)).history) std::abort();
  return 0;
}
