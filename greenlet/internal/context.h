// The one place where Evergreen chooses its machine context switch.
//
// Boost.Context's fcontext (libboost-context-dev) is a few instructions of
// hand-written assembly per architecture (x86-64, aarch64, ...): it saves the
// callee-saved registers on the current stack and jumps. It allocates nothing
// and makes no system call, which is what a greenlet switch must cost.
#ifndef EVERGREEN_GREENLET_INTERNAL_CONTEXT_H_
#define EVERGREEN_GREENLET_INTERNAL_CONTEXT_H_

#include <cstddef>

#include <boost/context/detail/fcontext.hpp>

namespace evergreen::internal {

// An opaque suspended execution context: a stack pointer into a stack whose
// top holds the saved registers.
using MachineContext = boost::context::detail::fcontext_t;

// What a jump delivers to the resumed side: the context of the side that
// just suspended itself, and one pointer of data.
using ContextTransfer = boost::context::detail::transfer_t;

using ContextEntry = void (*)(ContextTransfer);

// Prepares a context that runs `entry` on the stack [stack_top - size,
// stack_top) when first jumped to. `entry` must never return.
inline MachineContext MakeContext(void* stack_top, std::size_t size,
                                  ContextEntry entry) {
  return boost::context::detail::make_fcontext(stack_top, size, entry);
}

// Suspends the caller and resumes `to`, handing it `data`. Returns when some
// context jumps back to the caller's (now saved) context.
inline ContextTransfer JumpContext(MachineContext to, void* data) {
  return boost::context::detail::jump_fcontext(to, data);
}

}  // namespace evergreen::internal

#endif  // EVERGREEN_GREENLET_INTERNAL_CONTEXT_H_
