// Runs a shell command for CLI tests and captures what it printed.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

namespace zsim::testing {

struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;

  // Lines of stdout, without the newlines.
  std::vector<std::string> out_lines() const {
    std::vector<std::string> lines;
    std::istringstream in(out);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
  }
};

inline std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

// A fresh temporary directory for one test.
inline std::string make_temp_dir() {
  char templ[] = "/tmp/zsim-test-XXXXXX";
  const char* dir = mkdtemp(templ);
  return dir == nullptr ? std::string("/tmp") : std::string(dir);
}

// Runs `command` with /bin/sh; stdin is /dev/null.
inline CommandResult run_command(const std::string& command) {
  const std::string dir = make_temp_dir();
  const std::string out = dir + "/out", err = dir + "/err";
  const std::string full = "(" + command + ") </dev/null >" + out + " 2>" + err;
  const int status = std::system(full.c_str());
  CommandResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = slurp(out);
  r.err = slurp(err);
  std::remove(out.c_str());
  std::remove(err.c_str());
  rmdir(dir.c_str());
  return r;
}

}  // namespace zsim::testing
