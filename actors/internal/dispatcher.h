// The run-time dispatcher of an actor type: how AnyActorRef::TellAny turns
// an untyped message into a call of A::Handle, from A's `Messages` list.
//
// Internal: used by SpawnActor (actors/actor.h).
#ifndef EVERGREEN_ACTORS_INTERNAL_DISPATCHER_H_
#define EVERGREEN_ACTORS_INTERNAL_DISPATCHER_H_

#include <any>
#include <tuple>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "actors/internal/actor_cell.h"
#include "actors/internal/message_name.h"

namespace evergreen {
namespace internal {

// Builds the run-time dispatcher of A from A::Messages, if it has one.
template <typename A, typename M>
bool TryDispatch(std::any& message, MailPtr* out) {
  M* typed = std::any_cast<M>(&message);
  if (typed == nullptr) return false;
  *out = MakeMail([m = std::move(*typed)](ActorBase& actor) mutable {
    static_cast<A&>(actor).Handle(std::move(m));
  });
  return true;
}

template <typename A, typename... Ms>
ActorCell::AnyDispatcher MakeDispatcher(std::tuple<Ms...>*) {
  return [](std::any& message) -> absl::StatusOr<MailPtr> {
    MailPtr mail;
    if ((TryDispatch<A, Ms>(message, &mail) || ...)) return mail;
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
    return [](std::any& message) -> absl::StatusOr<MailPtr> {
      return absl::InvalidArgumentError(absl::StrCat(
          "actor type ", MessageName<A>(),
          " declares no Messages list; cannot deliver untyped ",
          DemangledName(message.type())));
    };
  }
}

}  // namespace internal

}  // namespace evergreen

#endif  // EVERGREEN_ACTORS_INTERNAL_DISPATCHER_H_
