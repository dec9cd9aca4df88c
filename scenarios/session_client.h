// What the scenarios' client processes share, standalone or ensemble:
//  - ClientFlags: a client stops starting new work when the liveness phase
//    begins (`stop`), then finishes one last thing (`done`);
//  - SessionClient: holds an ephemeral node in its session through crashes,
//    pauses, moves and expiry, and fails the run if the node vanishes while
//    a server still answers in its session.
#pragma once

#include "core/client/client.h"
#include "scenarios/scenario.h"

#include <fmt/format.h>

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace zsim::scenarios {

inline bool finished_state(const core::Client& c) {
  return c.state() == core::ClientState::kExpired || c.state() == core::ClientState::kClosed;
}

struct ClientFlags {
  std::string name;
  bool stop = false;  // the liveness phase began: start no new work
  bool done = false;  // finished its last operation after the heal
};

// An operation a server answered (ok) in a session, for the check that no
// server answers in a session the ensemble has closed.
struct AnsweredOp {
  std::int64_t session = 0;
  Time call{};  // global simulated time
};

struct SessionClientState : ClientFlags {
  int sessions = 0;  // done: holds a node in a live session after healing
  // Sessions this client saw expire, with the ephemeral each held.
  std::vector<std::pair<std::int64_t, std::string>> expired;
  std::int64_t live_session = 0;
  std::string live_node;
  std::vector<AnsweredOp> answered;
};

class SessionClient final : public sim::Process {
 public:
  // Each new session asks for a timeout in [timeout_min, timeout_max]
  // (drawn from the host's random stream only when the range is not a point).
  SessionClient(io::Env& env, std::vector<io::HostId> servers, Duration timeout_min, Duration timeout_max,
                sim::Simulator& sim, SessionClientState& state)
      : env_(env),
        servers_(std::move(servers)),
        timeout_min_(timeout_min),
        timeout_max_(timeout_max),
        sim_(sim),
        state_(state) {
    env_.fibers.spawn("sessions", [this] { run(); });
  }

 private:
  void new_session() {
    if (client_ && client_->session_id() != 0 && !node_.empty()) {
      state_.expired.emplace_back(client_->session_id(), node_);
    }
    core::ClientOptions o;
    o.servers = servers_;
    o.session_timeout = timeout_min_;
    if (timeout_max_ > timeout_min_) {
      const auto spread = static_cast<std::uint64_t>((timeout_max_ - timeout_min_).count() / 1'000'000);
      o.session_timeout += millis(static_cast<std::int64_t>(env_.random.below(spread + 1)));
    }
    client_ = std::make_unique<core::Client>(env_, o);
    node_.clear();
    ++state_.sessions;
  }

  // Creates this session's ephemeral, handling the recipe trap: a create
  // that lost its reply may have happened, so look before creating again.
  bool hold_node() {
    const std::string path = fmt::format("/e-{}-{}", state_.name, state_.sessions);
    auto seen = client_->exists(path);
    if (seen.ok() && seen.value().has_value()) {
      if (seen.value()->ephemeral_owner != client_->session_id()) return false;
      node_ = path;
      return true;
    }
    const core::Code c = client_->create(path, "", core::CreateMode::Ephemeral).code();
    if (c == core::Code::Ok) node_ = path;
    return c == core::Code::Ok;
  }

  void run() {
    new_session();
    while (true) {
      if (finished_state(*client_)) new_session();
      if (!client_->wait_connected(seconds(1))) continue;
      if (node_.empty() && !hold_node()) {
        env_.fibers.sleep(millis(100));
        continue;
      }
      const std::int64_t session = client_->session_id();
      const Time call = sim_.now();
      auto seen = client_->exists(node_);
      if (seen.ok()) state_.answered.push_back(AnsweredOp{session, call});
      if (seen.ok() && !seen.value().has_value() && client_->session_id() == session) {
        // A server answered in this session, so the session lives; its
        // ephemeral must too. (No stale read can hide it: the client saw
        // its create's zxid, and no server behind that answers it.)
        sim_.fail(sim::Verdict::kInvariant,
                  fmt::format("ephemeral {} vanished while its session 0x{:x} lives", node_, session), state_.name);
        return;
      }
      if (seen.ok() && state_.stop) {
        state_.live_session = session;
        state_.live_node = node_;
        state_.done = true;
        return;
      }
      env_.fibers.sleep(millis(100 + static_cast<std::int64_t>(env_.random.below(200))));
    }
  }

  io::Env& env_;
  std::vector<io::HostId> servers_;
  Duration timeout_min_;
  Duration timeout_max_;
  sim::Simulator& sim_;
  SessionClientState& state_;
  std::unique_ptr<core::Client> client_;
  std::string node_;
};

}  // namespace zsim::scenarios
