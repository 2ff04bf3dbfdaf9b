#include "net/connect.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "framework/deadline.h"
#include "absl/strings/str_join.h"
#include "net/internal/deadline.h"
#include "net/resolver.h"

namespace evergreen {

absl::StatusOr<Socket> CreateConnection(absl::string_view host,
                                        std::uint16_t port,
                                        absl::Duration timeout,
                                        const SocketAddress* source) {
  const absl::Time deadline = internal::DeadlineFor(timeout);
  absl::StatusOr<std::vector<SocketAddress>> addresses =
      Resolver::Default()->GetAddrInfo(
          host, port, source != nullptr ? source->family() : AF_UNSPEC,
          internal::Remaining(deadline));
  if (!addresses.ok()) return addresses.status();
  absl::Status last = absl::NotFoundError(
      absl::StrCat("connect ", host, ":", port, ": no addresses"));
  std::vector<std::string> tried;
  for (const SocketAddress& address : *addresses) {
    const absl::Duration left = internal::Remaining(deadline);
    if (left <= absl::ZeroDuration()) {
      last = absl::DeadlineExceededError(
          absl::StrCat("connect ", host, ":", port, ": ",
                       internal::DescribeTimeout(timeout)));
      break;
    }
    absl::StatusOr<Socket> socket = Socket::Connect(address, left, source);
    if (socket.ok()) return socket;
    last = socket.status();
    tried.push_back(std::string(last.message()));
  }
  if (tried.size() <= 1) return last;
  return absl::Status(last.code(),
                      absl::StrCat("connect ", host, ":", port, " failed for ",
                                   tried.size(), " addresses: ",
                                   absl::StrJoin(tried, "; ")));
}

}  // namespace evergreen
