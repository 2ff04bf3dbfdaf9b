// AnyActorRef: a type-erased, copyable handle to an actor that stays safe
// after the actor is gone. ActorRef<A> (actors/actor_ref.h) is the typed
// one and converts to it.
//
//   AnyActorRef any = counter;                 // from an ActorRef<Counter>
//   absl::Status s = any.TellAny(Increment{}); // checked at run time
//   if (!any.alive()) LOG(INFO) << any.exit().ToString();
//
// TellAny delivers a message if the actor's type lists it in `Messages`;
// otherwise it fails with InvalidArgument (and a dead-letter report).
//
// Thread affinity: the hub thread of the actor.
#ifndef EVERGREEN_ACTORS_ANY_ACTOR_REF_H_
#define EVERGREEN_ACTORS_ANY_ACTOR_REF_H_

#include <any>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "actors/exit.h"
#include "actors/internal/actor_cell.h"

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

}  // namespace evergreen

#endif  // EVERGREEN_ACTORS_ANY_ACTOR_REF_H_
