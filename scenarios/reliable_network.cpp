// Lesson 1 of the fallacies course: "the network is reliable".
//
// A ledger service over datagrams. Three clients each make 50 deposits to
// one server; the server appends each deposit it receives to its ledger and
// acknowledges it. The check: every acknowledged deposit is in the ledger
// exactly once, and no deposit is in it twice.
//
//  - reliable-network-naive trusts the network. A deposit without an
//    answer is sent again (so a lost acknowledgement means the deposit is
//    applied twice), a duplicated datagram is applied twice, and an
//    acknowledgement carries no request id, so a late or duplicated
//    acknowledgement of one deposit is taken for the next one, which may
//    have been lost: acknowledged work disappears.
//  - reliable-network-fixed adds what the network does not give: request
//    ids (client, sequence number), retries until acknowledged (with
//    backoff), acknowledgements that name the request, and an idempotent
//    apply that remembers the last sequence number applied per client.
//
// Both run under the same faults: datagram loss, duplication, reordering
// (latency jitter), partitions and clock faults. No crashes: this lesson is
// about the network only.
#include "core/io/future.h"
#include "scenarios/registry.h"

#include <fmt/format.h>

#include <charconv>
#include <deque>
#include <map>
#include <optional>

namespace zsim::scenarios {
namespace {

constexpr io::Port kPort = 7000;
constexpr int kDepositsPerClient = 50;
constexpr int kNaiveAttempts = 3;
const char* const kClientNames[] = {"c1", "c2", "c3"};

enum class Protocol { kNaive, kFixed };

std::vector<std::string_view> split_words(std::string_view s) {
  std::vector<std::string_view> words;
  std::size_t i = 0;
  while (i < s.size()) {
    const std::size_t j = s.find(' ', i);
    const std::size_t end = j == std::string_view::npos ? s.size() : j;
    if (end > i) words.push_back(s.substr(i, end - i));
    i = end + 1;
  }
  return words;
}

std::optional<std::uint64_t> parse_u64(std::string_view s) {
  std::uint64_t v = 0;
  auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || r.ptr != s.data() + s.size()) return std::nullopt;
  return v;
}

// What a client did, kept outside the client process so the checker can
// read it after the run.
struct ClientOutcome {
  std::string name;
  std::vector<std::string> acknowledged;  // labels the client was told are in
  std::vector<std::string> given_up;      // labels it stopped trying
  int done = 0;
  bool finished = false;
};

// Wire format, text for readable traces:
//   naive: "D <label>"          -> "A"
//   fixed: "D <seq> <label>"    -> "A <seq>"
class LedgerServer final : public sim::Process {
 public:
  LedgerServer(io::Env& env, Protocol protocol) : env_(env), protocol_(protocol) {
    env_.net.bind(kPort, [this](io::HostId from, io::Bytes bytes) { on_request(from, bytes); });
  }

  const std::vector<std::string>& ledger() const { return ledger_; }

 private:
  void on_request(io::HostId from, std::string_view request) {
    const auto words = split_words(request);
    if (protocol_ == Protocol::kNaive) {
      if (words.size() != 2 || words[0] != "D") return;  // not ours
      apply(words[1]);
      env_.net.send_datagram(from, kPort, "A");
      return;
    }
    if (words.size() != 3 || words[0] != "D") return;
    const auto seq = parse_u64(words[1]);
    if (!seq) return;
    std::uint64_t& last = last_applied_[from];
    // Sequence numbers of one client only grow (it has one deposit in
    // flight at a time), so "seen" is "at most the last applied".
    if (*seq > last) {
      apply(words[2]);
      last = *seq;
    }
    env_.net.send_datagram(from, kPort, fmt::format("A {}", *seq));
  }

  void apply(std::string_view label) {
    ledger_.emplace_back(label);
    env_.trace.event("ledger.apply", {{"label", label}, {"entries", std::uint64_t{ledger_.size()}}});
  }

  io::Env& env_;
  Protocol protocol_;
  std::vector<std::string> ledger_;
  std::map<io::HostId, std::uint64_t> last_applied_;
};

class DepositClient final : public sim::Process {
 public:
  DepositClient(io::Env& env, Protocol protocol, io::HostId server, ClientOutcome& outcome)
      : env_(env), protocol_(protocol), server_(server), outcome_(outcome) {
    env_.net.bind(kPort, [this](io::HostId, io::Bytes bytes) { on_reply(bytes); });
    env_.fibers.spawn("depositor", [this] { run(); });
  }

 private:
  void run() {
    for (int i = 1; i <= kDepositsPerClient; ++i) {
      env_.fibers.sleep(millis(5 + static_cast<std::int64_t>(env_.random.below(145))));
      const std::string label = fmt::format("{}-{}", outcome_.name, i);
      if (deposit(static_cast<std::uint64_t>(i), label)) {
        outcome_.acknowledged.push_back(label);
        env_.trace.event("client.acked", {{"label", label}});
      } else {
        outcome_.given_up.push_back(label);
        env_.trace.event("client.gave_up", {{"label", label}});
      }
      ++outcome_.done;
    }
    outcome_.finished = true;
  }

  bool deposit(std::uint64_t seq, const std::string& label) {
    Duration timeout = millis(40);
    for (int attempt = 1;; ++attempt) {
      if (protocol_ == Protocol::kNaive && attempt > kNaiveAttempts) return false;
      pending_.emplace(env_.fibers);
      waiting_for_ = seq;
      io::Future<std::uint64_t> reply = pending_->future();
      const std::string request = protocol_ == Protocol::kNaive ? fmt::format("D {}", label)
                                                               : fmt::format("D {} {}", seq, label);
      env_.net.send_datagram(server_, kPort, request);
      if (reply.wait_for(timeout)) return true;
      if (protocol_ == Protocol::kFixed) timeout = std::min(timeout * 2, Duration{millis(640)});
    }
  }

  void on_reply(std::string_view reply) {
    if (!pending_ || pending_->is_set()) return;
    const auto words = split_words(reply);
    if (words.empty() || words[0] != "A") return;
    if (protocol_ == Protocol::kNaive) {
      // The naive client cannot tell which deposit an "A" answers: it takes
      // any acknowledgement as the answer to the deposit it is waiting for.
      pending_->set(waiting_for_);
      return;
    }
    if (words.size() == 2 && parse_u64(words[1]) == waiting_for_) pending_->set(waiting_for_);
  }

  io::Env& env_;
  Protocol protocol_;
  io::HostId server_;
  ClientOutcome& outcome_;
  std::optional<io::Promise<std::uint64_t>> pending_;
  std::uint64_t waiting_for_ = 0;
};

class LedgerWorkload final : public Workload {
 public:
  LedgerWorkload(sim::Simulator& sim, Protocol protocol) {
    server_ = sim.add_host("s1", [protocol](io::Env& env) { return std::make_unique<LedgerServer>(env, protocol); });
    for (const char* name : kClientNames) {
      ClientOutcome& outcome = outcomes_.emplace_back();
      outcome.name = name;
      const io::HostId server = server_;
      sim.add_host(name, [protocol, server, &outcome](io::Env& env) {
        return std::make_unique<DepositClient>(env, protocol, server, outcome);
      });
    }
    for (io::HostId h = 0; h < 1 + std::size(kClientNames); ++h) sim.start(h);
  }

  bool finished() const override {
    for (const ClientOutcome& o : outcomes_) {
      if (!o.finished) return false;
    }
    return true;
  }

  std::string pending() const override {
    std::string out;
    for (const ClientOutcome& o : outcomes_) {
      if (!out.empty()) out += ", ";
      out += fmt::format("{} made {}/{} deposits", o.name, o.done, kDepositsPerClient);
    }
    return out;
  }

  void check(sim::Simulator& sim) override {
    const auto* server = sim.process_as<LedgerServer>(server_);
    if (server == nullptr) {
      sim.fail(sim::Verdict::kInvariant, "the ledger server is not running at the end of the run", "s1");
      return;
    }
    std::map<std::string, int> applied;
    for (const std::string& label : server->ledger()) ++applied[label];
    for (const ClientOutcome& o : outcomes_) {
      for (const std::string& label : o.acknowledged) {
        if (applied[label] == 0) {
          sim.fail(sim::Verdict::kInvariant,
                   fmt::format("acknowledged deposit {} is not in the ledger: the acknowledgement "
                               "answered another request (lost work)",
                               label),
                   "s1");
          return;
        }
      }
    }
    for (const auto& [label, count] : applied) {
      if (count > 1) {
        sim.fail(sim::Verdict::kInvariant,
                 fmt::format("deposit {} is in the ledger {} times: a retried or duplicated "
                             "request was applied again (not idempotent)",
                             label, count),
                 "s1");
        return;
      }
    }
  }

 private:
  io::HostId server_ = 0;
  std::deque<ClientOutcome> outcomes_;  // stable addresses for the clients
};

Scenario make(Protocol protocol) {
  Scenario s;
  const bool naive = protocol == Protocol::kNaive;
  s.name = naive ? "reliable-network-naive" : "reliable-network-fixed";
  s.summary = naive ? "lesson 1: a datagram ledger that trusts the network; loses and double-applies work"
                    : "lesson 1: the same ledger with request ids, retries and idempotent apply";
  s.plan_options.servers = {"s1"};
  s.plan_options.clients = {"c1", "c2", "c3"};
  s.plan_options.crashes = false;
  s.plan_options.pauses = false;
  s.plan_options.stream_resets = false;
  s.plan_options.disk_faults = false;
  s.plan_options.fault_gap_mean = millis(300);
  // A long-tailed latency: most datagrams take a few milliseconds, a few
  // take hundreds, so answers arrive after their request timed out.
  s.sim_options.network.latency = {sim::LatencyModel::Kind::kExponential, micros(200), millis(4), millis(250)};
  s.safety_phase = seconds(6);
  s.liveness_budget = seconds(30);
  s.build = [protocol](sim::Simulator& sim, const RunParams&) { return std::make_unique<LedgerWorkload>(sim, protocol); };
  return s;
}

}  // namespace

void register_reliable_network(std::vector<Scenario>& out) {
  out.push_back(make(Protocol::kNaive));
  out.push_back(make(Protocol::kFixed));
}

}  // namespace zsim::scenarios
