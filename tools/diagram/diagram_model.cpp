#include "tools/diagram/diagram_model.h"

#include <algorithm>
#include <charconv>
#include <tuple>

namespace zsim::tools::diagram {
namespace {

std::uint64_t to_u64(const std::string& s) {
  std::uint64_t v = 0;
  std::from_chars(s.data(), s.data() + s.size(), v);
  return v;
}

std::int64_t to_i64(const std::string& s) {
  std::int64_t v = 0;
  std::from_chars(s.data(), s.data() + s.size(), v);
  return v;
}

// "3:1200000" -> {3, 1200000}; a list of them, comma-separated.
std::vector<std::pair<std::int64_t, std::int64_t>> op_names(const std::string& list) {
  std::vector<std::pair<std::int64_t, std::int64_t>> out;
  std::size_t start = 0;
  while (start < list.size()) {
    std::size_t end = list.find(',', start);
    if (end == std::string::npos) end = list.size();
    const std::string item = list.substr(start, end - start);
    const std::size_t colon = item.find(':');
    if (colon != std::string::npos) out.emplace_back(to_i64(item.substr(0, colon)), to_i64(item.substr(colon + 1)));
    start = end + 1;
  }
  return out;
}

int role_rank(const std::string& role) {
  if (role == "server") return 0;
  if (role == "observer") return 1;
  if (role == "client") return 2;
  return 3;
}

// Hosts in reading order: by role, then by the number in the name (s2 < s10).
bool host_before(const DiagramHost& a, const DiagramHost& b) {
  auto number = [](const std::string& n) {
    const std::size_t d = n.find_first_of("0123456789");
    return d == std::string::npos ? std::int64_t{-1} : to_i64(n.substr(d));
  };
  return std::tuple(role_rank(a.role), number(a.name), a.name) < std::tuple(role_rank(b.role), number(b.name), b.name);
}

// "at 1.5s partition split s1 s2 | s3" -> "partition split s1 s2 | s3".
std::string without_time(const std::string& event) {
  if (event.rfind("at ", 0) != 0) return event;
  const std::size_t space = event.find(' ', 3);
  return space == std::string::npos ? event : event.substr(space + 1);
}

}  // namespace

const std::string& DiagramEvent::get(std::string_view key) const {
  static const std::string kEmpty;
  for (const auto& [k, v] : fields) {
    if (k == key) return v;
  }
  for (const auto& [k, v] : extras) {
    if (k == key) return v;
  }
  return kEmpty;
}

std::string host_role(const std::string& name) {
  if (name.empty()) return "host";
  const bool numbered = name.size() > 1 && name.find_first_not_of("0123456789", 1) == std::string::npos;
  if (!numbered) return "host";
  switch (name[0]) {
    case 's': return "server";
    case 'o': return "observer";
    case 'c': return "client";
    default: return "host";
  }
}

int DiagramCollector::host_index(const std::string& name) {
  auto [it, inserted] = host_ids_.emplace(name, static_cast<int>(m_.hosts.size()));
  if (inserted) m_.hosts.push_back(DiagramHost{name, host_role(name)});
  return it->second;
}

void DiagramCollector::on_event(const DiagramEvent& e) {
  last_ns_ = std::max(last_ns_, e.t_ns);
  if (e.kind.rfind("net.", 0) == 0 && !e.get("msg").empty()) return on_message_event(e);
  // A check's moment is noted after the run, on whichever host ran last.
  if (e.host == "sim" || e.kind == "check.moment") return on_sim_event(e);
  const int host = host_index(e.host);
  if (e.kind == "op.call" || e.kind == "op.return") return on_op_note(e, host);
  if (e.note) return;
  on_host_event(e, host);
}

void DiagramCollector::on_message_event(const DiagramEvent& e) {
  const std::uint64_t id = to_u64(e.get("msg"));
  if (id == 0) return;  // not observed (cannot happen while collecting)
  auto known = by_msg_.find(id);
  if (e.kind == "net.send" || (e.kind == "net.drop" && known == by_msg_.end())) {
    DiagramMessage msg;
    msg.id = id;
    msg.from = host_index(e.host);
    msg.to = host_index(e.get("to"));
    msg.send_ns = msg.end_ns = e.t_ns;
    msg.kind = e.get("kind");
    msg.detail = e.get("detail");
    msg.bytes = to_u64(e.get("bytes"));
    msg.datagram = e.get("dgram") == "true";
    msg.line = e.line;
    if (e.kind == "net.drop") {
      msg.end = DiagramMessage::End::kDropped;
      msg.drop_reason = e.get("reason");
    }
    by_msg_[id] = m_.messages.size();
    m_.messages.push_back(std::move(msg));
    return;
  }
  if (e.kind == "net.dup") {
    auto original = by_msg_.find(to_u64(e.get("of")));
    if (original == by_msg_.end()) return;
    DiagramMessage copy = m_.messages[original->second];
    copy.id = id;
    copy.duplicate = true;
    copy.end = DiagramMessage::End::kInFlight;
    by_msg_[id] = m_.messages.size();
    m_.messages.push_back(std::move(copy));
    return;
  }
  if (known == by_msg_.end()) return;
  DiagramMessage& msg = m_.messages[known->second];
  msg.end_ns = e.t_ns;
  if (e.kind == "net.deliver") {
    msg.end = DiagramMessage::End::kDelivered;
  } else if (e.kind == "net.drop") {
    msg.end = DiagramMessage::End::kDropped;
    msg.drop_reason = e.get("reason");
  } else if (e.kind == "net.lost") {
    msg.end = DiagramMessage::End::kDropped;
    msg.drop_reason = "connection gone";
  }
}

void DiagramCollector::on_host_event(const DiagramEvent& e, int host) {
  DiagramMark mark{host, e.t_ns, e.t_ns, "event", e.kind, e.line};
  if (e.kind == "host.crash") {
    // What was on its way to the host dies with it, untraced (the event
    // loop drops the deliveries of a dead incarnation).
    for (DiagramMessage& msg : m_.messages) {
      if (msg.to != host || msg.end != DiagramMessage::End::kInFlight) continue;
      msg.end = DiagramMessage::End::kDropped;
      msg.end_ns = e.t_ns;
      msg.drop_reason = "receiver crashed";
    }
    mark.kind = "crash";
    mark.label = e.get("at").empty() ? "crash" : "crash at " + e.get("at");
  } else if (e.kind == "host.start") {
    const bool first = e.get("incarnation") == "1" || e.get("incarnation") == "0";
    mark.kind = first ? "start" : "restart";
    mark.label = first ? "start" : "restart";
  } else if (e.kind == "host.pause") {
    mark.kind = "pause";
    mark.label = "pause " + e.get("for");
    open_pause_[host] = m_.marks.size();
  } else if (e.kind == "host.resume") {
    auto open = open_pause_.find(host);
    if (open != open_pause_.end()) {
      m_.marks[open->second].end_ns = e.t_ns;
      open_pause_.erase(open);
    }
    return;
  } else if (e.kind == "host.clock_jump") {
    mark.kind = "clock";
    mark.label = "clock jumps " + e.get("by");
  } else if (e.kind == "host.clock_drift") {
    mark.kind = "clock";
    mark.label = "clock drift " + e.get("ppm") + "ppm";
  } else if (e.kind.rfind("net.", 0) == 0) {
    return;  // connection bookkeeping: the arrows tell the story
  }
  m_.marks.push_back(std::move(mark));
}

void DiagramCollector::close_bands(std::int64_t t_ns) {
  for (const std::size_t b : open_bands_) m_.bands[b].end_ns = t_ns;
  open_bands_.clear();
}

void DiagramCollector::on_sim_event(const DiagramEvent& e) {
  if (e.kind == "check.witness") return on_witness(e);
  if (e.kind == "check.moment") {
    m_.moment_ns = to_i64(e.get("at_ns"));
    m_.ticks.push_back(DiagramTick{m_.moment_ns, "the moment (" + e.get("check") + ")", ""});
    return;
  }
  if (e.note) return;
  if (e.kind == "run.start") {
    m_.scenario = e.get("scenario");
    m_.seed = e.get("seed");
  } else if (e.kind == "fault") {
    std::string label = without_time(e.get("event"));
    if (!e.get("target").empty()) label += " (" + e.get("target") + ")";
    fault_times_.push_back(e.t_ns);
    m_.ticks.push_back(DiagramTick{e.t_ns, label, e.line});
    if (label.rfind("partition", 0) == 0) {
      open_bands_.push_back(m_.bands.size());
      m_.bands.push_back(DiagramBand{e.t_ns, e.t_ns, label, e.line});
    } else if (label.rfind("heal", 0) == 0) {
      close_bands(e.t_ns);
    }
  } else if (e.kind == "heal_all") {
    close_bands(e.t_ns);
    m_.ticks.push_back(DiagramTick{e.t_ns, "heal all (liveness phase)", e.line});
  } else if (e.kind == "fail") {
    m_.verdict = e.get("verdict");
    m_.message = e.get("message");
    m_.fail_ns = e.t_ns;
    m_.ticks.push_back(DiagramTick{e.t_ns, "FAIL: " + m_.verdict, e.line});
  } else if (e.kind == "run.end") {
    if (m_.fail_ns < 0) m_.verdict = e.get("verdict");
  } else if (e.kind.rfind("fault.", 0) == 0) {
    m_.ticks.push_back(DiagramTick{e.t_ns, e.kind, e.line});
  }
}

void DiagramCollector::on_op_note(const DiagramEvent& e, int host) {
  const std::pair key{to_i64(e.get("process")), to_i64(e.get("call_ns"))};
  if (e.kind == "op.call") {
    DiagramOp op;
    op.host = host;
    op.process = key.first;
    op.call_ns = e.t_ns;
    op.f = e.get("f");
    op.input = e.get("input");
    by_op_[key] = m_.ops.size();
    m_.ops.push_back(std::move(op));
    return;
  }
  auto it = by_op_.find(key);
  if (it == by_op_.end()) return;
  DiagramOp& op = m_.ops[it->second];
  op.return_ns = e.t_ns;
  op.status = e.get("status");
  op.output = e.get("output");
}

void DiagramCollector::on_witness(const DiagramEvent& e) {
  for (const auto& key : op_names(e.get("linearized"))) {
    if (auto it = by_op_.find(key); it != by_op_.end()) m_.ops[it->second].witness = true;
  }
  const auto stuck = op_names(e.get("stuck"));
  for (const auto& key : stuck) {
    if (auto it = by_op_.find(key); it != by_op_.end()) m_.ops[it->second].stuck = true;
  }
  if (!first_stuck_ && !stuck.empty()) {
    first_stuck_ = stuck.front();
    if (auto it = by_op_.find(stuck.front()); it != by_op_.end()) m_.ops[it->second].first_violation = true;
  }
}

void DiagramCollector::choose_focus(DiagramModel& m) const {
  constexpr std::int64_t kSecond = 1'000'000'000;
  std::int64_t start = 0;
  std::int64_t end = m.end_ns;
  if (m.fail_ns >= 0) {
    // Around the first violating op if the checker named one, else the
    // moment the failing check named (two seconds either side: what led to
    // it and what followed), else the failure.
    std::int64_t at = m.fail_ns;
    for (const DiagramOp& op : m.ops) {
      if (op.first_violation) at = op.call_ns;
    }
    start = at - 2 * kSecond;
    end = at + kSecond;
    if (at == m.fail_ns && m.moment_ns >= 0) {
      start = m.moment_ns - 2 * kSecond;
      end = m.moment_ns + 2 * kSecond;
    }
  } else if (!fault_times_.empty()) {
    // The last faults before the end: up to three, at most 5 s of them.
    const std::int64_t last = fault_times_.back();
    const std::int64_t third = fault_times_[fault_times_.size() >= 3 ? fault_times_.size() - 3 : 0];
    start = std::max(third, last - 5 * kSecond) - kSecond / 2;
    end = last + 2 * kSecond;
  }
  m.focus_start_ns = std::clamp<std::int64_t>(start, 0, m.end_ns);
  m.focus_end_ns = std::clamp<std::int64_t>(end, m.focus_start_ns, m.end_ns);
  if (m.focus_end_ns == m.focus_start_ns) {
    m.focus_start_ns = 0;
    m.focus_end_ns = m.end_ns;
  }
}

DiagramModel DiagramCollector::finish() {
  DiagramModel m = std::move(m_);
  m.end_ns = last_ns_;
  for (const std::size_t b : open_bands_) m.bands[b].end_ns = last_ns_;
  for (const auto& [host, mark] : open_pause_) m.marks[mark].end_ns = last_ns_;
  for (DiagramMessage& msg : m.messages) {
    if (msg.end == DiagramMessage::End::kInFlight) msg.end_ns = last_ns_;
  }
  // Reading order of the lifelines; every index is renumbered.
  std::vector<int> order(m.hosts.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = static_cast<int>(i);
  std::sort(order.begin(), order.end(), [&m](int a, int b) { return host_before(m.hosts[a], m.hosts[b]); });
  std::vector<int> new_index(m.hosts.size());
  std::vector<DiagramHost> hosts;
  for (std::size_t i = 0; i < order.size(); ++i) {
    new_index[order[i]] = static_cast<int>(i);
    hosts.push_back(m.hosts[order[i]]);
  }
  m.hosts = std::move(hosts);
  for (DiagramMessage& msg : m.messages) {
    msg.from = new_index[msg.from];
    msg.to = new_index[msg.to];
  }
  for (DiagramMark& mark : m.marks) mark.host = new_index[mark.host];
  for (DiagramOp& op : m.ops) op.host = new_index[op.host];
  std::stable_sort(m.messages.begin(), m.messages.end(), [](const DiagramMessage& a, const DiagramMessage& b) {
    return std::tie(a.send_ns, a.id) < std::tie(b.send_ns, b.id);
  });
  for (const DiagramMessage& msg : m.messages) m.kinds.push_back(msg.kind);
  std::sort(m.kinds.begin(), m.kinds.end());
  m.kinds.erase(std::unique(m.kinds.begin(), m.kinds.end()), m.kinds.end());
  choose_focus(m);
  m_ = DiagramModel{};
  return m;
}

}  // namespace zsim::tools::diagram
