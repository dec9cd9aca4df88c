#include "checkers/value.h"

#include <fmt/core.h>

#include <algorithm>
#include <cctype>
#include <charconv>

#include "checkers/check_assert.h"
#include "checkers/quote.h"

namespace zsim::checkers {

Value Value::of_bool(bool b) {
  Value v;
  v.kind = Kind::boolean;
  v.boolean = b;
  return v;
}

Value Value::of_int(std::int64_t i) {
  Value v;
  v.kind = Kind::integer;
  v.integer = i;
  return v;
}

Value Value::of_string(std::string s) {
  Value v;
  v.kind = Kind::string;
  v.text = std::move(s);
  return v;
}

Value Value::of_keyword(std::string k) {
  Value v;
  v.kind = Kind::keyword;
  v.text = std::move(k);
  return v;
}

Value Value::of_vector(std::vector<Value> items) {
  Value v;
  v.kind = Kind::vector;
  v.items = std::move(items);
  return v;
}

Value Value::of_map(std::vector<Value> flat) {
  CHECKERS_ASSERT(flat.size() % 2 == 0);
  Value v;
  v.kind = Kind::map;
  v.items = std::move(flat);
  return v;
}

const Value* Value::get(std::string_view name) const {
  if (kind != Kind::map) return nullptr;
  for (std::size_t i = 0; i + 1 < items.size(); i += 2) {
    if (items[i].is_name() && items[i].text == name) return &items[i + 1];
  }
  return nullptr;
}

bool operator==(const Value& a, const Value& b) {
  return to_edn(a) == to_edn(b);
}

namespace {

void append_escaped(std::string* out, const std::string& s) {
  out->push_back('"');
  for (char c : s) {
    switch (c) {
      case '"': *out += "\\\""; break;
      case '\\': *out += "\\\\"; break;
      case '\n': *out += "\\n"; break;
      case '\t': *out += "\\t"; break;
      case '\r': *out += "\\r"; break;
      default: out->push_back(c);
    }
  }
  out->push_back('"');
}

void print(const Value& v, bool names_as_strings, std::string* out);

// Maps and sets print their entries sorted by text, so that the canonical
// form does not depend on the order they were written in.
void print_sorted(const Value& v, bool names_as_strings, std::string* out) {
  std::vector<std::string> parts;
  const std::size_t step = v.kind == Value::Kind::map ? 2 : 1;
  for (std::size_t i = 0; i < v.items.size(); i += step) {
    std::string part;
    print(v.items[i], names_as_strings, &part);
    if (step == 2) {
      part.push_back(' ');
      print(v.items[i + 1], names_as_strings, &part);
    }
    parts.push_back(std::move(part));
  }
  std::sort(parts.begin(), parts.end());
  *out += v.kind == Value::Kind::map ? "{" : "#{";
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) *out += ", ";
    *out += parts[i];
  }
  *out += "}";
}

void print(const Value& v, bool names_as_strings, std::string* out) {
  switch (v.kind) {
    case Value::Kind::nil: *out += "nil"; return;
    case Value::Kind::boolean: *out += v.boolean ? "true" : "false"; return;
    case Value::Kind::integer: *out += std::to_string(v.integer); return;
    case Value::Kind::real: *out += v.text; return;
    case Value::Kind::string: append_escaped(out, v.text); return;
    case Value::Kind::keyword:
    case Value::Kind::symbol:
      if (names_as_strings) {
        append_escaped(out, v.text);
      } else {
        if (v.kind == Value::Kind::keyword) out->push_back(':');
        *out += v.text;
      }
      return;
    case Value::Kind::vector:
      out->push_back('[');
      for (std::size_t i = 0; i < v.items.size(); ++i) {
        if (i > 0) out->push_back(' ');
        print(v.items[i], names_as_strings, out);
      }
      out->push_back(']');
      return;
    case Value::Kind::map:
    case Value::Kind::set:
      print_sorted(v, names_as_strings, out);
      return;
  }
  CHECKERS_ASSERT(false);
}

}  // namespace

std::string to_edn(const Value& v) {
  std::string out;
  print(v, false, &out);
  return out;
}

std::string to_model_text(const Value& v) {
  std::string out;
  print(v, true, &out);
  return out;
}

std::string to_short_text(const Value& v, std::size_t max_chars) {
  std::string s = escape_unprintable(to_edn(v));
  if (s.size() > max_chars && max_chars > 3) {
    s.resize(max_chars - 3);
    s += "...";
  }
  return s;
}

std::string ParseError::to_string(std::string_view file) const {
  return fmt::format("{}:{}:{}: {}", file, line, column, message);
}

namespace {

// The length of the well-formed UTF-8 sequence starting at text[pos], or 0
// if the bytes there are not one (Unicode 15, table 3-7).
std::size_t utf8_sequence_length(std::string_view text, std::size_t pos) {
  const auto byte = [&](std::size_t i) {
    return pos + i < text.size() ? static_cast<unsigned char>(text[pos + i]) : 0u;
  };
  const unsigned b0 = byte(0);
  if (b0 < 0x80) return 1;
  const auto cont = [&](std::size_t i, unsigned lo = 0x80, unsigned hi = 0xBF) {
    return byte(i) >= lo && byte(i) <= hi;
  };
  if (b0 >= 0xC2 && b0 <= 0xDF) return cont(1) ? 2 : 0;
  if (b0 >= 0xE0 && b0 <= 0xEF) {
    const unsigned lo = b0 == 0xE0 ? 0xA0 : 0x80;  // no overlong forms
    const unsigned hi = b0 == 0xED ? 0x9F : 0xBF;  // no surrogates
    return cont(1, lo, hi) && cont(2) ? 3 : 0;
  }
  if (b0 >= 0xF0 && b0 <= 0xF4) {
    const unsigned lo = b0 == 0xF0 ? 0x90 : 0x80;  // no overlong forms
    const unsigned hi = b0 == 0xF4 ? 0x8F : 0xBF;  // nothing above U+10FFFF
    return cont(1, lo, hi) && cont(2) && cont(3) ? 4 : 0;
  }
  return 0;
}

}  // namespace

std::optional<std::size_t> first_invalid_utf8(std::string_view text) {
  std::size_t pos = 0;
  while (pos < text.size()) {
    const std::size_t n = utf8_sequence_length(text, pos);
    if (n == 0) return pos;
    pos += n;
  }
  return std::nullopt;
}

// ---------------------------------------------------------------- reader

void EdnReader::advance() {
  CHECKERS_ASSERT(pos_ < text_.size());
  if (text_[pos_] == '\n') {
    ++line_;
    column_ = 1;
  } else {
    ++column_;
  }
  ++pos_;
}

void EdnReader::skip_blank() {
  while (pos_ < text_.size()) {
    const char c = text_[pos_];
    if (c == ';') {
      while (pos_ < text_.size() && text_[pos_] != '\n') advance();
    } else if (c == ',' || std::isspace(static_cast<unsigned char>(c))) {
      advance();
    } else {
      return;
    }
  }
}

bool EdnReader::at_end() {
  skip_blank();
  return pos_ >= text_.size();
}

bool EdnReader::fail(ParseError* error, std::string message) const {
  error->line = line_;
  error->column = column_;
  error->message = std::move(message);
  return false;
}

std::optional<Value> EdnReader::read(ParseError* error) {
  return read_value(0, error);
}

namespace {

bool is_delimiter(char c) {
  return c == '\0' || c == ',' || c == ';' || c == '(' || c == ')' ||
         c == '[' || c == ']' || c == '{' || c == '}' || c == '"' ||
         std::isspace(static_cast<unsigned char>(c));
}

// A byte of the input, for messages (never the end of input: callers
// check that first).
std::string describe_char(char c) {
  if (c == '\0') return "NUL byte (0x00)";
  if (std::isprint(static_cast<unsigned char>(c))) {
    return fmt::format("'{}'", c);
  }
  return fmt::format("byte 0x{:02x}", static_cast<unsigned char>(c));
}

}  // namespace

bool EdnReader::skip_ignored(int depth, ParseError* error) {
  // A loop, not recursion, so a long chain of discards costs no stack; a
  // discarded value is read at depth + 1, so nested discards (#_ #_ #_ ...)
  // count against kMaxDepth like any nesting.
  while (true) {
    skip_blank();
    if (peek() != '#' || pos_ + 1 >= text_.size() || text_[pos_ + 1] != '_') return true;
    advance();
    advance();
    if (!read_value(depth + 1, error)) return false;
  }
}

std::optional<Value> EdnReader::read_value(int depth, ParseError* error) {
  if (depth > kMaxDepth) {
    skip_blank();
    fail(error, fmt::format("values nested deeper than {} levels", kMaxDepth));
    return std::nullopt;
  }
  if (!skip_ignored(depth, error)) return std::nullopt;
  if (pos_ >= text_.size()) {
    fail(error, "unexpected end of input, expected a value");
    return std::nullopt;
  }
  const char c = peek();
  if (c == '"') return read_string(error);
  if (c == '[') {
    advance();
    return read_collection(']', Value::Kind::vector, depth, error);
  }
  if (c == '(') {
    advance();
    return read_collection(')', Value::Kind::vector, depth, error);
  }
  if (c == '{') {
    advance();
    return read_collection('}', Value::Kind::map, depth, error);
  }
  if (c == '#') {
    advance();
    if (peek() == '{' && pos_ < text_.size()) {
      advance();
      return read_collection('}', Value::Kind::set, depth, error);
    }
    // A tagged literal (#inst "..."): keep the value, drop the tag.
    auto tag = read_atom(error);
    if (!tag) return std::nullopt;
    return read_value(depth + 1, error);
  }
  if (c == ')' || c == ']' || c == '}' || c == '\0') {
    fail(error, fmt::format("unexpected {}", describe_char(c)));
    return std::nullopt;
  }
  return read_atom(error);
}

std::optional<Value> EdnReader::read_string(ParseError* error) {
  const int open_line = line_;
  const int open_column = column_;
  advance();  // opening quote
  std::string s;
  while (true) {
    const char c = peek();
    if (pos_ >= text_.size()) {
      fail(error, fmt::format("unterminated string: the string opened at line {}, column {} "
                              "has no closing '\"'",
                              open_line, open_column));
      return std::nullopt;
    }
    if (c == '"') {
      advance();
      return Value::of_string(std::move(s));
    }
    if (c == '\\') {
      advance();
      if (pos_ >= text_.size()) {
        fail(error, "unterminated string: the input ends after a backslash");
        return std::nullopt;
      }
      if (!read_escape(&s, error)) return std::nullopt;
      continue;
    }
    const std::size_t n = utf8_sequence_length(text_, pos_);
    if (n == 0) {
      fail(error, fmt::format("{} in string is not UTF-8 (EDN is UTF-8 text)",
                              describe_char(c)));
      return std::nullopt;
    }
    for (std::size_t i = 0; i < n; ++i) {
      s.push_back(peek());
      advance();
    }
  }
}

// After a backslash in a string: \n \t \r \b \f \" \\ and \uXXXX (written
// as UTF-8).
bool EdnReader::read_escape(std::string* s, ParseError* error) {
  const char e = peek();
  switch (e) {
    case 'n': s->push_back('\n'); break;
    case 't': s->push_back('\t'); break;
    case 'r': s->push_back('\r'); break;
    case 'b': s->push_back('\b'); break;
    case 'f': s->push_back('\f'); break;
    case '"': s->push_back('"'); break;
    case '\\': s->push_back('\\'); break;
    case 'u': return read_unicode_escape(s, error);
    default:
      return fail(error, fmt::format("unknown escape \\{} in a string (known: \\n \\t \\r "
                                     "\\b \\f \\\" \\\\ \\uXXXX)",
                                     describe_char(e)));
  }
  advance();
  return true;
}

bool EdnReader::read_unicode_escape(std::string* s, ParseError* error) {
  advance();  // the 'u'
  std::uint32_t code = 0;
  for (int i = 0; i < 4; ++i) {
    const char h = pos_ < text_.size() ? text_[pos_] : '\0';
    if (!std::isxdigit(static_cast<unsigned char>(h)) || pos_ >= text_.size()) {
      return fail(error, "\\u must be followed by 4 hex digits");
    }
    code = code * 16 + static_cast<std::uint32_t>(
                           std::isdigit(static_cast<unsigned char>(h))
                               ? h - '0'
                               : std::tolower(static_cast<unsigned char>(h)) - 'a' + 10);
    advance();
  }
  if (code < 0x80) {
    s->push_back(static_cast<char>(code));
  } else if (code < 0x800) {
    s->push_back(static_cast<char>(0xc0 | (code >> 6)));
    s->push_back(static_cast<char>(0x80 | (code & 0x3f)));
  } else {
    s->push_back(static_cast<char>(0xe0 | (code >> 12)));
    s->push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3f)));
    s->push_back(static_cast<char>(0x80 | (code & 0x3f)));
  }
  return true;
}

std::optional<Value> EdnReader::read_collection(char close, Value::Kind kind,
                                                int depth, ParseError* error) {
  const int open_line = line_;
  const int open_column = column_ - 1;
  Value v;
  v.kind = kind;
  while (true) {
    if (!skip_ignored(depth + 1, error)) return std::nullopt;
    if (pos_ >= text_.size()) {
      fail(error, fmt::format("unclosed collection opened at line {}, "
                              "column {}: expected '{}'",
                              open_line, open_column, close));
      return std::nullopt;
    }
    if (peek() == close) {
      advance();
      break;
    }
    auto item = read_value(depth + 1, error);
    if (!item) return std::nullopt;
    v.items.push_back(std::move(*item));
  }
  if (kind == Value::Kind::map && v.items.size() % 2 != 0) {
    fail(error, fmt::format("map opened at line {}, column {} has a key "
                            "without a value",
                            open_line, open_column));
    return std::nullopt;
  }
  return v;
}

std::optional<Value> EdnReader::read_atom(ParseError* error) {
  const int start_line = line_;
  const int start_column = column_;
  const std::size_t start = pos_;
  while (pos_ < text_.size() && !is_delimiter(text_[pos_])) advance();
  const std::string_view word = text_.substr(start, pos_ - start);
  auto fail_at_start = [&](std::string message) {
    error->line = start_line;
    error->column = start_column;
    error->message = std::move(message);
    return std::nullopt;
  };
  if (word.empty()) {
    if (pos_ >= text_.size()) return fail_at_start("unexpected end of input");
    return fail_at_start(fmt::format("unexpected {}", describe_char(peek())));
  }
  if (auto bad = first_invalid_utf8(word)) {
    // Columns count bytes, so the bad byte is `*bad` columns in.
    error->line = start_line;
    error->column = start_column + static_cast<int>(*bad);
    error->message = fmt::format("{} is not UTF-8 (EDN is UTF-8 text)",
                                 describe_char(word[*bad]));
    return std::nullopt;
  }
  if (word == "nil") return Value::nil();
  if (word == "true") return Value::of_bool(true);
  if (word == "false") return Value::of_bool(false);
  if (word[0] == ':') {
    if (word.size() == 1) return fail_at_start("empty keyword ':'");
    return Value::of_keyword(std::string(word.substr(1)));
  }
  if (word[0] == '\\') {  // a character literal, kept as a one-char string
    if (word.size() < 2) return fail_at_start("empty character literal");
    return Value::of_string(std::string(word.substr(1)));
  }
  const bool numeric =
      std::isdigit(static_cast<unsigned char>(word[0])) ||
      ((word[0] == '-' || word[0] == '+') && word.size() > 1 &&
       std::isdigit(static_cast<unsigned char>(word[1])));
  if (!numeric) {
    Value v;
    v.kind = Value::Kind::symbol;
    v.text = std::string(word);
    return v;
  }
  std::string_view digits = word;
  if (digits[0] == '+') digits.remove_prefix(1);
  if (digits.back() == 'N') digits.remove_suffix(1);  // bigint suffix
  std::int64_t n = 0;
  auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
  if (ec == std::errc() && ptr == digits.data() + digits.size()) {
    return Value::of_int(n);
  }
  if (ec == std::errc::result_out_of_range) {
    return fail_at_start(fmt::format("integer {} out of range (64 bits)", quote_input(word)));
  }
  if (word.find_first_of(".eE") != std::string_view::npos) {
    Value v;
    v.kind = Value::Kind::real;
    v.text = std::string(word);
    return v;
  }
  return fail_at_start(fmt::format("malformed number {}", quote_input(word)));
}

std::optional<Value> parse_edn(std::string_view text, ParseError* error) {
  EdnReader reader(text);
  auto v = reader.read(error);
  if (!v) return std::nullopt;
  if (!reader.skip_ignored(0, error)) return std::nullopt;
  if (!reader.at_end()) {
    error->line = reader.line();
    error->column = reader.column();
    error->message = "unexpected text after the value";
    return std::nullopt;
  }
  return v;
}

}  // namespace zsim::checkers
