// The loop every election's campaign() runs: rounds of reads that end in a
// decision, another round, or a wait for the next event on the handle.
// Internal to core/recipes.
#pragma once

#include "core/recipes/election.h"
#include "core/recipes/protected_create.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace zsim::core::recipes::detail {

enum class Step : uint8_t {
  kLeader,  // confirmed leader
  kLost,    // the session is gone
  kAgain,   // read again at once (something moved)
  kWait,    // wait for an event after the one noted, then read again
};

// What an error of a read or write in a round means for the campaign.
inline Step step_of(Code c) {
  if (c == Code::SessionExpired) return Step::kLost;
  return Step::kAgain;  // ConnectionLoss (reconnect first), or a race: re-read
}

// Runs `round(seen)` until it decides, the session is lost, a wait sees no
// event for `idle_timeout`, or `rounds_max` rounds passed.
template <typename Round>
Leadership run_campaign(Client& zk, Duration idle_timeout, int rounds_max, Round&& round) {
  for (int n = 0; n < rounds_max; ++n) {
    if (zk.state() == ClientState::kExpired || zk.state() == ClientState::kClosed) return Leadership::kLost;
    if (zk.state() != ClientState::kConnected) {
      const Code c = await_reconnect(zk, idle_timeout);
      if (c == Code::SessionExpired) return Leadership::kLost;
      if (c != Code::Ok) return Leadership::kWaiting;
    }
    const uint64_t seen = zk.event_count();
    switch (round(seen)) {
      case Step::kLeader: return Leadership::kLeader;
      case Step::kLost: return Leadership::kLost;
      case Step::kAgain: break;
      case Step::kWait:
        if (!zk.wait_event(seen, idle_timeout)) return Leadership::kWaiting;
        break;
    }
  }
  return Leadership::kWaiting;
}

// Joins the line under `path`: finds a node carrying `id` that is ours (all
// of them, if !check_owner), else creates one (a protected
// EPHEMERAL_SEQUENTIAL `base` node: "n_" for elections, "lock-" for locks),
// making `path` if it is missing. Sets `node` on success.
Step join_line(Client& zk, const std::string& path, const std::string& id, const std::string& data,
               bool check_owner, std::string& node, std::string_view base = "n_");

// A create of ours that was in flight when the connection broke can land
// after join_line's search found nothing (the server we reconnected to had
// not applied it yet), so this session may own two nodes in the line; a
// candidate waiting behind its own node waits forever (election-herd-free
// seed 356). If a node before `node` in `line` (sorted, holding `node`)
// carries `id` and is this session's, keeps that one: deletes `node`, points
// it at the earlier one and returns kAgain. Returns nullopt when there is no
// such node.
std::optional<Step> adopt_earlier_own(Client& zk, const std::string& path, const std::string& id,
                                      const std::vector<std::string>& line, std::string& node);

// Deletes `node` if this session still owns it (best effort), and clears it.
void leave_line(Client& zk, std::string& node);

// A candidate id is carried in a protected name: "_c_<id>-n_...".
bool valid_candidate_id(const std::string& id);

}  // namespace zsim::core::recipes::detail
