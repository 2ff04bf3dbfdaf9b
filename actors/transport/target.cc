#include "actors/transport/target.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace evergreen {

absl::StatusOr<HostPort> ParseTarget(absl::string_view target) {
  const std::size_t colon = target.rfind(':');
  std::uint32_t port = 0;
  if (colon == absl::string_view::npos || colon == 0 ||
      !absl::SimpleAtoi(target.substr(colon + 1), &port) || port == 0 ||
      port > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat("target '", target, "' is not host:port"));
  }
  absl::string_view host = target.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  return HostPort{std::string(host), static_cast<std::uint16_t>(port)};
}

}  // namespace evergreen
