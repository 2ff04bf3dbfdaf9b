// Timeout: a scoped deadline that raises itself in its greenlet.
//
//   {
//     evergreen::Timeout timeout(absl::Milliseconds(50));
//     (void)queue.Get();      // TimeoutError if nothing comes in 50 ms
//   }                         // leaving the scope cancels it
//
//   // The silent form: no exception escapes, the result says what happened.
//   absl::StatusOr<int> n = evergreen::WithTimeout(absl::Seconds(1), [&] {
//     return Compute();
//   });                       // DeadlineExceeded on expiry
//   int m = evergreen::WithTimeout(absl::Seconds(1), Compute, /*otherwise=*/-1);
//   // (compiled in tests/docs/header_examples_test.cc)
//
// When a started Timeout expires, the greenlet that started it gets a
// TimeoutError whose source() is that very Timeout (or the custom exception
// given) at its current or next blocking call. Nested timeouts each raise
// their own; catch by source() to tell them apart. Expiry is delivered
// through the hub, so a greenlet that never blocks is never interrupted.
//
// Thread affinity: the hub thread of the greenlet that starts it.
#ifndef EVERGREEN_FRAMEWORK_TIMEOUT_H_
#define EVERGREEN_FRAMEWORK_TIMEOUT_H_

#include <ev.h>

#include <exception>
#include <string>
#include <type_traits>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "framework/errors.h"
#include "framework/hub.h"
#include "framework/internal/runnable.h"

namespace evergreen {

class Timeout;

// Raised by an expiring Timeout, and by the Get(timeout) family when the
// wait runs out: a StatusError whose status is DeadlineExceeded (B-D4), so
// StatusFromException and catch (const StatusError&) see its code.
class TimeoutError : public StatusError {
 public:
  explicit TimeoutError(absl::Duration duration,
                        const Timeout* source = nullptr);
  // As above, with `what` as the message ("Ask of Ping timed out after 1s").
  TimeoutError(absl::Duration duration, const Timeout* source,
               std::string what);
  // The Timeout that raised it; nullptr for a timed wait's own deadline.
  const Timeout* source() const { return source_; }
  absl::Duration duration() const { return duration_; }

 private:
  absl::Duration duration_;
  const Timeout* source_;
};

class Timeout {
 public:
  // Starts at once, bound to the calling greenlet. An infinite duration
  // never fires (and is never pending).
  explicit Timeout(absl::Duration duration);
  // Raises `exception` on expiry instead of TimeoutError.
  Timeout(absl::Duration duration, std::exception_ptr exception);
  struct Deferred {};
  // Constructed but not started; call Start().
  Timeout(absl::Duration duration, Deferred);

  ~Timeout();  // Cancels.
  Timeout(const Timeout&) = delete;
  Timeout& operator=(const Timeout&) = delete;

  // (Re)starts the deadline from now, for the calling greenlet. Starting a
  // pending Timeout restarts it.
  void Start();
  // The deadline no longer fires. Idempotent.
  void Cancel();
  // Started and neither fired nor cancelled.
  bool pending() const { return pending_; }
  absl::Duration duration() const { return duration_; }

 private:
  static void OnTimer(struct ev_loop* loop, ev_timer* timer, int revents);
  static void Fire(internal::Runnable* node, bool discard);

  absl::Duration duration_;
  std::exception_ptr exception_;
  Hub* hub_;
  RawGreenlet* target_ = nullptr;
  ev_timer timer_;
  internal::Runnable fire_node_;
  bool pending_ = false;
};

// Runs `fn` under a Timeout of `duration`. Returns its result, or
// DeadlineExceeded ("timed out after ...") if the Timeout expired first.
// Exceptions other than this Timeout's propagate. Blocks as `fn` does.
template <typename F>
auto WithTimeout(absl::Duration duration, F&& fn) {
  using R = std::invoke_result_t<F&>;
  using Result = std::conditional_t<std::is_void_v<R>, absl::Status,
                                    absl::StatusOr<R>>;
  Timeout timeout(duration);
  try {
    if constexpr (std::is_void_v<R>) {
      fn();
      return Result(absl::OkStatus());
    } else {
      return Result(fn());
    }
  } catch (const TimeoutError& e) {
    if (e.source() != &timeout) throw;
    return Result(e.status());
  }
}

// As above, but returns `otherwise` on expiry.
template <typename F, typename T>
auto WithTimeout(absl::Duration duration, F&& fn, T&& otherwise)
    -> std::invoke_result_t<F&> {
  auto result = WithTimeout(duration, std::forward<F>(fn));
  if (!result.ok()) return std::forward<T>(otherwise);
  return *std::move(result);
}

}  // namespace evergreen

#endif  // EVERGREEN_FRAMEWORK_TIMEOUT_H_
