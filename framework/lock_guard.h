// LockGuard: holds a Semaphore, BoundedSemaphore, Lock or RLock for a
// scope.
//
//   evergreen::Lock lock;
//   {
//     evergreen::LockGuard guard(lock);  // Blocks until acquired.
//     ...
//   }                                    // released, even on an exception
//
// Construction blocks as the lock's Acquire() with no timeout (what wakes
// it: the holder's Release()) and throws as it does (GreenletExit,
// TimeoutError of a scoped Timeout, LoopExit); then nothing is held. For a
// timed or non-blocking attempt, call Acquire(timeout) / TryAcquire() and
// Release() yourself.
//
// Thread affinity: the lock's hub thread.
#ifndef EVERGREEN_FRAMEWORK_LOCK_GUARD_H_
#define EVERGREEN_FRAMEWORK_LOCK_GUARD_H_

namespace evergreen {

// L has bool Acquire() and void Release().
template <typename L>
class LockGuard {
 public:
  explicit LockGuard(L& lock) : lock_(lock) { lock_.Acquire(); }
  ~LockGuard() { lock_.Release(); }
  LockGuard(const LockGuard&) = delete;
  LockGuard& operator=(const LockGuard&) = delete;

 private:
  L& lock_;
};

}  // namespace evergreen

#endif  // EVERGREEN_FRAMEWORK_LOCK_GUARD_H_
