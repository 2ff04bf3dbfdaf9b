#include "proto/plugin/service_generator.h"

#include <map>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "google/protobuf/io/printer.h"
#include "google/protobuf/io/zero_copy_stream.h"

namespace evergreen {
namespace plugin {
namespace {

using google::protobuf::FileDescriptor;
using google::protobuf::MethodDescriptor;
using google::protobuf::ServiceDescriptor;
using google::protobuf::compiler::GeneratorContext;
using google::protobuf::io::Printer;
using Vars = std::map<std::string, std::string>;

// "kv.v1.PutRequest" -> "::kv::v1::PutRequest" (nested messages have
// Outer::Inner aliases in protobuf's C++ code).
std::string CppType(const std::string& full_name) {
  return absl::StrCat("::", absl::StrReplaceAll(full_name, {{".", "::"}}));
}

std::string Stem(const FileDescriptor* file) {
  return std::string(absl::StripSuffix(file->name(), ".proto"));
}

std::string HeaderGuard(const FileDescriptor* file) {
  std::string guard = absl::StrCat(Stem(file), "_EVG_H_");
  for (char& c : guard) {
    c = std::isalnum(static_cast<unsigned char>(c))
            ? static_cast<char>(std::toupper(static_cast<unsigned char>(c)))
            : '_';
  }
  return guard;
}

void OpenNamespace(Printer& p, const FileDescriptor* file) {
  if (file->package().empty()) return;
  for (absl::string_view part : absl::StrSplit(file->package(), '.')) {
    p.Print("namespace $ns$ {\n", "ns", std::string(part));
  }
  p.Print("\n");
}

void CloseNamespace(Printer& p, const FileDescriptor* file) {
  if (file->package().empty()) return;
  std::vector<std::string> parts = absl::StrSplit(file->package(), '.');
  for (auto it = parts.rbegin(); it != parts.rend(); ++it) {
    p.Print("}  // namespace $ns$\n", "ns", *it);
  }
}

Vars MethodVars(const ServiceDescriptor* service, const MethodDescriptor* m,
                int index) {
  return {
      {"service", service->name()},
      {"method", m->name()},
      {"full_name", absl::StrCat(service->full_name(), "/", m->name())},
      {"request", CppType(m->input_type()->full_name())},
      {"reply", CppType(m->output_type()->full_name())},
      {"request_name", m->input_type()->full_name()},
      {"reply_name", m->output_type()->full_name()},
      {"index", absl::StrCat(index)},
  };
}

void GenerateHeaderService(Printer& p, const ServiceDescriptor* service) {
  Vars vars = {{"service", service->name()},
               {"full_service", service->full_name()},
               {"count", absl::StrCat(service->method_count())}};
  p.Print(vars,
          "// service $full_service$\n"
          "class $service$ final {\n"
          " public:\n"
          "  $service$() = delete;\n"
          "\n"
          "  // The method table the runtime dispatches on.\n"
          "  static const ::evergreen::ServiceDescriptor& Descriptor() {\n"
          "    return kDescriptor;\n"
          "  }\n"
          "\n"
          "  // The service to implement: a ServiceBase, hence an actor.\n"
          "  // Each rpc answers Unimplemented unless overridden.\n"
          "  class Service : public ::evergreen::ServiceBase {\n"
          "   public:\n"
          "    const ::evergreen::ServiceDescriptor& descriptor() const final "
          "{\n"
          "      return kDescriptor;\n"
          "    }\n");
  for (int i = 0; i < service->method_count(); ++i) {
    p.Print(MethodVars(service, service->method(i), i),
            "\n"
            "    // rpc $method$($request_name$) returns ($reply_name$)\n"
            "    virtual ::absl::StatusOr<$reply$> $method$(\n"
            "        const $request$& request, ::evergreen::CallContext& "
            "context);\n");
  }
  p.Print(vars,
          "  };\n"
          "\n"
          "  // The typed stub: the same type over every Channel.\n"
          "  class Client {\n"
          "   public:\n"
          "    explicit Client(::evergreen::Channel channel)\n"
          "        : channel_(std::move(channel)) {}\n");
  for (int i = 0; i < service->method_count(); ++i) {
    p.Print(MethodVars(service, service->method(i), i),
            "\n"
            "    // Blocks until the reply or the deadline (see\n"
            "    // actors/service/unary_call.h).\n"
            "    ::absl::StatusOr<$reply$> $method$(\n"
            "        const $request$& request,\n"
            "        const ::evergreen::CallOptions& options = {}) const {\n"
            "      return ::evergreen::CallUnary<$reply$>(\n"
            "          channel_, kMethods[$index$], request, options);\n"
            "    }\n"
            "    // Never blocks; the result completes with the reply or "
            "error.\n"
            "    ::evergreen::AsyncResult<::absl::StatusOr<$reply$>> "
            "$method$Async(\n"
            "        const $request$& request,\n"
            "        const ::evergreen::CallOptions& options = {}) const {\n"
            "      return ::evergreen::StartUnary<$reply$>(\n"
            "          channel_, kMethods[$index$], request, options);\n"
            "    }\n");
  }
  p.Print(vars,
          "\n"
          "    const ::evergreen::Channel& channel() const { return "
          "channel_; }\n"
          "\n"
          "   private:\n"
          "    ::evergreen::Channel channel_;\n"
          "  };\n"
          "\n"
          " private:\n"
          "  static const ::evergreen::MethodInfo kMethods[$count$];\n"
          "  static const ::evergreen::ServiceDescriptor kDescriptor;\n"
          "};\n"
          "\n");
}

void GenerateSourceService(Printer& p, const ServiceDescriptor* service) {
  Vars vars = {{"service", service->name()},
               {"full_service", service->full_name()},
               {"count", absl::StrCat(service->method_count())}};
  p.Print(vars,
          "const ::evergreen::MethodInfo $service$::kMethods[$count$] = {\n");
  for (int i = 0; i < service->method_count(); ++i) {
    p.Print(MethodVars(service, service->method(i), i),
            "    {&$service$::kDescriptor, \"$full_name$\", \"$method$\",\n"
            "     \"$request_name$\", \"$reply_name$\",\n"
            "     &::evergreen::internal::InvokeBytes<\n"
            "         $service$::Service, $request$, $reply$,\n"
            "         &$service$::Service::$method$>,\n"
            "     &::evergreen::internal::InvokeLocal<\n"
            "         $service$::Service, $request$, $reply$,\n"
            "         &$service$::Service::$method$>},\n");
  }
  p.Print(vars,
          "};\n"
          "\n"
          "const ::evergreen::ServiceDescriptor $service$::kDescriptor = {\n"
          "    \"$full_service$\", $service$::kMethods};\n");
  for (int i = 0; i < service->method_count(); ++i) {
    p.Print(MethodVars(service, service->method(i), i),
            "\n"
            "::absl::StatusOr<$reply$> $service$::Service::$method$(\n"
            "    const $request$&, ::evergreen::CallContext&) {\n"
            "  return ::evergreen::internal::NotImplemented(\"$full_name$\");\n"
            "}\n");
  }
  p.Print("\n");
}

// Streaming rpcs are refused: the runtime serves unary calls only.
bool CheckUnary(const FileDescriptor* file, std::string* error) {
  for (int s = 0; s < file->service_count(); ++s) {
    const ServiceDescriptor* service = file->service(s);
    if (service->method_count() == 0) {
      *error = absl::StrCat(file->name(), ": service ", service->full_name(),
                            " has no rpc; protoc-gen-evergreen needs at "
                            "least one");
      return false;
    }
    for (int i = 0; i < service->method_count(); ++i) {
      const MethodDescriptor* m = service->method(i);
      if (m->client_streaming() || m->server_streaming()) {
        const char* which = m->client_streaming() && m->server_streaming()
                                ? "bidirectional"
                            : m->client_streaming() ? "client"
                                                    : "server";
        *error = absl::StrCat(
            file->name(), ": rpc ", service->full_name(), ".", m->name(),
            " is a ", which,
            "-streaming rpc; Evergreen services support unary rpcs only "
            "(drop `stream`, or split it into unary calls)");
        return false;
      }
    }
  }
  return true;
}

}  // namespace

bool ServiceGenerator::Generate(const FileDescriptor* file,
                                const std::string& parameter,
                                GeneratorContext* context,
                                std::string* error) const {
  if (!parameter.empty()) {
    *error = absl::StrCat("protoc-gen-evergreen takes no parameters, got '",
                          parameter, "'");
    return false;
  }
  if (!CheckUnary(file, error)) return false;
  const std::string stem = Stem(file);
  const bool has_services = file->service_count() > 0;
  {
    std::unique_ptr<google::protobuf::io::ZeroCopyOutputStream> out(
        context->Open(stem + ".evg.h"));
    Printer p(out.get(), '$');
    Vars vars = {{"file", file->name()},
                 {"stem", stem},
                 {"guard", HeaderGuard(file)}};
    p.Print(vars,
            "// Generated by protoc-gen-evergreen from $file$. Do not edit.\n"
            "#ifndef $guard$\n"
            "#define $guard$\n"
            "\n"
            "#include \"$stem$.pb.h\"\n");
    if (has_services) {
      p.Print(
          "\n"
          "#include <utility>\n"
          "\n"
          "#include \"absl/status/statusor.h\"\n"
          "#include \"actors/service/call_context.h\"\n"
          "#include \"actors/service/call_options.h\"\n"
          "#include \"actors/service/channel.h\"\n"
          "#include \"actors/service/method.h\"\n"
          "#include \"actors/service/service_base.h\"\n"
          "#include \"actors/service/unary_call.h\"\n"
          "#include \"framework/async_result.h\"\n"
          "\n");
      OpenNamespace(p, file);
      for (int s = 0; s < file->service_count(); ++s) {
        GenerateHeaderService(p, file->service(s));
      }
      CloseNamespace(p, file);
    }
    p.Print(vars, "\n#endif  // $guard$\n");
  }
  {
    std::unique_ptr<google::protobuf::io::ZeroCopyOutputStream> out(
        context->Open(stem + ".evg.cc"));
    Printer p(out.get(), '$');
    Vars vars = {{"file", file->name()}, {"stem", stem}};
    p.Print(vars,
            "// Generated by protoc-gen-evergreen from $file$. Do not edit.\n"
            "#include \"$stem$.evg.h\"\n");
    if (has_services) {
      p.Print("\n#include \"actors/service/internal/invoke.h\"\n\n");
      OpenNamespace(p, file);
      for (int s = 0; s < file->service_count(); ++s) {
        GenerateSourceService(p, file->service(s));
      }
      CloseNamespace(p, file);
    }
  }
  return true;
}

}  // namespace plugin
}  // namespace evergreen
