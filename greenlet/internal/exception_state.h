// Per-greenlet C++ exception-handling state.
//
// The C++ runtime keeps, per thread, the list of exceptions currently being
// handled (`catch` blocks entered and not yet left) and the count of
// exceptions in flight. A greenlet that switches away inside a catch block
// must take its part of that state with it; otherwise another greenlet's
// `throw;` or `std::uncaught_exceptions()` sees the wrong exception, and the
// list is popped out of order. So every switch saves the leaving greenlet's
// state and installs the arriving one's: two words, no call on the hot path
// (the globals' address is fetched once per thread).
#ifndef EVERGREEN_GREENLET_INTERNAL_EXCEPTION_STATE_H_
#define EVERGREEN_GREENLET_INTERNAL_EXCEPTION_STATE_H_

#include <cxxabi.h>

#include <cstring>

namespace evergreen::internal {

// Mirrors the Itanium C++ ABI's __cxa_eh_globals (libstdc++ and libc++).
struct ExceptionState {
  void* caught_exceptions = nullptr;
  unsigned int uncaught_exceptions = 0;
};

// The calling thread's runtime exception globals.
inline ExceptionState* ThreadExceptionGlobals() {
  return reinterpret_cast<ExceptionState*>(abi::__cxa_get_globals());
}

inline void SaveExceptionState(const ExceptionState* globals,
                               ExceptionState* into) {
  std::memcpy(into, globals, sizeof(ExceptionState));
}

inline void RestoreExceptionState(const ExceptionState& from,
                                  ExceptionState* globals) {
  std::memcpy(globals, &from, sizeof(ExceptionState));
}

}  // namespace evergreen::internal

#endif  // EVERGREEN_GREENLET_INTERNAL_EXCEPTION_STATE_H_
