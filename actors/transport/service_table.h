// ServiceTable: the services a server hosts, and how a call reaches one —
// "pkg.Service/Method" → the method table entry → the service actor, with
// the server-wide checks on the way (DispatchCall).
//
//   ServiceTable table;
//   table.AddRegistered(kv::v1::KeyValue::Descriptor(), "kv");
//   DispatchCall(table, "kv.v1.KeyValue/Get", std::move(payload), state, done);
//
// Thread affinity: the server's hub.
#ifndef EVERGREEN_ACTORS_TRANSPORT_SERVICE_TABLE_H_
#define EVERGREEN_ACTORS_TRANSPORT_SERVICE_TABLE_H_

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "actors/actor_ref.h"
#include "actors/service/call_context.h"
#include "actors/service/method.h"
#include "actors/service/payload.h"

namespace evergreen {

class ServiceTable {
 public:
  // `max_concurrent_calls`: calls dispatched and not yet answered, across
  // every service; more are refused with ResourceExhausted. 0: no bound.
  explicit ServiceTable(std::size_t max_concurrent_calls = 0)
      : max_concurrent_calls_(max_concurrent_calls) {}

  // Serves `service` by the actor registered as `registered_name` in the
  // hub's Registry, looked up per call (so it follows restarts).
  // Errors: AlreadyExists for a service already hosted.
  absl::Status AddRegistered(const ServiceDescriptor& service,
                             std::string registered_name);
  // Serves `service` by `actor` for as long as it lives.
  absl::Status AddActor(const ServiceDescriptor& service, AnyActorRef actor);

  // The method called `full_name` ("pkg.Service/Method"). Errors:
  // Unimplemented naming the unknown service or method (B-RPC1).
  absl::StatusOr<const MethodInfo*> FindMethod(
      absl::string_view full_name) const;

  // Sends the call to its service actor. `done` runs exactly once,
  // possibly before this returns: with the handler's outcome, or
  // Unimplemented (unknown method), DeadlineExceeded (arrived expired: it
  // does not run), ResourceExhausted (over the server's or the service's
  // bound, B-RPC8), Unavailable (no live actor for the service).
  void Dispatch(absl::string_view method, Payload request,
                std::shared_ptr<CallState> state, ReplyCallback done) const;

  std::size_t calls_in_flight() const { return *in_flight_; }

  // The hosted services' full names ("kv.v1.KeyValue"), in no order.
  std::vector<std::string> service_names() const {
    std::vector<std::string> names;
    for (const auto& [name, entry] : services_) names.push_back(name);
    return names;
  }

 private:
  struct Entry {
    const ServiceDescriptor* service;
    std::string registered_name;  // empty: `actor`
    AnyActorRef actor;
  };
  absl::StatusOr<AnyActorRef> ActorFor(const Entry& entry) const;

  std::size_t max_concurrent_calls_;
  // Shared with reply callbacks, which may outlive the table.
  std::shared_ptr<std::size_t> in_flight_ = std::make_shared<std::size_t>(0);
  absl::flat_hash_map<std::string, Entry> services_;
};

}  // namespace evergreen

#endif  // EVERGREEN_ACTORS_TRANSPORT_SERVICE_TABLE_H_
