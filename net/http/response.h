// HttpResponse: how a handler answers (WSGI's start_response and body
// iterable): either all at once with Send, or streamed with Start + Write.
//
//   response.Send(200, "hello\n", {{"Content-Type", "text/plain"}});
//
//   response.Start(200, {{"Content-Type", "text/event-stream"}});
//   for (...) if (!response.Write(event).ok()) return;   // client gone
//   // returning ends the body (or call Finish())
//
// Framing is the server's: Send gives a Content-Length; a streamed body is
// chunked on HTTP/1.1 and delimited by closing the connection on HTTP/1.0
// (B-HT3), unless the handler declares a Content-Length in Start, which
// then must be met exactly. 204 and 304 carry no body whatever is written
// (B-HT12); the answer to HEAD carries the head only. A Date header is
// added unless given; Connection is managed by the server (a handler's
// "Connection: close" is honoured).
//
// Errors (nothing is written when Start/Send refuse, B-HT10):
// InvalidArgument for a status outside 200..999, a header name that is not
// a token, CR/LF/NUL or other controls in a value, a Transfer-Encoding
// header, a malformed Content-Length, or a body longer than the declared
// Content-Length; FailedPrecondition when the response was already
// started (or not yet, for Write); the transport's error (DeadlineExceeded
// after the server's write timeout, Cancelled, ...) when the client is
// gone. If the handler returns (or throws) before starting a response the
// server answers 500 (B-HT11).
//
// Blocks: Start and Send may (they flush only when the buffer fills or
// the body is large); Write sends the piece before it returns.
//
// Thread affinity: the greenlet the handler runs in.
#ifndef EVERGREEN_NET_HTTP_RESPONSE_H_
#define EVERGREEN_NET_HTTP_RESPONSE_H_

#include <cstdint>
#include <optional>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "net/http/headers.h"
#include "net/http/internal/output.h"

namespace evergreen {

class HttpResponse {
 public:
  // For the server: where the response goes and what the request asked.
  struct Context {
    internal::HttpOutput* output;
    bool head_request = false;
    int version_minor = 1;
    bool keep_alive = true;
    // When it is true at Start, the response closes the connection (the
    // server began shutting down). May be null.
    const bool* closing = nullptr;
  };
  explicit HttpResponse(Context context);
  HttpResponse(const HttpResponse&) = delete;
  HttpResponse& operator=(const HttpResponse&) = delete;

  // The whole response: head, Content-Length and `body`.
  absl::Status Send(int status, absl::string_view body = {},
                    const HttpHeaders& headers = {});
  // The head of a streamed response; the body follows with Write.
  absl::Status Start(int status, const HttpHeaders& headers = {});
  // Sends a piece of the body. Writing "" does nothing.
  absl::Status Write(absl::string_view data);
  // Ends the body (the last chunk). Called by the server when the handler
  // returns. Errors: FailedPrecondition when a declared Content-Length was
  // not met (the connection is then aborted).
  absl::Status Finish();

  bool started() const { return started_; }
  bool finished() const { return finished_; }
  int status() const { return status_; }
  // Whether the connection may serve another request after this one.
  bool keep_alive() const { return keep_alive_; }
  // For the server: the connection must not be reused (e.g. before Start).
  void set_keep_alive(bool keep_alive) { keep_alive_ = keep_alive; }
  // The body was cut short (an error mid-body); the connection must be
  // aborted rather than ended cleanly.
  bool broken() const { return broken_; }

 private:
  enum class Framing { kNone, kLength, kChunked, kClose };

  absl::Status StartWith(int status, const HttpHeaders& headers,
                         std::optional<std::uint64_t> length);
  absl::Status WriteBody(absl::string_view data, bool flush);

  Context context_;
  bool keep_alive_;
  bool started_ = false;
  bool finished_ = false;
  bool broken_ = false;
  int status_ = 0;
  Framing framing_ = Framing::kNone;
  bool send_body_ = true;  // false for HEAD and bodiless statuses
  std::uint64_t remaining_ = 0;  // kLength
};

}  // namespace evergreen

#endif  // EVERGREEN_NET_HTTP_RESPONSE_H_
