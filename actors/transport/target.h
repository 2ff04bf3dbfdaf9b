// HostPort: a channel's target, "host:port" or "[v6]:port", split.
//
// Thread affinity: none.
#ifndef EVERGREEN_ACTORS_TRANSPORT_TARGET_H_
#define EVERGREEN_ACTORS_TRANSPORT_TARGET_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace evergreen {

struct HostPort {
  std::string host;  // without brackets
  std::uint16_t port = 0;
};

// Errors: InvalidArgument naming the target when it is not host:port.
absl::StatusOr<HostPort> ParseTarget(absl::string_view target);

}  // namespace evergreen

#endif  // EVERGREEN_ACTORS_TRANSPORT_TARGET_H_
