// Resolver: name → addresses without blocking the hub.
//
//   absl::StatusOr<std::vector<SocketAddress>> addrs =
//       evergreen::Resolver::Default()->GetAddrInfo("example.internal", 443);
//
// Two implementations behind one interface: c-ares inside the hub (its
// sockets watched by libev, its timeouts by a libev timer) and getaddrinfo
// on the hub's ThreadPool. Default() picks by EVERGREEN_RESOLVER=ares|thread
// (default ares).
//
// Thread affinity: a resolver belongs to its hub's thread. GetAddrInfo
// blocks the calling greenlet (what wakes it: the answer, or the timeout).
//
// Blocks, under a deadline: every blocking call here waits at most until
// min(its own timeout, CurrentDeadline()) and then fails as its timeout
// does; with the deadline already passed, a call that would wait fails at
// once (framework/deadline.h, docs/deadlines.md).
#ifndef EVERGREEN_NET_RESOLVER_H_
#define EVERGREEN_NET_RESOLVER_H_

#include <sys/socket.h>

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "net/address.h"

namespace evergreen {

class Resolver {
 public:
  virtual ~Resolver() = default;

  // The addresses of `host` (a name or a numeric address) with `port`, of
  // `family` (AF_INET, AF_INET6 or AF_UNSPEC for both). Errors: NotFound
  // for a name that does not exist (NXDOMAIN), DeadlineExceeded when the
  // servers do not answer in time, Unavailable for other failures; the
  // message names the host.
  //
  // One contract for both implementations (tests/net/resolver_test.cc runs
  // one table of inputs through both): numeric addresses are taken in
  // standard form only (inet_pton: "127.0.0.1", "::1") and answered
  // without a lookup; InvalidArgument, before any lookup, for an empty
  // host or one with a NUL, inet_aton's shorthand ("0x7f.1", "127.1",
  // "0177.0.0.1", "2130706433", "127.0.0.1 junk": getaddrinfo would read
  // them as addresses, c-ares as names, and people as something else),
  // spaces, control characters or any of "[]:/\@%?#" (so "[::1]",
  // "host:80" and scoped "fe80::1%eth0" are refused), an empty label ("a..b", ".a"), a label
  // over 63 bytes or a name over 253, and a family other than AF_INET,
  // AF_INET6, AF_UNSPEC. One trailing dot (an absolute name) is accepted.
  // Where they legitimately differ: servers that never answer give
  // DeadlineExceeded from c-ares but Unavailable from getaddrinfo, which
  // reports a timeout and a server failure alike (EAI_AGAIN); /etc/hosts
  // and search domains are applied by each library its own way.
  virtual absl::StatusOr<std::vector<SocketAddress>> GetAddrInfo(
      absl::string_view host, std::uint16_t port, int family = AF_UNSPEC,
      absl::Duration timeout = absl::InfiniteDuration()) = 0;

  // The calling thread's hub's resolver (created on first use):
  // EVERGREEN_RESOLVER=ares|thread (default ares), configured by
  // EVERGREEN_RESOLVER_SERVERS/_TIMEOUT/_TRIES (see resolver_options.h).
  // A bad value is reported once through Hub::HandleError and replaced by
  // its default (ares; the system's configuration); it never aborts.
  static Resolver* Default();
};

}  // namespace evergreen

#endif  // EVERGREEN_NET_RESOLVER_H_
