// bench_gen_histories: writes the generated histories of bench/history_gen.h
// to files, so that `zsim check` (and other checkers) can be run on exactly
// what the benchmarks measure.
//
//   bench_gen_histories --list
//   bench_gen_histories NAME [--format edn|jsonl] > FILE
//   bench_gen_histories --all DIR        # every history, as DIR/NAME.edn
//
// EDN output is Jepsen-style: one event map per line, invocations and
// completions in time order (an invocation before a completion at the same
// time, so such ops count as concurrent, as in the JSON-lines reading);
// unknown ops have no completion. The command to check each history, and
// its expected verdict, are in docs/performance.md.
#include <fmt/core.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "bench/history_gen.h"
#include "checkers/history_io.h"

namespace {

using zsim::bench::Corruption;
using zsim::bench::GenSpec;
using zsim::checkers::History;

struct Named {
  const char* name;
  const char* model;  // for the printed command
  const char* init;
  const char* verdict;
  std::function<History()> make;
};

GenSpec reused(int clients, bool info, Corruption c) {
  GenSpec s;
  s.clients = clients;
  s.ops = 1000;
  s.info = info;
  s.corrupt = c;
  s.values = 5;
  return s;
}

const std::vector<Named>& histories() {
  static const std::vector<Named> all = {
      {"kv-c50-ok", "kv", "nil", "ok", [] { return zsim::bench::generate_kv_c50(false); }},
      {"kv-c50-bad", "kv", "nil", "violation", [] { return zsim::bench::generate_kv_c50(true); }},
      {"register-reused-c20-ok", "cas-register", "0", "ok",
       [] { return zsim::bench::generate_history(reused(20, false, Corruption::none)); }},
      {"register-reused-c20-bad", "cas-register", "0", "violation",
       [] { return zsim::bench::generate_history(reused(20, false, Corruption::stale)); }},
      {"register-reused-c50-info-ok", "cas-register", "0", "ok",
       [] { return zsim::bench::generate_history(reused(50, true, Corruption::none)); }},
      {"register-reused-c50-info-bad", "cas-register", "0", "violation",
       [] { return zsim::bench::generate_history(reused(50, true, Corruption::never_written)); }},
  };
  return all;
}

std::string edn_name(const std::string& f) { return ":" + f; }

std::string edn_value(const zsim::checkers::Value& v) { return zsim::checkers::to_edn(v); }

// Jepsen-style EDN events, one map per line, in time order.
std::string write_edn(const History& h) {
  struct Event {
    std::int64_t time;
    int order;  // 0 invoke, 1 completion: invocations first at equal times
    std::size_t op;
  };
  std::vector<Event> events;
  for (std::size_t i = 0; i < h.ops.size(); ++i) {
    events.push_back({h.ops[i].call_time, 0, i});
    if (h.ops[i].status != zsim::checkers::Status::info) events.push_back({h.ops[i].return_time, 1, i});
  }
  std::sort(events.begin(), events.end(), [](const Event& a, const Event& b) {
    if (a.time != b.time) return a.time < b.time;
    if (a.order != b.order) return a.order < b.order;
    return a.op < b.op;
  });
  std::string out;
  for (const Event& e : events) {
    const auto& op = h.ops[e.op];
    const bool invoke = e.order == 0;
    const bool read = op.f == "read" || op.f == "get";
    const std::string value = invoke ? (read ? "nil" : edn_value(op.input))
                                     : edn_value(op.f == "cas" || read ? op.output : op.input);
    out += fmt::format("{{:process {}, :type {}, :f {}", op.process, invoke ? ":invoke" : ":ok", edn_name(op.f));
    if (op.key) out += fmt::format(", :key {}", edn_value(*op.key));
    out += fmt::format(", :value {}}}\n", value);
  }
  return out;
}

int usage() {
  std::fputs("usage: bench_gen_histories --list | NAME [--format edn|jsonl] | --all DIR\n", stderr);
  return 2;
}

const Named* find(const std::string& name) {
  for (const Named& n : histories()) {
    if (name == n.name) return &n;
  }
  return nullptr;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) return usage();
  if (args[0] == "--list") {
    for (const Named& n : histories()) {
      std::printf("%-30s zsim check -m %s --init %s %s.edn   # expect %s\n", n.name, n.model, n.init, n.name,
                  n.verdict);
    }
    return 0;
  }
  if (args[0] == "--all") {
    if (args.size() != 2) return usage();
    for (const Named& n : histories()) {
      const std::string path = args[1] + "/" + n.name + ".edn";
      std::ofstream out(path, std::ios::binary);
      out << write_edn(n.make());
      if (!out) {
        std::fprintf(stderr, "bench_gen_histories: cannot write %s\n", path.c_str());
        return 2;
      }
    }
    return 0;
  }
  const Named* n = find(args[0]);
  if (n == nullptr) {
    std::fprintf(stderr, "bench_gen_histories: unknown history '%s' (see --list)\n", args[0].c_str());
    return 2;
  }
  std::string format = "edn";
  if (args.size() == 3 && args[1] == "--format") {
    format = args[2];
  } else if (args.size() != 1) {
    return usage();
  }
  if (format != "edn" && format != "jsonl") return usage();
  const History h = n->make();
  const std::string text = format == "edn" ? write_edn(h) : zsim::checkers::write_jsonl_history(h);
  std::fwrite(text.data(), 1, text.size(), stdout);
  return 0;
}
