// SocketAddress: an IPv4, IPv6 or Unix-domain socket address.
//
//   absl::StatusOr<SocketAddress> a = SocketAddress::Parse("127.0.0.1:8080");
//   absl::StatusOr<SocketAddress> b = SocketAddress::Parse("[::1]:53");
//   SocketAddress c = SocketAddress::Unix("/run/app.sock");
//   a->ToString();   // "127.0.0.1:8080"
//
// A value type; thread-compatible.
#ifndef EVERGREEN_NET_ADDRESS_H_
#define EVERGREEN_NET_ADDRESS_H_

#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace evergreen {

class SocketAddress {
 public:
  // An empty address (family AF_UNSPEC).
  SocketAddress() = default;

  // Parses a numeric "host:port": "1.2.3.4:80", "[::1]:80" (no name
  // lookup; see Resolver for names). Errors: InvalidArgument naming the
  // text and what is wrong with it.
  static absl::StatusOr<SocketAddress> Parse(absl::string_view text);
  // A numeric IPv4 or IPv6 host and a port. Errors as Parse.
  static absl::StatusOr<SocketAddress> FromHostPort(absl::string_view host,
                                                    std::uint16_t port);
  // A Unix-domain path. Errors: InvalidArgument when too long.
  static absl::StatusOr<SocketAddress> Unix(absl::string_view path);
  // Copies `len` bytes of a sockaddr from the kernel.
  static SocketAddress FromSockaddr(const sockaddr* addr, socklen_t len);

  int family() const { return storage_.ss_family; }
  bool empty() const { return family() == AF_UNSPEC; }
  // The port (host order) of an IP address; 0 otherwise.
  std::uint16_t port() const;
  // A copy with another port. REQUIRES: an IP address.
  SocketAddress WithPort(std::uint16_t port) const;
  // "1.2.3.4:80", "[::1]:80", "unix:/path", or "<unspecified>".
  std::string ToString() const;
  // The numeric host alone ("1.2.3.4", "::1").
  std::string HostString() const;

  const sockaddr* sockaddr_ptr() const {
    return reinterpret_cast<const sockaddr*>(&storage_);
  }
  sockaddr* mutable_sockaddr() { return reinterpret_cast<sockaddr*>(&storage_); }
  socklen_t length() const { return length_; }
  void set_length(socklen_t length) { length_ = length; }
  static constexpr socklen_t capacity() { return sizeof(sockaddr_storage); }

  friend bool operator==(const SocketAddress& a, const SocketAddress& b);

 private:
  sockaddr_storage storage_ = {};
  socklen_t length_ = 0;
};

}  // namespace evergreen

#endif  // EVERGREEN_NET_ADDRESS_H_
