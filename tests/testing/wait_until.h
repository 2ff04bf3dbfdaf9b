// WaitUntil: wait for the condition a test means, not for a number of hub
// turns. "The getter has blocked", "the other greenlet has run", "the
// mailbox is drained" take one turn on an idle machine and more under load,
// under a sanitizer, or after a scheduling change (a blocking call may yield
// first: MaybeYield), so a single Sleep(absl::ZeroDuration()) passes by
// accident or fails. A yield that is itself the behaviour under test (fair
// scheduling, turn counts) stays a yield.
//
//   Queue<int> q;
//   Spawn([&] { got = *q.Get(); });
//   ASSERT_TRUE(WaitForGetters(q, 1));       // the getter is blocked in Get
//   ...
//   bool at_wait = false;
//   Spawn([&] { at_wait = true; event.Wait(); });
//   ASSERT_TRUE(WaitUntil([&] { return at_wait; }, "the waiter blocked"));
//
// The second form relies on a hub's cooperative scheduling: a greenlet that
// sets a flag and then calls a blocking function without a switch point in
// between is blocked in that call once another greenlet of its hub sees the
// flag (a call about to wait does not yield first: MaybeYield is for calls
// that succeed at once). WaitUntilAllBlocked() waits until nothing else on
// the hub can run, for when the test means "everyone has reached a wait".
//
// Blocks the calling greenlet (any greenlet, or the thread's main one):
// yields to the hub, at first one turn at a time, then in 1 ms sleeps so a
// condition that waits on another thread or a timer does not spin the CPU.
// Fails the running test (naming `what`) and returns false when the
// condition still does not hold after `limit`, a generous bound.
#ifndef EVERGREEN_TESTS_TESTING_WAIT_UNTIL_H_
#define EVERGREEN_TESTS_TESTING_WAIT_UNTIL_H_

#include <cstddef>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "framework/timeout.h"
#include "framework/waiter.h"
#include "gtest/gtest.h"

namespace evergreen {

// The default bound: far beyond any condition's time on a loaded 2-core
// machine under ThreadSanitizer, short of the test's own timeout.
inline constexpr absl::Duration kWaitUntilLimit = absl::Seconds(30);

// Returns true as soon as `done()` holds (at once if it already does);
// otherwise yields as above until it does or `limit` passes.
template <typename Predicate>
[[nodiscard]] bool WaitUntil(Predicate&& done, absl::string_view what,
                             absl::Duration limit = kWaitUntilLimit) {
  if (done()) return true;
  // Enough single turns for any chain of greenlets a test builds; past
  // them the condition waits on something slower.
  constexpr int kSingleTurns = 200;
  const absl::Time give_up = absl::Now() + limit;
  for (int turn = 0;; ++turn) {
    Sleep(turn < kSingleTurns ? absl::ZeroDuration() : absl::Milliseconds(1));
    if (done()) return true;
    if (absl::Now() >= give_up) break;
  }
  ADD_FAILURE() << "WaitUntil: still not true after " << limit << ": "
                << what;
  return false;
}

// Until at least `n` greenlets wait in `queue`'s Get or Peek (any queue
// type, or anything else with waiting_getters()).
template <typename QueueLike>
[[nodiscard]] bool WaitForGetters(const QueueLike& queue, std::size_t n,
                                  absl::Duration limit = kWaitUntilLimit) {
  return WaitUntil([&] { return queue.waiting_getters() >= n; },
                   absl::StrCat(n, " getter(s) waiting"), limit);
}

// Until at least `n` greenlets wait in `queue`'s Put.
template <typename QueueLike>
[[nodiscard]] bool WaitForPutters(const QueueLike& queue, std::size_t n,
                                  absl::Duration limit = kWaitUntilLimit) {
  return WaitUntil([&] { return queue.waiting_putters() >= n; },
                   absl::StrCat(n, " putter(s) waiting"), limit);
}

// Until nothing else on the calling thread's hub can run: every greenlet
// spawned, woken or yielding has run up to its next wait (which is what a
// single Sleep(absl::ZeroDuration()) meant on an idle machine), and no
// watcher has an event pending. It waits in Idle() (framework/waiter.h),
// which knows the hub's ready work, including the rest of the batch the
// caller runs in (Hub::stats().ready does not count it). Greenlets waiting
// on I/O or a timer that has not fired yet are blocked. A greenlet that
// never blocks (a loop of yields) keeps this from holding: after `limit`
// the test fails.
[[nodiscard]] inline bool WaitUntilAllBlocked(
    absl::Duration limit = kWaitUntilLimit) {
  Timeout timeout(limit);
  try {
    Idle();
    return true;
  } catch (const TimeoutError& e) {
    if (e.source() != &timeout) throw;
  }
  ADD_FAILURE() << "WaitUntilAllBlocked: after " << limit
                << " the hub still has work ready (a greenlet that never "
                   "blocks?)";
  return false;
}

// Until `flag` is true (set by another greenlet, typically just before it
// blocks: see the overview).
[[nodiscard]] inline bool WaitForFlag(const bool& flag, absl::string_view what,
                                      absl::Duration limit = kWaitUntilLimit) {
  return WaitUntil([&] { return flag; }, what, limit);
}

}  // namespace evergreen

#endif  // EVERGREEN_TESTS_TESTING_WAIT_UNTIL_H_
