// Semaphore and BoundedSemaphore: counting locks for greenlets
// (gevent.lock.Semaphore, gevent.lock.BoundedSemaphore).
//
//   evergreen::Semaphore connections(10);     // at most 10 at once
//   if (connections.Acquire(absl::Seconds(1))) {
//     Talk();
//     connections.Release();
//   }
//   // or, scoped: evergreen::LockGuard guard(connections);  (lock_guard.h)
//   // (compiled in tests/docs/header_examples_test.cc)
//
// Fairness (B-L2): waiters are served strictly first come, first served.
// Release() with greenlets waiting hands the slot straight to the first of
// them, so a releaser that immediately acquires again queues behind them
// instead of jumping the line, and no contender is starved.
//
// A slot handed to a greenlet that is unwound before it runs again (killed,
// or interrupted by a scoped Timeout) is passed on to the next waiter: an
// abandoned wait never loses a slot.
//
// Errors: contract violations throw LockError (a std::logic_error):
// releasing a BoundedSemaphore more often than it was acquired, releasing
// an RLock one does not own (lock.h). A negative initial value throws
// std::invalid_argument. Blocking calls throw as Waiter::Wait.
//
// Thread affinity: bound to the hub of the thread that constructs it; every
// call belongs to that thread (else WrongThreadError). Non-blocking calls
// may also be made from the hub itself (libev or link callbacks).
//
// Blocks, under a deadline: every blocking call here waits at most until
// min(its own timeout, CurrentDeadline()) and then fails as its timeout
// does; with the deadline already passed, a call that would wait fails at
// once (framework/deadline.h, docs/deadlines.md).
#ifndef EVERGREEN_FRAMEWORK_SEMAPHORE_H_
#define EVERGREEN_FRAMEWORK_SEMAPHORE_H_

#include <stdexcept>

#include "absl/time/time.h"
#include "framework/hub.h"
#include "framework/internal/runnable.h"

namespace evergreen {

class Semaphore;

// A lock used against its contract (see the overview).
class LockError : public std::logic_error {
 public:
  using std::logic_error::logic_error;
};

namespace internal {

// A place in a Semaphore's FIFO. When the semaphore grants it (a slot for
// an acquirer; availability for a mere waiter) it marks it granted, unlinks
// it, and runs it. Framework code (Pool) queues tickets of its own that do
// something other than waking a greenlet.
class SemaphoreTicket : public Runnable {
 public:
  SemaphoreTicket(RunFunction on_granted, bool takes_slot)
      : Runnable(on_granted), takes_slot_(takes_slot) {}

  bool takes_slot() const { return takes_slot_; }
  bool granted() const { return granted_; }

 private:
  friend class ::evergreen::Semaphore;
  bool takes_slot_;
  bool granted_ = false;
};

}  // namespace internal

class Semaphore {
 public:
  // A semaphore with `value` free slots. Throws std::invalid_argument when
  // `value` is negative. Binds to the calling thread's hub.
  explicit Semaphore(int value = 1);
  // REQUIRES: no greenlet waits on it (a waiter left behind would never be
  // woken; it is detached, not corrupted).
  ~Semaphore();
  Semaphore(const Semaphore&) = delete;
  Semaphore& operator=(const Semaphore&) = delete;

  // Takes a slot. Blocks while none is free, until Release() hands one to
  // this greenlet (in FIFO order) or `timeout` passes. Returns true when a
  // slot was taken, false on timeout. A zero or negative timeout does not
  // block (TryAcquire). Throws as Waiter::Wait (GreenletExit, TimeoutError
  // of a scoped Timeout, LoopExit, BlockingInHubError); no slot is held
  // then.
  bool Acquire(absl::Duration timeout = absl::InfiniteDuration());
  // Non-blocking twin: takes a free slot if there is one. Safe in the hub.
  bool TryAcquire();

  // Returns a slot: to the first waiting acquirer if any (it runs on the
  // hub's next turn), else to the pool of free slots. Never blocks or
  // switches; safe in the hub. Throws LockError for a BoundedSemaphore
  // already at its initial value (the state is unchanged then).
  void Release();

  // Blocks until a slot is free, without taking it, or until `timeout`
  // passes; what wakes it: a Release() reaching it in FIFO order. Returns
  // at once when a slot is free (B-L1). Returns true when a slot was free
  // at that moment (another greenlet may take it before the caller runs),
  // false on timeout. Throws as Acquire. Non-blocking twin: !locked().
  bool Wait(absl::Duration timeout = absl::InfiniteDuration());

  // Free slots now.
  int value() const { return counter_; }
  // No slot is free: Acquire() would block.
  bool locked() const { return counter_ <= 0; }
  // Some greenlet (or ticket) is queued.
  bool has_waiters() const { return !waiters_.empty(); }

  // For framework code: takes a free slot and returns true, or queues
  // `ticket` (which must take a slot) and returns false; the ticket runs
  // when Release() grants it one. Unlinking the ticket withdraws it.
  bool AcquireOrEnqueue(internal::SemaphoreTicket* ticket);

 protected:
  // `bound` < 0: unbounded; otherwise Release() refuses to exceed it.
  Semaphore(int value, int bound);

 private:
  class GreenletTicket;

  // Queues the calling greenlet and waits; true when granted.
  bool WaitInLine(bool takes_slot, absl::Duration timeout);
  // Grants free slots to queued tickets, in order.
  void Dispatch();

  Hub* hub_;
  int counter_;
  const int bound_;
  // Invariant after every call: counter_ == 0 or waiters_ is empty.
  internal::RunnableList waiters_;
};

// A Semaphore that refuses to be released above its initial value
// (B-L3): Release() then throws LockError and changes nothing.
class BoundedSemaphore : public Semaphore {
 public:
  explicit BoundedSemaphore(int value = 1) : Semaphore(value, value) {}
};

}  // namespace evergreen

#endif  // EVERGREEN_FRAMEWORK_SEMAPHORE_H_
