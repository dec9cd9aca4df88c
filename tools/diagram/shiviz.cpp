#include "tools/diagram/shiviz.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>

namespace zsim::tools::diagram {
namespace {

std::uint64_t to_u64(const std::string& s) {
  std::uint64_t v = 0;
  std::from_chars(s.data(), s.data() + s.size(), v);
  return v;
}

bool plain(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c > 0x20 && c < 0x7f && c != '"' && c != '='; });
}

}  // namespace

std::string ShivizLog::header() { return "(?<event>.*)\\n(?<host>\\S*) (?<clock>{.*})\n\n"; }

std::string ShivizLog::clock_json(const Clock& c) {
  nlohmann::ordered_json j = nlohmann::ordered_json::object();
  for (const auto& [host, n] : c) j[host] = n;  // std::map: hosts in name order
  return j.dump();
}

std::string ShivizLog::on_event(const DiagramEvent& e) {
  if (e.note) return "";
  Clock& mine = clocks_[e.host];
  std::uint64_t msg = 0;
  for (const auto& [key, v] : e.extras) {
    if (key == "msg") msg = to_u64(v);
  }
  if (e.kind == "net.deliver" && msg != 0) {
    auto sent = in_flight_.find(msg);
    if (sent != in_flight_.end()) {
      for (const auto& [host, n] : sent->second) mine[host] = std::max(mine[host], n);
      in_flight_.erase(sent);
    }
  }
  ++mine[e.host];
  if ((e.kind == "net.send" || e.kind == "net.dup") && msg != 0) in_flight_[msg] = mine;
  if (e.kind == "net.drop" && msg != 0) in_flight_.erase(msg);
  std::string line = e.line;
  // The extras (after the trace's own fields) name the message for readers.
  if (msg != 0) {
    for (const auto& [key, v] : e.extras) {
      if (v.empty()) continue;
      line += " " + key + "=" + (plain(v) ? v : nlohmann::json(v).dump());
    }
  }
  return line + "\n" + e.host + " " + clock_json(mine) + "\n";
}

}  // namespace zsim::tools::diagram
