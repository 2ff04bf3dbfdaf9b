// Protobuf binary <-> protobuf's JSON mapping for the Connect transport,
// by message type name, through the generated descriptor pool (every
// message a generated service uses is there).
//
// Thread affinity: none (the resolver is immutable and thread-safe).
#ifndef EVERGREEN_ACTORS_TRANSPORT_CONNECT_JSON_H_
#define EVERGREEN_ACTORS_TRANSPORT_CONNECT_JSON_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace evergreen {

// `json` as a serialised `type_name` ("kv.v1.GetRequest"); unknown fields
// are ignored. Errors: InvalidArgument naming the type and the parse error.
absl::StatusOr<std::string> ConnectJsonToBinary(absl::string_view type_name,
                                                absl::string_view json);
// A serialised `type_name` as JSON (lowerCamelCase names, defaults left
// out). Errors: Internal when the bytes do not parse as the type.
absl::StatusOr<std::string> ConnectBinaryToJson(absl::string_view type_name,
                                                absl::string_view binary);

}  // namespace evergreen

#endif  // EVERGREEN_ACTORS_TRANSPORT_CONNECT_JSON_H_
