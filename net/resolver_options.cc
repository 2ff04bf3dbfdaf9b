#include "net/resolver_options.h"

#include <cstdlib>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace evergreen {
namespace {

constexpr char kServersVar[] = "EVERGREEN_RESOLVER_SERVERS";
constexpr char kTimeoutVar[] = "EVERGREEN_RESOLVER_TIMEOUT";
constexpr char kTriesVar[] = "EVERGREEN_RESOLVER_TRIES";
constexpr char kKindVar[] = "EVERGREEN_RESOLVER";
constexpr std::uint16_t kDnsPort = 53;

// The variable's value, or "" when unset.
absl::string_view Env(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? absl::string_view() : absl::string_view(value);
}

absl::Status BadVariable(const char* name, absl::string_view value,
                         absl::string_view expected) {
  return absl::InvalidArgumentError(
      absl::StrCat(name, "='", value, "': expected ", expected));
}

absl::StatusOr<SocketAddress> ParseServer(absl::string_view text) {
  // "ip:port" and "[ip6]:port" first; a bare "ip" (v4 or v6) gets port 53.
  absl::StatusOr<SocketAddress> address = SocketAddress::Parse(text);
  if (address.ok()) return address;
  address = SocketAddress::FromHostPort(text, kDnsPort);
  if (address.ok()) return address;
  return absl::InvalidArgumentError(
      absl::StrCat("DNS server '", text,
                   "' is not a numeric ip[:port] (\"10.0.0.2\", "
                   "\"127.0.0.1:5353\", \"[::1]:53\")"));
}

}  // namespace

absl::StatusOr<std::vector<SocketAddress>> ResolverOptions::ServerAddresses()
    const {
  std::vector<SocketAddress> addresses;
  addresses.reserve(servers.size());
  for (const std::string& server : servers) {
    absl::StatusOr<SocketAddress> address = ParseServer(server);
    if (!address.ok()) return address.status();
    addresses.push_back(*address);
  }
  return addresses;
}

absl::Status ResolverOptions::Validate() const {
  if (absl::StatusOr<std::vector<SocketAddress>> addresses = ServerAddresses();
      !addresses.ok()) {
    return addresses.status();
  }
  if (timeout.has_value() && (*timeout <= absl::ZeroDuration() ||
                              *timeout == absl::InfiniteDuration())) {
    return absl::InvalidArgumentError(
        absl::StrCat("resolver timeout must be positive and finite; got ",
                     absl::FormatDuration(*timeout)));
  }
  if (tries.has_value() && *tries < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("resolver tries must be at least 1; got ", *tries));
  }
  return absl::OkStatus();
}

absl::StatusOr<ResolverOptions> ResolverOptions::FromEnvironment() {
  ResolverOptions options;
  if (absl::string_view servers = Env(kServersVar); !servers.empty()) {
    for (absl::string_view entry :
         absl::StrSplit(servers, ',', absl::SkipWhitespace())) {
      entry = absl::StripAsciiWhitespace(entry);
      if (!ParseServer(entry).ok()) {
        return BadVariable(kServersVar, servers,
                           "comma-separated ip[:port] entries");
      }
      options.servers.emplace_back(entry);
    }
  }
  if (absl::string_view timeout = Env(kTimeoutVar); !timeout.empty()) {
    double seconds = 0;
    if (!absl::SimpleAtod(timeout, &seconds) || !(seconds > 0) ||
        seconds > 1e6) {
      return BadVariable(kTimeoutVar, timeout,
                         "a positive number of seconds, such as 0.5");
    }
    options.timeout = absl::Seconds(seconds);
  }
  if (absl::string_view tries = Env(kTriesVar); !tries.empty()) {
    int count = 0;
    if (!absl::SimpleAtoi(tries, &count) || count < 1) {
      return BadVariable(kTriesVar, tries, "a whole number >= 1");
    }
    options.tries = count;
  }
  return options;
}

absl::StatusOr<ResolverKind> ResolverKindFromEnvironment() {
  const absl::string_view kind = Env(kKindVar);
  if (kind.empty() || kind == "ares") return ResolverKind::kAres;
  if (kind == "thread") return ResolverKind::kThread;
  return BadVariable(kKindVar, kind, "'ares' or 'thread'");
}

}  // namespace evergreen
