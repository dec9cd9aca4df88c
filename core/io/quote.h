// quote_input(): how a message shows bytes that came from outside (a file, a
// command line, a socket).
//
// Input can be anything: a 10 MB line, an ESC sequence that would clear the
// user's terminal, a NUL or a byte-order mark that prints as nothing. Every
// error message that repeats input goes through quote_input(), which shows at
// most `max_chars` characters between single quotes, escapes what a
// terminal would not show faithfully, and says how long the input really
// was when it cut it:
//
//   quote_input("s1")                  -> 's1'
//   quote_input("s1\0")                -> 's1\x00'
//   quote_input("\xef\xbb\xbfat")      -> '\xef\xbb\xbfat'
//   quote_input(10 MB of 'a')          -> 'aaaa...aaaa'... (10485760 bytes)
//
// Escapes: \\ \' \n \r \t, and \xHH for every other byte below 0x20, 0x7f
// and every byte from 0x80 (non-ASCII: a message is plain ASCII, so
// malformed UTF-8 cannot hide in it either). An escape is never cut in
// half. Pure and allocation-bounded: the result is at most about
// max_chars + 30 bytes, whatever the input.
//
// checkers/ keeps its own copy (it stands alone by design).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace zsim {

inline constexpr std::size_t kQuoteCharsMax = 80;

std::string quote_input(std::string_view text, std::size_t max_chars = kQuoteCharsMax);

}  // namespace zsim
