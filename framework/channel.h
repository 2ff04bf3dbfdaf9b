// Channel: an unbuffered rendezvous between greenlets (gevent.queue.Channel).
//
//   evergreen::Channel<Request> requests;
//   evergreen::Spawn([requests] {
//     for (auto r = requests.Get(); r.ok(); r = requests.Get()) Serve(*r);
//   });
//   requests.Put(MakeRequest());   // returns once the server took it
//
// A Channel holds no items: a Put waits until a getter takes its item, a
// Get until a putter offers one. Both sides are served in arrival order.
// A Put finding a getter waiting hands the item to the oldest one and
// returns at once (the getter resumes with it on the hub's next turn).
// A handle: copies share one channel. T may be move-only.
//
// Status codes are Queue's (framework/queue.h): DeadlineExceeded on
// timeout, FailedPrecondition "channel shut down", and for the Try twins
// ResourceExhausted "channel full: no getter is waiting" and Unavailable
// "channel empty: no putter is waiting". A Put that fails drops its item.
// If a getter is killed after it was handed an item but before it
// resumed, the item goes to the next waiting getter, or is kept for the
// next Get: it is never lost.
//
// Thread affinity: bound to the creating thread's hub; every call belongs
// to that thread (WrongThreadError otherwise).
//
// Blocks, under a deadline: every blocking call here waits at most until
// min(its own timeout, CurrentDeadline()) and then fails as its timeout
// does; with the deadline already passed, a call that would wait fails at
// once (framework/deadline.h, docs/deadlines.md).
#ifndef EVERGREEN_FRAMEWORK_CHANNEL_H_
#define EVERGREEN_FRAMEWORK_CHANNEL_H_

#include <cstddef>
#include <memory>

#include "framework/internal/queue_buffers.h"
#include "framework/internal/queue_core.h"
#include "framework/queue.h"

namespace evergreen {

template <typename T>
class Channel : private BasicQueue<internal::FifoBuffer<T>> {
  using Base = BasicQueue<internal::FifoBuffer<T>>;
  using Core = internal::QueueCore<internal::FifoBuffer<T>>;

 public:
  using typename Base::value_type;

  Channel() : Base(internal::MakeQueueCore<Core>(/*capacity=*/0)) {}

  // Put(item, timeout): blocks until a getter takes the item (B-Q4); what
  // wakes it: a Get (oldest putter first) or Shutdown. Returns at once if
  // a getter is already waiting. OK, DeadlineExceeded, FailedPrecondition.
  using Base::Put;
  // TryPut(item): succeeds only if a getter is waiting, else
  // ResourceExhausted. Never blocks; safe in hub callbacks.
  using Base::TryPut;
  // Get(timeout): blocks until a putter offers an item; what wakes it: a
  // Put (oldest getter first) or Shutdown. OK, DeadlineExceeded,
  // FailedPrecondition once shut down.
  using Base::Get;
  // TryGet(): takes from a waiting putter, else Unavailable. Never blocks.
  using Base::TryGet;
  // Shutdown(immediate): Put and Get fail FailedPrecondition from now on;
  // blocked putters and getters fail at once. Never blocks.
  using Base::Shutdown;

  using Base::is_shut_down;
  using Base::waiting_getters;
  using Base::waiting_putters;

  // Blocked putters minus blocked getters, as gevent's Channel.balance:
  // > 0 means Gets would not block, < 0 that TryPut would succeed.
  std::ptrdiff_t balance() const {
    return static_cast<std::ptrdiff_t>(waiting_putters()) -
           static_cast<std::ptrdiff_t>(waiting_getters());
  }
};

}  // namespace evergreen

#endif  // EVERGREEN_FRAMEWORK_CHANNEL_H_
