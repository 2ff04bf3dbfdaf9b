#include "actors/transport/connect_json.h"

#include "absl/strings/str_cat.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/type_resolver.h"
#include "google/protobuf/util/type_resolver_util.h"

namespace evergreen {
namespace {

constexpr char kUrlPrefix[] = "type.googleapis.com";

google::protobuf::util::TypeResolver& Resolver() {
  static google::protobuf::util::TypeResolver* resolver =
      google::protobuf::util::NewTypeResolverForDescriptorPool(
          kUrlPrefix, google::protobuf::DescriptorPool::generated_pool());
  return *resolver;
}

std::string TypeUrl(absl::string_view type_name) {
  return absl::StrCat(kUrlPrefix, "/", type_name);
}

}  // namespace

absl::StatusOr<std::string> ConnectJsonToBinary(absl::string_view type_name,
                                                absl::string_view json) {
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = true;
  std::string binary;
  auto status = google::protobuf::util::JsonToBinaryString(
      &Resolver(), TypeUrl(type_name),
      google::protobuf::StringPiece(json.data(), json.size()), &binary,
      options);
  if (!status.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "request is not JSON for ", type_name, ": ", status.message().ToString()));
  }
  return binary;
}

absl::StatusOr<std::string> ConnectBinaryToJson(absl::string_view type_name,
                                                absl::string_view binary) {
  google::protobuf::util::JsonPrintOptions options;
  std::string json;
  auto status = google::protobuf::util::BinaryToJsonString(
      &Resolver(), TypeUrl(type_name),
      std::string(binary.data(), binary.size()), &json, options);
  if (!status.ok()) {
    return absl::InternalError(absl::StrCat("reply as JSON for ", type_name,
                                            ": ", status.message().ToString()));
  }
  return json;
}

}  // namespace evergreen
