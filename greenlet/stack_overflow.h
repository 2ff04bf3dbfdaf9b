// Reports a greenlet running off the end of its stack.
//
// Greenlet stacks sit above a PROT_NONE guard page (greenlet/stack.h). A
// process-wide SIGSEGV handler, running on a per-thread alternate signal
// stack (the faulting stack has no room left), checks whether the faulting
// address lies in the current greenlet's guard region. If so it writes
//
//   evergreen: greenlet stack overflow in greenlet 'NAME' (stack of N bytes)
//
// to stderr and lets the fault kill the process as SIGSEGV would. Any other
// fault goes to the handler that was installed before (a sanitizer's, or the
// default action), unchanged.
//
// Installed automatically when a thread first uses greenlets; nothing for
// users to call.
#ifndef EVERGREEN_GREENLET_STACK_OVERFLOW_H_
#define EVERGREEN_GREENLET_STACK_OVERFLOW_H_

#include <cstddef>

namespace evergreen::internal {

// Installs the SIGSEGV handler once per process. Thread-safe.
void InstallStackOverflowHandler();

// The calling thread's alternate signal stack, for the lifetime of the
// object. Restores the previous one on destruction.
class SignalStack {
 public:
  SignalStack();
  ~SignalStack();
  SignalStack(const SignalStack&) = delete;
  SignalStack& operator=(const SignalStack&) = delete;

 private:
  void* memory_ = nullptr;
  std::size_t size_ = 0;
  bool installed_ = false;
};

}  // namespace evergreen::internal

#endif  // EVERGREEN_GREENLET_STACK_OVERFLOW_H_
