// RwResource: a simulated resource read and written by the holders of a
// read/write lock, and the judge of what really happened to it -- the
// read/write counterpart of FencedResource (fenced_resource.h).
//
// An action is instantaneous, at the global time the client's fiber makes
// it, recorded whatever the outcome, with the holder's fencing token (the
// czxid of its lock node) and whether it reads or writes.
//
// Fencing: a write is refused if its token is older than any accepted
// action's; a read if its token is older than the newest accepted write's.
// (In the line, a writer holds only after every earlier node is gone, and
// a reader only after every earlier writer: the legitimate tokens obey
// exactly this, so fencing refuses only a holder that lost its lock.)
//
// The judgement (the first violation is kept): no stale token accepted,
// and no writer beside any other holder -- in the time order of accepted
// actions, a holder (client, incarnation, token, read or write) that has
// been overtaken never acts again: a write overtakes every holder that acted
// before it, a read overtakes the writer that acted before it. Readers may
// interleave with readers.
//
// Single-threaded, like the simulator.
#pragma once

#include "core/io/time.h"

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

namespace zsim::scenarios::recipes {

class ClientCtx;

enum class Access : uint8_t { kRead, kWrite };
const char* to_string(Access a);

struct RwAction {
  Time at{};
  std::string actor;
  uint32_t incarnation = 0;
  int64_t session = 0;
  int64_t token = 0;
  Access access = Access::kRead;
  bool accepted = false;
};

class RwResource {
 public:
  explicit RwResource(std::string name) : name_(std::move(name)) {}
  const std::string& name() const { return name_; }

  // `me` reads or writes with fencing token `token`; whether it was accepted.
  bool act(ClientCtx& me, Access access, int64_t token);

  const std::vector<RwAction>& actions() const { return actions_; }
  // Empty, or the first violation.
  const std::string& violation() const { return violation_; }

 private:
  using Holder = std::tuple<std::string, uint32_t, int64_t, Access>;
  void judge(const RwAction& a);

  std::string name_;
  std::vector<RwAction> actions_;
  std::optional<int64_t> newest_write_;
  std::optional<int64_t> newest_any_;
  std::set<Holder> active_;  // the holders that may still act
  std::set<Holder> ended_;   // overtaken
  std::string violation_;
};

}  // namespace zsim::scenarios::recipes
