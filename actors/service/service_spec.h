// ServiceSpec<S>: the ChildSpec that runs service actor S under a
// supervisor, registered by name so that servers and clients follow it
// across restarts.
//
//   auto root = Supervisor::Start(
//       {.strategy = Strategy::kOneForOne, .intensity = 5,
//        .period = absl::Seconds(10)},
//       {ServiceSpec<KvStore>("kv", {.max_queued_calls = 1000})});
//   server.Register<kv::v1::KeyValue>("kv");   // looked up per call
//
// Each start spawns a fresh S (constructed from `args`, copied per
// restart) and registers it under `id` in the hub's Registry.
//
// Thread affinity: the supervisor's hub.
#ifndef EVERGREEN_ACTORS_SERVICE_SERVICE_SPEC_H_
#define EVERGREEN_ACTORS_SERVICE_SERVICE_SPEC_H_

#include <cstddef>
#include <string>
#include <tuple>
#include <utility>

#include "absl/status/statusor.h"
#include "actors/actor_ref.h"
#include "actors/child_spec.h"
#include "actors/registry.h"
#include "actors/service/service_base.h"

namespace evergreen {

struct ServiceOptions {
  // Calls queued beyond the one running; more fail ResourceExhausted at
  // once (B-RPC8). 0: unbounded (not recommended on a network).
  std::size_t max_queued_calls = 1024;
  std::size_t stack_size = kDefaultStackSize;
};

// Spawns service actor S named `name` with its mailbox bounded as
// `options` says.
template <typename S, typename... Args>
ActorRef<S> SpawnService(std::string name, ServiceOptions options,
                         Args&&... args) {
  static_assert(std::is_base_of_v<ServiceBase, S>,
                "a service derives its generated Service base");
  return SpawnActor<S>({.name = std::move(name),
                        .mailbox_capacity = options.max_queued_calls,
                        .stack_size = options.stack_size},
                       std::forward<Args>(args)...);
}

template <typename S, typename... Args>
ChildSpec ServiceSpec(std::string id, ServiceOptions options = {},
                      Args... args) {
  return ChildSpec{
      .id = id,
      .start = [id, options,
                args = std::make_tuple(args...)]() -> absl::StatusOr<Child> {
        ActorRef<S> ref = std::apply(
            [&](const auto&... a) { return SpawnService<S>(id, options, a...); },
            args);
        absl::Status registered = Registry::Current().Register(id, ref);
        if (!registered.ok()) {
          ref.Kill();
          return registered;
        }
        return Child(AnyActorRef(ref));
      },
  };
}

}  // namespace evergreen

#endif  // EVERGREEN_ACTORS_SERVICE_SERVICE_SPEC_H_
