// JoinableQueue: a FIFO Queue that counts unfinished tasks, so a producer
// can wait until consumers have processed everything
// (gevent.queue.JoinableQueue).
//
//   evergreen::JoinableQueue<Url> urls;
//   for (int i = 0; i < 10; ++i) {
//     evergreen::Spawn([urls] {
//       for (auto url = urls.Get(); url.ok(); url = urls.Get()) {
//         Fetch(*url);
//         urls.TaskDone();
//       }
//     });
//   }
//   for (const Url& url : seeds) urls.Put(url);
//   urls.Join();                     // blocks until every url is TaskDone
//
// Every item accepted by Put counts as an unfinished task; TaskDone marks
// one finished; Join waits for the count to reach zero. Everything else
// (Put, Get, Peek, their Try twins, Shutdown, status codes, fairness,
// thread affinity) is exactly Queue's: see framework/queue.h.
//
// Blocks, under a deadline: every blocking call here waits at most until
// min(its own timeout, CurrentDeadline()) and then fails as its timeout
// does; with the deadline already passed, a call that would wait fails at
// once (framework/deadline.h, docs/deadlines.md).
#ifndef EVERGREEN_FRAMEWORK_JOINABLE_QUEUE_H_
#define EVERGREEN_FRAMEWORK_JOINABLE_QUEUE_H_

#include <cstddef>
#include <cstdint>
#include <memory>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "framework/internal/queue_buffers.h"
#include "framework/internal/queue_core.h"
#include "framework/internal/queue_waiters.h"
#include "framework/queue.h"

namespace evergreen {
namespace internal {

template <typename T>
class JoinableCore final : public QueueCore<FifoBuffer<T>> {
  using Base = QueueCore<FifoBuffer<T>>;

 public:
  using Base::Base;

  absl::Status TaskDone() {
    this->CheckThread("TaskDone");
    if (this->unfinished_tasks() == 0) {
      return absl::FailedPreconditionError(
          "TaskDone called more times than there were items put");
    }
    this->MarkTaskDone();
    if (this->unfinished_tasks() == 0) {
      joiners_.FinishAll(QueueWaitNode::Outcome::kDone);
    }
    return absl::OkStatus();
  }

  bool Join(absl::Duration timeout) {
    this->CheckThread("Join");
    if (this->unfinished_tasks() == 0 || this->shut_down_immediately()) {
      return true;
    }
    if (timeout <= absl::ZeroDuration()) return false;
    typename Base::BlockedCall blocked(this);
    QueueWaitNode node;
    return node.Await(&joiners_, timeout);
  }

  // Hides Base::Shutdown: an immediate shutdown also releases Join.
  void Shutdown(bool immediate) {
    Base::Shutdown(immediate);
    if (immediate) joiners_.FinishAll(QueueWaitNode::Outcome::kDone);
  }

 private:
  QueueWaitList joiners_;
};

}  // namespace internal

template <typename T>
class JoinableQueue
    : public BasicQueue<internal::FifoBuffer<T>, internal::JoinableCore<T>> {
  using Base = BasicQueue<internal::FifoBuffer<T>, internal::JoinableCore<T>>;

 public:
  // A queue holding at most `maxsize` items; 0 means unbounded.
  using Base::Base;

  // Marks one task finished: call once per item taken, after processing
  // it. Never blocks. When the count reaches zero, every blocked Join
  // returns. FailedPrecondition when called more times than items were
  // put (the count stays zero). Hub thread only.
  absl::Status TaskDone() const { return this->core().TaskDone(); }

  // Blocks until every item put has been marked done (B-Q5); what wakes
  // it: the TaskDone that brings the count to zero, or Shutdown(true).
  // Returns true then, false when `timeout` runs out first. Returns at
  // once, without switching, when the count is already zero (a queue that
  // never had items) or the queue was shut down immediately. A graceful
  // Shutdown() does not release Join: items taken still need TaskDone.
  // Throws as Waiter::Wait. Hub thread only.
  bool Join(absl::Duration timeout = absl::InfiniteDuration()) const {
    return this->core().Join(timeout);
  }

  // Items put and not yet marked done (nor dropped by Shutdown(true)).
  std::uint64_t unfinished_tasks() const {
    return this->core().unfinished_tasks();
  }
};

}  // namespace evergreen

#endif  // EVERGREEN_FRAMEWORK_JOINABLE_QUEUE_H_
