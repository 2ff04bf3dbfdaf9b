#include "net/thread_resolver.h"

#include <netdb.h>
#include <resolv.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <exception>
#include <limits>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "framework/errors.h"
#include "net/resolver_common.h"

namespace evergreen {
namespace internal {

// What a resolver with options changes in the glibc resolver state of the
// thread that runs its lookup.
struct GlibcResolverOverrides {
  std::vector<sockaddr_in> servers;  // empty: keep the system's
  int retrans_seconds = 0;           // 0: keep
  int retry = 0;                     // 0: keep

  // _res is per thread. glibc (>= 2.26) reloads resolv.conf into it only
  // while the application has not changed it; RES_NORELOAD makes sure.
  void ApplyToThisThread() const {
    if ((_res.options & RES_INIT) == 0) res_init();
    _res.options |= RES_NORELOAD;
    if (!servers.empty()) {
      _res.nscount = static_cast<int>(servers.size());
      for (size_t i = 0; i < servers.size(); ++i) {
        _res.nsaddr_list[i] = servers[i];
      }
    }
    if (retrans_seconds > 0) _res.retrans = retrans_seconds;
    if (retry > 0) _res.retry = retry;
  }
};

}  // namespace internal

namespace {

struct GaiOutcome {
  int code = 0;
  int error = 0;  // errno, for EAI_SYSTEM
  internal::Addresses addresses;
};

// Runs on a pool thread.
GaiOutcome RunGetAddrInfo(const std::string& host, std::uint16_t port,
                          int family,
                          const internal::GlibcResolverOverrides* overrides) {
  if (overrides != nullptr) overrides->ApplyToThisThread();
  addrinfo hints = {};
  hints.ai_family = family;
  hints.ai_socktype = SOCK_STREAM;  // one entry per address
  addrinfo* result = nullptr;
  GaiOutcome outcome;
  outcome.code = getaddrinfo(host.c_str(), nullptr, &hints, &result);
  outcome.error = errno;
  if (outcome.code != 0) return outcome;
  for (addrinfo* node = result; node != nullptr; node = node->ai_next) {
    if (std::optional<SocketAddress> address =
            internal::AddressWithPort(node->ai_addr, node->ai_addrlen, port)) {
      outcome.addresses.push_back(*address);
    }
  }
  freeaddrinfo(result);
  return outcome;
}

absl::StatusOr<internal::Addresses> ToResult(absl::string_view host, int family,
                                             GaiOutcome outcome) {
  switch (outcome.code) {
    case 0:
      if (outcome.addresses.empty()) {
        return internal::HostNotFound(host, family, "no addresses");
      }
      return std::move(outcome.addresses);
    case EAI_NONAME:
      return internal::HostNotFound(host, family, "no such host");
    case EAI_NODATA:
    case EAI_ADDRFAMILY:
      return internal::HostNotFound(host, family,
                                    "the host has no address of this family");
    case EAI_AGAIN:
      return absl::UnavailableError(absl::StrCat(
          internal::LookupName(host, family),
          ": temporary failure (the DNS servers did not answer in time, or "
          "failed)"));
    case EAI_SYSTEM:
      return absl::UnavailableError(
          absl::StrCat(internal::LookupName(host, family), ": ",
                       std::strerror(outcome.error)));
    default:
      return absl::UnavailableError(
          absl::StrCat(internal::LookupName(host, family), ": ",
                       gai_strerror(outcome.code)));
  }
}

}  // namespace

ThreadResolver::ThreadResolver() : hub_(Hub::Current()) {}

ThreadResolver::ThreadResolver(std::shared_ptr<const Overrides> overrides,
                               ThreadPoolOptions pool)
    : hub_(Hub::Current()),
      overrides_(std::move(overrides)),
      pool_(std::make_unique<ThreadPool>(pool)) {}

ThreadResolver::~ThreadResolver() = default;

absl::StatusOr<std::unique_ptr<ThreadResolver>> ThreadResolver::Create(
    const ResolverOptions& options, ThreadPoolOptions pool) {
  if (absl::Status valid = options.Validate(); !valid.ok()) return valid;
  if (options.empty()) return std::make_unique<ThreadResolver>();
  if (pool.max_threads < 1 || pool.min_threads < 0 ||
      pool.min_threads > pool.max_threads) {
    return absl::InvalidArgumentError(absl::StrCat(
        "thread resolver pool: need 0 <= min_threads <= max_threads >= 1; "
        "got min=",
        pool.min_threads, " max=", pool.max_threads));
  }
  auto overrides = std::make_shared<Overrides>();
  absl::StatusOr<std::vector<SocketAddress>> servers =
      options.ServerAddresses();
  if (!servers.ok()) return servers.status();
  if (servers->size() > MAXNS) {
    return absl::InvalidArgumentError(
        absl::StrCat("thread resolver: glibc takes at most ", MAXNS,
                     " DNS servers; got ", servers->size()));
  }
  for (const SocketAddress& server : *servers) {
    if (server.family() != AF_INET) {
      return absl::InvalidArgumentError(absl::StrCat(
          "thread resolver: DNS server ", server.ToString(),
          " is not IPv4 (glibc's _res takes IPv4 servers only; use the c-ares "
          "resolver)"));
    }
    overrides->servers.push_back(
        *reinterpret_cast<const sockaddr_in*>(server.sockaddr_ptr()));
  }
  if (options.timeout.has_value()) {
    overrides->retrans_seconds = static_cast<int>(
        std::clamp(std::ceil(absl::ToDoubleSeconds(*options.timeout)), 1.0,
                   static_cast<double>(std::numeric_limits<int>::max())));
  }
  if (options.tries.has_value()) overrides->retry = *options.tries;
  return std::unique_ptr<ThreadResolver>(
      new ThreadResolver(std::move(overrides), pool));
}

absl::StatusOr<std::vector<SocketAddress>> ThreadResolver::GetAddrInfo(
    absl::string_view host, std::uint16_t port, int family,
    absl::Duration timeout) {
  hub_->CheckThread("ThreadResolver::GetAddrInfo");
  if (auto answer = internal::AnswerWithoutLookup(host, port, family)) {
    return *std::move(answer);
  }
  ThreadPool* pool = pool_ != nullptr ? pool_.get() : ThreadPool::Default();
  // The work owns copies of what it reads: the caller may stop waiting and
  // this resolver may go away before it runs.
  AsyncResult<GaiOutcome> result = pool->Spawn(
      [name = std::string(host), port, family, overrides = overrides_] {
        return RunGetAddrInfo(name, port, family, overrides.get());
      });
  if (!result.Wait(timeout)) {
    return internal::CallTimedOut(host, family, timeout);
  }
  if (std::exception_ptr error = result.exception()) {
    return absl::CancelledError(absl::StrCat(internal::LookupName(host, family),
                                             ": ", DescribeException(error)));
  }
  return ToResult(host, family, result.Take());
}

}  // namespace evergreen
