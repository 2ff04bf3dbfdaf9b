// ResolverOptions: how a Resolver reaches DNS — which servers it asks, how
// long it waits for an answer, how many times it tries.
//
//   evergreen::ResolverOptions options;
//   options.servers = {"127.0.0.1:5353", "[::1]:53"};
//   options.timeout = absl::Milliseconds(500);
//   options.tries = 2;
//   auto resolver = evergreen::AresResolver::Create(options);
//
// Resolver::Default() reads them from the environment instead:
//
//   EVERGREEN_RESOLVER=ares|thread          which implementation (ares)
//   EVERGREEN_RESOLVER_SERVERS=10.0.0.2,127.0.0.1:5353
//   EVERGREEN_RESOLVER_TIMEOUT=0.5          seconds, fractions allowed
//   EVERGREEN_RESOLVER_TRIES=2
//
// A field left unset keeps the system's configuration (/etc/resolv.conf and
// its "options timeout:/attempts:"). A value type; thread-compatible.
#ifndef EVERGREEN_NET_RESOLVER_OPTIONS_H_
#define EVERGREEN_NET_RESOLVER_OPTIONS_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "net/address.h"

namespace evergreen {

struct ResolverOptions {
  // DNS servers as "ip[:port]": "10.0.0.2", "127.0.0.1:5353", "[::1]:53"
  // or a bare "::1"; port 53 when none is given. Empty: the system's.
  std::vector<std::string> servers;
  // How long the first try waits for an answer. Later rounds wait longer:
  // both c-ares and glibc double the wait after each pass over the servers.
  std::optional<absl::Duration> timeout;
  // How many times each server is asked before the lookup fails.
  std::optional<int> tries;

  // True when nothing is set: the system's configuration as it is.
  bool empty() const {
    return servers.empty() && !timeout.has_value() && !tries.has_value();
  }

  // The options named by EVERGREEN_RESOLVER_SERVERS, _TIMEOUT and _TRIES;
  // a variable unset or empty leaves its field unset. Errors:
  // InvalidArgument naming the variable and its value.
  static absl::StatusOr<ResolverOptions> FromEnvironment();

  // Checks every field. Errors: InvalidArgument naming the bad value (a
  // server that is not "ip[:port]", a timeout that is not positive and
  // finite, tries < 1).
  absl::Status Validate() const;

  // The servers as addresses (port 53 where none is given). Errors:
  // InvalidArgument naming the entry.
  absl::StatusOr<std::vector<SocketAddress>> ServerAddresses() const;
};

// Which implementation Resolver::Default() makes.
enum class ResolverKind { kAres, kThread };

// EVERGREEN_RESOLVER: "ares" or "thread"; unset or empty means kAres.
// Errors: InvalidArgument naming the value and the choices.
absl::StatusOr<ResolverKind> ResolverKindFromEnvironment();

}  // namespace evergreen

#endif  // EVERGREEN_NET_RESOLVER_OPTIONS_H_
