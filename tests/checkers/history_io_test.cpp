// Proves the history readers: JSON lines round-trip through the writer; the
// Knossos EDN and Jepsen-log importers read both dialects as documented
// (:fail, :info, timed-out reads, pending invocations, nemesis lines); and
// every malformed input gives an error with the right line and column,
// never a crash and never a history. Inputs found by the fuzz targets
// (fuzz/, docs/fuzzing.md) are pinned here: text that is not UTF-8 and
// numbers beyond a double.
#include <gtest/gtest.h>

#include "checkers/history_io.h"
#include "tests/checkers/test_histories.h"

namespace zsim::checkers {
namespace {

using namespace testing;

TEST(JsonLines, WriterAndReaderRoundTrip) {
  History h;
  h.ops.push_back(op(1, "write", I(3), I(3), 10, 20));
  h.ops.back().session = 77;
  h.ops.back().key = Value::of_keyword("x");
  h.ops.push_back(op(2, "cas", pair(3, 4), Value::of_bool(false), 15, 25));
  h.ops.push_back(op(3, "read", Value::nil(), Value::nil(), 30, 30, Status::info));
  h.ops.push_back(op(4, "put", Value::of_string(":colon"), Value::nil(), 31, 40, Status::fail));
  const std::string text = write_jsonl_history(h);
  LoadResult back = read_jsonl_history(text);
  ASSERT_TRUE(back.history) << back.error.message;
  EXPECT_EQ(write_jsonl_history(*back.history), text);
  EXPECT_EQ(back.history->ops[0].session, 77);
  EXPECT_EQ(to_edn(*back.history->ops[0].key), ":x");
  EXPECT_EQ(to_edn(back.history->ops[3].input), "\":colon\"");
  EXPECT_EQ(back.history->ops[2].status, Status::info);
}

void expect_error(const LoadResult& r, int line, int column, const std::string& needle) {
  ASSERT_FALSE(r.history) << "expected an error mentioning " << needle;
  EXPECT_EQ(r.error.line, line) << r.error.message;
  if (column > 0) {
    EXPECT_EQ(r.error.column, column) << r.error.message;
  }
  EXPECT_NE(r.error.message.find(needle), std::string::npos) << r.error.message;
}

TEST(JsonLines, ErrorsNameTheLine) {
  expect_error(read_jsonl_history("{\"process\":1,\"f\":\"read\",\"call\":1,\"return\":2,"
                                  "\"status\":\"ok\"}\n{oops"),
               2, 2, "bad JSON");
  expect_error(read_jsonl_history("[1,2]"), 1, 1, "JSON object");
  expect_error(read_jsonl_history("{\"f\":\"read\",\"call\":1,\"status\":\"ok\"}"), 1, 1, "process");
  expect_error(read_jsonl_history("{\"process\":1,\"f\":\"read\",\"call\":1,\"status\":\"ok\"}"), 1,
               1, "return");
  expect_error(read_jsonl_history("{\"process\":1,\"f\":\"read\",\"call\":1,\"return\":2,"
                                  "\"status\":\"maybe\"}"),
               1, 1, "status");
  expect_error(read_jsonl_history("{\"process\":1,\"f\":\"read\",\"call\":5,\"return\":2,"
                                  "\"status\":\"ok\"}"),
               1, 1, "before");
  expect_error(read_jsonl_history("{\"process\":\"a\",\"f\":\"read\",\"call\":5,\"return\":6,"
                                  "\"status\":\"ok\"}"),
               1, 1, "integer");
  expect_error(read_jsonl_history("{\"process\":1,\"f\":\"w\",\"call\":1,\"return\":9,\"status\":\"ok\"}\n"
                                  "{\"process\":1,\"f\":\"w\",\"call\":5,\"return\":6,\"status\":\"ok\"}"),
               2, 1, "still in flight");
}

TEST(Edn, KnossosDialect) {
  LoadResult r = read_edn_history(
      "[{:process 0 :type :invoke :f :write :value 1}\n"
      " {:process :nemesis :type :info :f :start :value nil}\n"
      " {:process 1 :type :invoke :f :read :value nil}\n"
      " {:process 0 :type :fail :f :write :value 1}\n"
      " {:process 2 :type :invoke :f :cas :value [1 2] :key 7}\n"
      " {:process 1 :type :ok :f :read :value 0}\n"
      " {:process 2 :type :info :f :cas :value [1 2]}\n"
      " {:process 3 :type :invoke :f :write :value 5}]\n");
  ASSERT_TRUE(r.history) << r.error.message;
  const auto& ops = r.history->ops;
  ASSERT_EQ(ops.size(), 4u);
  EXPECT_EQ(ops[0].status, Status::fail);
  EXPECT_EQ(ops[1].status, Status::ok);
  EXPECT_EQ(to_edn(ops[1].output), "0");
  EXPECT_EQ(ops[2].status, Status::info);
  EXPECT_EQ(to_edn(*ops[2].key), "7");
  EXPECT_EQ(ops[3].status, Status::info);  // never completed
  EXPECT_EQ(ops[1].source_line, 3);
  // One map per line, without the enclosing vector, also reads.
  EXPECT_TRUE(read_edn_history("{:process 0 :type :invoke :f :read}\n"
                               "{:process 0 :type :ok :f :read :value 1}\n")
                  .history);
}

TEST(Edn, ErrorsNameLineAndColumn) {
  expect_error(read_edn_history("[{:process 0 :type :invoke :f :read}\n {:process 0 :type"), 2,
               0, "");
  expect_error(read_edn_history("[{:process 0 :type :invoke :f :read}\n  {:process 0 :f :read}]"), 2, 3,
               ":type");
  expect_error(read_edn_history("[{:process 0 :type :ok :f :read :value 1}]"), 1, 2,
               "without a pending");
  expect_error(read_edn_history("[{:process 0 :type :invoke :f :read}\n"
                                " {:process 0 :type :invoke :f :read}]"),
               2, 2, "has not completed");
  expect_error(read_edn_history("[{:process 0 :type :invoke :f :read}\n"
                                " {:process 0 :type :ok :f :write}]"),
               2, 2, "invoked read");
  expect_error(read_edn_history("[{:process 0 :type :bogus :f :read}]"), 1, 2, ":bogus");
  expect_error(read_edn_history("[1 2]"), 1, 2, "operation map");
  expect_error(read_edn_history("[{:process 0 :type :invoke :f :read}"), 1, 0, "not closed");
  expect_error(read_edn_history("[{:process 0 :type :invoke :f :read :value \"abc}]"), 1, 0,
               "unterminated string");
  expect_error(read_edn_history("[{:process 0 :type}]"), 1, 20, "key without a value");
  expect_error(read_edn_history("[{:process 99999999999999999999 :type :invoke :f :r}]"), 1, 12,
               "out of range");
  expect_error(read_edn_history("[{:process 0.5.5x :type :invoke :f :r}]"), 1, 2, "integer");
  expect_error(read_edn_history("[} ]"), 1, 2, "unexpected '}'");
  expect_error(read_edn_history("[{:process 1.5 :type :invoke :f :r}]"), 1, 2, "integer");
  expect_error(read_edn_history("[] x"), 1, 4, "after the closing");
  std::string deep(200, '[');
  expect_error(read_edn_history("[{:process 0 :value " + deep), 1, 0, "nested");
}

TEST(JepsenLog, PorcupineDialect) {
  LoadResult r = read_jepsen_log(
      "2014-11-27 INFO  jepsen.core - Running test\n"
      "INFO  jepsen.util - 4\t:invoke\t:read\tnil\n"
      "INFO  jepsen.util - 4\t:ok\t:read\tnil\n"
      "INFO  jepsen.util - 3\t:invoke\t:write\t4\n"
      "INFO  jepsen.util - 1\t:invoke\t:cas\t[1 4]\n"
      "INFO  jepsen.util - :nemesis\t:info\t:start\tnil\n"
      "INFO  jepsen.util - 3\t:ok\t:write\t4\n"
      "INFO  jepsen.util - 1\t:fail\t:cas\t[1 4]\n"
      "INFO  jepsen.util - 2\t:invoke\t:read\tnil\n"
      "INFO  jepsen.util - 2\t:fail\t:read\t:timed-out\n"
      "INFO  jepsen.util - 5\t:invoke\t:write\t1\n");
  ASSERT_TRUE(r.history) << r.error.message;
  const auto& ops = r.history->ops;
  ASSERT_EQ(ops.size(), 5u);
  EXPECT_EQ(ops[0].status, Status::ok);    // a read of nil is a read of absent
  EXPECT_EQ(ops[2].status, Status::ok);    // :fail :cas = completed, returned false
  EXPECT_EQ(to_edn(ops[2].output), "false");
  EXPECT_EQ(ops[3].status, Status::info);  // timed-out read
  EXPECT_EQ(ops[4].status, Status::info);  // pending at the end
  EXPECT_EQ(verdict_of(*r.history, "cas-register"), Verdict::ok);
}

TEST(JepsenLog, ErrorsNameLineAndColumn) {
  expect_error(read_jepsen_log("hello\n"), 1, 1, "no Jepsen operation lines");
  expect_error(read_jepsen_log("INFO  jepsen.util - x\t:invoke\t:read\tnil\n"), 1, 21, "process");
  expect_error(read_jepsen_log("INFO  jepsen.util - 1\t:invoke\n"), 1, 21, "expected");
  expect_error(read_jepsen_log("INFO  jepsen.util - 1\tinvoke\t:read\tnil\n"), 1, 23, "keywords");
  expect_error(read_jepsen_log("INFO  jepsen.util - 1\t:invoke\t:cas\t[1 4\n"), 1, 40,
               "bad value");
  expect_error(read_jepsen_log("INFO  jepsen.util - 1\t:done\t:read\tnil\n"), 1, 23, ":done");
  expect_error(read_jepsen_log("x\nINFO  jepsen.util - 1\t:ok\t:read\t3\n"), 2, 21, "pending");
}

// Found by fuzz_history_jsonl: a number beyond a double made nlohmann throw
// out_of_range, which nobody caught.
TEST(JsonLines, NumberBeyondADoubleIsAnError) {
  expect_error(read_jsonl_history("{\"process\":1,\"f\":\"read\",\"call\":1,\"return\":2,"
                                  "\"status\":\"ok\"}\n"
                                  "{\"process\":2,\"f\":\"read\",\"call\":3,\"return\":4,"
                                  "\"status\":\"ok\",\"output\":883E3333}"),
               2, 1,
               "bad JSON: a number is out of range (integers must fit in 64 bits, other numbers in a double)");
}

TEST(Utf8, FirstInvalidByte) {
  EXPECT_EQ(first_invalid_utf8(""), std::nullopt);
  EXPECT_EQ(first_invalid_utf8("plain"), std::nullopt);
  EXPECT_EQ(first_invalid_utf8("\xc3\xa9t\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"), std::nullopt);
  EXPECT_EQ(first_invalid_utf8("\xed\x9f\xbf"), std::nullopt);      // U+D7FF
  EXPECT_EQ(first_invalid_utf8("\xf4\x8f\xbf\xbf"), std::nullopt);  // U+10FFFF
  EXPECT_EQ(first_invalid_utf8("ab\xff"), 2u);
  EXPECT_EQ(first_invalid_utf8("a\xc3("), 1u);                      // cut short
  EXPECT_EQ(first_invalid_utf8("a\xe2\x82"), 1u);                   // cut by the end
  EXPECT_EQ(first_invalid_utf8("\xc0\xaf"), 0u);                    // overlong
  EXPECT_EQ(first_invalid_utf8("\xe0\x80\xaf"), 0u);                // overlong
  EXPECT_EQ(first_invalid_utf8("x\xed\xa0\x80"), 1u);               // surrogate
  EXPECT_EQ(first_invalid_utf8("\xf4\x90\x80\x80"), 0u);           // above U+10FFFF
  EXPECT_EQ(first_invalid_utf8("\x80"), 0u);                        // lone continuation
}

// Found by fuzz_history_edn: a keyword with bytes that are not UTF-8 loaded,
// and writing the history as JSON lines then threw (nlohmann type_error 316).
TEST(Edn, TextThatIsNotUtf8IsAnError) {
  expect_error(read_edn_history("[{:process 0 :type :invoke :f :r\xfe\xff}]"), 1, 33,
               "byte 0xfe is not UTF-8");
  expect_error(read_edn_history("[{:process 0 :type :invoke :f :r :value \"ok\"}\n"
                                " {:process 0 :type :ok :f :r :value \"a\xc3(\"}]"),
               2, 39, "byte 0xc3 in string is not UTF-8");
  expect_error(read_edn_history("[{:process 0 :type :invoke :f :r :value \"\xed\xa0\x80\"}]"), 1, 42,
               "not UTF-8");
  ParseError error;
  EXPECT_FALSE(parse_edn("[:a \xc0\xaf]", &error));
  EXPECT_EQ(error.column, 5);
  // Well-formed UTF-8 loads and writes out as JSON that reads back.
  LoadResult r = read_edn_history("[{:process 0 :type :invoke :f :\xc3\xa9" "crire :value \"\xe2\x82\xac\"}\n"
                                  " {:process 0 :type :ok :f :\xc3\xa9" "crire :value \"\xe2\x82\xac\"}]");
  ASSERT_TRUE(r.history) << r.error.message;
  EXPECT_EQ(r.history->ops[0].f, "\xc3\xa9" "crire");
  LoadResult back = read_jsonl_history(write_jsonl_history(*r.history));
  ASSERT_TRUE(back.history) << back.error.message;
  EXPECT_EQ(to_edn(back.history->ops[0].output), "\"\xe2\x82\xac\"");
}

// Found by fuzz_history_jepsen: an :f that is not UTF-8 loaded, and writing
// the history as JSON lines then threw.
TEST(JepsenLog, TextThatIsNotUtf8IsAnError) {
  expect_error(read_jepsen_log("INFO  jepsen.util - 3\t:invoke\t:\x89\x8dite\t4\n"), 1, 32,
               "byte 0x89 in :f is not UTF-8");
  expect_error(read_jepsen_log("INFO  jepsen.util - 3\t:invoke\t:write\t\"\xff\"\n"), 1, 39,
               "bad value: byte 0xff in string is not UTF-8");
  // Other log lines may hold anything: they are not read.
  LoadResult r = read_jepsen_log("WARN  jepsen.db - \xff\xfe\n"
                                 "INFO  jepsen.util - 3\t:invoke\t:write\t4\n");
  ASSERT_TRUE(r.history) << r.error.message;
}

TEST(Formats, NamesAndGuesses) {
  EXPECT_EQ(parse_format_name("jepsen-log"), HistoryFormat::jepsen_log);
  EXPECT_FALSE(parse_format_name("xml"));
  EXPECT_EQ(guess_format("a/b.edn"), HistoryFormat::edn);
  EXPECT_EQ(guess_format("h.jsonl"), HistoryFormat::jsonl);
  EXPECT_EQ(guess_format("etcd_000.log"), HistoryFormat::jepsen_log);
  EXPECT_FALSE(guess_format("history"));
}

}  // namespace
}  // namespace zsim::checkers
