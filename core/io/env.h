// io::Env: everything a process may touch in the outside world, handed to it
// at construction (LevelDB-Env style). Nothing in core/ reaches for a global
// clock, socket, file, thread or random source: it uses these references.
//
// Lifetime: the Env outlives the process it was given to. In the simulator
// one Env exists per host incarnation.
#pragma once

#include "core/io/clock.h"
#include "core/io/fibers.h"
#include "core/io/random.h"
#include "core/io/storage.h"
#include "core/io/trace.h"
#include "core/io/transport.h"

#include <string>

namespace zsim::io {

struct Env {
  Clock& clock;
  Transport& net;
  Storage& disk;
  Random& random;
  Tracer& trace;
  Fibers& fibers;
  // This host's name in traces and messages, e.g. "s1" or "c3".
  const std::string& host_name;
};

}  // namespace zsim::io
