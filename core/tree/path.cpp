#include "core/tree/path.h"

#include <cstdint>
#include <optional>

#include <fmt/format.h>

namespace zsim::core {
namespace {

constexpr char32_t kReplacement = 0xFFFD;

// Decodes one UTF-8 code point at `*pos`, advancing it. Malformed input
// (bad lead byte, bad continuation, overlong form, surrogate) yields U+FFFD
// and advances one byte.
char32_t next_code_point(std::string_view s, size_t* pos) {
  const auto byte = [&](size_t i) { return static_cast<uint8_t>(s[i]); };
  const uint8_t lead = byte(*pos);
  size_t len = 0;
  char32_t cp = 0;
  char32_t min = 0;
  if (lead < 0x80) {
    *pos += 1;
    return lead;
  } else if ((lead & 0xE0) == 0xC0) {
    len = 2, cp = lead & 0x1F, min = 0x80;
  } else if ((lead & 0xF0) == 0xE0) {
    len = 3, cp = lead & 0x0F, min = 0x800;
  } else if ((lead & 0xF8) == 0xF0) {
    len = 4, cp = lead & 0x07, min = 0x10000;
  } else {
    *pos += 1;
    return kReplacement;
  }
  if (s.size() - *pos < len) {
    *pos += 1;
    return kReplacement;
  }
  for (size_t i = 1; i < len; ++i) {
    const uint8_t c = byte(*pos + i);
    if ((c & 0xC0) != 0x80) {
      *pos += 1;
      return kReplacement;
    }
    cp = (cp << 6) | (c & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
    *pos += 1;
    return kReplacement;
  }
  *pos += len;
  return cp;
}

bool is_forbidden(char32_t c) {
  return (c > 0x00 && c <= 0x1F) || (c >= 0x7F && c <= 0x9F) ||
         (c >= 0xD800 && c <= 0xF8FF) || (c >= 0xFFF0) /* incl. non-BMP */;
}

// The reason the path (which starts with '/', is longer than "/" and does
// not end with '/') is invalid, or nothing. Mirrors PathUtils' scan, which
// looks at each character with the one before it and, for '.', the next.
std::optional<std::string> scan_components(std::string_view path) {
  std::u32string cps;
  for (size_t pos = 0; pos < path.size();) {
    cps.push_back(next_code_point(path, &pos));
  }
  for (size_t i = 1; i < cps.size(); ++i) {
    const char32_t c = cps[i];
    const char32_t last = cps[i - 1];
    const bool ends_component = i + 1 == cps.size() || cps[i + 1] == U'/';
    if (c == 0) {
      return fmt::format("null character not allowed @{}", i);
    } else if (c == U'/' && last == U'/') {
      return fmt::format("empty node name specified @{}", i);
    } else if (c == U'.' && last == U'.') {
      if (cps[i - 2] == U'/' && ends_component) {
        return fmt::format("relative paths not allowed @{}", i);
      }
    } else if (c == U'.') {
      if (last == U'/' && ends_component) {
        return fmt::format("relative paths not allowed @{}", i);
      }
    } else if (is_forbidden(c)) {
      return fmt::format("invalid character @{}", i);
    }
  }
  return std::nullopt;
}

}  // namespace

Status validate_path(std::string_view path) {
  if (path.empty()) {
    return Status(Code::BadArguments, "Path length must be > 0");
  }
  if (path.front() != '/') {
    return Status(Code::BadArguments, "Path must start with / character");
  }
  if (path.size() == 1) {
    return Status();
  }
  if (path.back() == '/') {
    return Status(Code::BadArguments, "Path must not end with / character");
  }
  if (auto reason = scan_components(path)) {
    return Status(Code::BadArguments,
                  fmt::format("Invalid path string \"{}\" caused by {}", path, *reason));
  }
  return Status();
}

Status validate_path(std::string_view path, bool sequential) {
  if (!sequential) {
    return validate_path(path);
  }
  return validate_path(std::string(path) + "1");
}

std::string_view parent_path(std::string_view path) {
  ZSIM_ASSERT(path.size() > 1);
  ZSIM_ASSERT(path.front() == '/');
  const size_t slash = path.rfind('/');
  return slash == 0 ? kRootPath : path.substr(0, slash);
}

std::string_view base_name(std::string_view path) {
  ZSIM_ASSERT(path.size() > 1);
  ZSIM_ASSERT(path.front() == '/');
  return path.substr(path.rfind('/') + 1);
}

std::string child_path(std::string_view parent, std::string_view name) {
  std::string out(parent);
  if (out.size() != 1) {
    out += '/';
  }
  out += name;
  return out;
}

bool is_protected_path(std::string_view path) {
  return path == kRootPath || path == kZookeeperPath || path == kQuotaPath ||
         path == kConfigPath;
}

bool is_same_or_under(std::string_view path, std::string_view ancestor) {
  if (ancestor == kRootPath) {
    return !path.empty() && path.front() == '/';
  }
  if (path.size() < ancestor.size() || path.substr(0, ancestor.size()) != ancestor) {
    return false;
  }
  return path.size() == ancestor.size() || path[ancestor.size()] == '/';
}

}  // namespace zsim::core
