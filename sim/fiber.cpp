#include "sim/fiber.h"

#include "core/assert.h"

#include <boost/context/fiber.hpp>
#include <boost/context/protected_fixedsize_stack.hpp>

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <typeinfo>

#if defined(ZSIM_ASAN)
#include <sanitizer/asan_interface.h>
#include <sanitizer/common_interface_defs.h>
#endif

namespace zsim::sim {
namespace ctx = boost::context;

namespace {

// Allocates a guarded stack and remembers where it is (the sanitizer must be
// told about every stack switch).
class RecordingStack {
 public:
  RecordingStack(std::size_t bytes, ctx::stack_context* out) : inner_(bytes), out_(out) {}
  ctx::stack_context allocate() {
    ctx::stack_context s = inner_.allocate();
    clear_shadow(s);
    *out_ = s;
    return s;
  }
  void deallocate(ctx::stack_context& s) noexcept {
    clear_shadow(s);
    inner_.deallocate(s);
  }

 private:
  // A fiber stack's memory may be reused for another fiber (on any thread of
  // a sweep) while ASan's shadow still marks the redzones of frames that
  // never returned normally: clear it so ASan does not report a stack
  // overflow in the next fiber that gets the memory.
  static void clear_shadow(const ctx::stack_context& s) {
#if defined(ZSIM_ASAN)
    ASAN_UNPOISON_MEMORY_REGION(static_cast<char*>(s.sp) - s.size, s.size);
#else
    (void)s;
#endif
  }

  ctx::protected_fixedsize_stack inner_;
  ctx::stack_context* out_;
};

// Sanitizer stack-switch annotations; no-ops in normal builds.
void start_switch(void** fake_stack_save, const void* bottom, std::size_t size) {
#if defined(ZSIM_ASAN)
  __sanitizer_start_switch_fiber(fake_stack_save, bottom, size);
#else
  (void)fake_stack_save, (void)bottom, (void)size;
#endif
}
void finish_switch(void* fake_stack_save, const void** bottom_old, std::size_t* size_old) {
#if defined(ZSIM_ASAN)
  __sanitizer_finish_switch_fiber(fake_stack_save, bottom_old, size_old);
#else
  (void)fake_stack_save, (void)bottom_old, (void)size_old;
#endif
}

}  // namespace

struct FiberScheduler::Fiber {
  std::uint64_t id = 0;
  std::string name;
  EventTag owner;
  UniqueFunction<void()> body;  // until started
  ctx::stack_context sctx{};    // declared before ctx: outlives it
  ctx::fiber ctx;               // this fiber, while suspended
  ctx::fiber caller;            // the loop, while this fiber runs
  void* fake_stack = nullptr;   // sanitizer bookkeeping
  std::uint64_t generation = 1;  // the current park ticket
  EventId timeout_event = 0;
  EventId wake_event = 0;
  bool parked = false;
  bool wake_scheduled = false;
  bool woken = false;
  bool unwinding = false;

  const void* stack_bottom() const {
    return static_cast<const char*>(sctx.sp) - sctx.size;
  }
};

FiberScheduler::FiberScheduler(EventLoop& loop, FiberOptions options, FailureFn on_failure)
    : loop_(loop), options_(options), on_failure_(std::move(on_failure)) {
#if defined(ZSIM_ASAN)
  options_.stack_bytes *= 2;
#endif
}

FiberScheduler::~FiberScheduler() {
  while (!fibers_.empty()) destroy(fibers_.begin());
}

std::uint64_t FiberScheduler::current_id() const {
  return current_ != nullptr ? current_->id : 0;
}

const std::string& FiberScheduler::current_name() const {
  static const std::string kNone = "-";
  return current_ != nullptr ? current_->name : kNone;
}

std::uint64_t FiberScheduler::spawn(EventTag owner, std::string name, UniqueFunction<void()> body) {
  const std::uint64_t id = next_id_++;
  auto f = std::make_unique<Fiber>();
  f->id = id;
  f->name = std::move(name);
  f->owner = owner;
  f->body = std::move(body);
  fibers_.emplace(id, std::move(f));
  loop_.schedule_at(loop_.now(), [this, id] { start(id); }, owner);
  return id;
}

io::Waker FiberScheduler::waker() const {
  ZSIM_ASSERT_MSG(current_ != nullptr, "waker() outside a fiber");
  return io::Waker{current_->id, current_->generation};
}

bool FiberScheduler::is_current(io::Waker w) const {
  auto it = fibers_.find(w.fiber);
  return it != fibers_.end() && it->second->generation == w.generation;
}

void FiberScheduler::start(std::uint64_t id) {
  auto it = fibers_.find(id);
  if (it == fibers_.end()) return;  // destroyed before it started
  Fiber* fp = it->second.get();
  fp->ctx = ctx::fiber(
      std::allocator_arg, RecordingStack(options_.stack_bytes, &fp->sctx),
      [this, fp](ctx::fiber&& caller) -> ctx::fiber {
        fp->caller = std::move(caller);
        finish_switch(nullptr, &main_stack_bottom_, &main_stack_size_);
        try {
          UniqueFunction<void()> body = std::move(fp->body);
          body();
        } catch (const ctx::detail::forced_unwind&) {
          // A crash is destroying this fiber: let the unwind finish. Boost
          // jumps back to destroy() from its own frame below this one, so
          // announce that switch (and that this stack dies) here.
          start_switch(nullptr, main_stack_bottom_, main_stack_size_);
          throw;
        } catch (const std::exception& e) {
          on_failure_(fp->owner.owner, fmt_exception(fp->name, typeid(e).name(), e.what()));
        } catch (...) {
          on_failure_(fp->owner.owner, fmt_exception(fp->name, "unknown", "non-standard exception"));
        }
        if (fp->unwinding) {
          // The body caught the forced unwind and returned normally: the
          // stack cannot be torn down safely. This is a bug in the fiber's
          // code (a catch (...) that does not rethrow).
          std::fprintf(stderr,
                       "zsim: fiber '%s' swallowed the forced unwind of a crash "
                       "(a catch (...) must rethrow)\n",
                       fp->name.c_str());
          std::abort();
        }
        start_switch(nullptr, main_stack_bottom_, main_stack_size_);
        return std::move(fp->caller);
      });
  switch_in(*fp);
}

std::string FiberScheduler::fmt_exception(const std::string& fiber, const char* type,
                                          const char* what) {
  return "exception escaped fiber '" + fiber + "' (" + type + "): " + what;
}

void FiberScheduler::switch_in(Fiber& f) {
  ZSIM_ASSERT_MSG(current_ == nullptr, "fibers do not nest");
  current_ = &f;
  start_switch(&main_fake_stack_, f.stack_bottom(), f.sctx.size);
  f.ctx = std::move(f.ctx).resume();
  finish_switch(main_fake_stack_, nullptr, nullptr);
  current_ = nullptr;
  if (!f.ctx) on_finished(f.id);
}

void FiberScheduler::on_finished(std::uint64_t id) {
  auto it = fibers_.find(id);
  ZSIM_ASSERT(it != fibers_.end());
  loop_.cancel(it->second->timeout_event);
  loop_.cancel(it->second->wake_event);
  fibers_.erase(it);
}

bool FiberScheduler::park(std::optional<Duration> timeout) {
  ZSIM_ASSERT_MSG(current_ != nullptr, "park() outside a fiber");
  Fiber& f = *current_;
  ZSIM_ASSERT_MSG(!f.unwinding, "a fiber may not park while its host crashes");
  f.parked = true;
  f.woken = false;
  if (timeout.has_value()) {
    const std::uint64_t id = f.id;
    const std::uint64_t gen = f.generation;
    f.timeout_event = loop_.schedule_after(
        *timeout,
        [this, id, gen] {
          auto it = fibers_.find(id);
          if (it == fibers_.end()) return;
          Fiber& g = *it->second;
          if (g.parked && g.generation == gen) resume(g, false);
        },
        f.owner);
  }
  start_switch(&f.fake_stack, main_stack_bottom_, main_stack_size_);
  try {
    f.caller = std::move(f.caller).resume();
  } catch (const ctx::detail::forced_unwind&) {
    // destroy() resumed this fiber only to unwind it: the switch onto this
    // stack must be completed before the unwind runs on it, or the
    // sanitizer keeps the wrong stack bounds for the rest of the run.
    finish_switch(f.fake_stack, &main_stack_bottom_, &main_stack_size_);
    throw;
  }
  finish_switch(f.fake_stack, &main_stack_bottom_, &main_stack_size_);
  return f.woken;
}

void FiberScheduler::resume(Fiber& f, bool woken) {
  ZSIM_ASSERT(f.parked);
  f.parked = false;
  f.wake_scheduled = false;
  f.woken = woken;
  ++f.generation;  // every outstanding ticket for this park is now stale
  loop_.cancel(f.timeout_event);
  loop_.cancel(f.wake_event);
  f.timeout_event = 0;
  f.wake_event = 0;
  switch_in(f);
}

void FiberScheduler::wake(io::Waker w) {
  auto it = fibers_.find(w.fiber);
  if (it == fibers_.end()) return;
  Fiber& f = *it->second;
  if (!f.parked || f.generation != w.generation || f.wake_scheduled) return;
  f.wake_scheduled = true;
  const std::uint64_t id = f.id;
  const std::uint64_t gen = f.generation;
  f.wake_event = loop_.schedule_at(
      loop_.now(),
      [this, id, gen] {
        auto jt = fibers_.find(id);
        if (jt == fibers_.end()) return;
        Fiber& g = *jt->second;
        if (g.parked && g.generation == gen) resume(g, true);
      },
      f.owner);
}

void FiberScheduler::destroy_owned_by(std::uint32_t owner) {
  for (auto it = fibers_.begin(); it != fibers_.end();) {
    if (it->second->owner.owner == owner) {
      auto next = std::next(it);
      const std::uint64_t next_id = next == fibers_.end() ? 0 : next->first;
      destroy(it);
      // Destructors run during the unwind may have spawned or finished other
      // fibers: find our place again by id.
      it = next_id == 0 ? fibers_.end() : fibers_.lower_bound(next_id);
    } else {
      ++it;
    }
  }
}

void FiberScheduler::destroy(std::map<std::uint64_t, std::unique_ptr<Fiber>>::iterator it) {
  std::unique_ptr<Fiber> f = std::move(it->second);
  fibers_.erase(it);
  loop_.cancel(f->timeout_event);
  loop_.cancel(f->wake_event);
  if (f->ctx) {
    // Unwind the suspended stack: its destructors run now, "inside" the
    // fiber, so in_fiber() holds for them.
    ZSIM_ASSERT_MSG(current_ == nullptr, "cannot destroy fibers from inside a fiber");
    f->unwinding = true;
    current_ = f.get();
    start_switch(&main_fake_stack_, f->stack_bottom(), f->sctx.size);
    { ctx::fiber dying = std::move(f->ctx); }
    finish_switch(main_fake_stack_, nullptr, nullptr);
    current_ = nullptr;
  }
}

}  // namespace zsim::sim
