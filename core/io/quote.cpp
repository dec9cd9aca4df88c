#include "core/io/quote.h"

namespace zsim {
namespace {

// The escaped form of one byte.
std::string escape_byte(unsigned char c) {
  static constexpr char kHex[] = "0123456789abcdef";
  switch (c) {
    case '\\': return "\\\\";
    case '\'': return "\\'";
    case '\n': return "\\n";
    case '\r': return "\\r";
    case '\t': return "\\t";
    default: break;
  }
  if (c < 0x20 || c >= 0x7f) return {'\\', 'x', kHex[c >> 4], kHex[c & 0xf]};
  return std::string(1, static_cast<char>(c));
}

}  // namespace

std::string quote_input(std::string_view text, std::size_t max_chars) {
  std::string out = "'";
  std::size_t shown = 0;  // input bytes shown so far
  for (const char ch : text) {
    const std::string e = escape_byte(static_cast<unsigned char>(ch));
    if (out.size() - 1 + e.size() > max_chars) break;
    out += e;
    ++shown;
  }
  out += '\'';
  if (shown < text.size()) out += "... (" + std::to_string(text.size()) + " bytes)";
  return out;
}

}  // namespace zsim
