// Greenlet<T>: a task on the hub, gevent.Greenlet in C++.
//
//   auto g = evergreen::Spawn([](int a, int b) { return a + b; }, 2, 3);
//   int five = g.Get();                    // blocks this greenlet until done
//   absl::StatusOr<int> r = g.Result();    // the same, never throwing
//
//   auto sleeper = evergreen::Spawn([] { evergreen::Sleep(absl::Hours(1)); });
//   sleeper.Kill();                        // unwinds it with GreenletExit
//   // (compiled in tests/docs/header_examples_test.cc)
//
// Spawn() starts the greenlet on the hub's next turn and returns a handle.
// Handles are cheap to copy (reference counted, hub thread only); a
// started greenlet keeps itself alive until it finishes, so a handle may be
// dropped. T is deduced from the callable and may be void.
//
// Thread affinity: the hub thread that created it (WrongThreadError where
// checked). Blocking calls (Join, Get, Kill with block) switch to the hub.
//
// Blocks, under a deadline: every blocking call here waits at most until
// min(its own timeout, CurrentDeadline()) and then fails as its timeout
// does; with the deadline already passed, a call that would wait fails at
// once (framework/deadline.h, docs/deadlines.md).
#ifndef EVERGREEN_FRAMEWORK_GREENLET_H_
#define EVERGREEN_FRAMEWORK_GREENLET_H_

#include <functional>
#include <optional>
#include <type_traits>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "framework/async_result.h"
#include "framework/errors.h"
#include "framework/exception_status.h"
#include "framework/greenlet_base.h"
#include "framework/internal/ref_ptr.h"
#include "framework/timeout.h"

namespace evergreen {
namespace internal {

// What a Greenlet<T> handle points at: the value slot of T...
template <typename T>
class GreenletState : public GreenletBase {
 public:
  std::optional<T>& value() { return value_; }

 protected:
  explicit GreenletState(GreenletOptions&& options)
      : GreenletBase(std::move(options)) {}
  std::optional<T> value_;
};

template <>
class GreenletState<void> : public GreenletBase {
 protected:
  explicit GreenletState(GreenletOptions&& options)
      : GreenletBase(std::move(options)) {}
};

// ...and the callable itself, stored inline: one allocation per greenlet.
template <typename T, typename F>
class GreenletBody final : public GreenletState<T> {
 public:
  // Options by reference down to the raw greenlet: one move of the name
  // per spawn, not one per layer.
  GreenletBody(GreenletOptions&& options, F body)
      : GreenletState<T>(std::move(options)), body_(std::move(body)) {}

 private:
  void RunBody() override {
    if constexpr (std::is_void_v<T>) {
      (*body_)();
    } else {
      this->value_.emplace((*body_)());
    }
  }
  void DropBody() noexcept override { body_.reset(); }

  std::optional<F> body_;
};

}  // namespace internal

template <typename T = void>
class Greenlet {
 public:
  // A null handle.
  Greenlet() = default;

  // A new greenlet running `body`, not started (see Start()).
  template <typename F>
  static Greenlet Create(GreenletOptions options, F&& body) {
    Greenlet g;
    g.state_ = internal::RefPtr<internal::GreenletState<T>>::Adopt(
        new internal::GreenletBody<T, std::decay_t<F>>(std::move(options),
                                                       std::forward<F>(body)));
    return g;
  }
  template <typename F>
  static Greenlet Create(F&& body) {
    return Create(GreenletOptions(), std::forward<F>(body));
  }

  explicit operator bool() const { return static_cast<bool>(state_); }
  GreenletBase* base() const { return state_.get(); }
  GreenletBase* operator->() const { return state_.get(); }
  internal::Linkable* linkable() const { return state_.get(); }

  // See GreenletBase for these.
  void Start() const { state_->Start(); }
  void StartLater(absl::Duration delay) const { state_->StartLater(delay); }
  bool Join(absl::Duration timeout = absl::InfiniteDuration()) const {
    return state_->Join(timeout);
  }
  void Kill(std::exception_ptr error = nullptr, bool block = true) const {
    state_->Kill(std::move(error), block);
  }
  absl::Status Kill(std::exception_ptr error, bool block,
                    absl::Duration timeout) const {
    return state_->Kill(std::move(error), block, timeout);
  }
  bool started() const { return state_->started(); }
  bool ready() const { return state_->ready(); }
  bool dead() const { return state_->dead(); }
  bool successful() const { return state_->successful(); }
  bool killed() const { return state_->killed(); }
  std::exception_ptr exception() const { return state_->exception(); }
  const std::string& name() const { return state_->name(); }

  // Blocks until the greenlet finishes (what wakes it: its death), then
  // returns its value or rethrows its exception (B-G2). Throws
  // TimeoutError if `timeout` passes first, GreenletKilledError for a
  // greenlet that was killed, and as Waiter::Wait.
  T Get(absl::Duration timeout = absl::InfiniteDuration()) const {
    if (!state_->Join(timeout)) throw TimeoutError(timeout);
    if (state_->exception() != nullptr) {
      std::rethrow_exception(state_->exception());
    }
    if (state_->killed()) {
      throw GreenletKilledError("greenlet '" + state_->name() +
                                "' was killed and has no value");
    }
    if constexpr (!std::is_void_v<T>) return *state_->value();
  }
  // The non-throwing Get (B-D1): blocks as Get(), then returns the value,
  // the stored exception as its Status (StatusFromException), Cancelled
  // for a killed greenlet, or DeadlineExceeded naming the greenlet when
  // `timeout` passes first. For Greenlet<void>: absl::Status. Only what
  // unwinds the caller itself propagates (see AsyncResult::Result).
  auto Result(absl::Duration timeout = absl::InfiniteDuration()) const
      -> std::conditional_t<std::is_void_v<T>, absl::Status,
                            absl::StatusOr<T>> {
    if (!state_->dead() && !state_->Join(timeout)) {
      return absl::DeadlineExceededError(
          absl::StrCat("greenlet '", state_->name(), "' did not finish within ",
                       absl::FormatDuration(timeout)));
    }
    if (state_->exception() != nullptr) {
      return StatusFromException(state_->exception());
    }
    if (state_->killed()) {
      return absl::CancelledError(
          absl::StrCat("greenlet '", state_->name(), "' was killed"));
    }
    if constexpr (std::is_void_v<T>) {
      return absl::OkStatus();
    } else {
      return *state_->value();
    }
  }
  // Non-blocking twin of Result(): never blocks, never throws. Unavailable
  // while the greenlet has not finished; otherwise as Result().
  auto TryGet() const -> std::conditional_t<std::is_void_v<T>, absl::Status,
                                            absl::StatusOr<T>> {
    if (!state_->dead()) {
      return absl::UnavailableError(absl::StrCat(
          "Greenlet::TryGet: greenlet '", state_->name(), "' not finished"));
    }
    return Result(absl::ZeroDuration());
  }

  // The value of a successful greenlet, if any.
  const std::optional<T>& value() const
    requires(!std::is_void_v<T>)
  {
    return state_->value();
  }

  // Link callbacks; see GreenletBase.
  GreenletBase::LinkId Link(GreenletBase::LinkCallback cb) const {
    return state_->Link(std::move(cb));
  }
  GreenletBase::LinkId LinkValue(GreenletBase::LinkCallback cb) const {
    return state_->LinkValue(std::move(cb));
  }
  GreenletBase::LinkId LinkException(GreenletBase::LinkCallback cb) const {
    return state_->LinkException(std::move(cb));
  }
  void Unlink(GreenletBase::LinkId id) const { state_->Unlink(id); }

  // Delivers the outcome into `result` (B-E5): the value, the exception,
  // or GreenletKilledError. Link: always; LinkValue: only on success;
  // LinkException: only on failure.
  GreenletBase::LinkId Link(AsyncResult<T> result) const {
    return Link([state = state_, result](GreenletBase&) mutable {
      Deliver(*state, result);
    });
  }
  GreenletBase::LinkId LinkValue(AsyncResult<T> result) const {
    return LinkValue([state = state_, result](GreenletBase&) mutable {
      Deliver(*state, result);
    });
  }
  GreenletBase::LinkId LinkException(AsyncResult<T> result) const {
    return LinkException([state = state_, result](GreenletBase&) mutable {
      Deliver(*state, result);
    });
  }

  friend bool operator==(const Greenlet& a, const Greenlet& b) {
    return a.state_ == b.state_;
  }

 private:
  static void Deliver(internal::GreenletState<T>& state,
                      AsyncResult<T>& result) {
    if (state.exception() != nullptr) {
      result.SetException(state.exception());
    } else if (state.killed()) {
      result.SetException(std::make_exception_ptr(
          GreenletKilledError("greenlet '" + state.name() + "' was killed")));
    } else if constexpr (std::is_void_v<T>) {
      result.Set();
    } else {
      result.Set(*state.value());
    }
  }

  internal::RefPtr<internal::GreenletState<T>> state_;
};

namespace internal {

template <typename F, typename... Args>
using SpawnResult = std::invoke_result_t<std::decay_t<F>, std::decay_t<Args>...>;

template <typename F, typename... Args>
auto BindBody(F&& fn, Args&&... args) {
  return [fn = std::forward<F>(fn),
          ... args = std::forward<Args>(args)]() mutable -> decltype(auto) {
    return std::invoke(std::move(fn), std::move(args)...);
  };
}

}  // namespace internal

// Creates a greenlet running fn(args...) and starts it on the hub's next
// turn. Never blocks. Hub thread.
template <typename F, typename... Args>
auto Spawn(F&& fn, Args&&... args) {
  auto g = Greenlet<internal::SpawnResult<F, Args...>>::Create(
      internal::BindBody(std::forward<F>(fn), std::forward<Args>(args)...));
  g.Start();
  return g;
}

// As Spawn, with a name and stack size.
template <typename F, typename... Args>
auto SpawnWith(GreenletOptions options, F&& fn, Args&&... args) {
  auto g = Greenlet<internal::SpawnResult<F, Args...>>::Create(
      std::move(options),
      internal::BindBody(std::forward<F>(fn), std::forward<Args>(args)...));
  g.Start();
  return g;
}

// As Spawn, but starts the greenlet `delay` from now.
template <typename F, typename... Args>
auto SpawnLater(absl::Duration delay, F&& fn, Args&&... args) {
  auto g = Greenlet<internal::SpawnResult<F, Args...>>::Create(
      internal::BindBody(std::forward<F>(fn), std::forward<Args>(args)...));
  g.StartLater(delay);
  return g;
}

}  // namespace evergreen

#endif  // EVERGREEN_FRAMEWORK_GREENLET_H_
