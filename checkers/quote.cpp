#include "checkers/quote.h"

#include <fmt/core.h>

namespace zsim::checkers {

namespace {

bool printable(unsigned char c) { return c >= 0x20 && c < 0x7f; }

// Appends c escaped; backslashes too when `backslash` is set.
void append_escaped_byte(std::string* out, unsigned char c, bool backslash) {
  switch (c) {
    case '\n': *out += "\\n"; return;
    case '\t': *out += "\\t"; return;
    case '\r': *out += "\\r"; return;
    case '\\':
      *out += backslash ? "\\\\" : "\\";
      return;
    default: break;
  }
  if (printable(c)) {
    out->push_back(static_cast<char>(c));
  } else {
    *out += fmt::format("\\x{:02x}", c);
  }
}

// The escaped form and whether it had to be cut.
std::string escape_cut(std::string_view text, std::size_t max_chars, bool* cut) {
  std::string out;
  *cut = false;
  for (char ch : text) {
    if (out.size() >= max_chars) {
      *cut = true;
      break;
    }
    append_escaped_byte(&out, static_cast<unsigned char>(ch), true);
  }
  return out;
}

}  // namespace

std::string escape_input(std::string_view text, std::size_t max_chars) {
  bool cut = false;
  std::string out = escape_cut(text, max_chars, &cut);
  if (cut) out += fmt::format("... ({} bytes)", text.size());
  return out;
}

std::string quote_input(std::string_view text, std::size_t max_chars) {
  bool cut = false;
  std::string out = "'" + escape_cut(text, max_chars, &cut);
  if (cut) return out + fmt::format("...' ({} bytes)", text.size());
  return out + "'";
}

std::string escape_unprintable(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (printable(c) || c == '\\') {
      out.push_back(ch);
    } else {
      append_escaped_byte(&out, c, false);
    }
  }
  return out;
}

}  // namespace zsim::checkers
