#include "actors/actor.h"

#include <cstdint>
#include <memory>

namespace evergreen {

AnyActorRef ActorBase::self() const {
  return AnyActorRef(cell_->shared_from_this());
}

void ActorBase::OnDown(const Down&) {}
void ActorBase::OnExitSignal(const ExitSignal&) {}

void ActorBase::Link(const AnyActorRef& other) {
  cell_->Link(other.cell());
}

std::uint64_t ActorBase::Monitor(const AnyActorRef& other) {
  std::weak_ptr<internal::ActorCell> watcher = cell_->weak_from_this();
  auto id = std::make_shared<std::uint64_t>(0);
  *id = other.cell()->AddExitObserver(
      [watcher, watched = other, id](const Exit& exit) {
        std::shared_ptr<internal::ActorCell> cell = watcher.lock();
        if (cell == nullptr || !cell->alive()) return;
        internal::MailPtr down = internal::MakeMail(
            [watched, exit, monitor = *id](ActorBase& actor) {
              actor.OnDown(Down{watched, exit, monitor});
            });
        (void)cell->Deliver(down, "Down");
      },
      cell_->name());
  return *id;
}

void ActorBase::Demonitor(const AnyActorRef& other, std::uint64_t id) {
  other.cell()->RemoveExitObserver(id);
}

}  // namespace evergreen
