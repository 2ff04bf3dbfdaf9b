#include "actors/registry.h"

#include <utility>

#include "framework/hub.h"

namespace evergreen {
namespace {

char registry_key;

}  // namespace

Registry& Registry::Current() {
  Hub* hub = Hub::Current();
  return *hub->Extension<Registry>(
      &registry_key, [hub] { return std::make_shared<Registry>(hub); });
}

Registry::Registry(Hub* hub) : hub_(hub) {}

Registry::~Registry() {
  // Live actors outlive the registry when the hub goes down; their cells
  // must not keep observers that would only find it gone.
  for (auto& [name, entry] : names_) {
    entry.actor.cell()->RemoveExitObserver(entry.observer_id);
  }
}

absl::Status Registry::Register(absl::string_view name,
                                const AnyActorRef& actor) {
  hub_->CheckThread("Registry::Register");
  if (name.empty()) {
    return absl::InvalidArgumentError("cannot register an empty name");
  }
  if (!actor) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot register a null actor ref as '", name, "'"));
  }
  if (!actor.alive()) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot register actor '", actor.name(), "' as '", name,
                     "': it has exited (", actor.exit().ToString(), ")"));
  }
  // Its exit observer would run on the other hub's thread, against ours.
  if (actor.cell()->hub() != hub_) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot register actor '", actor.name(), "' as '", name,
                     "': it lives on another hub"));
  }
  auto it = names_.find(name);
  if (it != names_.end()) {
    const AnyActorRef& holder = it->second.actor;
    if (holder == actor) return absl::OkStatus();
    if (holder.alive()) {
      return absl::AlreadyExistsError(absl::StrCat(
          "name '", name, "' is held by actor '", holder.name(), "'"));
    }
    // Its holder has exited and its release has not run yet: that release
    // will find the name taken by another actor and leave it alone.
    names_.erase(it);
  }
  // A weak ref: a pending release must not keep the registry alive, nor
  // touch it once the hub has destroyed it.
  std::weak_ptr<Registry> weak = weak_from_this();
  const std::uint64_t observer_id = actor.cell()->AddExitObserver(
      [weak, name = std::string(name), actor_id = actor.id()](const Exit&) {
        if (std::shared_ptr<Registry> registry = weak.lock()) {
          registry->Release(name, actor_id);
        }
      });
  names_.emplace(std::string(name), Entry{actor, observer_id});
  return absl::OkStatus();
}

absl::StatusOr<AnyActorRef> Registry::Lookup(absl::string_view name) const {
  hub_->CheckThread("Registry::Lookup");
  auto it = names_.find(name);
  // A holder that has exited no longer holds the name, even before its
  // release has run.
  if (it == names_.end() || !it->second.actor.alive()) {
    return absl::NotFoundError(
        absl::StrCat("no live actor is registered as '", name, "'"));
  }
  return it->second.actor;
}

absl::Status Registry::Unregister(absl::string_view name) {
  hub_->CheckThread("Registry::Unregister");
  auto it = names_.find(name);
  if (it == names_.end()) {
    return absl::NotFoundError(
        absl::StrCat("no actor is registered as '", name, "'"));
  }
  it->second.actor.cell()->RemoveExitObserver(it->second.observer_id);
  names_.erase(it);
  return absl::OkStatus();
}

void Registry::Release(const std::string& name, std::uint64_t actor_id) {
  auto it = names_.find(name);
  // The name may have been unregistered, or taken over, since.
  if (it != names_.end() && it->second.actor.id() == actor_id) {
    names_.erase(it);
  }
}

}  // namespace evergreen
