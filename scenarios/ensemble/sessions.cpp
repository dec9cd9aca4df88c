// sessions: 3 servers, 3 clients holding ephemerals through crashes and
// pauses (of servers and clients) longer than their session timeouts;
// ephemerals vanish when, and only when, their session expires.
#include "scenarios/ensemble/common.h"
#include "scenarios/registry.h"

namespace zsim::scenarios {
namespace ensemble {
namespace {

// ---------------------------------------------------------------- sessions

class SessionsWorkload final : public EnsembleWorkload<SessionClientState> {
 public:
  SessionsWorkload(sim::Simulator& sim, const EnsembleSpec& spec, int clients)
      : EnsembleWorkload(sim, spec, "holds no node in a live session") {
    for (int c = 1; c <= clients; ++c) {
      SessionClientState& st = clients_.emplace_back();
      st.name = fmt::format("c{}", c);
      const std::vector<io::HostId> servers = world_.hosts();
      const io::HostId h = sim.add_host(st.name, [servers, &sim, &st](io::Env& env) {
        // A crashed client host comes back as a new process: its old
        // session is left to expire, and it starts a new one.
        // Short timeouts, so the plan's pauses (up to 5 s) outlast them.
        return std::make_unique<SessionClient>(env, servers, seconds(1), seconds(3), sim, st);
      });
      sim.start(h);
    }
  }

  void check_clients_unfinished(sim::Simulator& sim) override { check_answers(sim); }

  bool check_answers(sim::Simulator& sim) {
    for (const auto& c : clients_) {
      if (!check_answers_after_close(sim, world_, c.name, c.answered)) return false;
    }
    return true;
  }

  // The ensemble has settled (every server at the same zxid), so every
  // server's tree must pass.
  void check_clients(sim::Simulator& sim) override {
    std::uint64_t sessions = 0;
    std::uint64_t expired = 0;
    for (const auto& c : clients_) {
      sessions += static_cast<std::uint64_t>(c.sessions);
      expired += c.expired.size();
    }
    sim.trace_event("check.sessions", {{"sessions", sessions}, {"expired", expired}});
    if (!check_answers(sim)) return;
    for (std::size_t i = 0; i < world_.hosts().size(); ++i) {
      const core::Server* s = world_.server(i);
      if (s == nullptr) continue;
      if (!check_tree(sim, world_.names()[i], s->tree())) return;
    }
  }

 private:
  bool check_tree(sim::Simulator& sim, const std::string& server, const core::DataTree& tree) {
    for (const auto& c : clients_) {
      for (const auto& [session, node] : c.expired) {
        if (tree.sessions().count(session) != 0) continue;  // moved on, never expired
        if (tree.find(node) != nullptr) {
          sim.fail(sim::Verdict::kInvariant, fmt::format("{} outlived its expired session 0x{:x}", node, session),
                   server);
          return false;
        }
      }
      const core::Znode* live = tree.find(c.live_node);
      if (live == nullptr || live->ephemeral_owner != c.live_session) {
        sim.fail(sim::Verdict::kInvariant,
                 fmt::format("{}'s node {} is missing though its session 0x{:x} lives", c.name, c.live_node,
                             c.live_session),
                 server);
        return false;
      }
    }
    // Every ephemeral belongs to a session the server still has.
    for (const auto& [session, paths] : tree.ephemerals_by_session()) {
      if (!paths.empty() && tree.sessions().count(session) == 0) {
        sim.fail(sim::Verdict::kInvariant,
                 fmt::format("{} ephemerals belong to session 0x{:x}, which is gone", paths.size(), session), server);
        return false;
      }
    }
    return true;
  }
};

}  // namespace
}  // namespace ensemble

void register_ensemble_sessions(std::vector<Scenario>& out) {
  using namespace ensemble;
  // Clients crash and pause from their own budget (ensemble_faults), for
  // up to 5 s, longer than their session timeouts (1-3 s); disk faults and
  // the servers' crash budget stay with the servers.
  EnsembleSpec ses_spec;
  ses_spec.voters = 3;
  sim::PlanOptions ses_faults = ensemble_faults(ses_spec, 3);
  Scenario ses = ensemble_scenario(
      "sessions", "3 servers: ephemerals vanish when, and only when, their session expires, across session moves",
      std::move(ses_faults));
  ses.build = [ses_spec](sim::Simulator& sim, const RunParams& p) {
    return std::make_unique<SessionsWorkload>(sim, with_bug(ses_spec, p), 3);
  };
  out.push_back(std::move(ses));
}

}  // namespace zsim::scenarios
