// Fuzz target: how `zsim shell` reads a command line (tools/shell/zkcli.h):
// the word splitter, commons-cli-style option parsing with every command's
// option table, Java number parsing, durations and znode paths. Any line
// must give words, a parse or an error message, never a crash.
#include "core/io/quote.h"
#include "core/io/time.h"
#include "core/tree/path.h"
#include "tools/shell/zkcli.h"

#include <cstdint>
#include <string_view>

namespace zkcli = zsim::tools::zkcli;

namespace {
// The option tables of zkCli's commands (tools/shell/shell.cpp), plus one
// with every letter, so each parser path is reachable.
constexpr zkcli::OptionSpec kTables[][4] = {
    {{'s', false}, {'w', false}, {'R', false}, {}},   // ls
    {{'s', false}, {'e', false}, {'c', false}, {'t', true}},  // create
    {{'s', false}, {'v', true}, {}, {}},              // set
    {{'v', true}, {}, {}, {}},                        // delete
    {{'b', true}, {}, {}, {}},                        // deleteall
    {{'m', true}, {}, {}, {}},                        // addWatch
};
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view line(reinterpret_cast<const char*>(data), size);
  const std::vector<std::string> words = zkcli::split_words(line);
  for (const auto& table : kTables) {
    std::size_t n = 0;
    while (n < 4 && table[n].name != 0) ++n;
    const zkcli::ParsedCommand p = zkcli::parse_options(words, std::span<const zkcli::OptionSpec>(table, n));
    for (const std::string& arg : p.args) {
      (void)zsim::core::validate_path(arg);
      (void)zsim::core::validate_path(arg, true);
    }
  }
  for (const std::string& w : words) {
    (void)zkcli::parse_java_int(w);
    (void)zkcli::parse_java_long(w);
    (void)zkcli::number_format_crash(w);
    (void)zkcli::usage_of(w);
    (void)zsim::parse_duration(w);
    (void)zsim::quote_input(w);
  }
  return 0;
}
