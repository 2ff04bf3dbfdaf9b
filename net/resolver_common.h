// What the Resolver implementations share: the checks and answers made
// before any lookup, and the wording of their errors. Internal to net/.
#ifndef EVERGREEN_NET_RESOLVER_COMMON_H_
#define EVERGREEN_NET_RESOLVER_COMMON_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "net/address.h"

namespace evergreen::internal {

using Addresses = std::vector<SocketAddress>;

// The answer GetAddrInfo gives without asking anyone: InvalidArgument for
// an empty host, a host with a NUL byte or a family other than AF_INET,
// AF_INET6 and AF_UNSPEC, and for a host that is not a possible name (see
// Resolver::GetAddrInfo: inet_aton shorthand, spaces or control
// characters, empty or over-long labels, over 253 bytes); the address
// itself for a numeric host in standard form (NotFound when it is not of
// `family`). nullopt: a name to look up.
std::optional<absl::StatusOr<Addresses>> AnswerWithoutLookup(
    absl::string_view host, std::uint16_t port, int family);

// "resolve 'host'" or "resolve 'host' (IPv6)": how every message starts.
std::string LookupName(absl::string_view host, int family);

// NotFound: the name does not exist, or has no address of `family`.
absl::Status HostNotFound(absl::string_view host, int family,
                          absl::string_view why);

// DeadlineExceeded for the caller's own `timeout` running out.
absl::Status CallTimedOut(absl::string_view host, int family,
                          absl::Duration timeout);

// The sockaddr's address with `port` (AF_INET and AF_INET6 only; nullopt
// for anything else).
std::optional<SocketAddress> AddressWithPort(const sockaddr* addr,
                                             socklen_t len, std::uint16_t port);

}  // namespace evergreen::internal

#endif  // EVERGREEN_NET_RESOLVER_COMMON_H_
