// TimerHandle: what Hub::CallLater returns — a way to cancel the call.
//
//   evergreen::TimerHandle timer = hub->CallLater(absl::Seconds(60), [] {
//     Expire();
//   });
//   ...
//   timer.Cancel();   // Expire() never runs; the loop is no longer held
//   // (compiled in tests/docs/header_examples_test.cc)
//
// Dropping a handle does NOT cancel: CallLater stays fire-and-forget for
// callers that ignore the handle (like gevent's loop.timer without a
// reference). Cancel() explicitly; or hold a ScopedTimer, the RAII
// variant, which cancels when it goes out of scope.
//
// A cancelled call stops its libev timer, destroys its callable at once
// and no longer keeps the loop alive (Hub::Join may return). Cancel after
// the call ran, after an earlier Cancel, or after the hub was destroyed
// does nothing.
//
// Thread affinity: the hub thread of the CallLater (handles are moved, not
// shared, and are not thread-safe). Never blocks.
#ifndef EVERGREEN_FRAMEWORK_TIMER_HANDLE_H_
#define EVERGREEN_FRAMEWORK_TIMER_HANDLE_H_

#include <utility>

namespace evergreen {
namespace internal {
class DelayedCall;
}  // namespace internal

class TimerHandle {
 public:
  // An empty handle: Cancel() does nothing, pending() is false.
  TimerHandle() = default;
  explicit TimerHandle(internal::DelayedCall* call) : call_(call) {}
  TimerHandle(TimerHandle&& other) noexcept
      : call_(std::exchange(other.call_, nullptr)) {}
  TimerHandle& operator=(TimerHandle&& other) noexcept {
    if (this != &other) {
      Reset();
      call_ = std::exchange(other.call_, nullptr);
    }
    return *this;
  }
  TimerHandle(const TimerHandle&) = delete;
  TimerHandle& operator=(const TimerHandle&) = delete;
  ~TimerHandle() { Reset(); }  // Forgets the call; does not cancel it.

  // The call will not run: stops the timer and destroys the callable.
  // Idempotent. Hub thread.
  void Cancel();
  // Started and neither run (or begun running) nor cancelled.
  bool pending() const;

 private:
  void Reset();

  internal::DelayedCall* call_ = nullptr;
};

// A TimerHandle that cancels its call when destroyed (or reassigned).
class ScopedTimer {
 public:
  ScopedTimer() = default;
  explicit ScopedTimer(TimerHandle handle) : handle_(std::move(handle)) {}
  ScopedTimer(ScopedTimer&&) noexcept = default;
  ScopedTimer& operator=(ScopedTimer&& other) noexcept {
    if (this != &other) {
      handle_.Cancel();
      handle_ = std::move(other.handle_);
    }
    return *this;
  }
  ~ScopedTimer() { handle_.Cancel(); }

  void Cancel() { handle_.Cancel(); }
  bool pending() const { return handle_.pending(); }
  // Gives up the RAII: the call runs unless cancelled through the result.
  TimerHandle Release() { return std::move(handle_); }

 private:
  TimerHandle handle_;
};

}  // namespace evergreen

#endif  // EVERGREEN_FRAMEWORK_TIMER_HANDLE_H_
