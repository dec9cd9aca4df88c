// Proves that hostile or broken history input never crashes a reader and is
// never silently misread: each case found by mutating histories (issue 13)
// is pinned here with the exact message it now gets.
//  - Crashes: a long chain of EDN discards (#_) used to recurse once per
//    discard and overflow the stack, in the EDN reader and in the Jepsen-log
//    reader (which shares the value reader); JSON numbers out of range
//    (1e309, a 400-digit integer) escaped as an uncaught exception.
//  - Misreads: JSON integers above 2^63 - 1 wrapped to negative numbers;
//    `[1 #_ 2]` (valid EDN) was rejected; an unfinished escape and a NUL byte
//    were reported as other problems.
//  - Messages: input text is quoted escaped and cut short (quote.h).
//  - Knossos `:ok :read nil` is read as a read of unknown result.
#include <gtest/gtest.h>

#include <string>

#include "checkers/history_io.h"
#include "checkers/quote.h"
#include "checkers/value.h"

namespace zsim::checkers {
namespace {

std::string repeat(const std::string& s, int n) {
  std::string out;
  out.reserve(s.size() * static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

std::string parse_error(std::string_view text) {
  ParseError e;
  auto v = parse_edn(text, &e);
  if (v) return "parsed: " + to_edn(*v);
  return e.to_string("<t>");
}

TEST(HostileEdn, LongDiscardChainsDoNotRecurse) {
  const std::string chain = "[" + repeat("#_ 1 ", 50000) + "]";
  ParseError e;
  auto v = parse_edn(chain, &e);
  ASSERT_TRUE(v) << e.message;
  EXPECT_EQ(to_edn(*v), "[]");
  // The same chain as a whole history: an empty one.
  LoadResult r = read_edn_history(chain);
  ASSERT_TRUE(r.history) << r.error.message;
  EXPECT_TRUE(r.history->ops.empty());
  // And between operations.
  r = read_edn_history("[{:process 0 :type :invoke :f :read}" + repeat(" #_ {:a 1}", 50000) +
                       " {:process 0 :type :ok :f :read :value 1}]");
  ASSERT_TRUE(r.history) << r.error.message;
  EXPECT_EQ(r.history->ops.size(), 1u);
}

TEST(HostileEdn, NestedDiscardsCountAsNesting) {
  EXPECT_EQ(parse_error(repeat("#_ ", 50000) + "1"),
            "<t>:1:196: values nested deeper than 64 levels");
  EXPECT_EQ(parse_error("#_ #_ 1 2 3"), "parsed: 3");
}

TEST(HostileEdn, JepsenLogValuesShareTheSafeReader) {
  const std::string line = "INFO jepsen.util - 1\t:invoke\t:write\t[" + repeat("#_ 1 ", 50000) + "2]\n";
  LoadResult r = read_jepsen_log(line);
  ASSERT_TRUE(r.history) << r.error.message;
  ASSERT_EQ(r.history->ops.size(), 1u);
  EXPECT_EQ(to_edn(r.history->ops[0].input), "[2]");
}

TEST(HostileEdn, DiscardsAnywhereAValueMayBe) {
  EXPECT_EQ(parse_error("[1 #_ 2]"), "parsed: [1]");
  EXPECT_EQ(parse_error("{:a #_ :b 1}"), "parsed: {:a 1}");
  EXPECT_EQ(parse_error("1 #_ 2"), "parsed: 1");
  EXPECT_EQ(parse_error("#_ 1"), "<t>:1:5: unexpected end of input, expected a value");
  EXPECT_EQ(parse_error("[#_]"), "<t>:1:4: unexpected ']'");
}

TEST(HostileEdn, TheRealProblemIsNamed) {
  EXPECT_EQ(parse_error("\"abc\\"), "<t>:1:6: unterminated string: the input ends after a backslash");
  EXPECT_EQ(parse_error("\"abc"),
            "<t>:1:5: unterminated string: the string opened at line 1, column 1 has no closing '\"'");
  EXPECT_EQ(parse_error(std::string("[1 \0 2]", 7)), "<t>:1:4: unexpected NUL byte (0x00)");
  ParseError nul;
  auto with_nul = parse_edn(std::string("\"a\0b\"", 5), &nul);
  ASSERT_TRUE(with_nul) << nul.message;  // inside a string a NUL is a character
  EXPECT_EQ(with_nul->text, std::string("a\0b", 3));
  EXPECT_EQ(parse_error("\"\\q\""),
            "<t>:1:3: unknown escape \\'q' in a string (known: \\n \\t \\r \\b \\f \\\" \\\\ \\uXXXX)");
  EXPECT_EQ(parse_error("\"\\u00e9\\u12\""), "<t>:1:12: \\u must be followed by 4 hex digits");
  ParseError e;
  auto v = parse_edn("\"\\u00e9\"", &e);
  ASSERT_TRUE(v);
  EXPECT_EQ(v->text, "\xc3\xa9");
}

TEST(HostileEdn, LongAndControlTextIsQuotedShort) {
  const std::string big = "99999999999999999999" + repeat("9", 100000);
  EXPECT_EQ(parse_error(big),
            "<t>:1:1: integer '" + repeat("9", 80) + "...' (100020 bytes) out of range (64 bits)");
  EXPECT_EQ(parse_error("12ab\x1b[2J"), "<t>:1:1: malformed number '12ab\\x1b'");
}

TEST(HostileJson, NumbersOutOfRangeAreBadInput) {
  const char* kMessage =
      "<t>:1:1: bad JSON: a number is out of range (integers must fit in 64 bits, other numbers in a "
      "double)";
  LoadResult r = read_jsonl_history(
      "{\"process\":1,\"f\":\"write\",\"input\":1e309,\"call\":0,\"return\":1,\"status\":\"ok\"}\n");
  ASSERT_FALSE(r.history);
  EXPECT_EQ(r.error.to_string("<t>"), kMessage);
  r = read_jsonl_history("{\"process\":1,\"f\":\"write\",\"input\":" + repeat("7", 400) +
                         ",\"call\":0,\"return\":1,\"status\":\"ok\"}\n");
  ASSERT_FALSE(r.history);
  EXPECT_EQ(r.error.to_string("<t>"), kMessage);
}

TEST(HostileJson, IntegersAbove2To63AreRejectedNotWrapped) {
  LoadResult r = read_jsonl_history(
      "{\"process\":1,\"f\":\"read\",\"call\":18446744073709551615,\"return\":1,\"status\":\"ok\"}\n");
  ASSERT_FALSE(r.history);
  EXPECT_EQ(r.error.to_string("<t>"),
            "<t>:1:1: \"call\" is out of range: 18446744073709551615 is above 9223372036854775807 "
            "(2^63 - 1)");
  r = read_jsonl_history(
      "{\"process\":9223372036854775808,\"f\":\"read\",\"call\":0,\"return\":1,\"status\":\"ok\"}\n");
  ASSERT_FALSE(r.history);
  EXPECT_EQ(r.error.message,
            "\"process\" is out of range: 9223372036854775808 is above 9223372036854775807 (2^63 - 1)");
  r = read_jsonl_history(
      "{\"process\":1,\"f\":\"write\",\"input\":18446744073709551615,\"call\":0,\"return\":1,"
      "\"status\":\"ok\"}\n");
  ASSERT_FALSE(r.history);
  EXPECT_EQ(r.error.message, "\"input\": integer out of range");
  r = read_jsonl_history(
      "{\"process\":9223372036854775807,\"f\":\"read\",\"call\":-5,\"return\":1,\"status\":\"ok\"}\n");
  ASSERT_TRUE(r.history) << r.error.message;
  EXPECT_EQ(r.history->ops[0].process, INT64_MAX);
}

TEST(HostileJson, InputTextInMessagesIsEscapedAndBounded) {
  LoadResult r = read_jsonl_history("{\"process\":1,\"f\":\"read\",\"call\":0,\"return\":1,\"status\":\"\\u001b[2J" +
                                    repeat("x", 10000) + "\"}\n");
  ASSERT_FALSE(r.history);
  EXPECT_EQ(r.error.message, "\"status\" must be ok, fail or info, not '\\x1b[2J" + repeat("x", 73) +
                                 "...' (10004 bytes)");
  // nlohmann's own message quotes what it read last: escaped and cut too.
  r = read_jsonl_history("{\"process\":\"" + repeat("y", 5000) + "\x01");
  ASSERT_FALSE(r.history);
  EXPECT_LT(r.error.message.size(), 260u) << r.error.message;
  EXPECT_EQ(r.error.message.find('\x01'), std::string::npos) << r.error.message;
}

TEST(Quote, EscapesAndCuts) {
  EXPECT_EQ(quote_input(std::string("s1\0", 3)), "'s1\\x00'");
  EXPECT_EQ(quote_input("\xef\xbb\xbfs1"), "'\\xef\\xbb\\xbfs1'");
  EXPECT_EQ(quote_input("a\\b\n"), "'a\\\\b\\n'");
  EXPECT_EQ(quote_input(repeat("z", 81)), "'" + repeat("z", 80) + "...' (81 bytes)");
  EXPECT_EQ(quote_input(repeat("z", 80)), "'" + repeat("z", 80) + "'");
  EXPECT_EQ(escape_input("tab\there", 4), "tab\\t... (8 bytes)");
  EXPECT_EQ(escape_unprintable("\"\\n\x07\xff\""), "\"\\n\\x07\\xff\"");
}

TEST(HostileHistory, MessagesQuoteFunctionNames) {
  LoadResult r = read_edn_history(
      "[{:process 0 :type :invoke :f :read}\n {:process 0 :type :ok :f :wr\x1bite}]");
  ASSERT_FALSE(r.history);
  EXPECT_EQ(r.error.to_string("<t>"), "<t>:2:2: process 0 completes wr\\x1bite but invoked read (line 1)");
}

// Knossos's register models accept any value for a read that completed
// with nil: the value was not recorded. The EDN importer makes it a read of
// unknown result; a Jepsen log reads it as a read of an absent register.
TEST(Dialects, KnossosOkReadNilIsAnUnknownRead) {
  LoadResult r = read_edn_history(
      "[{:process 0 :type :invoke :f :read :value nil}\n"
      " {:process 0 :type :ok :f :read :value nil}\n"
      " {:process 1 :type :invoke :f :read :value nil}\n"
      " {:process 1 :type :ok :f :read :value 3}]");
  ASSERT_TRUE(r.history) << r.error.message;
  ASSERT_EQ(r.history->ops.size(), 2u);
  EXPECT_EQ(r.history->ops[0].status, Status::info);
  EXPECT_EQ(r.history->ops[1].status, Status::ok);
  r = read_jepsen_log(
      "INFO jepsen.util - 0\t:invoke\t:read\tnil\n"
      "INFO jepsen.util - 0\t:ok\t:read\tnil\n");
  ASSERT_TRUE(r.history) << r.error.message;
  ASSERT_EQ(r.history->ops.size(), 1u);
  EXPECT_EQ(r.history->ops[0].status, Status::ok);
  EXPECT_TRUE(r.history->ops[0].output.is_nil());
}

}  // namespace
}  // namespace zsim::checkers
