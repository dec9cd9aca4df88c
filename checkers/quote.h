// Quoting text that came from outside (a history file, the command line)
// into a one-line message, safely: a 10 MB line must not become a 10 MB
// message, an ESC sequence must not reach the terminal, and a NUL, a BOM or
// a stray control byte must be visible (`unknown host 's1\x00'`, not
// `unknown host 's1'`).
//
// escape_input() keeps printable ASCII as it is and writes everything else as an
// escape: \n \t \r, \\ for a backslash, \xNN for any other control byte and
// for every byte >= 0x80 (so non-ASCII text shows as its UTF-8 bytes). Text
// longer than max_chars escaped characters is cut there and ends with "...",
// followed by its full length in bytes. Checkers stand alone (no core/ or
// sim/ headers), so this helper lives here.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace zsim::checkers {

constexpr std::size_t kQuotedCharsMax = 80;

// The escaped text, cut to about max_chars characters (see above).
std::string escape_input(std::string_view text, std::size_t max_chars = kQuotedCharsMax);

// escape_input() between single quotes: 'abc', or 'abc...' (12345 bytes).
std::string quote_input(std::string_view text, std::size_t max_chars = kQuotedCharsMax);

// Escapes only control bytes and bytes >= 0x80 (not backslashes), for text
// that is already in an escaped syntax such as printed EDN.
std::string escape_unprintable(std::string_view text);

}  // namespace zsim::checkers
