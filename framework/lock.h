// Lock and RLock: mutual exclusion between greenlets (gevent.lock.Lock,
// gevent.lock.RLock).
//
//   evergreen::Lock lock;
//   {
//     evergreen::LockGuard guard(lock);   // lock_guard.h; blocks if held
//     Mutate();
//   }
//
//   evergreen::RLock rlock;               // re-entrant for its owner
//   rlock.Acquire();
//   rlock.Acquire();                      // same greenlet: no deadlock
//   rlock.Release();
//   rlock.Release();                      // now free
//
// These only exclude greenlets of one hub; they are not thread mutexes.
// Waiters are served first come, first served (see semaphore.h).
//
// Thread affinity: the hub thread that constructed the lock (else
// WrongThreadError).
//
// Blocks, under a deadline: every blocking call here waits at most until
// min(its own timeout, CurrentDeadline()) and then fails as its timeout
// does; with the deadline already passed, a call that would wait fails at
// once (framework/deadline.h, docs/deadlines.md).
#ifndef EVERGREEN_FRAMEWORK_LOCK_H_
#define EVERGREEN_FRAMEWORK_LOCK_H_

#include "absl/time/time.h"
#include "framework/hub.h"
#include "framework/semaphore.h"
#include "greenlet/raw_greenlet.h"

namespace evergreen {

// A BoundedSemaphore(1): releasing an unlocked Lock throws LockError.
// Any greenlet may release it (it has no owner); see RLock for one that has.
class Lock : public BoundedSemaphore {
 public:
  Lock() : BoundedSemaphore(1) {}
};

// A lock its owner greenlet may acquire again; it is free once released as
// many times as acquired. The owner is the greenlet running Acquire()
// (RawGreenlet::Current(): a framework greenlet, the main greenlet, ...).
// REQUIRES: the owner releases it before it ends (a lock held by a dead
// greenlet stays held).
class RLock {
 public:
  RLock() : hub_(Hub::Current()) {}
  RLock(const RLock&) = delete;
  RLock& operator=(const RLock&) = delete;

  // Acquires, or re-acquires when the caller already owns it (at once,
  // never blocking). Otherwise blocks until the owner's last Release()
  // hands it over (FIFO) or `timeout` passes. Returns false on timeout.
  // Throws as Semaphore::Acquire.
  bool Acquire(absl::Duration timeout = absl::InfiniteDuration());
  // Non-blocking twin of Acquire().
  bool TryAcquire() { return Acquire(absl::ZeroDuration()); }

  // Undoes one Acquire() of the owner; the last one frees the lock. Throws
  // LockError, changing nothing, when the caller does not own it (B-L3).
  // Never blocks.
  void Release();

  bool locked() const { return owner_ != nullptr; }
  // True when the calling greenlet owns the lock.
  bool OwnedByCurrent() const { return owner_ == RawGreenlet::Current(); }
  // How many times the owner holds it (0 when free).
  int count() const { return count_; }

 private:
  Hub* hub_;
  Lock lock_;
  RawGreenlet* owner_ = nullptr;
  int count_ = 0;
};

}  // namespace evergreen

#endif  // EVERGREEN_FRAMEWORK_LOCK_H_
