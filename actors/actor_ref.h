// ActorRef<A>: a cheap, copyable, typed handle to an actor that stays safe
// after it is gone (AnyActorRef, actors/any_actor_ref.h, is the untyped
// one). Actors, SpawnActor and the rest of the model: actors/actor.h.
//
//   ActorRef<Counter> c = SpawnActor<Counter>({.name = "counter"});
//   absl::Status s = c.Tell(Increment{});       // NotFound once c is dead
//   AsyncResult<int> r = c.Ask(GetCount{}, absl::Seconds(1));
//   absl::StatusOr<int> n = c.Ask(GetCount{}, absl::Seconds(1)).Result();
//   AnyActorRef any = c;                         // type-erased
//   absl::Status t = any.TellAny(Increment{});   // checked at run time
//   c.Stop();                                    // after what is queued
//   c.Join();                                    // blocks until it exits
//   // (compiled in tests/docs/header_examples_test.cc)
//
// Tell never blocks unless the actor was spawned with block_when_full and
// its bounded mailbox is full. Ask returns at once; the AsyncResult
// completes with the handler's return value (void handlers: completion),
// the handler's exception, DeadlineExceeded (as a TimeoutError) when the
// deadline passes first — an expired request is then skipped, not run —
// or a StatusError when the actor exits before replying. An Ask's
// deadline is min(its timeout, the caller's CurrentDeadline()), and the
// handler runs with it as its current deadline (docs/deadlines.md). The
// one-line,
// non-throwing way to call an actor (B-D1):
//
//   absl::StatusOr<int> n = c.Ask(GetCount{}, absl::Seconds(1)).Result();
//
// A timed Ask's timer is cancelled as soon as the request is answered (or
// dropped), so answered Asks keep neither a timer nor the loop alive (B-D2).
//
// Thread affinity: any hub's thread. From another hub than the actor's,
// Tell/Ask go through the actor's inbox and ev_async (batched wake-ups),
// each sender's messages keep their order, the reply (and an Ask's timer)
// live on the caller's hub, and an actor whose hub is stopping fails Asks
// with Unavailable instead of leaving them pending (B-M2).
#ifndef EVERGREEN_ACTORS_ACTOR_REF_H_
#define EVERGREEN_ACTORS_ACTOR_REF_H_

#include <algorithm>
#include <any>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <type_traits>
#include <typeindex>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "actors/any_actor_ref.h"
#include "actors/internal/actor_cell.h"
#include "actors/internal/message_name.h"
#include "actors/internal/reply_slot.h"
#include "framework/async_result.h"
#include "framework/errors.h"
#include "framework/exception_status.h"
#include "framework/deadline.h"
#include "framework/internal/hub_access.h"
#include "framework/timeout.h"
#include "framework/timer_handle.h"

namespace evergreen {

class ActorBase;

// True when A has a Handle overload taking M.
template <typename A, typename M>
concept Handles = requires(A& actor, M message) {
  actor.Handle(std::move(message));
};

template <typename A, typename M>
using ReplyOf = decltype(std::declval<A&>().Handle(std::declval<M>()));

namespace internal {

// Fails the Ask's result if its mail dies unanswered (the actor exited
// with it queued, or it expired), and cancels the Ask's timer when the
// mail dies however it ends: a request answered in time leaves no
// timer behind (B-D2).
template <typename R>
class PendingReply {
 public:
  explicit PendingReply(AsyncResult<R> result) : result_(std::move(result)) {}
  PendingReply(PendingReply&& other) noexcept
      : result_(std::move(other.result_)),
        timer_(std::move(other.timer_)),
        armed_(std::exchange(other.armed_, false)) {}
  ~PendingReply() {
    if (armed_) {
      result_.SetException(std::make_exception_ptr(StatusError(
          absl::UnavailableError("actor exited before replying"))));
    }
  }
  AsyncResult<R>& result() {
    armed_ = false;
    return result_;
  }
  void set_timer(TimerHandle timer) { timer_ = ScopedTimer(std::move(timer)); }

 private:
  AsyncResult<R> result_;
  ScopedTimer timer_;
  bool armed_ = true;
};

}  // namespace internal

template <typename A>
class ActorRef : public AnyActorRef {
 public:
  ActorRef() = default;
  explicit ActorRef(std::shared_ptr<internal::ActorCell> cell)
      : AnyActorRef(std::move(cell)) {}

  // Queues `message` for A::Handle. Errors: NotFound (dead actor; reported
  // as a dead letter), ResourceExhausted (full mailbox), DeadlineExceeded
  // (blocking send timed out).
  template <typename M>
    requires Handles<A, M>
  absl::Status Tell(M message) const {
    internal::MailPtr mail = internal::MakeMail(
        [message = std::move(message)](ActorBase& actor) mutable {
          static_cast<A&>(actor).Handle(std::move(message));
        });
    return cell_->Deliver(mail, internal::MessageName<M>());
  }

  // Queues `message` and returns the future reply (see the file comment).
  template <typename M>
    requires Handles<A, M>
  AsyncResult<ReplyOf<A, M>> Ask(
      M message, absl::Duration timeout = absl::InfiniteDuration()) const {
    using R = ReplyOf<A, M>;
    AsyncResult<R> result;
    const bool same_hub = cell_->OnOwnerHub();
    // The caller's deadline flows into the handler (docs/deadlines.md).
    absl::Time deadline = CurrentDeadline();
    if (timeout != absl::InfiniteDuration()) {
      deadline = std::min(deadline, absl::Now() + timeout);
    }
    internal::PendingReply<R> pending(result);
    TimerHandle timer;
    if (deadline != absl::InfiniteFuture()) {
      const absl::Duration wait = deadline - absl::Now();
      // The timer lives on the caller's hub, where the reply arrives.
      timer = Hub::Current()->CallLater(
          wait, [result, wait, what = internal::MessageName<M>()]() mutable {
            result.SetException(std::make_exception_ptr(TimeoutError(
                wait, nullptr,
                absl::StrCat("Ask(", what, ") timed out after ",
                             absl::FormatDuration(wait)))));
          });
      if (same_hub) pending.set_timer(std::move(timer));
    }
    if (!same_hub) {
      // Across hubs the mail dies on the actor's hub: here, the reply
      // keeps this hub alive until it arrives (a wait for it is no
      // LoopExit), then cancels the timer.
      Hub* here = Hub::Current();
      internal::HubAccess::AddKeepAlive(here);
      result.linkable()->AddLink(new internal::CallbackLink(
          here, [here, timer = std::move(timer)]() mutable {
            timer.Cancel();
            internal::HubAccess::ReleaseKeepAlive(here);
          }));
    }
    internal::MailPtr mail = internal::MakeMail(
        [message = std::move(message), reply = std::move(pending),
         deadline](ActorBase& actor) mutable {
          ResultReply<R> out{reply.result()};
          Answer(actor, message, deadline, out);
        });
    absl::Status sent = cell_->Deliver(mail, internal::MessageName<M>());
    if (!sent.ok()) {
      // Before `mail` dies: the precise reason wins over its default.
      result.SetException(std::make_exception_ptr(StatusError(sent)));
    }
    return result;
  }

  // Asks and waits: the reply, or the error, exactly as
  // Ask(message, timeout).Result() returns it (B-D1; absl::Status for a
  // void handler), the deadline and its handling included. Blocks the
  // calling greenlet; throws only what unwinds the caller itself (a kill,
  // an enclosing Timeout) and contract violations (LoopExit,
  // BlockingInHubError). On the actor's own hub the reply lands in a slot
  // on the caller's stack — no AsyncResult, no timer — which is what
  // makes it cheaper than Ask(...).Get(); from another hub it is
  // Ask(...).Result(). Calling one's own actor from its handler deadlocks
  // until the timeout, as Ask(...).Get() does.
  template <typename M>
    requires Handles<A, M>
  auto Call(M message, absl::Duration timeout = absl::InfiniteDuration()) const
      -> std::conditional_t<std::is_void_v<ReplyOf<A, M>>, absl::Status,
                            absl::StatusOr<ReplyOf<A, M>>> {
    using R = ReplyOf<A, M>;
    if (!cell_->OnOwnerHub()) return Ask(std::move(message), timeout).Result();
    absl::Time deadline = CurrentDeadline();
    if (timeout != absl::InfiniteDuration()) {
      deadline = std::min(deadline, absl::Now() + timeout);
    }
    internal::ReplySlot<R> slot;
    internal::MailPtr mail = internal::MakeMail(
        [message = std::move(message), reply = internal::SlotReply<R>(&slot),
         deadline](ActorBase& actor) mutable {
          Answer(actor, message, deadline, reply);
        });
    absl::Status sent = cell_->Deliver(mail, internal::MessageName<M>());
    if (!sent.ok()) return sent;
    if (!slot.done()) {
      // A send that blocked on a full mailbox may have used it all.
      const absl::Duration wait =
          deadline == absl::InfiniteFuture()
              ? absl::InfiniteDuration()
              : std::max(deadline - absl::Now(), absl::ZeroDuration());
      // The deadline is already in `wait`.
      if (!slot.waiter().WaitIgnoringDeadline(wait) && !slot.done()) {
        return absl::DeadlineExceededError(
            absl::StrCat("Ask(", internal::MessageName<M>(), ") timed out after ",
                         absl::FormatDuration(wait)));
      }
    }
    if (slot.error() != nullptr) return StatusFromException(slot.error());
    if constexpr (std::is_void_v<R>) {
      return absl::OkStatus();
    } else {
      return std::move(slot.value());
    }
  }

 private:
  // What Answer reports an Ask's outcome through: its AsyncResult.
  template <typename R>
  struct ResultReply {
    AsyncResult<R>& out;
    template <typename... V>
    void Set(V&&... value) {
      out.Set(std::forward<V>(value)...);
    }
    void Fail(std::exception_ptr error) { out.SetException(error); }
  };

  // Runs the request `message` against `actor` in the actor's greenlet and
  // reports the outcome through `reply` (Set(), Set(value), Fail(error)):
  // an expired request is failed unrun; the handler runs under the
  // request's deadline; a kill fails the request Unavailable and goes on
  // unwinding the actor; a handler's exception fails the request and then
  // the actor.
  template <typename M, typename Reply>
  static void Answer(ActorBase& actor, M& message, absl::Time deadline,
                     Reply& reply) {
    std::optional<DeadlineScope> scope;  // none: nothing to narrow
    if (deadline != absl::InfiniteFuture()) {
      if (absl::Now() > deadline) {
        reply.Fail(std::make_exception_ptr(
            TimeoutError(absl::ZeroDuration(), nullptr,
                         "Ask expired in the mailbox before it was handled")));
        return;
      }
      scope.emplace(deadline);
    }
    try {
      if constexpr (std::is_void_v<ReplyOf<A, M>>) {
        static_cast<A&>(actor).Handle(std::move(message));
        reply.Set();
      } else {
        reply.Set(static_cast<A&>(actor).Handle(std::move(message)));
      }
    } catch (const GreenletExit&) {
      // The actor is being killed: the asker gets an error, not the
      // GreenletExit, which would unwind the asker as if killed.
      reply.Fail(std::make_exception_ptr(StatusError(
          absl::UnavailableError("actor was killed before replying"))));
      throw;
    } catch (...) {
      reply.Fail(std::current_exception());
      throw;  // the handler failed: so does the actor
    }
  }
};

}  // namespace evergreen

#endif  // EVERGREEN_ACTORS_ACTOR_REF_H_
