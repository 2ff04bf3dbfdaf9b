// ActorRef<A> and AnyActorRef: cheap, copyable handles to an actor that
// stay safe after it is gone.
//
//   ActorRef<Counter> c = SpawnActor<Counter>({.name = "counter"});
//   absl::Status s = c.Tell(Increment{});       // NotFound once c is dead
//   AsyncResult<int> r = c.Ask(GetCount{}, absl::Seconds(1));
//   AnyActorRef any = c;                         // type-erased
//   any.TellAny(Increment{});                    // checked at run time
//
// Tell never blocks unless the actor was spawned with block_when_full and
// its bounded mailbox is full. Ask returns at once; the AsyncResult
// completes with the handler's return value (void handlers: completion),
// the handler's exception, DeadlineExceeded (as a TimeoutError) when the
// deadline passes first — an expired request is then skipped, not run —
// or an error when the actor exits before replying. An Ask's deadline is
// min(its timeout, the caller's CurrentDeadline()), and the handler runs
// with it as its current deadline (docs/deadlines.md).
//
// Thread affinity: the hub thread of the actor (cross-hub delivery comes
// with the remote layer).
#ifndef EVERGREEN_ACTORS_ACTOR_REF_H_
#define EVERGREEN_ACTORS_ACTOR_REF_H_

#include <algorithm>
#include <any>
#include <cstdint>
#include <memory>
#include <string>
#include <tuple>
#include <type_traits>
#include <typeindex>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "actors/actor.h"
#include "actors/actor_error.h"
#include "actors/internal/actor_cell.h"
#include "actors/internal/message_name.h"
#include "framework/async_result.h"
#include "framework/deadline.h"
#include "framework/timeout.h"

namespace evergreen {

class AnyActorRef {
 public:
  AnyActorRef() = default;
  explicit AnyActorRef(std::shared_ptr<internal::ActorCell> cell)
      : cell_(std::move(cell)) {}

  explicit operator bool() const { return cell_ != nullptr; }
  bool alive() const { return cell_ != nullptr && cell_->alive(); }
  // The exit of a dead actor.
  const Exit& exit() const { return cell_->exit(); }
  std::uint64_t id() const { return cell_->id(); }
  const std::string& name() const { return cell_->name(); }
  std::size_t mailbox_size() const { return cell_->mailbox_size(); }

  // Delivers `message` if the actor's type lists it in `Messages`.
  // Errors: InvalidArgument for a type it does not handle; as Tell.
  template <typename M>
  absl::Status TellAny(M message) const {
    return cell_->DeliverAny(std::any(std::move(message)));
  }

  // Graceful stop after the queued messages (kShutdown).
  void Stop() const { cell_->Stop(); }
  // Immediate kill (kKilled).
  void Kill() const { cell_->Kill(); }
  // Blocks until the actor exited or `timeout`; returns whether it did.
  bool Join(absl::Duration timeout = absl::InfiniteDuration()) const {
    return cell_->Join(timeout);
  }

  friend bool operator==(const AnyActorRef& a, const AnyActorRef& b) {
    return a.cell_ == b.cell_;
  }

  const std::shared_ptr<internal::ActorCell>& cell() const { return cell_; }

 protected:
  std::shared_ptr<internal::ActorCell> cell_;
};

struct Down {
  AnyActorRef actor;
  Exit exit;
  std::uint64_t monitor_id = 0;
};

struct ExitSignal {
  AnyActorRef from;
  Exit exit;
};

// True when A has a Handle overload taking M.
template <typename A, typename M>
concept Handles = requires(A& actor, M message) {
  actor.Handle(std::move(message));
};

template <typename A, typename M>
using ReplyOf = decltype(std::declval<A&>().Handle(std::declval<M>()));

namespace internal {

// Fails the Ask's result if the envelope dies unanswered (the actor exited
// with it queued, or it expired).
template <typename R>
class PendingReply {
 public:
  explicit PendingReply(AsyncResult<R> result) : result_(std::move(result)) {}
  PendingReply(PendingReply&& other) noexcept
      : result_(std::move(other.result_)), armed_(std::exchange(other.armed_, false)) {}
  ~PendingReply() {
    if (armed_) {
      result_.SetException(std::make_exception_ptr(ActorError(
          absl::UnavailableError("actor exited before replying"))));
    }
  }
  AsyncResult<R>& result() {
    armed_ = false;
    return result_;
  }

 private:
  AsyncResult<R> result_;
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
    internal::ActorCell::Envelope envelope =
        [message = std::move(message)](ActorBase& actor) mutable {
          static_cast<A&>(actor).Handle(std::move(message));
        };
    return cell_->Deliver(envelope, internal::MessageName<M>());
  }

  // Queues `message` and returns the future reply (see the file comment).
  template <typename M>
    requires Handles<A, M>
  AsyncResult<ReplyOf<A, M>> Ask(
      M message, absl::Duration timeout = absl::InfiniteDuration()) const {
    using R = ReplyOf<A, M>;
    AsyncResult<R> result;
    // The caller's deadline flows into the handler (docs/deadlines.md).
    const absl::Time deadline = std::min(
        CurrentDeadline(), timeout == absl::InfiniteDuration()
                               ? absl::InfiniteFuture()
                               : absl::Now() + timeout);
    internal::ActorCell::Envelope envelope =
        [message = std::move(message),
         reply = internal::PendingReply<R>(result),
         deadline](ActorBase& actor) mutable {
          AsyncResult<R>& out = reply.result();
          if (deadline != absl::InfiniteFuture() && absl::Now() > deadline) {
            out.SetException(std::make_exception_ptr(
                TimeoutError(absl::ZeroDuration())));
            return;
          }
          DeadlineScope scope(deadline);
          try {
            if constexpr (std::is_void_v<R>) {
              static_cast<A&>(actor).Handle(std::move(message));
              out.Set();
            } else {
              out.Set(static_cast<A&>(actor).Handle(std::move(message)));
            }
          } catch (const GreenletExit&) {
            // The actor is being killed: the asker gets an error, not the
            // GreenletExit, which would unwind the asker as if killed.
            out.SetException(std::make_exception_ptr(ActorError(
                absl::UnavailableError("actor was killed before replying"))));
            throw;
          } catch (...) {
            out.SetException(std::current_exception());
            throw;  // the handler failed: so does the actor
          }
        };
    absl::Status sent = cell_->Deliver(envelope, internal::MessageName<M>());
    if (!sent.ok()) {
      // Before `envelope` dies: the precise reason wins over its default.
      result.SetException(std::make_exception_ptr(ActorError(sent)));
    } else if (deadline != absl::InfiniteFuture()) {
      timeout = deadline - absl::Now();
      cell_->hub()->CallLater(timeout, [result, timeout]() mutable {
        result.SetException(std::make_exception_ptr(TimeoutError(timeout)));
      });
    }
    return result;
  }
};

namespace internal {

// Builds the run-time dispatcher of A from A::Messages, if it has one.
template <typename A, typename M>
bool TryDispatch(std::any& message, ActorCell::Envelope* out) {
  M* typed = std::any_cast<M>(&message);
  if (typed == nullptr) return false;
  *out = [m = std::move(*typed)](ActorBase& actor) mutable {
    static_cast<A&>(actor).Handle(std::move(m));
  };
  return true;
}

template <typename A, typename... Ms>
ActorCell::AnyDispatcher MakeDispatcher(std::tuple<Ms...>*) {
  return [](std::any message) -> absl::StatusOr<ActorCell::Envelope> {
    ActorCell::Envelope envelope;
    if ((TryDispatch<A, Ms>(message, &envelope) || ...)) return envelope;
    return absl::InvalidArgumentError(absl::StrCat(
        "actor type ", MessageName<A>(), " does not handle message type ",
        DemangledName(message.type())));
  };
}

template <typename A>
ActorCell::AnyDispatcher DispatcherFor() {
  if constexpr (requires { typename A::Messages; }) {
    return MakeDispatcher<A>(static_cast<typename A::Messages*>(nullptr));
  } else {
    return [](std::any message) -> absl::StatusOr<ActorCell::Envelope> {
      return absl::InvalidArgumentError(absl::StrCat(
          "actor type ", MessageName<A>(),
          " declares no Messages list; cannot deliver untyped ",
          DemangledName(message.type())));
    };
  }
}

}  // namespace internal

// Constructs A(args...) and starts it on the calling thread's hub: OnStart
// runs on the hub's next turn. Never blocks.
template <typename A, typename... Args>
ActorRef<A> SpawnActor(ActorOptions options, Args&&... args) {
  static_assert(std::is_base_of_v<ActorBase, A>, "actors derive ActorBase");
  auto cell = std::make_shared<internal::ActorCell>(
      std::move(options), std::make_unique<A>(std::forward<Args>(args)...),
      internal::DispatcherFor<A>(), internal::MessageName<A>());
  cell->Start();
  return ActorRef<A>(std::move(cell));
}

template <typename A>
ActorRef<A> SpawnActor() {
  return SpawnActor<A>(ActorOptions());
}

}  // namespace evergreen

#endif  // EVERGREEN_ACTORS_ACTOR_REF_H_
