#include "actors/child.h"

#include <utility>

#include "framework/internal/ref_ptr.h"

namespace evergreen {

// Shared by every copy of a greenlet Child: the shutdown flags decide
// whether a kill reads as kShutdown or kKilled.
struct Child::GreenletChild {
  explicit GreenletChild(GreenletBase* g) : greenlet(g) {}
  internal::RefPtr<GreenletBase> greenlet;
  bool shutdown_requested = false;
  bool killed = false;
};

namespace {

Exit ClassifyGreenletExit(const GreenletBase& greenlet, bool shutdown_only) {
  if (greenlet.exception() != nullptr) return Exit::Failed(greenlet.exception());
  if (greenlet.killed()) return shutdown_only ? Exit::Shutdown() : Exit::Killed();
  return Exit::Normal();
}

}  // namespace

Child::Child(AnyActorRef actor) : actor_(std::move(actor)) {}

Child::Child(GreenletBase* greenlet)
    : greenlet_(greenlet != nullptr ? std::make_shared<GreenletChild>(greenlet)
                                    : nullptr) {}

Child::Kind Child::kind() const {
  if (actor_) return Kind::kActor;
  if (greenlet_ != nullptr) return Kind::kGreenlet;
  return Kind::kNone;
}

GreenletBase* Child::greenlet() const {
  return greenlet_ != nullptr ? greenlet_->greenlet.get() : nullptr;
}

std::string Child::name() const {
  switch (kind()) {
    case Kind::kActor:
      return actor_.name();
    case Kind::kGreenlet:
      return greenlet_->greenlet->name().empty() ? "greenlet"
                                                 : greenlet_->greenlet->name();
    case Kind::kNone:
      break;
  }
  return "";
}

bool Child::alive() const {
  switch (kind()) {
    case Kind::kActor:
      return actor_.alive();
    case Kind::kGreenlet:
      return !greenlet_->greenlet->dead();
    case Kind::kNone:
      break;
  }
  return false;
}

Exit Child::exit() const {
  switch (kind()) {
    case Kind::kActor:
      return actor_.exit();
    case Kind::kGreenlet:
      return ClassifyGreenletExit(
          *greenlet_->greenlet,
          greenlet_->shutdown_requested && !greenlet_->killed);
    case Kind::kNone:
      break;
  }
  return Exit::Normal();
}

void Child::RequestShutdown() const {
  if (!alive()) return;
  if (is_actor()) {
    actor_.Stop();
    return;
  }
  greenlet_->shutdown_requested = true;
  greenlet_->greenlet->Kill(nullptr, /*block=*/false);
}

void Child::Kill() const {
  if (!alive()) return;
  if (is_actor()) {
    actor_.Kill();
    return;
  }
  greenlet_->killed = true;
  greenlet_->greenlet->Kill(nullptr, /*block=*/false);
}

bool Child::Join(absl::Duration timeout) const {
  switch (kind()) {
    case Kind::kActor:
      return actor_.Join(timeout);
    case Kind::kGreenlet:
      return greenlet_->greenlet->Join(timeout);
    case Kind::kNone:
      break;
  }
  return true;
}

std::uint64_t Child::AddExitObserver(ExitObserver observer) const {
  if (is_actor()) return actor_.cell()->AddExitObserver(std::move(observer));
  // Weak: the greenlet holds this callback, and the state holds the
  // greenlet; a strong capture would be a cycle until the callback runs.
  std::weak_ptr<GreenletChild> weak = greenlet_;
  return greenlet_->greenlet->Link(
      [weak, observer = std::move(observer)](GreenletBase& g) mutable {
        std::shared_ptr<GreenletChild> state = weak.lock();
        observer(ClassifyGreenletExit(
            g, state != nullptr && state->shutdown_requested && !state->killed));
      });
}

void Child::RemoveExitObserver(std::uint64_t id) const {
  switch (kind()) {
    case Kind::kActor:
      actor_.cell()->RemoveExitObserver(id);
      break;
    case Kind::kGreenlet:
      greenlet_->greenlet->Unlink(id);
      break;
    case Kind::kNone:
      break;
  }
}

const void* Child::identity() const {
  switch (kind()) {
    case Kind::kActor:
      return actor_.cell().get();
    case Kind::kGreenlet:
      return greenlet_->greenlet.get();
    case Kind::kNone:
      break;
  }
  return nullptr;
}

}  // namespace evergreen
