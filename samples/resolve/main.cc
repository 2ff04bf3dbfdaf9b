// Resolves names through both resolvers and prints what each found and how
// long it took.
//
// AresResolver runs c-ares inside the hub: its sockets and timers are
// watchers of the hub's own loop. ThreadResolver runs the system's
// getaddrinfo on a thread pool. Either way only the calling greenlet waits;
// the thread stays free for other greenlets. Both read the servers, timeout
// and tries from the environment, as Resolver::Default() does.
//
//   bazel run //samples/resolve -- localhost ::1 example.com
//   EVERGREEN_RESOLVER_SERVERS=127.0.0.1:5353 bazel run //samples/resolve --
//   a.test
#include <sys/socket.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "net/ares_resolver.h"
#include "net/resolver_options.h"
#include "net/thread_resolver.h"

using evergreen::Resolver;
using evergreen::SocketAddress;

namespace {

// One lookup: "<resolver>  <host>  <time>  <addresses or error>".
void Show(const char* label, Resolver& resolver, const std::string& host) {
  const absl::Time start = absl::Now();
  absl::StatusOr<std::vector<SocketAddress>> addrs =
      resolver.GetAddrInfo(host, /*port=*/0, AF_UNSPEC, absl::Seconds(5));
  const double ms = absl::ToDoubleMilliseconds(absl::Now() - start);
  std::string found;
  if (addrs.ok()) {
    found = absl::StrJoin(*addrs, ", ",
                          [](std::string* out, const SocketAddress& a) {
                            out->append(a.HostString());
                          });
  } else {
    found = addrs.status().ToString();
  }
  std::printf("%-7s %-24s %8.2f ms  %s\n", label, host.c_str(), ms,
              found.c_str());
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: resolve HOST...\n");
    return 2;
  }
  absl::StatusOr<evergreen::ResolverOptions> options =
      evergreen::ResolverOptions::FromEnvironment();
  if (!options.ok()) {
    std::fprintf(stderr, "%s\n", options.status().ToString().c_str());
    return 2;
  }
  auto ares = evergreen::AresResolver::Create(*options);
  auto thread = evergreen::ThreadResolver::Create(*options);
  if (!ares.ok() || !thread.ok()) {
    std::fprintf(
        stderr, "%s\n",
        (!ares.ok() ? ares.status() : thread.status()).ToString().c_str());
    return 2;
  }
  // main() is a greenlet too: GetAddrInfo waits in the hub, not in a
  // blocked thread.
  for (int i = 1; i < argc; ++i) {
    Show("ares", **ares, argv[i]);
    Show("thread", **thread, argv[i]);
  }
  return 0;
}
