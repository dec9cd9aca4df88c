#include "tools/isolation.h"

#include "tools/crash_report.h"

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <deque>
#include <optional>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>
#include <fcntl.h>
#include <vector>

namespace zsim::tools {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr std::size_t kStderrKeptMax = 8 * 1024;  // per seed, the head
constexpr std::size_t kMessageLinesMax = 24;
constexpr std::size_t kMessageLineCharsMax = 300;

std::int64_t ms_since(Clock::time_point start) {
  return std::chrono::duration_cast<milliseconds>(Clock::now() - start).count();
}

bool write_all(int fd, const void* data, std::size_t size) {
  const char* p = static_cast<const char*>(data);
  while (size > 0) {
    const ssize_t n = ::write(fd, p, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    p += n;
    size -= static_cast<std::size_t>(n);
  }
  return true;
}

// A write to a child that may have died: EPIPE instead of SIGPIPE (the
// parent must outlive its children).
bool write_to_child(int fd, const void* data, std::size_t size) {
  sigset_t pipe_set, old;
  sigemptyset(&pipe_set);
  sigaddset(&pipe_set, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
  const bool ok = write_all(fd, data, size);
  if (!ok && errno == EPIPE) {
    const timespec zero{};
    sigtimedwait(&pipe_set, nullptr, &zero);  // consume the pending SIGPIPE
  }
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  return ok;
}

bool read_all(int fd, void* data, std::size_t size) {
  char* p = static_cast<char*>(data);
  while (size > 0) {
    const ssize_t n = ::read(fd, p, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    p += n;
    size -= static_cast<std::size_t>(n);
  }
  return true;
}

// Reads what is there (non-blocking fd). Returns false at end of file.
bool read_available(int fd, std::string& into) {
  char buf[4096];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n > 0) {
      into.append(buf, static_cast<std::size_t>(n));
      continue;
    }
    if (n == 0) return false;
    if (errno == EINTR) continue;
    return true;  // EAGAIN: nothing more for now
  }
}

void set_nonblocking(int fd) { fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK); }

// Keeps the head of a child's stderr: the first lines say what went wrong.
struct StderrHead {
  std::string kept;
  std::size_t dropped = 0;
  void add(std::string_view bytes) {
    const std::size_t room = kStderrKeptMax - std::min(kStderrKeptMax, kept.size());
    kept.append(bytes.substr(0, room));
    dropped += bytes.size() - std::min(room, bytes.size());
  }
  void clear() {
    kept.clear();
    dropped = 0;
  }
};

// One line of a child's stderr, made safe to print: control bytes and
// non-ASCII escaped, length bounded.
std::string clean_line(std::string_view line) {
  std::string out;
  for (const char ch : line) {
    const auto c = static_cast<unsigned char>(ch);
    if (out.size() >= kMessageLineCharsMax) {
      out += "...";
      break;
    }
    if (c == '\t') {
      out += ' ';
    } else if (c < 0x20 || c >= 0x7f) {
      out += fmt::format("\\x{:02x}", c);
    } else {
      out += ch;
    }
  }
  return out;
}

// "how it died" + the first lines of its stderr, one message.
std::string death_message(int status, bool killed_by_parent, milliseconds timeout, const StderrHead& err) {
  std::string how;
  if (killed_by_parent) {
    how = fmt::format("killed after {} ms of wall-clock time (--seed-timeout): the watchdog got no answer", timeout.count());
  } else if (WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM) {
    how = fmt::format("stopped by the watchdog after {} ms of wall-clock time (--seed-timeout)", timeout.count());
  } else if (WIFSIGNALED(status)) {
    const int sig = WTERMSIG(status);
    const char* name = sigabbrev_np(sig);
    how = fmt::format("the run's process died of SIG{} ({})", name != nullptr ? name : std::to_string(sig),
                      strsignal(sig));
  } else if (WIFEXITED(status)) {
    how = fmt::format("the run's process exited with status {} before its verdict (a sanitizer report?)",
                      WEXITSTATUS(status));
  } else {
    how = "the run's process ended before its verdict";
  }
  std::size_t lines = 0;
  std::size_t start = 0;
  while (start < err.kept.size() && lines < kMessageLinesMax) {
    std::size_t end = err.kept.find('\n', start);
    if (end == std::string::npos) end = err.kept.size();
    const std::string_view line = std::string_view(err.kept).substr(start, end - start);
    if (line.find_first_not_of(" \r") != std::string_view::npos) {
      how += "\n" + clean_line(line);
      ++lines;
    }
    start = end + 1;
  }
  if (start < err.kept.size() || err.dropped > 0) {
    how += fmt::format("\n... ({} more bytes on stderr; run the reproduce command to see them)",
                       err.kept.size() - std::min(start, err.kept.size()) + err.dropped);
  }
  return how;
}

// --- The result record: one JSON line per seed, worker to parent ----------

std::string encode(const scenarios::RunResult& r, std::int64_t wall_ms) {
  nlohmann::json j;
  j["scenario"] = r.scenario;
  j["seed"] = r.seed;
  j["verdict"] = static_cast<int>(r.verdict);
  j["message"] = r.message;
  j["fingerprint"] = r.fingerprint;
  j["sim_time_ns"] = r.sim_time_ns;
  j["events"] = r.events;
  j["trace_events"] = r.trace_events;
  j["messages_sent"] = r.messages_sent;
  j["messages_dropped"] = r.messages_dropped;
  j["plan_given"] = r.plan_given;
  j["bug"] = static_cast<int>(r.bug);
  j["wall_ms"] = wall_ms;
  // Invalid UTF-8 in a message must not kill the worker: replace it.
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

SeedOutcome decode(const std::string& line) {
  const nlohmann::json j = nlohmann::json::parse(line);
  SeedOutcome o;
  scenarios::RunResult& r = o.result;
  r.scenario = j.at("scenario").get<std::string>();
  r.seed = j.at("seed").get<std::uint64_t>();
  r.verdict = static_cast<sim::Verdict>(j.at("verdict").get<int>());
  r.message = j.at("message").get<std::string>();
  r.fingerprint = j.at("fingerprint").get<std::uint64_t>();
  r.sim_time_ns = j.at("sim_time_ns").get<std::int64_t>();
  r.events = j.at("events").get<std::uint64_t>();
  r.trace_events = j.at("trace_events").get<std::uint64_t>();
  r.messages_sent = j.at("messages_sent").get<std::uint64_t>();
  r.messages_dropped = j.at("messages_dropped").get<std::uint64_t>();
  r.plan_given = j.at("plan_given").get<bool>();
  r.bug = static_cast<core::PlantedBug>(j.at("bug").get<int>());
  o.wall_ms = j.at("wall_ms").get<std::int64_t>();
  return o;
}

// --- Workers -------------------------------------------------------------------

struct Worker {
  pid_t pid = -1;
  int seed_fd = -1;    // parent writes indices
  int result_fd = -1;  // parent reads result lines
  int err_fd = -1;     // parent reads the worker's stdout and stderr
  std::string result_buf;
  StderrHead err;
  bool busy = false;
  std::uint64_t index = 0;
  std::uint64_t seed = 0;
  Clock::time_point started;
  bool killed = false;
};

void close_fd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

[[noreturn]] void worker_main(int seed_fd, int result_fd, const std::function<std::uint64_t(std::uint64_t)>& seed_at,
                              const std::function<scenarios::RunResult(std::uint64_t)>& run, milliseconds timeout) {
  install_crash_reporting();
  for (;;) {
    std::uint64_t index = 0;
    if (!read_all(seed_fd, &index, sizeof index)) ::_exit(0);
    const auto start = Clock::now();
    if (timeout.count() > 0) arm_watchdog(timeout);
    const scenarios::RunResult r = run(seed_at(index));
    arm_watchdog(milliseconds{0});
    const std::string record = encode(r, ms_since(start));
    std::fflush(stdout);
    std::fflush(stderr);
    if (!write_all(result_fd, record.data(), record.size())) ::_exit(0);
  }
}

class Pool {
 public:
  Pool(std::uint64_t count, const std::function<std::uint64_t(std::uint64_t)>& seed_at,
       const std::function<scenarios::RunResult(std::uint64_t)>& run, const IsolationOptions& options,
       const std::function<void(const SeedOutcome&)>& on_finished,
       const std::function<void(const SeedOutcome&)>& on_delivered)
      : count_(count), seed_at_(seed_at), run_(run), options_(options), on_finished_(on_finished),
        on_delivered_(on_delivered), workers_(std::max<std::size_t>(1, options.jobs)) {}

  ~Pool() {
    for (Worker& w : workers_) stop(w);
  }

  void run_all() {
    while (delivered_ < count_) {
      hand_out();
      wait_and_collect();
    }
  }

 private:
  void spawn(Worker& w) {
    int seed_pipe[2], result_pipe[2], err_pipe[2];
    if (pipe(seed_pipe) != 0 || pipe(result_pipe) != 0 || pipe(err_pipe) != 0) {
      throw std::runtime_error(fmt::format("cannot make pipes for a worker: {}", std::strerror(errno)));
    }
    std::fflush(stdout);
    std::fflush(stderr);
    const pid_t pid = fork();
    if (pid < 0) throw std::runtime_error(fmt::format("cannot fork a worker: {}", std::strerror(errno)));
    if (pid == 0) {
      // The child keeps its own ends only: another worker's pipe held open
      // here would hide that worker's death from the parent.
      for (Worker& other : workers_) {
        close_fd(other.seed_fd);
        close_fd(other.result_fd);
        close_fd(other.err_fd);
      }
      ::close(seed_pipe[1]);
      ::close(result_pipe[0]);
      ::close(err_pipe[0]);
      ::dup2(err_pipe[1], STDOUT_FILENO);
      ::dup2(err_pipe[1], STDERR_FILENO);
      ::close(err_pipe[1]);
      worker_main(seed_pipe[0], result_pipe[1], seed_at_, run_, options_.seed_timeout);
    }
    ::close(seed_pipe[0]);
    ::close(result_pipe[1]);
    ::close(err_pipe[1]);
    w = Worker{};
    w.pid = pid;
    w.seed_fd = seed_pipe[1];
    w.result_fd = result_pipe[0];
    w.err_fd = err_pipe[0];
    set_nonblocking(w.result_fd);
    set_nonblocking(w.err_fd);
  }

  void stop(Worker& w) {
    if (w.pid < 0) return;
    close_fd(w.seed_fd);  // the worker reads end of file and exits
    close_fd(w.result_fd);
    close_fd(w.err_fd);
    if (w.busy) ::kill(w.pid, SIGKILL);
    int status = 0;
    waitpid(w.pid, &status, 0);
    w.pid = -1;
  }

  void hand_out() {
    for (Worker& w : workers_) {
      if (w.busy) continue;
      if (next_ >= count_ || next_ - delivered_ >= std::max<std::size_t>(1, options_.reorder_window)) return;
      for (int attempt = 0;; ++attempt) {
        if (w.pid < 0) spawn(w);
        if (write_to_child(w.seed_fd, &next_, sizeof next_)) break;
        // It died while idle (killed from outside): not this seed's fault.
        stop(w);
        if (attempt == 2) throw std::runtime_error("workers die before they are given a seed");
      }
      w.busy = true;
      w.index = next_;
      w.seed = seed_at_(next_);
      w.started = Clock::now();
      w.err.clear();
      ++next_;
    }
  }

  void wait_and_collect() {
    std::vector<pollfd> fds;
    int timeout_ms = -1;
    for (Worker& w : workers_) {
      if (w.pid < 0) continue;
      fds.push_back({w.result_fd, POLLIN, 0});
      fds.push_back({w.err_fd, POLLIN, 0});
      if (w.busy && options_.seed_timeout.count() > 0 && !w.killed) {
        const std::int64_t left = (options_.seed_timeout + kIsolationGrace).count() - ms_since(w.started);
        timeout_ms = static_cast<int>(std::clamp<std::int64_t>(left, 0, timeout_ms < 0 ? INT32_MAX : timeout_ms));
      }
    }
    const int n = poll(fds.data(), fds.size(), timeout_ms);
    if (n < 0 && errno != EINTR) throw std::runtime_error(fmt::format("poll: {}", std::strerror(errno)));
    for (Worker& w : workers_) {
      if (w.pid < 0) continue;
      collect(w);
      if (w.pid >= 0 && w.busy && !w.killed && options_.seed_timeout.count() > 0 &&
          ms_since(w.started) > (options_.seed_timeout + kIsolationGrace).count()) {
        ::kill(w.pid, SIGKILL);  // silent past its deadline: the end of file follows
        w.killed = true;
      }
    }
  }

  void collect(Worker& w) {
    std::string err_bytes;
    read_available(w.err_fd, err_bytes);
    w.err.add(err_bytes);
    const bool open = read_available(w.result_fd, w.result_buf);
    for (std::size_t nl; (nl = w.result_buf.find('\n')) != std::string::npos;) {
      const std::string line = w.result_buf.substr(0, nl);
      w.result_buf.erase(0, nl + 1);
      SeedOutcome o = decode(line);
      o.index = w.index;
      relay_stray_stderr(w);
      w.busy = false;
      finish(std::move(o));
    }
    if (!open) on_worker_died(w);
  }

  // A seed that passed but wrote on stderr: the user sees it, labelled.
  void relay_stray_stderr(Worker& w) {
    if (w.err.kept.empty()) return;
    fmt::print(stderr, "zsim: seed {} wrote on stderr:\n{}{}", w.seed, w.err.kept,
               w.err.kept.ends_with('\n') ? "" : "\n");
    if (w.err.dropped > 0) fmt::print(stderr, "zsim: ... ({} more bytes)\n", w.err.dropped);
    w.err.clear();
  }

  void on_worker_died(Worker& w) {
    int status = 0;
    waitpid(w.pid, &status, 0);
    w.pid = -1;
    std::string rest;
    while (read_available(w.err_fd, rest)) {
    }
    w.err.add(rest);
    close_fd(w.seed_fd);
    close_fd(w.result_fd);
    close_fd(w.err_fd);
    if (!w.busy) return;  // died between seeds; the next hand_out() replaces it
    SeedOutcome o;
    o.index = w.index;
    o.died = true;
    o.wall_ms = ms_since(w.started);
    o.result.scenario = options_.scenario;
    o.result.seed = w.seed;
    o.result.bug = options_.bug;
    o.result.verdict = sim::Verdict::kCrash;
    o.result.message = death_message(status, w.killed, options_.seed_timeout, w.err);
    w.busy = false;
    w.err.clear();
    finish(std::move(o));
  }

  void finish(SeedOutcome o) {
    on_finished_(o);
    const std::size_t slot = o.index - delivered_;
    if (window_.size() <= slot) window_.resize(slot + 1);
    window_[slot] = std::move(o);
    while (!window_.empty() && window_.front().has_value()) {
      on_delivered_(*window_.front());
      window_.pop_front();
      ++delivered_;
    }
  }

  std::uint64_t count_;
  const std::function<std::uint64_t(std::uint64_t)>& seed_at_;
  const std::function<scenarios::RunResult(std::uint64_t)>& run_;
  IsolationOptions options_;
  const std::function<void(const SeedOutcome&)>& on_finished_;
  const std::function<void(const SeedOutcome&)>& on_delivered_;
  std::vector<Worker> workers_;
  std::uint64_t next_ = 0;       // the next index to hand out
  std::uint64_t delivered_ = 0;  // indices below this were delivered
  std::deque<std::optional<SeedOutcome>> window_;  // [delivered_, ...)
};

}  // namespace

void run_seeds_isolated(std::uint64_t count, const std::function<std::uint64_t(std::uint64_t)>& seed_at,
                        const std::function<scenarios::RunResult(std::uint64_t)>& run,
                        const IsolationOptions& options,
                        const std::function<void(const SeedOutcome&)>& on_finished,
                        const std::function<void(const SeedOutcome&)>& on_delivered) {
  Pool pool(count, seed_at, run, options, on_finished, on_delivered);
  pool.run_all();
}

ChildExit run_in_child(const std::function<int()>& body, milliseconds timeout) {
  int status_pipe[2], err_pipe[2];
  if (pipe(status_pipe) != 0 || pipe(err_pipe) != 0) {
    throw std::runtime_error(fmt::format("cannot make pipes: {}", std::strerror(errno)));
  }
  std::fflush(stdout);
  std::fflush(stderr);
  const pid_t pid = fork();
  if (pid < 0) throw std::runtime_error(fmt::format("cannot fork: {}", std::strerror(errno)));
  if (pid == 0) {
    ::close(status_pipe[0]);
    ::close(err_pipe[0]);
    ::dup2(err_pipe[1], STDERR_FILENO);
    ::close(err_pipe[1]);
    install_crash_reporting();
    if (timeout.count() > 0) arm_watchdog(timeout);
    const int code = body();
    arm_watchdog(milliseconds{0});
    std::fflush(stdout);
    std::fflush(stderr);
    const unsigned char byte = static_cast<unsigned char>(code);
    write_all(status_pipe[1], &byte, 1);
    ::_exit(code);
  }
  ::close(status_pipe[1]);
  ::close(err_pipe[1]);
  set_nonblocking(status_pipe[0]);
  set_nonblocking(err_pipe[0]);
  const auto start = Clock::now();
  StderrHead head;
  std::string status_bytes;
  bool status_open = true, err_open = true, killed = false;
  while (status_open || err_open) {
    pollfd fds[2] = {{status_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
    int timeout_ms = -1;
    if (timeout.count() > 0 && !killed) {
      timeout_ms = static_cast<int>(
          std::clamp<std::int64_t>((timeout + kIsolationGrace).count() - ms_since(start), 0, INT32_MAX));
    }
    poll(fds, 2, timeout_ms);
    if (status_open) status_open = read_available(status_pipe[0], status_bytes);
    if (err_open) {
      std::string bytes;
      err_open = read_available(err_pipe[0], bytes);
      head.add(bytes);
      std::fwrite(bytes.data(), 1, bytes.size(), stderr);  // relayed as it comes
      std::fflush(stderr);
    }
    if (timeout.count() > 0 && !killed && ms_since(start) > (timeout + kIsolationGrace).count()) {
      ::kill(pid, SIGKILL);
      killed = true;
    }
  }
  ::close(status_pipe[0]);
  ::close(err_pipe[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  ChildExit out;
  if (!status_bytes.empty() && WIFEXITED(status)) {
    out.exit_code = static_cast<unsigned char>(status_bytes[0]);
    return out;
  }
  out.died = true;
  out.message = death_message(status, killed, timeout, head);
  return out;
}

}  // namespace zsim::tools
