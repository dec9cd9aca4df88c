#include "tools/interrupt_cleanup.h"

#include <array>
#include <csignal>
#include <cstring>
#include <unistd.h>

namespace zsim::tools {
namespace {

constexpr std::size_t kPathMax = 4096;

struct Slot {
  std::array<char, kPathMax> path{};
  volatile std::sig_atomic_t used = 0;  // set after path is written, cleared before it is reused
};

std::array<Slot, RemoveOnInterrupt::kSlots> g_slots;
constexpr std::array<int, 3> kSignals = {SIGINT, SIGTERM, SIGHUP};

extern "C" void remove_and_die(int sig) {
  for (Slot& s : g_slots) {
    if (s.used != 0) ::unlink(s.path.data());
  }
  std::signal(sig, SIG_DFL);
  std::raise(sig);
}

void install_once() {
  static bool installed = false;
  if (installed) return;
  installed = true;
  for (int sig : kSignals) {
    struct sigaction old {};
    if (::sigaction(sig, nullptr, &old) != 0 || old.sa_handler == SIG_IGN) continue;
    struct sigaction now {};
    now.sa_handler = remove_and_die;
    sigemptyset(&now.sa_mask);
    for (int other : kSignals) sigaddset(&now.sa_mask, other);  // one handler at a time
    ::sigaction(sig, &now, nullptr);
  }
}

}  // namespace

RemoveOnInterrupt::RemoveOnInterrupt(const std::string& path) {
  if (path.size() >= kPathMax) return;
  install_once();
  for (int i = 0; i < kSlots; ++i) {
    Slot& s = g_slots[static_cast<std::size_t>(i)];
    if (s.used != 0) continue;
    std::memcpy(s.path.data(), path.c_str(), path.size() + 1);
    s.used = 1;
    slot_ = i;
    return;
  }
}

RemoveOnInterrupt::~RemoveOnInterrupt() {
  if (slot_ >= 0) g_slots[static_cast<std::size_t>(slot_)].used = 0;
}

}  // namespace zsim::tools
