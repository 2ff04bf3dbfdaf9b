// protoc-gen-evergreen: typed Evergreen services from .proto files.
//
//   protoc --plugin=protoc-gen-evergreen=path/to/it --evergreen_out=OUT
//       --cpp_out=OUT foo.proto
//
// proto/defs.bzl's evergreen_proto_library runs it; see
// service_generator.h for what it writes.
#include "google/protobuf/compiler/plugin.h"
#include "proto/plugin/service_generator.h"

int main(int argc, char* argv[]) {
  evergreen::plugin::ServiceGenerator generator;
  return google::protobuf::compiler::PluginMain(argc, argv, &generator);
}
