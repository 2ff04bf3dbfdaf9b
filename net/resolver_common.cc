#include "net/resolver_common.h"

#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/match.h"
#include "framework/deadline.h"

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
  if (!numeric.ok()) return std::nullopt;
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
