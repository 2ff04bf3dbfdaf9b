// ServiceGenerator: the code generator behind protoc-gen-evergreen. For
// each foo.proto it writes foo.evg.h and foo.evg.cc; for each `service`
// there, a class named after it holding
//
//   Service     the typed actor base to implement: one virtual per rpc,
//               (const Request&, evergreen::CallContext&) ->
//               absl::StatusOr<Reply>, answering Unimplemented by default;
//   Client      the typed stub: Method(request, options) blocking, and
//               MethodAsync(request, options) -> AsyncResult<StatusOr<Reply>>;
//   Descriptor  the method table the runtime dispatches on.
//
// Streaming rpcs are refused with an error naming the rpc: the runtime
// serves unary calls only.
#ifndef EVERGREEN_PROTO_PLUGIN_SERVICE_GENERATOR_H_
#define EVERGREEN_PROTO_PLUGIN_SERVICE_GENERATOR_H_

#include <string>

#include "google/protobuf/compiler/code_generator.h"
#include "google/protobuf/descriptor.h"

namespace evergreen {
namespace plugin {

class ServiceGenerator : public google::protobuf::compiler::CodeGenerator {
 public:
  bool Generate(const google::protobuf::FileDescriptor* file,
                const std::string& parameter,
                google::protobuf::compiler::GeneratorContext* context,
                std::string* error) const override;

  std::uint64_t GetSupportedFeatures() const override {
    return FEATURE_PROTO3_OPTIONAL;
  }
};

}  // namespace plugin
}  // namespace evergreen

#endif  // EVERGREEN_PROTO_PLUGIN_SERVICE_GENERATOR_H_
