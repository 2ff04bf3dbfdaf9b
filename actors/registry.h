// Registry: actors found by name on a hub (Erlang's register / whereis).
//
//   ActorRef<Counter> counter = SpawnActor<Counter>();
//   Registry& registry = Registry::Current();
//   absl::Status s = registry.Register("counter", counter);
//   ...
//   absl::StatusOr<AnyActorRef> any = registry.Lookup("counter");
//   absl::StatusOr<ActorRef<Counter>> typed =
//       registry.LookupAs<Counter>("counter");
//   if (typed.ok()) {
//     int n = typed->Ask(GetCount{}).Get();
//   }
//   // (compiled in tests/docs/header_examples_test.cc)
//
// A name holds at most one live actor. It is released when that actor exits
// (whatever the reason), on the hub's next turn after the exit; until then a
// Lookup already answers NotFound and a Register may already take the name
// over. An actor may be held under several names.
//
// Thread affinity: each hub has its own registry, made on first use and
// destroyed with the hub; it and the actors it names belong to the hub's
// thread (a call from another thread throws WrongThreadError). None of its
// calls blocks.
#ifndef EVERGREEN_ACTORS_REGISTRY_H_
#define EVERGREEN_ACTORS_REGISTRY_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "actors/actor.h"
#include "actors/internal/message_name.h"

namespace evergreen {

class Hub;

class Registry : public std::enable_shared_from_this<Registry> {
 public:
  // The calling thread's hub's registry, made on first use.
  static Registry& Current();

  // Use Current(); public only for std::make_shared.
  explicit Registry(Hub* hub);
  ~Registry();
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  // Holds `name` for `actor` until the actor exits or Unregister(name).
  // Registering the same actor under a name it already holds is a no-op.
  // Errors: InvalidArgument for an empty name, a null ref, an actor that
  // has exited, or one that lives on another hub; AlreadyExists when a
  // live actor other than `actor` holds the name.
  absl::Status Register(absl::string_view name, const AnyActorRef& actor);

  // The live actor holding `name`. Errors: NotFound.
  absl::StatusOr<AnyActorRef> Lookup(absl::string_view name) const;

  // The live actor holding `name` as a typed ref, if its type is exactly A
  // (the type it was spawned as, not a base of it). Errors: NotFound;
  // InvalidArgument when it is an actor of another type.
  template <typename A>
  absl::StatusOr<ActorRef<A>> LookupAs(absl::string_view name) const;

  // Releases `name` whatever holds it. Errors: NotFound when nothing does.
  absl::Status Unregister(absl::string_view name);

  // Names held, counting those whose actor has exited but whose release
  // (on the hub's next turn) is still pending.
  std::size_t size() const { return names_.size(); }

 private:
  struct Entry {
    AnyActorRef actor;
    // Our observer on the actor's cell, removed when we let go first.
    std::uint64_t observer_id;
  };

  // The exit observer's work: forgets `name` if `actor_id` still holds it.
  void Release(const std::string& name, std::uint64_t actor_id);

  Hub* hub_;
  absl::flat_hash_map<std::string, Entry> names_;
};

template <typename A>
absl::StatusOr<ActorRef<A>> Registry::LookupAs(absl::string_view name) const {
  absl::StatusOr<AnyActorRef> found = Lookup(name);
  if (!found.ok()) return found.status();
  // MessageName<A>() is one string per type, and SpawnActor<A> hands that
  // very pointer to the cell: equal pointers mean the same type A.
  if (found->cell()->type_name() != internal::MessageName<A>()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "actor '", found->name(), "' registered as '", name, "' is a ",
        found->cell()->type_name(), ", not a ", internal::MessageName<A>()));
  }
  return ActorRef<A>(found->cell());
}

}  // namespace evergreen

#endif  // EVERGREEN_ACTORS_REGISTRY_H_
