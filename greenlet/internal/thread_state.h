// Per-thread greenlet state: the implicit main greenlet, the current
// greenlet, the stack pool and the values in transit during a switch.
//
// Created on a thread's first greenlet operation, destroyed at thread exit.
// Internal: users reach it through RawGreenlet::Current()/Main().
#ifndef EVERGREEN_GREENLET_INTERNAL_THREAD_STATE_H_
#define EVERGREEN_GREENLET_INTERNAL_THREAD_STATE_H_

#include <memory>

#include "greenlet/internal/exception_state.h"
#include "greenlet/stack.h"
#include "greenlet/stack_pool.h"
#include "greenlet/stack_overflow.h"

namespace evergreen {
class RawGreenlet;

namespace internal {

class ThreadState {
 public:
  // The calling thread's state, created on first use.
  static ThreadState* Get() {
    ThreadState* state = current_thread_state;
    return state != nullptr ? state : Create();
  }
  // The calling thread's state or nullptr; async-signal-safe.
  static ThreadState* GetIfExists() { return current_thread_state; }

  ThreadState(const ThreadState&) = delete;
  ThreadState& operator=(const ThreadState&) = delete;
  ~ThreadState();

  RawGreenlet* main() const { return main_.get(); }
  RawGreenlet* current() const { return current_; }
  void set_current(RawGreenlet* greenlet) { current_ = greenlet; }

  StackPool& stack_pool() { return stack_pool_; }
  ExceptionState* exception_globals() const { return exception_globals_; }

  // The value handed over by the switch in progress.
  void* transfer_value = nullptr;

 private:
  ThreadState();
  static ThreadState* Create();

  // constinit: no dynamic initialiser, so access needs no TLS wrapper call.
  static inline constinit thread_local ThreadState* current_thread_state =
      nullptr;

  ExceptionState* exception_globals_;
  SignalStack signal_stack_;
  StackPool stack_pool_;
  std::unique_ptr<RawGreenlet> main_;
  RawGreenlet* current_ = nullptr;
};

}  // namespace internal
}  // namespace evergreen

#endif  // EVERGREEN_GREENLET_INTERNAL_THREAD_STATE_H_
