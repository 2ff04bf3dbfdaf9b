// Queue, LifoQueue, PriorityQueue: cooperative queues between greenlets
// (gevent.queue).
//
//   evergreen::Queue<std::string> jobs(/*maxsize=*/100);
//   evergreen::Spawn([jobs] {
//     for (auto job = jobs.Get(); job.ok(); job = jobs.Get()) Handle(*job);
//   });                                   // ends once shut down and drained
//   absl::Status s = jobs.Put("resize a.png");   // blocks while full
//   jobs.Shutdown();                             // no more Puts
//   // (compiled in tests/docs/header_examples_test.cc)
//
// A handle: copies share one queue, so greenlets capture it by value. T may
// be move-only (std::unique_ptr); Peek needs a copyable T. maxsize 0 (the
// default) means unbounded; then Put never blocks.
//
// Fairness. Blocked putters and getters are served in arrival order, and
// the queue decides who gets what when it happens, not when the woken
// greenlet runs: a Put while getters wait hands the item to the oldest
// getter (a later greenlet that never waited cannot take it); a Get while
// putters wait moves the oldest putter's item in, so each Get completes
// exactly one blocked Put and each Put at most one blocked Get. Waiting
// Peeks all receive a copy of the next item put. If a greenlet is killed
// (or its scoped Timeout fires) after it was handed an item but before it
// resumed, the item goes back to the head of the queue (to the next
// waiting getter, if any): nothing is lost, and the queue may briefly hold
// one item more than maxsize.
//
// Status codes (every queue, JoinableQueue and Channel alike):
//   OK                  done.
//   DeadlineExceeded    a blocking call's timeout ran out ("queue Get timed
//                       out after 50ms"); a timeout <= 0 fails at once
//                       unless the call can complete without waiting.
//   ResourceExhausted   TryPut on a full queue: "queue full".
//   Unavailable         TryGet/TryPeek on an empty queue: "queue empty".
//   FailedPrecondition  the queue is shut down: "queue shut down". No other
//                       failure of Put/Get/Peek uses this code.
// A Put that fails drops its item (it was passed by value).
// Exceptions are not statuses: a blocked call unwinds with whatever is
// thrown into its greenlet (GreenletExit on kill, TimeoutError of an
// enclosing Timeout), raises LoopExit ("would block forever") when it is
// the main greenlet's and nothing can ever wake it, and BlockingInHubError
// when it would block inside the hub (a callback may only use the Try
// forms, which never block).
//
// Thread affinity: bound to the hub of the thread that created it; every
// call belongs to that thread (WrongThreadError otherwise). To feed a queue
// from another thread, Post() a TryPut to its hub.
//
// Blocks, under a deadline: every blocking call here waits at most until
// min(its own timeout, CurrentDeadline()) and then fails as its timeout
// does; with the deadline already passed, a call that would wait fails at
// once (framework/deadline.h, docs/deadlines.md).
#ifndef EVERGREEN_FRAMEWORK_QUEUE_H_
#define EVERGREEN_FRAMEWORK_QUEUE_H_

#include <cstddef>
#include <functional>
#include <memory>
#include <type_traits>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "framework/internal/queue_buffers.h"
#include "framework/internal/queue_core.h"

namespace evergreen {

// The queue API over an item order (`Buffer`, see
// internal/queue_buffers.h). Use Queue, LifoQueue or PriorityQueue.
template <typename Buffer, typename Core = internal::QueueCore<Buffer>>
class BasicQueue {
 public:
  using value_type = typename Buffer::value_type;

  // A queue holding at most `maxsize` items; 0 means unbounded.
  explicit BasicQueue(std::size_t maxsize = 0)
      : core_(internal::MakeQueueCore<Core>(Capacity(maxsize))) {}

  // Adds `item`. Blocks while the queue is full; what wakes it: a Get that
  // makes room (which moves this item in, oldest putter first) or
  // Shutdown. Never blocks on an unbounded queue. Returns OK once the item
  // is in the queue (or handed to a waiting getter), DeadlineExceeded when
  // `timeout` runs out first, FailedPrecondition when the queue is (or
  // gets) shut down.
  absl::Status Put(value_type item,
                   absl::Duration timeout = absl::InfiniteDuration()) const {
    return core_->Put(std::move(item), timeout, /*blocking=*/true);
  }
  // Non-blocking twin of Put: ResourceExhausted "queue full" instead of
  // waiting. Safe in hub callbacks (it wakes a blocked getter on the hub's
  // next turn).
  absl::Status TryPut(value_type item) const {
    return core_->Put(std::move(item), absl::ZeroDuration(),
                      /*blocking=*/false);
  }

  // Removes and returns the next item. Blocks while the queue is empty;
  // what wakes it: a Put (which hands its item to the oldest getter) or
  // Shutdown. DeadlineExceeded when `timeout` runs out first;
  // FailedPrecondition once the queue is shut down and has no items left.
  absl::StatusOr<value_type> Get(
      absl::Duration timeout = absl::InfiniteDuration()) const {
    return core_->Get(timeout, /*blocking=*/true);
  }
  // Non-blocking twin of Get: Unavailable "queue empty" instead of waiting.
  absl::StatusOr<value_type> TryGet() const {
    return core_->Get(absl::ZeroDuration(), /*blocking=*/false);
  }

  // Returns a copy of the next item without removing it. Blocks, wakes and
  // fails as Get; a Put wakes every waiting Peek (each gets a copy) and
  // still delivers the item to a waiting getter or the queue.
  absl::StatusOr<value_type> Peek(
      absl::Duration timeout = absl::InfiniteDuration())
      const requires std::is_copy_constructible_v<value_type> {
    return core_->Peek(timeout, /*blocking=*/true);
  }
  // Non-blocking twin of Peek: Unavailable "queue empty" instead of waiting.
  absl::StatusOr<value_type> TryPeek()
      const requires std::is_copy_constructible_v<value_type> {
    return core_->Peek(absl::ZeroDuration(), /*blocking=*/false);
  }

  // Shuts the queue down (B-Q6; Python 3.13's Queue.shutdown). Never
  // blocks. Afterwards every Put fails FailedPrecondition and blocked
  // putters fail at once (their items are dropped). Graceful (default):
  // the items already in the queue can still be taken; then Get fails, and
  // blocked getters fail when the queue is empty. `immediate`: the items
  // are dropped too and every Get fails at once. Idempotent.
  void Shutdown(bool immediate = false) const { core_->Shutdown(immediate); }
  bool is_shut_down() const { return core_->shut_down(); }

  // Items in the queue (not counting those held by blocked putters).
  std::size_t size() const { return core_->size(); }
  bool empty() const { return core_->size() == 0; }
  // True when a Put would block. Never true for an unbounded queue.
  bool full() const { return core_->full(); }
  // The bound given at construction; 0 for unbounded.
  std::size_t maxsize() const {
    return core_->capacity() == Core::kUnbounded ? 0 : core_->capacity();
  }
  // Greenlets blocked in Get or Peek, and in Put.
  std::size_t waiting_getters() const { return core_->waiting_getters(); }
  std::size_t waiting_putters() const { return core_->waiting_putters(); }

 protected:
  explicit BasicQueue(std::shared_ptr<Core> core) : core_(std::move(core)) {}
  static std::size_t Capacity(std::size_t maxsize) {
    return maxsize == 0 ? Core::kUnbounded : maxsize;
  }
  Core& core() const { return *core_; }

 private:
  std::shared_ptr<Core> core_;
};

// First in, first out.
template <typename T>
class Queue : public BasicQueue<internal::FifoBuffer<T>> {
 public:
  using BasicQueue<internal::FifoBuffer<T>>::BasicQueue;
};

// Last in, first out: Get returns the item put most recently.
template <typename T>
class LifoQueue : public BasicQueue<internal::LifoBuffer<T>> {
 public:
  using BasicQueue<internal::LifoBuffer<T>>::BasicQueue;
};

// Least first under `Compare` (std::less: the smallest item first, as
// gevent's heapq-based PriorityQueue; pass std::greater for largest
// first). Stable: equal items come out in the order they were put.
//
//   evergreen::PriorityQueue<std::pair<int, std::string>> q;
//   q.Put({2, "later"});
//   q.Put({1, "sooner"});
//   q.Get()->second;   // "sooner"
template <typename T, typename Compare = std::less<T>>
class PriorityQueue : public BasicQueue<internal::PriorityBuffer<T, Compare>> {
  using Base = BasicQueue<internal::PriorityBuffer<T, Compare>>;
  using Core = internal::QueueCore<internal::PriorityBuffer<T, Compare>>;

 public:
  explicit PriorityQueue(std::size_t maxsize = 0, Compare compare = Compare())
      : Base(internal::MakeQueueCore<Core>(Base::Capacity(maxsize),
                                           std::move(compare))) {}
};

}  // namespace evergreen

#endif  // EVERGREEN_FRAMEWORK_QUEUE_H_
