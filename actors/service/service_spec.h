// ServiceSpec<S>: the ChildSpec that runs service actor S under a
// supervisor, registered by name so that servers and clients follow it
// across restarts.
//
//   auto root = Supervisor::Start(
//       {.strategy = Strategy::kOneForOne, .intensity = 5,
//        .period = absl::Seconds(10)},
//       {ServiceSpec<KvStore>("kv", {.max_queued_calls = 1000}),
//        ServiceSpec<Resizer>("resize", {.instances = 4,
//                                        .routing = Routing::kLeastLoaded}),
//        ServiceSpec<Hasher>("hash", {.max_concurrent_calls = 64})});
//   server.Register<kv::v1::KeyValue>("kv");   // looked up per call
//
// Each start spawns a fresh S (constructed from `args`, copied per
// restart) and registers it under `id` in the hub's Registry.
//
// Execution modes (ServiceOptions):
//  - one actor (default): calls run one at a time; state needs no locks.
//  - `instances` = N > 1: N actors of S, each with the options below,
//    registered as "<id>#0".."<id>#N-1" under a supervisor of their own
//    (one_for_one: a crash fails only its call and restarts that instance
//    alone), behind a ServiceRouter registered as `id`
//    (actors/service/service_router.h) that spreads calls round-robin or
//    to the least loaded. Each instance still runs its calls one at a time.
//  - `max_concurrent_calls` = K > 1 (stateless services): each call runs
//    in a greenlet of its own, at most K at once; a call beyond K fails
//    ResourceExhausted at once (actors/service/service_base.h).
//
// Thread affinity: the supervisor's hub.
#ifndef EVERGREEN_ACTORS_SERVICE_SERVICE_SPEC_H_
#define EVERGREEN_ACTORS_SERVICE_SERVICE_SPEC_H_

#include <cstddef>
#include <memory>
#include <stdexcept>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "actors/actor.h"
#include "actors/child_spec.h"
#include "actors/registry.h"
#include "actors/service/service_base.h"
#include "actors/service/service_router.h"
#include "actors/supervisor.h"

namespace evergreen {

struct ServiceOptions {
  // Calls queued beyond those running; more fail ResourceExhausted at
  // once (B-RPC8). 0: unbounded (not recommended on a network). With
  // instances > 1, per instance.
  std::size_t max_queued_calls = 1024;
  std::size_t stack_size = kDefaultStackSize;
  // Calls run at once by one actor: 1 serialises them; more run each in a
  // greenlet of its own (stateless services only). Must be >= 1.
  std::size_t max_concurrent_calls = 1;
  // Actors of S behind a router (ServiceSpec only; SpawnService refuses
  // more than 1). Must be >= 1.
  std::size_t instances = 1;
  Routing routing = Routing::kRoundRobin;
  // The instances' own supervisor: restarts allowed in `restart_period`
  // before it gives up (and its parent decides).
  int restart_intensity = 5;
  absl::Duration restart_period = absl::Seconds(10);
};

namespace internal {

// Spawns a constructed service with `options`' mailbox and concurrency.
template <typename S>
ActorRef<S> SpawnConstructedService(std::string name,
                                    const ServiceOptions& options,
                                    std::unique_ptr<S> service) {
  static_assert(std::is_base_of_v<ServiceBase, S>,
                "a service derives its generated Service base");
  service->set_max_concurrent_calls(options.max_concurrent_calls);
  std::shared_ptr<ActorCell> cell = ShareActorCell(new ActorCellOwning(
      ActorOptions{.name = std::move(name),
                   .mailbox_capacity = options.max_queued_calls,
                   .stack_size = options.stack_size},
      std::move(service), DispatcherFor<S>(), MessageName<S>()));
  cell->Start();
  return ActorRef<S>(std::move(cell));
}

// The ChildSpec of one actor of S registered as `id`.
template <typename S, typename... Args>
ChildSpec SingleServiceSpec(std::string id, ServiceOptions options,
                            Args... args) {
  return ChildSpec{
      .id = id,
      .start = [id, options,
                args = std::make_tuple(args...)]() -> absl::StatusOr<Child> {
        ActorRef<S> ref = std::apply(
            [&](const auto&... a) {
              return SpawnConstructedService<S>(id, options,
                                                std::make_unique<S>(a...));
            },
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

// The router of a multi-instance service, registered as `id`.
ChildSpec RouterSpec(std::string id, std::vector<std::string> instances,
                     const ServiceOptions& options);

}  // namespace internal

// Spawns service actor S named `name` with its mailbox and concurrency as
// `options` says. Throws std::invalid_argument for instances != 1 (a
// router needs a supervisor: use ServiceSpec).
template <typename S, typename... Args>
ActorRef<S> SpawnService(std::string name, ServiceOptions options,
                         Args&&... args) {
  if (options.instances != 1) {
    throw std::invalid_argument(absl::StrCat(
        "SpawnService('", name, "'): instances = ", options.instances,
        " needs a supervisor; use ServiceSpec"));
  }
  return internal::SpawnConstructedService<S>(
      std::move(name), options,
      std::make_unique<S>(std::forward<Args>(args)...));
}

// The ChildSpec running S as `options` says (see the file comment).
// Throws std::invalid_argument for instances or max_concurrent_calls 0.
template <typename S, typename... Args>
ChildSpec ServiceSpec(std::string id, ServiceOptions options = {},
                      Args... args) {
  if (options.instances == 0 || options.max_concurrent_calls == 0) {
    throw std::invalid_argument(absl::StrCat(
        "ServiceSpec('", id, "'): instances and max_concurrent_calls must "
        "be at least 1"));
  }
  if (options.instances == 1) {
    return internal::SingleServiceSpec<S>(std::move(id), options, args...);
  }
  std::vector<ChildSpec> children;
  std::vector<std::string> names;
  ServiceOptions one = options;
  one.instances = 1;
  for (std::size_t i = 0; i < options.instances; ++i) {
    names.push_back(absl::StrCat(id, "#", i));
    children.push_back(internal::SingleServiceSpec<S>(names.back(), one,
                                                      args...));
  }
  // Started last, stopped first: calls stop arriving before instances go.
  children.push_back(internal::RouterSpec(id, names, options));
  return Supervisor::Spec(id,
                          {.strategy = Strategy::kOneForOne,
                           .intensity = options.restart_intensity,
                           .period = options.restart_period},
                          std::move(children));
}

}  // namespace evergreen

#endif  // EVERGREEN_ACTORS_SERVICE_SERVICE_SPEC_H_
