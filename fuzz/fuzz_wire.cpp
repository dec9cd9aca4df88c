// Fuzz target: the client protocol's frames (core/proto/wire.h), bytes a
// server reads from a client and a client reads from a server. Any input
// must decode or give an error value; a frame that decodes must encode and
// decode to the same frame.
#include "core/proto/wire.h"

#include <cstdint>
#include <cstdlib>
#include <string_view>

namespace wire = zsim::core::wire;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  if (auto c = wire::decode_client_frame(bytes); c.ok()) {
    auto again = wire::decode_client_frame(wire::encode(c.value()));
    if (!again.ok() || !(again.value() == c.value())) std::abort();
  }
  if (auto s = wire::decode_server_frame(bytes); s.ok()) {
    auto again = wire::decode_server_frame(wire::encode(s.value()));
    if (!again.ok() || !(again.value() == s.value())) std::abort();
  }
  return 0;
}
