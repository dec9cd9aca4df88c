#include "core/recipes/election.h"

namespace zsim::core::recipes {

const char* to_string(Leadership l) {
  switch (l) {
    case Leadership::kLeader: return "leader";
    case Leadership::kWaiting: return "waiting";
    case Leadership::kLost: return "lost";
  }
  return "?";
}

}  // namespace zsim::core::recipes
