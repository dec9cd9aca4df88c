#include "core/io/transport.h"

namespace zsim::io {

const char* to_string(CloseReason r) {
  switch (r) {
    case CloseReason::kClosedByPeer: return "closed_by_peer";
    case CloseReason::kReset: return "reset";
    case CloseReason::kRefused: return "refused";
    case CloseReason::kTimedOut: return "timed_out";
    case CloseReason::kClosedLocally: return "closed_locally";
  }
  return "unknown";
}

}  // namespace zsim::io
