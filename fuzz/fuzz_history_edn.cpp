// Fuzz target: Knossos EDN histories and EDN values (checkers/history_io.h,
// checkers/value.h), files from other systems' test runs. Any input must
// load or give a ParseError; a history that loads must write as JSON lines
// and read back without error.
#include "checkers/history_io.h"

#include <cstdint>
#include <cstdlib>
#include <string_view>

namespace checkers = zsim::checkers;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  checkers::ParseError error;
  (void)checkers::parse_edn(text, &error);
  const checkers::LoadResult r = checkers::read_edn_history(text);
  if (r.history && !checkers::read_jsonl_history(checkers::write_jsonl_history(*r.history)).history) std::abort();
  return 0;
}
