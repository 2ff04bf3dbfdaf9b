// MethodInfo and ServiceDescriptor: the method table the generated code
// gives the runtime, one entry per rpc.
//
// Generated (protoc-gen-evergreen), for `service KeyValue { rpc Put ... }`:
//
//   const ::evergreen::MethodInfo kMethods[] = {
//       ::evergreen::internal::MakeMethod<Service, PutRequest, PutReply,
//                                         &Service::Put>(...),
//   };
//
// The runtime dispatches on it: network transports call invoke_bytes
// (parse, run, serialise); the in-process channel calls invoke_local with
// the caller's message (no serialisation).
//
// Thread affinity: immutable after static initialisation.
#ifndef EVERGREEN_ACTORS_SERVICE_METHOD_H_
#define EVERGREEN_ACTORS_SERVICE_METHOD_H_

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "google/protobuf/message.h"

namespace evergreen {

class CallContext;
class ServiceBase;
struct ServiceDescriptor;

struct MethodInfo {
  const ServiceDescriptor* service;
  // "kv.v1.KeyValue/Put".
  const char* full_name;
  // "Put".
  const char* name;
  // The request's and reply's full type names, for errors.
  const char* request_type;
  const char* reply_type;
  // Parses `payload` (InvalidArgument when it does not parse), runs the
  // handler, serialises its reply.
  absl::StatusOr<std::string> (*invoke_bytes)(ServiceBase& service,
                                              absl::string_view payload,
                                              CallContext& context);
  // Runs the handler on `request` (REQUIRES: of request_type) and returns
  // its reply.
  absl::StatusOr<std::unique_ptr<google::protobuf::Message>> (*invoke_local)(
      ServiceBase& service, const google::protobuf::Message& request,
      CallContext& context);
};

struct ServiceDescriptor {
  // "kv.v1.KeyValue".
  const char* name;
  absl::Span<const MethodInfo> methods;

  // The method called `method_name` ("Put"), or nullptr.
  const MethodInfo* Find(absl::string_view method_name) const {
    for (const MethodInfo& m : methods) {
      if (method_name == m.name) return &m;
    }
    return nullptr;
  }
};

}  // namespace evergreen

#endif  // EVERGREEN_ACTORS_SERVICE_METHOD_H_
