// UniqueFunction: a move-only callable with inline storage.
//
// The event loop stores one callback per scheduled event; std::function
// would allocate for most captures and requires copyable callables. This
// keeps captures up to kInlineBytes inline (no allocation) and falls back to
// the heap for larger ones. Single-threaded; not thread-safe by design.
#pragma once

#include <cstddef>
#include <cstring>
#include <new>
#include <type_traits>
#include <utility>

namespace zsim {

template <typename Signature, std::size_t kInlineBytes = 64>
class UniqueFunction;

template <typename R, typename... Args, std::size_t kInlineBytes>
class UniqueFunction<R(Args...), kInlineBytes> {
 public:
  UniqueFunction() noexcept = default;
  UniqueFunction(std::nullptr_t) noexcept {}  // NOLINT: implicit like std::function

  template <typename F,
            typename = std::enable_if_t<
                !std::is_same_v<std::decay_t<F>, UniqueFunction> &&
                std::is_invocable_r_v<R, std::decay_t<F>&, Args...>>>
  UniqueFunction(F&& f) {  // NOLINT: implicit like std::function
    using Fn = std::decay_t<F>;
    if constexpr (fits_inline<Fn>()) {
      ::new (static_cast<void*>(storage_)) Fn(std::forward<F>(f));
      ops_ = &inline_ops<Fn>;
    } else {
      Fn* heap = new Fn(std::forward<F>(f));
      std::memcpy(storage_, &heap, sizeof(heap));
      ops_ = &heap_ops<Fn>;
    }
  }

  UniqueFunction(UniqueFunction&& other) noexcept { take(std::move(other)); }
  UniqueFunction& operator=(UniqueFunction&& other) noexcept {
    if (this != &other) {
      reset();
      take(std::move(other));
    }
    return *this;
  }
  UniqueFunction(const UniqueFunction&) = delete;
  UniqueFunction& operator=(const UniqueFunction&) = delete;
  ~UniqueFunction() { reset(); }

  explicit operator bool() const noexcept { return ops_ != nullptr; }

  R operator()(Args... args) {
    return ops_->call(storage_, std::forward<Args>(args)...);
  }

  void reset() noexcept {
    if (ops_ != nullptr) {
      ops_->destroy(storage_);
      ops_ = nullptr;
    }
  }

 private:
  struct Ops {
    R (*call)(void*, Args&&...);
    void (*move)(void* dst, void* src) noexcept;  // move-construct, destroy src
    void (*destroy)(void*) noexcept;
  };

  template <typename Fn>
  static constexpr bool fits_inline() {
    return sizeof(Fn) <= kInlineBytes &&
           alignof(Fn) <= alignof(std::max_align_t) &&
           std::is_nothrow_move_constructible_v<Fn>;
  }

  template <typename Fn>
  static constexpr Ops inline_ops = {
      [](void* s, Args&&... a) -> R {
        return (*std::launder(static_cast<Fn*>(s)))(std::forward<Args>(a)...);
      },
      [](void* dst, void* src) noexcept {
        Fn* from = std::launder(static_cast<Fn*>(src));
        ::new (dst) Fn(std::move(*from));
        from->~Fn();
      },
      [](void* s) noexcept { std::launder(static_cast<Fn*>(s))->~Fn(); }};

  template <typename Fn>
  static Fn* heap_ptr(void* s) {
    Fn* p;
    std::memcpy(&p, s, sizeof(p));
    return p;
  }

  template <typename Fn>
  static constexpr Ops heap_ops = {
      [](void* s, Args&&... a) -> R {
        return (*heap_ptr<Fn>(s))(std::forward<Args>(a)...);
      },
      [](void* dst, void* src) noexcept {
        std::memcpy(dst, src, sizeof(Fn*));
      },
      [](void* s) noexcept { delete heap_ptr<Fn>(s); }};

  void take(UniqueFunction&& other) noexcept {
    if (other.ops_ != nullptr) {
      other.ops_->move(storage_, other.storage_);
      ops_ = other.ops_;
      other.ops_ = nullptr;
    }
  }

  alignas(std::max_align_t) unsigned char storage_[kInlineBytes];
  const Ops* ops_ = nullptr;
};

}  // namespace zsim
