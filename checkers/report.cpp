#include "checkers/report.h"

#include <fmt/core.h>

#include <algorithm>
#include <map>
#include <set>

namespace zsim::checkers {

namespace {

constexpr std::size_t kPrefixLinesShown = 8;
constexpr std::size_t kPartitionsDrawn = 4;
constexpr std::size_t kOpsDrawnMax = 300;

std::string headline(const CheckResult& r) {
  const bool zk = r.consistency == Consistency::zookeeper;
  switch (r.verdict) {
    case Verdict::ok: return zk ? "OK: keeps ZooKeeper's ordering guarantees" : "OK: linearizable";
    case Verdict::violation:
      return zk ? "VIOLATION: breaks ZooKeeper's ordering guarantees" : "VIOLATION: not linearizable";
    case Verdict::unknown: return "UNKNOWN: " + r.unknown_reason + " before a verdict";
  }
  return "?";
}

void append_witness(const History& h, const PartitionReport& p, std::string* out) {
  const auto& lin = p.linearization;
  *out += fmt::format("  longest linearizable prefix: {} of {} operations\n", lin.size(),
                      p.ops.size());
  const std::size_t from = lin.size() > kPrefixLinesShown ? lin.size() - kPrefixLinesShown : 0;
  if (from > 0) *out += fmt::format("    ... {} earlier operations\n", from);
  for (std::size_t k = from; k < lin.size(); ++k) {
    const Operation& op = h.ops[lin[k]];
    *out += fmt::format("    {:>4}. {}   (called {}, returned {})\n", k + 1, describe_op(op),
                        op.call_time, op.status == Status::info ? std::string("?")
                                                                : std::to_string(op.return_time));
  }
  *out += fmt::format("  then the state is {}, and these cannot come next:\n", p.state_after);
  for (const std::string& why : p.stuck_reasons) *out += fmt::format("    - {}\n", why);
}

}  // namespace

std::string format_text_report(const History& h, const CheckResult& r) {
  std::string out = headline(r) + "\n";
  std::size_t undecided = 0;
  for (const PartitionReport& p : r.partitions) undecided += p.verdict == Verdict::unknown ? 1 : 0;
  out += fmt::format("model {}, {} operations checked ({} dropped: failed, or unknown reads) "
                     "in {} partition{}{}; {} states explored, {:.3f} s, peak memo {:.1f} MB\n",
                     r.model, r.ops_checked, r.ops_dropped, r.partitions.size(),
                     r.partitions.size() == 1 ? "" : "s",
                     undecided > 0 ? fmt::format(" ({} undecided)", undecided) : std::string(),
                     r.states_explored, r.elapsed_s,
                     static_cast<double>(r.peak_memory_bytes) / 1e6);
  for (const PartitionReport& p : r.partitions) {
    if (p.verdict != Verdict::violation) continue;
    out += fmt::format("partition {}: violation\n", p.name);
    append_witness(h, p, &out);
  }
  // Undecided partitions: after a violation, only their names; otherwise
  // each with the reason, a few at most.
  std::vector<std::string> names;
  std::size_t shown = 0;
  for (const PartitionReport& p : r.partitions) {
    if (p.verdict != Verdict::unknown) continue;
    if (r.verdict == Verdict::violation) {
      names.push_back(p.name);
    } else if (++shown <= kPartitionsDrawn) {
      out += fmt::format("partition {}: unknown: {}\n", p.name, p.unknown_reason);
    }
  }
  if (shown > kPartitionsDrawn) out += fmt::format("({} more partitions undecided)\n", shown - kPartitionsDrawn);
  if (!names.empty()) {
    std::string list;
    for (std::size_t k = 0; k < names.size() && k < 8; ++k) list += (k > 0 ? ", " : "") + names[k];
    if (names.size() > 8) list += fmt::format(" and {} more", names.size() - 8);
    out += fmt::format("left undecided (the violation decides the history): {}\n", list);
  }
  return out;
}

// ------------------------------------------------------------------ HTML

namespace {

std::string escape_html(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      case '"': out += "&quot;"; break;
      default: out.push_back(c);
    }
  }
  return out;
}

// The ops to draw: all of a small partition; around the break otherwise.
std::vector<std::size_t> ops_to_draw(const History& h, const PartitionReport& p) {
  if (p.ops.size() <= kOpsDrawnMax) return p.ops;
  std::int64_t centre = h.ops[p.ops.back()].call_time;
  if (!p.stuck.empty()) centre = h.ops[p.stuck.front()].return_time;
  std::vector<std::size_t> sorted = p.ops;  // in call order
  auto at = std::lower_bound(sorted.begin(), sorted.end(), centre,
                             [&](std::size_t i, std::int64_t t) { return h.ops[i].call_time < t; });
  const std::size_t mid = static_cast<std::size_t>(at - sorted.begin());
  const std::size_t lo = mid > kOpsDrawnMax * 3 / 4 ? mid - kOpsDrawnMax * 3 / 4 : 0;
  const std::size_t hi = std::min(sorted.size(), lo + kOpsDrawnMax);
  std::vector<std::size_t> out(sorted.begin() + static_cast<std::ptrdiff_t>(lo),
                               sorted.begin() + static_cast<std::ptrdiff_t>(hi));
  for (std::size_t s : p.stuck) {
    if (std::find(out.begin(), out.end(), s) == out.end()) out.push_back(s);
  }
  return out;
}

// "write 3 -> ok" without the process (the lane says it), kept short.
std::string bar_label(const Operation& op) {
  std::string text = describe_op(op);
  text = text.substr(text.find(' ') + 1);
  if (text.size() > 28) text = text.substr(0, 25) + "...";
  return text;
}

void draw_partition(const History& h, const PartitionReport& p, std::string* out) {
  const std::vector<std::size_t> ops = ops_to_draw(h, p);
  std::map<std::size_t, std::size_t> order;  // op → 1-based place
  for (std::size_t k = 0; k < p.linearization.size(); ++k) order[p.linearization[k]] = k + 1;
  const std::set<std::size_t> stuck(p.stuck.begin(), p.stuck.end());
  // Times are compressed to ranks: only order matters, and ranks keep
  // sparse virtual times readable.
  std::set<std::int64_t> times;
  std::set<std::int64_t> processes;
  for (std::size_t i : ops) {
    times.insert(h.ops[i].call_time);
    times.insert(h.ops[i].return_time);
    processes.insert(h.ops[i].process);
  }
  std::map<std::int64_t, std::size_t> rank;
  for (std::int64_t t : times) rank.emplace(t, rank.size());
  std::map<std::int64_t, std::size_t> lane;
  for (std::int64_t pr : processes) lane.emplace(pr, lane.size());
  const double step = 28.0, lane_h = 34.0, left = 70.0;
  const double width = left + static_cast<double>(rank.size() + 2) * step;
  const double height = static_cast<double>(lane.size()) * lane_h + 30.0;
  *out += fmt::format("<h2>partition {} — {}</h2>\n", escape_html(p.name), verdict_name(p.verdict));
  if (p.verdict == Verdict::unknown && !p.unknown_reason.empty()) {
    *out += "<p>" + escape_html(p.unknown_reason) + "</p>\n";
  }
  if (ops.size() < p.ops.size()) {
    *out += fmt::format("<p>showing {} of {} operations, around where it breaks</p>\n", ops.size(),
                        p.ops.size());
  }
  *out += fmt::format("<div class=scroll><svg width='{:.0f}' height='{:.0f}'>\n", width, height);
  for (const auto& [pr, l] : lane) {
    const double y = 20.0 + static_cast<double>(l) * lane_h;
    *out += fmt::format("<text x='4' y='{:.0f}' class=lane>p{}</text>"
                        "<line x1='{}' x2='{:.0f}' y1='{:.0f}' y2='{:.0f}' class=grid/>\n",
                        y + 16, pr, left, width, y + 26, y + 26);
  }
  if (!p.stuck.empty()) {
    const double x = left + static_cast<double>(rank[h.ops[p.stuck.front()].return_time]) * step + step / 2;
    *out += fmt::format("<line x1='{0:.0f}' x2='{0:.0f}' y1='0' y2='{1:.0f}' class=brk/>"
                        "<text x='{2:.0f}' y='12' class=brktext>breaks here</text>\n",
                        x, height, x + 4);
  }
  for (std::size_t i : ops) {
    const Operation& op = h.ops[i];
    const double y = 20.0 + static_cast<double>(lane[op.process]) * lane_h;
    const double x0 = left + static_cast<double>(rank[op.call_time]) * step;
    double x1 = left + static_cast<double>(rank[op.return_time]) * step + step;
    if (op.status == Status::info) x1 = width - 4;
    const char* cls = stuck.count(i) ? "stuck" : order.count(i) ? "lin" : "rest";
    const std::string label = order.count(i) ? fmt::format("#{} ", order[i]) : std::string();
    *out += fmt::format(
        "<g><title>{}</title><rect x='{:.0f}' y='{:.0f}' width='{:.0f}' height='24' rx='4' "
        "class='{}{}'/><text x='{:.0f}' y='{:.0f}' class=op>{}{}</text></g>\n",
        escape_html(describe_op(op)), x0, y, std::max(6.0, x1 - x0 - 2), cls,
        op.status == Status::info ? " info" : "", x0 + 3, y + 16, label,
        escape_html(bar_label(op)));
  }
  *out += "</svg></div>\n";
  if (p.verdict == Verdict::violation) {
    *out += fmt::format("<p>After the {} linearized operations (numbered), the state is "
                        "<code>{}</code>, and these cannot come next:</p><ul>\n",
                        p.linearization.size(), escape_html(p.state_after));
    for (const std::string& why : p.stuck_reasons) *out += "<li class=why>" + escape_html(why) + "</li>\n";
    *out += "</ul>\n";
  }
}

}  // namespace

std::string render_html(const History& h, const CheckResult& r, std::string_view title) {
  std::string out =
      "<!doctype html><html><head><meta charset='utf-8'><title>" + escape_html(title) +
      "</title><style>\n"
      "body{font-family:sans-serif;margin:1.5em;color:#222}"
      ".scroll{overflow-x:auto;border:1px solid #ddd;background:#fcfcfc}"
      "rect.lin{fill:#cfeccf;stroke:#3a8a3a}rect.rest{fill:#eee;stroke:#aaa}"
      "rect.stuck{fill:#f6c9c9;stroke:#c00;stroke-width:2}rect.info{stroke-dasharray:4 3;fill-opacity:.5}"
      "text.op{font-size:11px;font-family:monospace}text.lane{font-size:12px;font-weight:bold}"
      "line.grid{stroke:#eee}line.brk{stroke:#c00;stroke-width:2;stroke-dasharray:6 3}"
      "text.brktext{fill:#c00;font-size:11px}li.why{color:#a00;font-family:monospace}"
      ".ok{color:#2a7a2a}.violation{color:#c00}.unknown{color:#a60}"
      "</style></head><body>\n";
  out += fmt::format("<h1 class={}>{}</h1>\n", verdict_name(r.verdict), escape_html(headline(r)));
  out += fmt::format("<p>{} — model <b>{}</b>, {} operations checked in {} partition(s). "
                     "Bars run from call to return on each client's lane; green bars are "
                     "numbered in the order the checker linearized them; red ones cannot be "
                     "placed; dashed bars are unknown (info) operations, which may take effect "
                     "any time after their call, or never. Hover a bar for the operation.</p>\n",
                     escape_html(title), escape_html(r.model), r.ops_checked, r.partitions.size());
  std::vector<const PartitionReport*> order;  // violations, undecided, then ok
  for (Verdict v : {Verdict::violation, Verdict::unknown, Verdict::ok}) {
    for (const auto& p : r.partitions) {
      if (p.verdict == v) order.push_back(&p);
    }
  }
  for (std::size_t k = 0; k < order.size() && k < kPartitionsDrawn; ++k) {
    draw_partition(h, *order[k], &out);
  }
  if (order.size() > kPartitionsDrawn) {
    out += fmt::format("<p>{} more partitions not drawn.</p>\n", order.size() - kPartitionsDrawn);
  }
  out += "</body></html>\n";
  return out;
}

}  // namespace zsim::checkers
