#include "actors/transport/service_table.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "actors/registry.h"
#include "actors/service/incoming_call.h"

namespace evergreen {

absl::Status ServiceTable::AddRegistered(const ServiceDescriptor& service,
                                         std::string registered_name) {
  auto [it, added] = services_.try_emplace(
      service.name, Entry{&service, std::move(registered_name), {}});
  if (!added) {
    return absl::AlreadyExistsError(
        absl::StrCat("service ", service.name, " is already hosted"));
  }
  return absl::OkStatus();
}

absl::Status ServiceTable::AddActor(const ServiceDescriptor& service,
                                    AnyActorRef actor) {
  auto [it, added] =
      services_.try_emplace(service.name, Entry{&service, "", std::move(actor)});
  if (!added) {
    return absl::AlreadyExistsError(
        absl::StrCat("service ", service.name, " is already hosted"));
  }
  return absl::OkStatus();
}

absl::StatusOr<const MethodInfo*> ServiceTable::FindMethod(
    absl::string_view full_name) const {
  const std::size_t slash = full_name.find('/');
  if (slash == absl::string_view::npos) {
    return absl::UnimplementedError(absl::StrCat(
        "malformed method name '", full_name,
        "' (expected package.Service/Method)"));
  }
  absl::string_view service = full_name.substr(0, slash);
  auto it = services_.find(service);
  if (it == services_.end()) {
    return absl::UnimplementedError(
        absl::StrCat("unknown service ", service, " (method ", full_name, ")"));
  }
  const MethodInfo* method =
      it->second.service->Find(full_name.substr(slash + 1));
  if (method == nullptr) {
    return absl::UnimplementedError(absl::StrCat(
        "unknown method ", full_name, ": service ", service, " has no rpc ",
        full_name.substr(slash + 1)));
  }
  return method;
}

absl::StatusOr<AnyActorRef> ServiceTable::ActorFor(const Entry& entry) const {
  if (entry.registered_name.empty()) {
    if (!entry.actor.alive()) {
      return absl::UnavailableError(absl::StrCat(
          "service ", entry.service->name, ": its actor is not running"));
    }
    return entry.actor;
  }
  absl::StatusOr<AnyActorRef> found =
      Registry::Current().Lookup(entry.registered_name);
  if (!found.ok()) {
    return absl::UnavailableError(absl::StrCat(
        "service ", entry.service->name, ": no actor registered as '",
        entry.registered_name, "' (not started, or restarting)"));
  }
  return found;
}

void ServiceTable::Dispatch(absl::string_view method_name, Payload request,
                            std::shared_ptr<CallState> state,
                            ReplyCallback done) const {
  absl::StatusOr<const MethodInfo*> method = FindMethod(method_name);
  if (!method.ok()) return done(method.status());
  if (absl::Now() >= state->deadline) {
    return done(absl::DeadlineExceededError(absl::StrCat(
        "call ", method_name, " arrived after its deadline; not run")));
  }
  if (max_concurrent_calls_ != 0 && *in_flight_ >= max_concurrent_calls_) {
    return done(absl::ResourceExhaustedError(absl::StrCat(
        "call ", method_name, ": server is at its limit of ",
        max_concurrent_calls_, " concurrent calls")));
  }
  const Entry& entry = services_.find((*method)->service->name)->second;
  absl::StatusOr<AnyActorRef> actor = ActorFor(entry);
  if (!actor.ok()) return done(actor.status());
  ++*in_flight_;
  (void)DeliverCall(
      *actor, IncomingCall(*method, std::move(request), std::move(state),
                           [in_flight = in_flight_, done = std::move(done)](
                               absl::StatusOr<Payload> outcome) mutable {
                             --*in_flight;
                             done(std::move(outcome));
                           }));
}

}  // namespace evergreen
