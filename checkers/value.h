// Value: the data carried by history operations (inputs and outputs), with an
// EDN reader and printer.
//
// Histories come from other tools (Jepsen, Knossos) whose values are EDN:
// nil, booleans, integers, strings, keywords, vectors, lists, maps and sets.
// Value holds any of those, so importers do not need to know the model.
// Models interpret values; the checker compares them by their canonical EDN
// text (maps and sets print their entries sorted), so equality never depends
// on the order a tool happened to print a map in.
//
// Parsing never throws and never crashes on bad input: it returns a
// ParseError with the 1-based line and column of the problem. Nesting is
// limited (kMaxDepth) so hostile input cannot overflow the stack, and
// discarded forms (#_) are skipped in a loop, so a long chain of them cannot
// either; nested discards (#_ #_ x y) count as nesting. EDN is UTF-8 text:
// strings, keywords and symbols with bytes that are not well-formed UTF-8
// are errors (a history must write out as JSON). Messages quote input text
// escaped and cut short (checkers/quote.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace zsim::checkers {

struct Value {
  enum class Kind : std::uint8_t {
    nil, boolean, integer, real, string, keyword, symbol, vector, map, set
  };
  Kind kind = Kind::nil;
  bool boolean = false;
  std::int64_t integer = 0;
  // string, keyword and symbol text (keywords without the leading ':'),
  // and the literal text of a real number.
  std::string text;
  // vector/set elements; for maps, keys and values alternate.
  std::vector<Value> items;

  static Value nil() { return {}; }
  static Value of_bool(bool b);
  static Value of_int(std::int64_t i);
  static Value of_string(std::string s);
  static Value of_keyword(std::string k);
  static Value of_vector(std::vector<Value> v);
  // Entries are (key, value) pairs flattened: k0, v0, k1, v1, ...
  static Value of_map(std::vector<Value> flat);

  bool is_nil() const { return kind == Kind::nil; }
  bool is_int() const { return kind == Kind::integer; }
  // Strings and keywords both name things (":x" and "x"); models treat them
  // alike so a JSON history and an EDN history of the same run agree.
  bool is_name() const {
    return kind == Kind::string || kind == Kind::keyword ||
           kind == Kind::symbol;
  }
  bool is_sequence() const {
    return kind == Kind::vector || kind == Kind::set;
  }
  // For maps: the value under a key given by name (string or keyword), or
  // nullptr when absent.
  const Value* get(std::string_view name) const;
  std::size_t map_size() const { return items.size() / 2; }

  friend bool operator==(const Value& a, const Value& b);
};

// The canonical EDN text of a value: maps and sets print sorted, strings
// escaped. Equal values have equal canonical text and vice versa.
std::string to_edn(const Value& v);

// Like to_edn, but keywords and symbols print as strings, so :x and "x" get
// the same text. Models intern values by this text (see is_name).
std::string to_model_text(const Value& v);

// A short human form for reports: like to_edn, but long values are elided.
std::string to_short_text(const Value& v, std::size_t max_chars = 60);

// The byte offset of the first byte of `text` that is not part of a
// well-formed UTF-8 sequence (overlong forms, surrogates and code points
// above U+10FFFF are ill-formed), or nullopt if all of it is well formed.
std::optional<std::size_t> first_invalid_utf8(std::string_view text);

struct ParseError {
  int line = 0;    // 1-based
  int column = 0;  // 1-based
  std::string message;
  std::string to_string(std::string_view file) const;
};

// A cursor over EDN text that yields one top-level value at a time. Used by
// the Knossos importer, which needs positions of maps inside a vector.
class EdnReader {
 public:
  static constexpr int kMaxDepth = 64;

  explicit EdnReader(std::string_view text) : text_(text) {}

  // Skips whitespace, commas and ';' comments.
  void skip_blank();
  bool at_end();
  int line() const { return line_; }
  int column() const { return column_; }
  char peek() const { return pos_ < text_.size() ? text_[pos_] : '\0'; }
  void advance();  // REQUIRES: !at_end()

  // Reads one value; on failure returns nullopt and fills *error.
  std::optional<Value> read(ParseError* error);

  // Skips blanks and discarded forms (#_ value), iteratively; false with
  // *error filled when a discarded form is malformed. `depth` is the
  // nesting of the surrounding collection (0 at top level).
  bool skip_ignored(int depth, ParseError* error);

 private:
  std::optional<Value> read_value(int depth, ParseError* error);
  std::optional<Value> read_string(ParseError* error);
  bool read_escape(std::string* s, ParseError* error);
  bool read_unicode_escape(std::string* s, ParseError* error);
  std::optional<Value> read_collection(char close, Value::Kind kind,
                                       int depth, ParseError* error);
  std::optional<Value> read_atom(ParseError* error);
  bool fail(ParseError* error, std::string message) const;

  std::string_view text_;
  std::size_t pos_ = 0;
  int line_ = 1;
  int column_ = 1;
};

// Parses exactly one EDN value (surrounding blanks allowed).
std::optional<Value> parse_edn(std::string_view text, ParseError* error);

}  // namespace zsim::checkers
