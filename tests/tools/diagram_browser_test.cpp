// The diagram in a real browser: `zsim run --diagram` pages opened in
// headless Chromium, which runs their script; the page writes what it drew
// into #zsim-summary, and `--dump-dom` shows us the DOM after the script ran.
//
// Proves, for a failing run (a linearizability violation) and a passing one:
// the page loads with no script error; it draws one lifeline per host of the
// model embedded in it; it draws exactly the arrows of the messages in the
// window it opens on (counted here independently from the embedded JSON);
// for the failing run it opens around the violation and highlights the first
// violating operation the checker named; for the passing one it highlights
// nothing and shows the verdict ok.
//
// Chromium is a test dependency (tools/install-deps.sh --oracle, which CI
// runs). Without it the program says so and exits 77, which ctest reports
// as skipped — except when ZSIM_REQUIRE_BROWSER=1 (set by .ci/run), where a
// missing browser fails the test: CI must never skip it silently.
#include "tests/tools/run_command.h"

#include <nlohmann/json.hpp>

#include <cstdlib>
#include <iostream>
#include <map>
#include <regex>
#include <string>

namespace {

using zsim::testing::run_command;
using zsim::testing::slurp;

constexpr int kSkipped = 77;  // SKIP_RETURN_CODE in tests/tools/CMakeLists.txt
int failures = 0;

void expect(bool ok, const std::string& what) {
  if (ok) return;
  ++failures;
  std::cerr << "FAILED: " << what << "\n";
}

std::string find_chromium() {
  for (const char* name : {"chromium", "chromium-browser", "google-chrome"}) {
    const auto r = run_command(std::string("command -v ") + name);
    if (r.exit_code == 0 && !r.out.empty()) return r.out.substr(0, r.out.find('\n'));
  }
  return "";
}

// data-* attributes of the #zsim-summary element in a dumped DOM.
std::map<std::string, std::string> summary_of(const std::string& dom) {
  std::map<std::string, std::string> out;
  const std::size_t at = dom.find("id=\"zsim-summary\"");
  if (at == std::string::npos) return out;
  const std::size_t start = dom.rfind('<', at);
  const std::string tag = dom.substr(start, dom.find('>', at) - start);
  static const std::regex attr(R"re(data-([a-z-]+)="([^"]*)")re");
  for (std::sregex_iterator it(tag.begin(), tag.end(), attr), end; it != end; ++it) out[(*it)[1]] = (*it)[2];
  return out;
}

std::string unescape_html(std::string s) {
  for (const auto& [from, to] : std::map<std::string, std::string>{{"&gt;", ">"}, {"&lt;", "<"}, {"&quot;", "\""}}) {
    for (std::size_t p; (p = s.find(from)) != std::string::npos;) s.replace(p, from.size(), to);
  }
  for (std::size_t p; (p = s.find("&amp;")) != std::string::npos;) s.replace(p, 5, "&");
  return s;
}

nlohmann::json embedded_model(const std::string& page) {
  const std::string open = "<script type=\"application/json\" id=\"model\">";
  const std::size_t at = page.find(open);
  if (at == std::string::npos) return nlohmann::json::object();
  const std::size_t from = at + open.size();
  return nlohmann::json::parse(page.substr(from, page.find("</script>", from) - from));
}

// The arrows the page should draw in its opening window: every message
// between two shown hosts (all are shown at first) that overlaps the window.
long expected_arrows(const nlohmann::json& m) {
  const auto t0 = m["focus"][0].get<std::int64_t>(), t1 = m["focus"][1].get<std::int64_t>();
  long n = 0;
  for (const auto& msg : m["messages"]) {
    if (msg[3].get<std::int64_t>() >= t0 && msg[2].get<std::int64_t>() <= t1) ++n;
  }
  return n;
}

std::string expected_highlight(const nlohmann::json& m) {
  for (const auto& o : m["ops"]) {
    if ((o[8].get<int>() & 4) == 0) continue;
    const std::string host = m["hosts"][o[0].get<int>()][0];
    const std::string status = o[7];
    const std::string output = o[6];
    return host + " " + o[4].get<std::string>() + " " + o[5].get<std::string>() + " -> " +
           (status != "ok" ? status : output == "nil" ? "ok" : output);
  }
  return "";
}

// Renders one run's diagram in the browser and checks what it drew.
void check_run(const std::string& chromium, const std::string& dir, const std::string& scenario, int seed,
               bool expect_failure) {
  const std::string name = scenario + "-" + std::to_string(seed);
  const std::string html = dir + "/" + name + ".html";
  const auto run = run_command(std::string(ZSIM_BINARY) + " run --scenario " + scenario + " --seed " +
                               std::to_string(seed) + " --diagram " + html);
  expect(run.exit_code == (expect_failure ? 1 : 0), name + ": zsim run exit " + std::to_string(run.exit_code) +
                                                        "\n" + run.out + run.err);
  const std::string page = slurp(html);
  const nlohmann::json model = embedded_model(page);
  expect(model.contains("hosts"), name + ": the page embeds the model");
  if (!model.contains("hosts")) return;

  const auto browser = run_command("timeout 120 " + chromium +
                                   " --headless --disable-gpu --no-sandbox --no-first-run --user-data-dir=" + dir +
                                   "/profile --window-size=1400,900 --dump-dom file://" + html);
  expect(browser.exit_code == 0, name + ": chromium exit " + std::to_string(browser.exit_code) + "\n" + browser.err);
  const auto s = summary_of(browser.out);
  std::cerr << name << ": drawn " << s.size() << " summary fields: lifelines=" << (s.count("lifelines") ? s.at("lifelines") : "?")
            << " arrows=" << (s.count("arrows") ? s.at("arrows") : "?") << " window="
            << (s.count("window") ? s.at("window") : "?") << "\n";
  expect(s.count("status") && s.at("status") == "drawn", name + ": the page's script ran to the end");
  expect(s.count("errors") && s.at("errors") == "0",
         name + ": no script error: " + (s.count("error-text") ? s.at("error-text") : ""));
  expect(s.count("lifelines") && std::stoul(s.at("lifelines")) == model["hosts"].size(),
         name + ": one lifeline per host (" + std::to_string(model["hosts"].size()) + ")");
  expect(s.count("arrows") && std::stol(s.at("arrows")) == expected_arrows(model),
         name + ": the arrows of the opening window (" + std::to_string(expected_arrows(model)) + ")");
  expect(expected_arrows(model) > 0, name + ": the opening window has messages");
  expect(s.count("verdict") && s.at("verdict") == model["verdict"].get<std::string>(), name + ": the verdict");
  const std::string highlight = s.count("highlighted") ? unescape_html(s.at("highlighted")) : "?";
  if (expect_failure) {
    expect(!expected_highlight(model).empty(), name + ": the checker named a first violating operation");
    expect(highlight == expected_highlight(model),
           name + ": highlighted '" + highlight + "', expected '" + expected_highlight(model) + "'");
  } else {
    expect(highlight.empty(), name + ": nothing highlighted in a passing run");
  }
}

}  // namespace

int main() {
  const std::string chromium = find_chromium();
  if (chromium.empty()) {
    const char* required = std::getenv("ZSIM_REQUIRE_BROWSER");
    if (required != nullptr && std::string(required) == "1") {
      std::cerr << "FAILED: chromium is not installed and ZSIM_REQUIRE_BROWSER=1 (run tools/install-deps.sh --oracle)\n";
      return 1;
    }
    std::cout << "SKIPPED: chromium is not installed (tools/install-deps.sh --oracle installs it)\n";
    return kSkipped;
  }
  const std::string dir = zsim::testing::make_temp_dir();
  check_run(chromium, dir, ZSIM_DIAGRAM_FAILING_SCENARIO, ZSIM_DIAGRAM_FAILING_SEED, true);
  check_run(chromium, dir, "reliable-network-fixed", 1, false);
  run_command("rm -rf " + dir);
  if (failures > 0) {
    std::cerr << failures << " check(s) failed\n";
    return 1;
  }
  std::cout << "diagram browser test: all checks passed\n";
  return 0;
}
