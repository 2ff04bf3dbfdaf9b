// HttpUrl: an http:// or https:// URL split into what a client needs.
//
//   absl::StatusOr<evergreen::HttpUrl> url =
//       evergreen::HttpUrl::Parse("http://[::1]:8080/kv?key=a");
//   url->host;     // "::1"
//   url->port;     // 8080 (80 / 443 by default)
//   url->target;   // "/kv?key=a" ("/" when the URL has no path)
//
// Userinfo ("user:pass@") and fragments are refused / dropped: a client
// must not send either. Thread affinity: none.
#ifndef EVERGREEN_NET_HTTP_URL_H_
#define EVERGREEN_NET_HTTP_URL_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace evergreen {

struct HttpUrl {
  bool tls = false;     // https
  std::string host;     // a name or an IP address, without brackets
  std::uint16_t port = 80;
  std::string target;   // path and query, starting with '/'

  // InvalidArgument naming the URL and what is wrong with it.
  static absl::StatusOr<HttpUrl> Parse(absl::string_view url);

  // "http://host:port": the key connections are pooled under.
  std::string Origin() const;
  // The Host header value: "host" or "host:port" for a non-default port.
  std::string HostHeader() const;
};

}  // namespace evergreen

#endif  // EVERGREEN_NET_HTTP_URL_H_
