#include "actors/service/service_spec.h"

namespace evergreen {
namespace internal {

ChildSpec RouterSpec(std::string id, std::vector<std::string> instances,
                     const ServiceOptions& options) {
  const std::size_t capacity =
      options.max_queued_calls == 0
          ? 0
          : options.max_queued_calls * instances.size();
  return ChildSpec{
      .id = absl::StrCat(id, "#router"),
      .start = [id, instances, capacity, routing = options.routing,
                stack_size = options.stack_size]() -> absl::StatusOr<Child> {
        ActorRef<ServiceRouter> ref = SpawnConstructedService<ServiceRouter>(
            id, {.max_queued_calls = capacity, .stack_size = stack_size},
            std::make_unique<ServiceRouter>(id, instances, routing));
        absl::Status registered = Registry::Current().Register(id, ref);
        if (!registered.ok()) {
          ref.Kill();
          return registered;
        }
        return Child(AnyActorRef(ref));
      },
  };
}

}  // namespace internal
}  // namespace evergreen
