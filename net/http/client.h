// HttpClient: an HTTP/1.1 client with a keep-alive connection pool per
// origin, TLS with verification, timeouts, chunked bodies both ways and
// streamed responses.
//
//   evergreen::HttpClient client;
//   absl::StatusOr<evergreen::HttpResult> got =
//       client.Get("http://127.0.0.1:8080/hello");
//   if (!got.ok()) return got.status();  // "GET http://127.0.0.1:8080/hello:
//                                        //  connect: Connection refused"
//   got->status; got->body;
//
//   // Streaming: the head first, then the body as it arrives.
//   absl::StatusOr<evergreen::HttpClientResponse> response =
//       client.Send({.method = "GET", .url = url});
//   char buffer[16384];
//   while (true) { absl::StatusOr<std::size_t> n =
//       response->body().Read(buffer, sizeof buffer); ... }
//
// A connection goes back to the pool when its response was read to the end
// and both sides keep it alive; one idle longer than options.idle_timeout,
// or that the server closed meanwhile, is closed instead of reused. A
// request that crosses the server's close on a reused connection (no byte
// of a response came) is sent again once, on a new connection, only when
// it is idempotent (GET, HEAD, PUT, DELETE, OPTIONS) and its body is not a
// stream. Redirects are followed only when options.max_redirects > 0.
//
// Blocks: Send blocks until the response head arrives (or an error);
// body reads block as HttpBodyReader says. Deadline: one per request,
// min(now + (the request's timeout or options.timeout), the caller's
// CurrentDeadline()), covering resolving, connecting, the TLS handshake,
// sending, the head and the body reads (also those after Send returned);
// already passed, nothing is sent. A Timeout thrown into any of these
// unwinds them; the connection is closed, never pooled.
//
// Errors name the request: "GET http://h/p: " + what failed:
// InvalidArgument (bad URL, bad header, malformed response), the resolver's
// and the socket's (Unavailable "connect: Connection refused"),
// DeadlineExceeded, the TLS handshake's (Unavailable with the verification
// failure), DataLoss (the response was cut short).
//
// Thread affinity: the hub thread that constructs the client; a response
// belongs to the same thread. Many greenlets may use one client at once.
#ifndef EVERGREEN_NET_HTTP_CLIENT_H_
#define EVERGREEN_NET_HTTP_CLIENT_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "net/http/body_reader.h"
#include "net/http/client_options.h"
#include "net/http/headers.h"
#include "net/http/internal/client_connection.h"
#include "net/http/url.h"

namespace evergreen {

// A response read whole.
struct HttpResult {
  int status = 0;
  HttpHeaders headers;
  std::string body;
};

// A response whose body is read as it arrives. Movable. Destroying it
// returns the connection to the pool if the body was read to the end, and
// closes it otherwise.
class HttpClientResponse {
 public:
  HttpClientResponse(HttpClientResponse&&) = default;
  HttpClientResponse& operator=(HttpClientResponse&&) = default;
  ~HttpClientResponse();

  int status() const { return status_; }
  const std::string& reason() const { return reason_; }
  const HttpHeaders& headers() const { return headers_; }
  HttpBodyReader& body() { return *body_; }
  // The rest of the body; ResourceExhausted past `limit` bytes.
  absl::StatusOr<std::string> ReadAll(std::size_t limit = 64 << 20);

 private:
  friend class HttpClient;
  HttpClientResponse(std::unique_ptr<internal::ClientConnection> connection,
                     std::weak_ptr<internal::ClientPool> pool);

  std::unique_ptr<internal::ClientConnection> connection_;
  std::weak_ptr<internal::ClientPool> pool_;
  int status_ = 0;
  std::string reason_;
  HttpHeaders headers_;
  std::unique_ptr<HttpBodyReader> body_;
};

class HttpClient {
 public:
  explicit HttpClient(HttpClientOptions options = {});
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;
  // Closes the idle connections; responses still alive close theirs.
  ~HttpClient();

  // Sends `request`; returns once the response head arrived.
  absl::StatusOr<HttpClientResponse> Send(HttpClientRequest request);
  // Send, then the whole body (at most `max_body` bytes).
  absl::StatusOr<HttpResult> Fetch(HttpClientRequest request,
                                   std::size_t max_body = 64 << 20);
  absl::StatusOr<HttpResult> Get(absl::string_view url);
  absl::StatusOr<HttpResult> Post(absl::string_view url, std::string body,
                                  absl::string_view content_type);

  // Idle pooled connections, for tests and monitoring.
  int idle_connections() const { return pool_->idle(); }

 private:
  // One exchange without redirects.
  absl::StatusOr<HttpClientResponse> SendOnce(HttpClientRequest& request,
                                              absl::Time deadline);
  absl::StatusOr<std::unique_ptr<internal::ClientConnection>> Connect(
      const HttpUrl& url, absl::Time deadline);
  absl::Status WriteRequest(internal::ClientConnection& connection,
                            HttpClientRequest& request, const HttpUrl& url);

  HttpClientOptions options_;
  std::shared_ptr<internal::ClientPool> pool_;
};

}  // namespace evergreen

#endif  // EVERGREEN_NET_HTTP_CLIENT_H_
