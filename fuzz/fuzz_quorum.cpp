// Fuzz target: the server-to-server messages (core/proto/quorum.h): votes
// on the election port and everything on the quorum stream, bytes from a
// peer (or a stranger on the peer ports). Any input must decode or give an
// error value; a message that decodes must encode and decode to itself.
#include "core/proto/quorum.h"

#include <cstdint>
#include <cstdlib>
#include <string_view>

namespace quorum = zsim::core::quorum;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  if (auto v = quorum::decode_vote(bytes); v.ok()) {
    auto again = quorum::decode_vote(quorum::encode(v.value()));
    if (!again.ok() || !(again.value() == v.value())) std::abort();
  }
  if (auto m = quorum::decode_message(bytes); m.ok()) {
    (void)quorum::message_name(m.value());
    auto again = quorum::decode_message(quorum::encode(m.value()));
    if (!again.ok() || !(again.value() == m.value())) std::abort();
  }
  return 0;
}
