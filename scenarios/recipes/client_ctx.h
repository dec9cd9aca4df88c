// ClientCtx: what a recipe scenario's client body sees -- its name, its
// session with the ensemble, its time and randomness, and whether the run's
// liveness phase has begun. One per incarnation of a client host: a crash
// destroys it with the process (the body's fiber unwinds), a restart builds
// a new one and runs the body again from the start, in a new session.
//
// ClientRecord is what outlives the incarnations: every session each one
// held (the checks use it to tell whose node a token names) and whether the
// body finished.
//
// Fibers: every blocking call here (and on zk()) parks the body's fiber.
// Single-threaded, like the simulator.
#pragma once

#include "core/client/client.h"
#include "core/io/env.h"
#include "scenarios/op_notes.h"
#include "scenarios/recipes/shape.h"
#include "sim/simulator.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace zsim::scenarios::recipes {

struct SessionRecord {
  int64_t id = 0;
  uint32_t incarnation = 0;
  Time connected_at{};  // global time of the first handshake
};

struct ClientRecord {
  std::string name;  // "c1"
  int index = 0;     // 1-based
  io::HostId host = 0;
  uint32_t incarnation = 0;             // the running (or last) one
  std::vector<SessionRecord> sessions;  // every session any incarnation held
  bool done = false;                    // the body returned

  // Whether incarnation `inc` of this client held session `id`.
  bool held(int64_t id, uint32_t inc) const;
  // Which incarnation held session `id`, or 0 if none did.
  uint32_t incarnation_of(int64_t id) const;
};

class ClientCtx {
 public:
  // REQUIRES: `record`, `servers` and `stopping` outlive the context.
  ClientCtx(io::Env& env, sim::Simulator& sim, ClientRecord& record, const ClusterShape& shape,
            const std::vector<io::HostId>& servers, const bool& stopping);
  ~ClientCtx();
  ClientCtx(const ClientCtx&) = delete;
  ClientCtx& operator=(const ClientCtx&) = delete;

  const std::string& name() const { return record_.name; }
  int index() const { return record_.index; }
  uint32_t incarnation() const { return incarnation_; }

  // The session handle: the current one while it lives, a new session's
  // once it expired or was closed (the old handle is destroyed then: no
  // object may still use it).
  core::Client& zk();
  // Abandons the current handle (its session is left to expire on the
  // servers) and starts a new session.
  core::Client& new_session();
  // A further handle with a session of its own, beside zk() (another
  // process on this host: e.g. a worker an auto-healer started). Its
  // sessions are recorded in record() like zk()'s. REQUIRES: the handle
  // dies before this context (a fiber of this host's process holds it).
  std::unique_ptr<core::Client> open_session();
  // The servers this context's handles use from now on, instead of the
  // cluster's list: later sessions start with it, and the live handle moves
  // to it (core::Client::update_server_list). For a client that learns the
  // ensemble's current members (server replacement). An empty list is
  // BadArguments and changes nothing.
  core::Status set_servers(std::vector<io::HostId> servers);
  const std::vector<io::HostId>& servers() const { return own_servers_.empty() ? servers_ : own_servers_; }
  // The current handle's session id (0 before the first handshake).
  int64_t session_id() const;
  // Whether the current handle is connected right now.
  bool connected() const;

  // True once the liveness phase began: bodies that finish should wrap up.
  bool stopping() const { return stopping_; }
  // Parks the body for `d` of this host's time.
  void sleep(Duration d);
  // This host's random stream (deterministic from the seed).
  io::Random& random() { return env_.random; }
  // 16 random hex digits: a fresh id for protected names.
  std::string unique_id();
  // The host's environment (clock, trace, fibers) for anything else.
  io::Env& env() { return env_; }
  const ClientRecord& record() const { return record_; }
  // Global simulated time (for records; a body should use its host's
  // clock, env().clock, to decide anything).
  Time global_now() const { return sim_.now(); }

 private:
  void note_session(const core::Client& handle);
  core::ClientOptions session_options();

  io::Env& env_;
  sim::Simulator& sim_;
  ClientRecord& record_;
  const ClusterShape& shape_;
  const std::vector<io::HostId>& servers_;
  std::vector<io::HostId> own_servers_;  // set_servers()'s, if called
  const bool& stopping_;
  uint32_t incarnation_;
  // Draws the handles' operations while the run is observed (a diagram);
  // declared before the handles, so it outlives them.
  OpNotes op_notes_;
  std::unique_ptr<core::Client> client_;
};

using ClientBody = std::function<void(ClientCtx&)>;

}  // namespace zsim::scenarios::recipes
