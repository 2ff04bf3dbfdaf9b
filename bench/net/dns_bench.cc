// DNS lookups per second through one resolver against one DNS server:
// `concurrency` greenlets share `lookups` A lookups of the names
// host-0.bench .. host-<names-1>.bench, round robin. Prints
// {"lookups_per_second": x} after one untimed pass over every name.
//
// Fair because both resolvers run the same greenlets on one hub, ask the
// same server the same names, and are configured alike (server, 5 s
// timeout, 1 try). The thread resolver runs getaddrinfo on a pool of
// ThreadPoolOptions' default size, the size of ThreadPool::Default().
//
// Usage: dns_bench <ares|thread> <server ip:port> <names> <lookups>
//                  <concurrency>
#include <sys/socket.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "framework/greenlet.h"
#include "net/ares_resolver.h"
#include "net/thread_resolver.h"

namespace evergreen {
namespace {

absl::StatusOr<std::unique_ptr<Resolver>> Make(const std::string& kind,
                                               const std::string& server) {
  const ResolverOptions options{
      .servers = {server}, .timeout = absl::Seconds(5), .tries = 1};
  if (kind == "ares") return AresResolver::Create(options);
  if (kind == "thread") return ThreadResolver::Create(options);
  return absl::InvalidArgumentError("resolver must be ares or thread");
}

// Runs `lookups` lookups from `concurrency` greenlets; false on any error.
bool RunLookups(Resolver& resolver, long names, long lookups,
                long concurrency) {
  std::vector<Greenlet<bool>> workers;
  for (long w = 0; w < concurrency; ++w) {
    workers.push_back(Spawn([&, w] {
      for (long i = w; i < lookups; i += concurrency) {
        absl::StatusOr<std::vector<SocketAddress>> addrs = resolver.GetAddrInfo(
            absl::StrCat("host-", i % names, ".bench"), 53, AF_INET);
        if (!addrs.ok()) {
          std::fprintf(stderr, "%s\n", addrs.status().ToString().c_str());
          return false;
        }
      }
      return true;
    }));
  }
  bool ok = true;
  for (const Greenlet<bool>& worker : workers) ok = worker.Get() && ok;
  return ok;
}

int Main(int argc, char** argv) {
  long names = 0, lookups = 0, concurrency = 0;
  if (argc != 6 || !absl::SimpleAtoi(argv[3], &names) ||
      !absl::SimpleAtoi(argv[4], &lookups) ||
      !absl::SimpleAtoi(argv[5], &concurrency) || names < 1 || lookups < 1 ||
      concurrency < 1) {
    std::fprintf(stderr,
                 "usage: dns_bench <ares|thread> <server ip:port> <names> "
                 "<lookups> <concurrency>\n");
    return 2;
  }
  absl::StatusOr<std::unique_ptr<Resolver>> resolver = Make(argv[1], argv[2]);
  if (!resolver.ok()) {
    std::fprintf(stderr, "%s\n", resolver.status().ToString().c_str());
    return 2;
  }
  if (!RunLookups(**resolver, names, names, concurrency)) return 1;  // warm-up
  const absl::Time start = absl::Now();
  if (!RunLookups(**resolver, names, lookups, concurrency)) return 1;
  const double seconds = absl::ToDoubleSeconds(absl::Now() - start);
  std::printf("{\"lookups_per_second\": %.1f}\n", lookups / seconds);
  return 0;
}

}  // namespace
}  // namespace evergreen

int main(int argc, char** argv) { return evergreen::Main(argc, argv); }
