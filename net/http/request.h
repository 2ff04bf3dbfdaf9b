// HttpRequest: what a handler is given about one request (the environ of
// WSGI): method, target, version, headers, the peer, and the body as a
// stream.
//
//   void Handle(evergreen::HttpRequest& request,
//               evergreen::HttpResponse& response) {
//     if (request.method() == "POST") {
//       absl::StatusOr<std::string> body = request.body().ReadAll(1 << 20);
//       ...
//     }
//     response.Send(200, absl::StrCat("you asked for ", request.path(), "\n"));
//   }
//
// The body is read from the connection only when the handler reads it; a
// body the handler leaves unread is discarded (within limits) before the
// next request on the connection. `Expect: 100-continue` is answered on
// the first body read (B-HT13).
//
// Thread affinity: the greenlet the handler runs in; valid until the
// handler returns.
#ifndef EVERGREEN_NET_HTTP_REQUEST_H_
#define EVERGREEN_NET_HTTP_REQUEST_H_

#include <cstdint>
#include <optional>
#include <string>
#include <utility>

#include "absl/strings/string_view.h"
#include "net/address.h"
#include "net/http/body_reader.h"
#include "net/http/headers.h"

namespace evergreen {

class HttpRequest {
 public:
  HttpRequest(std::string method, std::string target, int version_minor,
              HttpHeaders headers, SocketAddress peer,
              std::optional<std::uint64_t> content_length,
              HttpBodyReader body)
      : method_(std::move(method)),
        target_(std::move(target)),
        version_minor_(version_minor),
        headers_(std::move(headers)),
        peer_(std::move(peer)),
        content_length_(content_length),
        body_(body) {}
  HttpRequest(const HttpRequest&) = delete;
  HttpRequest& operator=(const HttpRequest&) = delete;

  // "GET", "POST", ... (upper case, as on the wire).
  const std::string& method() const { return method_; }
  // The request target as sent: "/path?query" (or "*", or an absolute URL).
  const std::string& target() const { return target_; }
  // The target up to '?'.
  absl::string_view path() const;
  // The target after '?' ("" when none).
  absl::string_view query() const;
  // 0 for HTTP/1.0, 1 for HTTP/1.1.
  int version_minor() const { return version_minor_; }
  const HttpHeaders& headers() const { return headers_; }
  const SocketAddress& peer() const { return peer_; }
  // The declared Content-Length; nullopt for a chunked body (or none).
  std::optional<std::uint64_t> content_length() const {
    return content_length_;
  }
  HttpBodyReader& body() { return body_; }

 private:
  std::string method_;
  std::string target_;
  int version_minor_;
  HttpHeaders headers_;
  SocketAddress peer_;
  std::optional<std::uint64_t> content_length_;
  HttpBodyReader body_;
};

}  // namespace evergreen

#endif  // EVERGREEN_NET_HTTP_REQUEST_H_
