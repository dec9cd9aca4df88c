// RecipeWorld: a 3-server ZAB ensemble on the simulator, and client hosts
// that each run a test body on a fiber -- the smallest world a recipe can be
// unit-tested in. Bodies make their own core::Client handles, so a test can
// close, lose or expire a session when it wants to.
#pragma once

#include "core/client/client.h"
#include "core/server/server.h"
#include "sim/simulator.h"

#include <fmt/format.h>

#include <cstdlib>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace zsim::recipes_test {

struct ServerProcess : sim::Process {
  ServerProcess(io::Env& env, core::ServerOptions options) : server(env, std::move(options)) {}
  core::Server server;
};

struct BodyProcess : sim::Process {
  using Body = std::function<void(io::Env&)>;
  BodyProcess(io::Env& env, Body body) { env.fibers.spawn("test", [&env, body = std::move(body)] { body(env); }); }
};

struct RecipeWorld {
  sim::Simulator sim{sim::SimOptions{}};
  std::vector<io::HostId> servers;
  std::vector<core::EnsembleMember> members;

  explicit RecipeWorld(int voters = 3) {
    for (int i = 1; i <= voters; ++i) {
      const io::HostId h = sim.add_host(fmt::format("s{}", i), [this, i](io::Env& env) {
        core::ServerOptions o;
        o.server_id = i;
        o.ensemble = members;
        o.tick_ms = 100;
        o.init_limit_ticks = 10;
        o.sync_limit_ticks = 5;
        o.session_timeout_ms_min = 200;
        o.session_timeout_ms_max = 10000;
        return std::make_unique<ServerProcess>(env, o);
      });
      servers.push_back(h);
      members.push_back(core::EnsembleMember{i, h, false});
    }
    if (std::getenv("ZSIM_TEST_TRACE") != nullptr) {
      sim.trace().set_sink([](std::string_view line, std::uint64_t) { fmt::print("{}\n", line); });
    }
    for (io::HostId h : servers) sim.start(h);
  }

  io::HostId add_client(const std::string& name, BodyProcess::Body body) {
    const io::HostId h =
        sim.add_host(name, [body](io::Env& env) { return std::make_unique<BodyProcess>(env, body); });
    sim.start(h);
    return h;
  }

  core::ClientOptions client_options(Duration session_timeout = seconds(2)) const {
    core::ClientOptions o;
    o.servers = servers;
    o.session_timeout = session_timeout;
    return o;
  }

  // Waits (on a fiber) until `zk` is connected: the ensemble serves only
  // once it has elected a leader.
  static bool connect(core::Client& zk) {
    for (int i = 0; i < 20; ++i) {
      if (zk.wait_connected(seconds(1))) return true;
    }
    return false;
  }

  // Cuts `host` off from every server (both ways), or heals that.
  void isolate(io::HostId host, bool cut) {
    for (io::HostId s : servers) {
      sim.network().set_blocked(host, s, cut);
      sim.network().set_blocked(s, host, cut);
    }
  }

  // A serving server's tree (the first one found).
  const core::DataTree* tree() {
    for (io::HostId h : servers) {
      auto* p = sim.process_as<ServerProcess>(h);
      if (p != nullptr && p->server.serving()) return &p->server.tree();
    }
    return nullptr;
  }

  bool run_until(const std::function<bool()>& pred, Duration timeout) { return sim.run_until_true(pred, timeout); }
};

// Replies to `host` are slowed to 300 ms, and the host is cut off 50 ms
// after `at` for 500 ms (well within its 4 s session): a request sent at
// `at` reaches the ensemble and commits, its reply is still on the wire and
// is lost -- the ConnectionLoss after a success that protected names, create-
// once markers and receipts exist for.
inline void lose_replies_after(RecipeWorld& w, io::HostId host, Duration at) {
  for (io::HostId s : w.servers) {
    w.sim.network().set_link_latency(s, host, sim::LatencyModel{sim::LatencyModel::Kind::kConstant, millis(300),
                                                                millis(300), millis(300)});
  }
  w.sim.at(at + millis(50), [&w, host] { w.isolate(host, true); });
  w.sim.at(at + millis(550), [&w, host] {
    w.isolate(host, false);
    for (io::HostId s : w.servers) w.sim.network().set_link_latency(s, host, sim::LatencyModel{});
  });
}

}  // namespace zsim::recipes_test
