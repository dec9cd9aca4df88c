#include "core/recipes/sequence.h"

#include <algorithm>

namespace zsim::core::recipes {

namespace {
constexpr std::size_t kSuffixDigits = 10;
}  // namespace

std::optional<int64_t> sequence_of(std::string_view name) {
  if (name.size() < kSuffixDigits) return std::nullopt;
  int64_t v = 0;
  for (char c : name.substr(name.size() - kSuffixDigits)) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  return v;
}

std::vector<std::string> sorted_by_sequence(std::vector<std::string> children) {
  std::sort(children.begin(), children.end(), [](const std::string& a, const std::string& b) {
    const auto sa = sequence_of(a);
    const auto sb = sequence_of(b);
    if (sa && sb && *sa != *sb) return *sa < *sb;
    if (sa.has_value() != sb.has_value()) return sa.has_value();  // sequenced first
    return a < b;
  });
  return children;
}

std::string_view base_name(std::string_view path) {
  const std::size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

std::string child_path(std::string_view parent, std::string_view child) {
  std::string out(parent == "/" ? "" : parent);
  out += '/';
  out += child;
  return out;
}

}  // namespace zsim::core::recipes
