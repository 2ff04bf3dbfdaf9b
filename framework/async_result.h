// AsyncResult<T>: a one-shot value or error that greenlets wait for
// (gevent.event.AsyncResult), and the result type of ThreadPool and Ask.
//
//   evergreen::AsyncResult<int> result;
//   evergreen::Spawn([result]() mutable { result.Set(42); });
//   int v = result.Get();                       // blocks until set: 42
//   absl::StatusOr<int> r = result.Result(absl::Seconds(1));  // never throws
//
//   evergreen::AsyncResult<int> failed;
//   evergreen::HubKeepAlive keep_alive;  // the worker wakes this hub later
//   std::thread worker([failed]() mutable {     // from another thread
//     failed.SetException(std::make_exception_ptr(std::runtime_error("x")));
//   });
//   bool failed_as_expected = !failed.Result().ok();  // Unknown: x
//   // (compiled in tests/docs/header_examples_test.cc)
//
// A handle: copies share one result. The first Set/SetException wins;
// later ones are ignored (returning false). T may be void.
//
// Thread affinity: bound to the hub of the creating thread. Set and
// SetException may be called from any thread (delivered through
// Hub::Post); everything else on the owning hub's thread, except the waits
// below. As with Event, a wait that only another thread can end needs a
// HubKeepAlive held for it or a timeout.
//
// Cross-hub waits: Wait, Get, Take and Result may also be called from a
// greenlet of another hub (or a thread without one, which then gets a
// hub). The owner's hub is asked, through its ev_async (Hub::Post), to
// wake the waiter's hub through the waiter's ev_async once the result is
// ready; neither hub touches the other's state, and the value is read only
// after that hand-off. The waiting hub is kept alive meanwhile. If the
// owner's hub is gone before the result is ready, the wait ends only by its
// timeout (an unbounded one ends at once, as not ready). ready(),
// successful() and exception() remain owner-thread only. See
// framework/hub_group.h for results delivered across hubs.
//
// Blocks, under a deadline: every blocking call here waits at most until
// min(its own timeout, CurrentDeadline()) and then fails as its timeout
// does; with the deadline already passed, a call that would wait fails at
// once (framework/deadline.h, docs/deadlines.md).
#ifndef EVERGREEN_FRAMEWORK_ASYNC_RESULT_H_
#define EVERGREEN_FRAMEWORK_ASYNC_RESULT_H_

#include <exception>
#include <memory>
#include <optional>
#include <type_traits>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "framework/exception_status.h"
#include "framework/hub.h"
#include "framework/internal/hub_access.h"
#include "framework/internal/hub_remote.h"
#include "framework/internal/linkable.h"
#include "framework/timeout.h"
#include "framework/waiter.h"

namespace evergreen {
namespace internal {

// What every AsyncResult<T> shares: readiness, the error, the waiting.
class AsyncResultCore : public Linkable,
                        public std::enable_shared_from_this<AsyncResultCore> {
 public:
  AsyncResultCore()
      : hub_(Hub::Current()), remote_(internal::HubAccess::remote(hub_)) {}

  bool ready() const override { return ready_; }
  bool successful() const { return ready_ && error_ == nullptr; }
  const std::exception_ptr& error() const { return error_; }
  Hub* hub() const { return hub_; }
  bool OnOwnerThread() const { return Hub::CurrentIfExists() == hub_; }
  const std::shared_ptr<HubRemote>& remote() const { return remote_; }

  // Blocks until ready or `timeout`; returns ready().
  bool Wait(absl::Duration timeout);
  // Wait(timeout), then rethrows the error, or throws TimeoutError.
  void WaitForGet(absl::Duration timeout);
  // Wait(timeout), then the error as a Status (OK when the value is there);
  // DeadlineExceeded naming the wait when `timeout` passed first.
  absl::Status WaitForResult(absl::Duration timeout);

  bool SetErrorHere(std::exception_ptr error);

 protected:
  // Wait(timeout) from another hub's thread (see "Cross-hub waits").
  bool WaitAcross(absl::Duration timeout);

  // Marks ready and notifies; returns false if it already was.
  bool Complete();

 private:
  Hub* hub_;
  std::shared_ptr<HubRemote> remote_;
  std::exception_ptr error_;
  bool ready_ = false;
};

template <typename T>
class AsyncResultState final : public AsyncResultCore {
 public:
  template <typename... Args>
  bool SetHere(Args&&... args) {
    if (ready()) return false;
    value_.emplace(std::forward<Args>(args)...);
    return Complete();
  }
  std::optional<T>& value() { return value_; }

 private:
  std::optional<T> value_;
};

template <>
class AsyncResultState<void> final : public AsyncResultCore {
 public:
  bool SetHere() { return !ready() && Complete(); }
};

}  // namespace internal

template <typename T = void>
class AsyncResult {
 public:
  AsyncResult() : state_(std::make_shared<internal::AsyncResultState<T>>()) {}

  // Stores the value and wakes every waiter. Any thread. Returns false if
  // the result was already set (on the owner thread; always true from
  // another thread, where the outcome is decided later in the hub).
  template <typename... Args>
  bool Set(Args&&... args) {
    if (state_->OnOwnerThread()) {
      return state_->SetHere(std::forward<Args>(args)...);
    }
    if constexpr (std::is_void_v<T>) {
      return state_->remote()->Post([state = state_] { state->SetHere(); });
    } else {
      return state_->remote()->Post(
          [state = state_, value = T(std::forward<Args>(args)...)]() mutable {
            state->SetHere(std::move(value));
          });
    }
  }

  // Stores `error`; Get() will rethrow it. Any thread.
  bool SetException(std::exception_ptr error) {
    if (state_->OnOwnerThread()) return state_->SetErrorHere(std::move(error));
    return state_->remote()->Post([state = state_, error] {
      state->SetErrorHere(error);
    });
  }

  bool ready() const { return state_->ready(); }
  bool successful() const { return state_->successful(); }
  // The stored error, or nullptr (before it is set, or on success).
  std::exception_ptr exception() const { return state_->error(); }

  // Blocks until set or `timeout`; what wakes it: Set/SetException.
  // Returns ready(). Throws as Waiter::Wait.
  bool Wait(absl::Duration timeout = absl::InfiniteDuration()) const {
    return state_->Wait(timeout);
  }

  // Blocks until set, then returns the value (a copy; see Take()) or
  // rethrows the stored error. Throws TimeoutError when `timeout` passes
  // first, and as Waiter::Wait.
  T Get(absl::Duration timeout = absl::InfiniteDuration()) const {
    state_->WaitForGet(timeout);
    if constexpr (!std::is_void_v<T>) return *state_->value();
  }
  // Like Get(), but moves the value out (the result keeps a moved-from T).
  T Take(absl::Duration timeout = absl::InfiniteDuration()) {
    state_->WaitForGet(timeout);
    if constexpr (!std::is_void_v<T>) return std::move(*state_->value());
  }
  // The non-throwing Get (B-D1): blocks as Get(), then returns the value
  // (a copy), the stored error as its Status (StatusFromException: a
  // StatusError's own status, Cancelled for a kill, ...), or
  // DeadlineExceeded naming the wait when `timeout` passes first. For
  // AsyncResult<void>: absl::Status. The outcome is never thrown; only what
  // unwinds the caller itself propagates (GreenletExit when it is killed, an
  // enclosing Timeout's TimeoutError) and contract violations (LoopExit,
  // WrongThreadError, BlockingInHubError).
  auto Result(absl::Duration timeout = absl::InfiniteDuration()) const
      -> std::conditional_t<std::is_void_v<T>, absl::Status,
                            absl::StatusOr<T>> {
    absl::Status status = state_->WaitForResult(timeout);
    if constexpr (std::is_void_v<T>) {
      return status;
    } else {
      if (!status.ok()) return status;
      return *state_->value();
    }
  }

  // Non-blocking twin of Result(): never blocks, never throws. Unavailable
  // ("not ready") while unset, like Queue::TryGet on an empty queue;
  // otherwise as Result().
  auto TryGet() const -> std::conditional_t<std::is_void_v<T>, absl::Status,
                                            absl::StatusOr<T>> {
    if (!ready()) {
      return absl::UnavailableError("AsyncResult::TryGet: not ready");
    }
    return Result(absl::ZeroDuration());
  }

  internal::Linkable* linkable() const { return state_.get(); }

 private:
  std::shared_ptr<internal::AsyncResultState<T>> state_;
};

}  // namespace evergreen

#endif  // EVERGREEN_FRAMEWORK_ASYNC_RESULT_H_
