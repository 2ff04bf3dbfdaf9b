// The method-table entries the generated code instantiates: one pair of
// functions per rpc, bound at compile time to the service's virtual.
//
// Internal: used by code protoc-gen-evergreen writes.
#ifndef EVERGREEN_ACTORS_SERVICE_INTERNAL_INVOKE_H_
#define EVERGREEN_ACTORS_SERVICE_INTERNAL_INVOKE_H_

#include <memory>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "actors/service/call_context.h"
#include "actors/service/method.h"
#include "actors/service/service_base.h"
#include "google/protobuf/message.h"

namespace evergreen {
namespace internal {

template <typename Svc, typename Req, typename Rep,
          absl::StatusOr<Rep> (Svc::*kHandler)(const Req&, CallContext&)>
absl::StatusOr<std::string> InvokeBytes(ServiceBase& service,
                                        absl::string_view payload,
                                        CallContext& context) {
  Req request;
  if (!request.ParseFromArray(payload.data(),
                              static_cast<int>(payload.size()))) {
    return absl::InvalidArgumentError(absl::StrCat(
        "call ", context.method(), ": payload of ", payload.size(),
        " bytes does not parse as ", Req::descriptor()->full_name()));
  }
  absl::StatusOr<Rep> reply =
      (static_cast<Svc&>(service).*kHandler)(request, context);
  if (!reply.ok()) return reply.status();
  return reply->SerializeAsString();
}

template <typename Svc, typename Req, typename Rep,
          absl::StatusOr<Rep> (Svc::*kHandler)(const Req&, CallContext&)>
absl::StatusOr<std::unique_ptr<google::protobuf::Message>> InvokeLocal(
    ServiceBase& service, const google::protobuf::Message& request,
    CallContext& context) {
  absl::StatusOr<Rep> reply = (static_cast<Svc&>(service).*kHandler)(
      static_cast<const Req&>(request), context);
  if (!reply.ok()) return reply.status();
  return std::unique_ptr<google::protobuf::Message>(
      new Rep(*std::move(reply)));
}

// "call kv.v1.KeyValue/Put: not implemented by this service".
absl::Status NotImplemented(const char* full_name);

}  // namespace internal
}  // namespace evergreen

#endif  // EVERGREEN_ACTORS_SERVICE_INTERNAL_INVOKE_H_
