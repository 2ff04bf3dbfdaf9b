#include "net/resolver_common.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/match.h"
#include "framework/deadline.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace evergreen::internal {
namespace {

absl::string_view FamilyName(int family) {
  switch (family) {
    case AF_INET:
      return "IPv4";
    case AF_INET6:
      return "IPv6";
    default:
      return "";
  }
}

// Why `host` (not a numeric address in standard form) cannot be a name
// to look up, or "" when it can be. Both resolvers refuse the same inputs
// before asking anyone, so that c-ares and getaddrinfo agree on them.
std::string BadName(absl::string_view host) {
  // inet_aton's shorthand forms (0x7f.1, 127.1, 0177.0.0.1, 2130706433,
  // and anything after a space) would be taken as addresses by
  // getaddrinfo and as names by c-ares; they read differently to people
  // and to address filters. Refused by both.
  in_addr unused;
  if (inet_aton(std::string(host).c_str(), &unused) != 0) {
    return "not an address in standard form (inet_aton shorthand such as "
           "0x7f.1, 127.1 or 0177.0.0.1 is refused; write 127.0.0.1)";
  }
  for (char c : host) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte <= ' ' || byte == 0x7f) {
      return "a host name cannot contain spaces or control characters";
    }
    // URL and address syntax, not name syntax: "[::1]", "host:80",
    // "user@host", "fe80::1%eth0" (scoped addresses are not supported).
    if (absl::string_view("[]:/\\@%?#").find(c) != absl::string_view::npos) {
      return absl::StrCat("a host name cannot contain '", std::string(1, c),
                          "' (an address in brackets, or with a port or a "
                          "scope, is not a host)");
    }
  }
  absl::string_view name = host;
  if (absl::ConsumeSuffix(&name, ".") && name.empty()) {
    return "the root domain '.' has no address";
  }
  if (name.size() > 253) {
    return absl::StrCat("a host name has at most 253 bytes, this one ",
                        name.size());
  }
  for (absl::string_view label : absl::StrSplit(name, '.')) {
    if (label.empty()) return "a host name cannot have an empty label";
    if (label.size() > 63) {
      return absl::StrCat("a label has at most 63 bytes, '", label, "' has ",
                          label.size());
    }
  }
  return "";
}

}  // namespace

std::string LookupName(absl::string_view host, int family) {
  const absl::string_view name = FamilyName(family);
  if (name.empty()) return absl::StrCat("resolve '", host, "'");
  return absl::StrCat("resolve '", host, "' (", name, ")");
}

std::optional<absl::StatusOr<Addresses>> AnswerWithoutLookup(
    absl::string_view host, std::uint16_t port, int family) {
  if (family != AF_INET && family != AF_INET6 && family != AF_UNSPEC) {
    return absl::InvalidArgumentError(
        absl::StrCat(LookupName(host, family), ": address family ", family,
                     " is not AF_INET, AF_INET6 or AF_UNSPEC"));
  }
  if (host.empty()) {
    return absl::InvalidArgumentError("resolve '': the host name is empty");
  }
  if (host.find('\0') != absl::string_view::npos) {
    return absl::InvalidArgumentError(absl::StrCat(
        "resolve '", absl::CHexEscape(host), "': the host name has a NUL"));
  }
  absl::StatusOr<SocketAddress> numeric =
      SocketAddress::FromHostPort(host, port);
  if (!numeric.ok()) {
    const std::string bad = BadName(host);
    if (bad.empty()) return std::nullopt;
    return absl::InvalidArgumentError(
        absl::StrCat(LookupName(host, family), ": ", bad));
  }
  if (family != AF_UNSPEC && numeric->family() != family) {
    return HostNotFound(host, family, "a numeric address of another family");
  }
  return Addresses{*numeric};
}

absl::Status HostNotFound(absl::string_view host, int family,
                          absl::string_view why) {
  return absl::NotFoundError(absl::StrCat(LookupName(host, family), ": ", why));
}

absl::Status CallTimedOut(absl::string_view host, int family,
                          absl::Duration timeout) {
  const std::string why = DescribeTimeout(timeout);
  return absl::DeadlineExceededError(absl::StrCat(
      LookupName(host, family), ": ",
      absl::StartsWith(why, "timed out")
          ? absl::StrCat("no answer within ", absl::FormatDuration(timeout))
          : why));
}

std::optional<SocketAddress> AddressWithPort(const sockaddr* addr,
                                             socklen_t len,
                                             std::uint16_t port) {
  if (addr == nullptr ||
      (addr->sa_family != AF_INET && addr->sa_family != AF_INET6)) {
    return std::nullopt;
  }
  return SocketAddress::FromSockaddr(addr, len).WithPort(port);
}

}  // namespace evergreen::internal
