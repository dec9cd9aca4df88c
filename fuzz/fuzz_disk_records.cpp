// Fuzz target: what a server reads back from its disk (core/txn/txn.h,
// core/tree/snapshot.h). A disk can return anything (a torn write, a
// corrupted read), so txn records and snapshots are outside input too: any
// bytes must decode or give an error value, and a txn that decodes must
// encode and decode to itself.
#include "core/tree/snapshot.h"
#include "core/txn/txn.h"

#include <cstdint>
#include <cstdlib>
#include <string_view>

namespace core = zsim::core;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  if (auto t = core::decode_txn(bytes); t.ok()) {
    auto again = core::decode_txn(core::encode_txn(t.value()));
    if (!again.ok() || !(again.value() == t.value())) std::abort();
  }
  (void)core::read_snapshot(bytes);
  return 0;
}
