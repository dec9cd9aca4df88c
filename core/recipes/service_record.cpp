#include "core/recipes/service_record.h"

#include "core/assert.h"

#include <fmt/format.h>

#include <charconv>
#include <set>

namespace zsim::core::recipes {

namespace {

constexpr std::string_view kPrefix = "service-record/";

bool plain(std::string_view s) { return s.find_first_of(";=") == std::string_view::npos; }

}  // namespace

std::string encode_service_record(const ServiceRecord& r) {
  ZSIM_ASSERT(!r.address.empty() && plain(r.address) && plain(r.zone));
  std::string out = fmt::format("{}{};address={}", kPrefix, kServiceRecordMajor, r.address);
  if (!r.zone.empty()) out += fmt::format(";zone={}", r.zone);
  return out;
}

std::variant<ServiceRecord, std::string> decode_service_record(std::string_view data) {
  const std::size_t end = std::min(data.find(';'), data.size());
  const std::string_view head = data.substr(0, end);
  if (!head.starts_with(kPrefix)) return fmt::format("not a service record (no {} header)", kPrefix);
  const std::string_view digits = head.substr(kPrefix.size());
  int major = 0;
  const auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), major);
  if (ec != std::errc{} || ptr != digits.data() + digits.size() || major <= 0) {
    return fmt::format("bad version \"{}\"", digits);
  }
  if (major != kServiceRecordMajor) {
    return fmt::format("written in format {}, this reader knows format {}", major, kServiceRecordMajor);
  }
  ServiceRecord r;
  std::set<std::string_view> seen;
  std::size_t at = end;
  while (at < data.size()) {
    const std::size_t next = std::min(data.find(';', at + 1), data.size());
    const std::string_view pair = data.substr(at + 1, next - at - 1);
    at = next;
    const std::size_t eq = pair.find('=');
    if (eq == std::string_view::npos || eq == 0) return fmt::format("bad field \"{}\"", pair);
    const std::string_view key = pair.substr(0, eq);
    const std::string_view value = pair.substr(eq + 1);
    if (!seen.insert(key).second) return fmt::format("field {} given twice", key);
    if (key == "address") {
      r.address = std::string(value);
    } else if (key == "zone") {
      r.zone = std::string(value);
    }  // any other key: a newer writer's field, ignored
  }
  if (r.address.empty()) return std::string("no address");
  return r;
}

}  // namespace zsim::core::recipes
