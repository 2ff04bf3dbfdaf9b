// Deadlines that flow: a per-greenlet current deadline that bounds every
// blocking call made under it (docs/deadlines.md).
//
//   absl::StatusOr<Row> row = evergreen::WithDeadline(absl::Milliseconds(50),
//       [&] { return db.Query(key); });   // every wait inside ends by 50 ms
//
//   {
//     evergreen::DeadlineScope scope(request.deadline);   // only narrows
//     absl::StatusOr<Bytes> b = socket.Recv(4096, absl::Hours(1));
//   }   // DeadlineExceeded by request.deadline, despite the hour
//
// The rule: every blocking call (queue, event, async result, greenlet and
// group joins, locks, socket I/O and connect, TLS handshake, DNS on both
// resolvers, thread-pool waits, Ask) waits at most until
// min(its own timeout, CurrentDeadline()) and then fails the way its own
// timeout fails — DeadlineExceeded for a Status, false for a bool Wait,
// TimeoutError for a throwing Get. A deadline that has already passed
// makes a call that would wait fail at once; a call that can complete
// without waiting still completes. Sleep and Idle are delays, not waits:
// they are not shortened.
//
// A deadline belongs to the greenlet that set it. Spawn does not pass it
// on (a new greenlet, actor or server handler starts with none: work that
// outlives the request must say so explicitly, as in Go and gRPC); an Ask
// does: the handler runs with min(the Ask's timeout, the caller's
// deadline) as its current deadline.
//
// Deadlines are absl::Time (wall clock), as on the wire.
// Thread affinity: the calling greenlet's; never blocks.
#ifndef EVERGREEN_FRAMEWORK_DEADLINE_H_
#define EVERGREEN_FRAMEWORK_DEADLINE_H_

#include <string>
#include <type_traits>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "framework/timeout.h"
#include "greenlet/raw_greenlet.h"

namespace evergreen {

// The calling greenlet's current deadline; InfiniteFuture when it has none.
inline absl::Time CurrentDeadline() {
  return RawGreenlet::Current()->deadline();
}

// Time left until CurrentDeadline(): never negative; InfiniteDuration when
// there is no deadline.
absl::Duration TimeUntilDeadline();

// Narrows the calling greenlet's deadline for its scope: the effective
// deadline is min(current, `deadline`) — a scope never extends one set
// further out. The destructor restores the previous deadline.
// REQUIRES: destroyed in the greenlet that made it.
class DeadlineScope {
 public:
  explicit DeadlineScope(absl::Time deadline);
  // `timeout` from now; InfiniteDuration leaves the deadline as it is.
  explicit DeadlineScope(absl::Duration timeout);
  ~DeadlineScope() { greenlet_->set_deadline(saved_); }
  DeadlineScope(const DeadlineScope&) = delete;
  DeadlineScope& operator=(const DeadlineScope&) = delete;

  // The effective deadline inside the scope.
  absl::Time deadline() const { return greenlet_->deadline(); }

 private:
  RawGreenlet* greenlet_;
  absl::Time saved_;
};

namespace internal {

// Lifts the calling greenlet's deadline for its scope, for waits that must
// run to completion whatever the caller's deadline (joining a greenlet
// that was just killed, draining what a stop started).
class NoDeadlineScope {
 public:
  NoDeadlineScope();
  ~NoDeadlineScope() { greenlet_->set_deadline(saved_); }
  NoDeadlineScope(const NoDeadlineScope&) = delete;
  NoDeadlineScope& operator=(const NoDeadlineScope&) = delete;

 private:
  RawGreenlet* greenlet_;
  absl::Time saved_;
};

// Why a wait with its own `timeout` ended unwoken, for error messages:
// "deadline exceeded" when the current deadline has passed, else
// "timed out after <timeout>".
std::string DescribeTimeout(absl::Duration timeout);

template <typename R>
struct DeadlineResult {
  using type = absl::StatusOr<R>;
};
template <>
struct DeadlineResult<void> {
  using type = absl::Status;
};
template <>
struct DeadlineResult<absl::Status> {
  using type = absl::Status;
};
template <typename T>
struct DeadlineResult<absl::StatusOr<T>> {
  using type = absl::StatusOr<T>;
};

}  // namespace internal

// Runs `fn` with its deadline narrowed to `deadline` (see DeadlineScope)
// and returns its result: a Status or StatusOr returned by `fn` as is
// (DeadlineExceeded from a call the deadline cut short comes back this
// way), another value as StatusOr, void as OK. A TimeoutError of a timed
// wait (not a scoped Timeout's) escaping `fn` once the deadline has passed
// becomes DeadlineExceeded. When the deadline has already passed, `fn` is
// not run: DeadlineExceeded at once. Blocks as `fn` does; the deadline does
// not interrupt code that does not wait (unlike a Timeout).
template <typename F>
auto WithDeadline(absl::Time deadline, F&& fn) ->
    typename internal::DeadlineResult<std::invoke_result_t<F&>>::type {
  using R = std::invoke_result_t<F&>;
  using Result = typename internal::DeadlineResult<R>::type;
  DeadlineScope scope(deadline);
  if (absl::Now() >= scope.deadline()) {
    return Result(absl::DeadlineExceededError(
        "deadline exceeded before the call started"));
  }
  try {
    if constexpr (std::is_void_v<R>) {
      fn();
      return Result(absl::OkStatus());
    } else {
      return Result(fn());
    }
  } catch (const TimeoutError& e) {
    if (e.source() != nullptr || absl::Now() < scope.deadline()) throw;
    return Result(absl::DeadlineExceededError(
        absl::StrCat("deadline exceeded: ", e.what())));
  }
}

// As above with the deadline `timeout` from now.
template <typename F>
auto WithDeadline(absl::Duration timeout, F&& fn) {
  const absl::Time deadline = timeout == absl::InfiniteDuration()
                                  ? absl::InfiniteFuture()
                                  : absl::Now() + timeout;
  return WithDeadline(deadline, std::forward<F>(fn));
}

}  // namespace evergreen

#endif  // EVERGREEN_FRAMEWORK_DEADLINE_H_
