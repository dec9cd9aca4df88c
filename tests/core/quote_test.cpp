// quote_input (core/io/quote.h): how every error message shows bytes that
// came from outside. It must be bounded whatever the input, show invisible
// and terminal-controlling bytes as escapes, never cut an escape in half,
// and say how long a cut input really was.
#include "core/io/quote.h"
#include "core/io/time.h"

#include <gtest/gtest.h>

namespace zsim {
namespace {

TEST(QuoteInput, PrintableAsciiIsShownAsIs) {
  EXPECT_EQ(quote_input("s1"), "'s1'");
  EXPECT_EQ(quote_input(""), "''");
  EXPECT_EQ(quote_input("a b-c_9"), "'a b-c_9'");
}

TEST(QuoteInput, InvisibleAndControlBytesAreEscaped) {
  EXPECT_EQ(quote_input(std::string("s1\0", 3)), "'s1\\x00'");
  EXPECT_EQ(quote_input("\xef\xbb\xbf" "at"), "'\\xef\\xbb\\xbfat'");  // a byte-order mark
  EXPECT_EQ(quote_input("\x1b[2J"), "'\\x1b[2J'");                    // "clear the screen"
  EXPECT_EQ(quote_input("a\nb\rc\td\x7f"), "'a\\nb\\rc\\td\\x7f'");
  EXPECT_EQ(quote_input("it's \\"), "'it\\'s \\\\'");
  EXPECT_EQ(quote_input("\xc3\xa9"), "'\\xc3\\xa9'");  // non-ASCII, even valid UTF-8
}

TEST(QuoteInput, LongInputIsCutAndItsLengthSaid) {
  const std::string ten_mb(10 * 1024 * 1024, 'a');
  const std::string q = quote_input(ten_mb);
  EXPECT_EQ(q, "'" + std::string(kQuoteCharsMax, 'a') + "'... (10485760 bytes)");
  EXPECT_EQ(quote_input("abcdef", 3), "'abc'... (6 bytes)");
  // Exactly the limit is not cut.
  EXPECT_EQ(quote_input(std::string(kQuoteCharsMax, 'b')), "'" + std::string(kQuoteCharsMax, 'b') + "'");
}

TEST(QuoteInput, AnEscapeIsNeverCutInHalf) {
  // Three characters of room: "ab" fits, the four-character escape does not.
  EXPECT_EQ(quote_input(std::string("ab\0", 3), 3), "'ab'... (3 bytes)");
  EXPECT_EQ(quote_input(std::string("ab\0", 3), 6), "'ab\\x00'");
  // Whatever the input, the result stays short.
  EXPECT_LE(quote_input(std::string(100000, '\x01')).size(), kQuoteCharsMax + 30);
}

TEST(InputBounds, ADayEitherWay) {
  EXPECT_TRUE(within_input_bounds(kInputDurationMax));
  EXPECT_TRUE(within_input_bounds(-kInputDurationMax));
  EXPECT_FALSE(within_input_bounds(kInputDurationMax + nanos(1)));
  EXPECT_FALSE(within_input_bounds(Duration::min()));
  EXPECT_FALSE(within_input_bounds(Duration::max()));
}

}  // namespace
}  // namespace zsim
