// Tells ASan, TSan and Valgrind about greenlet stacks and switches.
//
// Each hook compiles to nothing when its tool is absent. ASan must be told
// before and after every switch (its fake stacks and stack bounds follow the
// running context); TSan keeps one "fiber" per greenlet; Valgrind must know
// which memory is a stack, or it reports every switch as a wild stack move.
#ifndef EVERGREEN_GREENLET_INTERNAL_SANITIZER_H_
#define EVERGREEN_GREENLET_INTERNAL_SANITIZER_H_

#include <cstddef>

#if defined(__SANITIZE_ADDRESS__)
#define EVERGREEN_ASAN 1
#include <sanitizer/asan_interface.h>
#include <sanitizer/common_interface_defs.h>
#endif

#if defined(__SANITIZE_THREAD__)
#define EVERGREEN_TSAN 1
#include <sanitizer/tsan_interface.h>
#include <signal.h>
#endif

#if __has_include(<valgrind/valgrind.h>)
#define EVERGREEN_VALGRIND 1
#include <valgrind/valgrind.h>
#endif

namespace evergreen::internal {

// Per-greenlet bookkeeping that the tools need; empty in plain builds.
struct SanitizerState {
#ifdef EVERGREEN_ASAN
  void* asan_fake_stack = nullptr;
  const void* asan_stack_bottom = nullptr;
  std::size_t asan_stack_size = 0;
#endif
#ifdef EVERGREEN_TSAN
  void* tsan_fiber = nullptr;
  bool tsan_owns_fiber = false;
#endif
};

// Called on the leaving side just before a jump to `to`. A greenlet that is
// finishing passes `leaving_for_good` so ASan drops its fake stack.
inline void BeforeSwitch(SanitizerState* from, const SanitizerState* to,
                         bool leaving_for_good) {
#ifdef EVERGREEN_ASAN
  __sanitizer_start_switch_fiber(leaving_for_good ? nullptr
                                                  : &from->asan_fake_stack,
                                 to->asan_stack_bottom, to->asan_stack_size);
#endif
#ifdef EVERGREEN_TSAN
  // TSan keeps an asynchronous signal that lands outside a blocking call
  // pending in the running fiber's own state, and delivers it when that
  // fiber next returns from an intercepted call. A greenlet that switches
  // away and is resumed only by that signal's handler (a Wait woken by
  // OnSignal) would never see it: deliver what is pending here, with an
  // intercepted call that changes nothing (reading the signal mask).
  sigset_t unchanged;
  pthread_sigmask(SIG_SETMASK, nullptr, &unchanged);
  __tsan_switch_to_fiber(to->tsan_fiber, 0);
#endif
  (void)from;
  (void)to;
  (void)leaving_for_good;
}

// Called on the arriving side right after a jump; `from` is the side that
// jumped here (its stack bounds are learnt here, which is how the implicit
// main greenlet gets its own).
inline void AfterSwitch(SanitizerState* self, SanitizerState* from) {
#ifdef EVERGREEN_ASAN
  __sanitizer_finish_switch_fiber(self->asan_fake_stack,
                                  &from->asan_stack_bottom,
                                  &from->asan_stack_size);
#endif
  (void)self;
  (void)from;
}

// A new greenlet's stack [bottom, bottom + size).
inline void OnStackAssigned(SanitizerState* state, void* bottom,
                            std::size_t size) {
#ifdef EVERGREEN_ASAN
  state->asan_stack_bottom = bottom;
  state->asan_stack_size = size;
#endif
#ifdef EVERGREEN_TSAN
  if (state->tsan_fiber == nullptr) {
    state->tsan_fiber = __tsan_create_fiber(0);
    state->tsan_owns_fiber = true;
  }
#endif
  (void)state;
  (void)bottom;
  (void)size;
}

// The thread's own (main) context.
inline void OnMainContext(SanitizerState* state) {
#ifdef EVERGREEN_TSAN
  state->tsan_fiber = __tsan_get_current_fiber();
#endif
  (void)state;
}

// The greenlet will never run again. Must not be called while it runs.
inline void OnContextRetired(SanitizerState* state) {
#ifdef EVERGREEN_TSAN
  if (state->tsan_owns_fiber) __tsan_destroy_fiber(state->tsan_fiber);
  state->tsan_fiber = nullptr;
  state->tsan_owns_fiber = false;
#endif
  (void)state;
}

// Memory handed back for reuse: clear stale ASan poisoning left by frames
// that were abandoned rather than returned from.
inline void UnpoisonStack(void* bottom, std::size_t size) {
#ifdef EVERGREEN_ASAN
  ASAN_UNPOISON_MEMORY_REGION(bottom, size);
#endif
  (void)bottom;
  (void)size;
}

inline unsigned RegisterStackWithValgrind(void* bottom, void* top) {
#ifdef EVERGREEN_VALGRIND
  return VALGRIND_STACK_REGISTER(bottom, top);
#else
  (void)bottom;
  (void)top;
  return 0;
#endif
}

inline void DeregisterStackWithValgrind(unsigned id) {
#ifdef EVERGREEN_VALGRIND
  VALGRIND_STACK_DEREGISTER(id);
#endif
  (void)id;
}

}  // namespace evergreen::internal

#endif  // EVERGREEN_GREENLET_INTERNAL_SANITIZER_H_
