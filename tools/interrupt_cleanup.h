// Files a long command must not leave behind when it is interrupted: on
// SIGINT (Ctrl-C), SIGTERM or SIGHUP the registered files are removed, then
// the process dies of the same signal, so the shell sees the usual status
// (130 for Ctrl-C). `zsim sweep --junit FILE` and `zsim merge --junit FILE`
// stream into FILE.part; without this a Ctrl-C left FILE.part next to an
// old FILE.
//
// A signal whose disposition is SIG_IGN when the first file is registered
// (a background job of a shell without job control, nohup) stays ignored.
// The handler only calls unlink, signal and raise (async-signal-safe); the
// paths live in fixed slots, so registering allocates nothing the handler
// reads. At most kSlots files at once; a path longer than a slot, or one
// more file, is simply not removed on interrupt (the normal paths still
// clean up).
#pragma once

#include <string>

namespace zsim::tools {

class RemoveOnInterrupt {
 public:
  static constexpr int kSlots = 4;
  explicit RemoveOnInterrupt(const std::string& path);
  RemoveOnInterrupt(const RemoveOnInterrupt&) = delete;
  RemoveOnInterrupt& operator=(const RemoveOnInterrupt&) = delete;
  ~RemoveOnInterrupt();  // the file is no longer removed on interrupt

 private:
  int slot_ = -1;  // -1: not registered
};

}  // namespace zsim::tools
