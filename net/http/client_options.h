// HttpClientOptions and HttpClientRequest: how an HttpClient connects and
// what one request says.
#ifndef EVERGREEN_NET_HTTP_CLIENT_OPTIONS_H_
#define EVERGREEN_NET_HTTP_CLIENT_OPTIONS_H_

#include <cstddef>
#include <optional>
#include <string>

#include "absl/functional/any_invocable.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "net/http/headers.h"
#include "net/tls_context.h"

namespace evergreen {

struct HttpClientOptions {
  // Resolving and connecting (and the TLS handshake) to a new origin.
  absl::Duration connect_timeout = absl::Seconds(10);
  // A whole exchange: connecting, sending, the response head and reading
  // the body. A request may override it.
  absl::Duration timeout = absl::Seconds(60);
  // Idle kept-alive connections kept per origin ("http://host:port").
  int max_idle_per_origin = 16;
  // A pooled connection unused for this long is closed rather than reused
  // (at the client's next request or response; zero: no pooling). Keep it
  // below the servers' own keep-alive timeouts; a connection a server
  // closed earlier is noticed before reuse anyway.
  absl::Duration idle_timeout = absl::Seconds(30);
  // For https:// URLs. Empty: a client context that verifies the server
  // against the system's CAs, made on first use.
  TlsContext tls;
  // Redirects (301, 302, 303, 307, 308) followed; 0: none, the redirect
  // is the response.
  int max_redirects = 0;
  // The response head (status line and headers) may not be larger.
  std::size_t max_header_bytes = 64 * 1024;
  std::size_t read_buffer_bytes = 16 * 1024;
};

struct HttpClientRequest {
  std::string method = "GET";
  std::string url;  // http://host[:port]/path?query or https://...
  // Host, Content-Length and Transfer-Encoding are the client's.
  HttpHeaders headers;
  // Sent with a Content-Length (unless body_stream is set).
  std::string body;
  // A body produced piece by piece and sent chunked: each call returns the
  // next piece, "" at the end, or an error that aborts the request.
  absl::AnyInvocable<absl::StatusOr<std::string>()> body_stream;
  // Overrides HttpClientOptions::timeout for this request.
  std::optional<absl::Duration> timeout;
};

}  // namespace evergreen

#endif  // EVERGREEN_NET_HTTP_CLIENT_OPTIONS_H_
