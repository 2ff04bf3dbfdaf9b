// The per-connection loop of HttpServer: read a head, run the handler,
// finish the response, discard what the handler left unread, repeat while
// the connection is kept alive.
//
// Choices that keep a proxy in front of us in step with us (RFC 9112 leaves
// them open): any framing doubt (B-HT5), a parse error, a limit, a timeout,
// an unfinished response or an unread body we will not discard → the
// connection closes after at most one error response, and no byte after
// the bad request is interpreted.
#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "framework/errors.h"
#include "framework/hub.h"
#include "net/http/body_reader.h"
#include "net/http/internal/date.h"
#include "net/http/internal/gzip_body.h"
#include "net/http/internal/input.h"
#include "net/http/internal/output.h"
#include "net/http/internal/server_core.h"
#include "net/http/request.h"
#include "net/http/response.h"

namespace evergreen {
namespace internal {
namespace {

// After our last response on a connection we stop writing and read what
// the client still sends (up to these bounds) before closing: closing with
// unread bytes makes the kernel send a reset, which can destroy our
// response before the client reads it.
constexpr absl::Duration kLingerTime = absl::Seconds(1);
constexpr std::size_t kLingerBytes = 256 * 1024;

HttpParseLimits LimitsOf(const HttpServerOptions& options) {
  HttpParseLimits limits;
  limits.max_target_bytes = options.max_target_bytes;
  limits.max_header_bytes = options.max_header_bytes;
  limits.max_header_count = options.max_header_count;
  limits.max_chunk_extension_bytes = options.max_chunk_extension_bytes;
  return limits;
}

// True when the body is gzip and we decode it: exactly one
// Content-Encoding field saying gzip (or its old name x-gzip).
bool DecodesGzip(const HttpServerOptions& options, const HttpHeaders& headers) {
  if (!options.decompress_gzip_requests ||
      headers.Count("Content-Encoding") != 1) {
    return false;
  }
  const absl::string_view coding =
      absl::StripAsciiWhitespace(*headers.Get("Content-Encoding"));
  return absl::EqualsIgnoreCase(coding, "gzip") ||
         absl::EqualsIgnoreCase(coding, "x-gzip");
}

class ServerConnection final : public HttpBodySource {
 public:
  ServerConnection(HttpServerCore& core, HttpTransport& transport,
                   const SocketAddress& peer)
      : core_(core),
        options_(core.options()),
        transport_(transport),
        peer_(peer),
        input_(transport, HttpParser::kRequest, LimitsOf(options_),
               options_.read_buffer_bytes),
        output_(transport, options_.write_timeout),
        entry_{&transport} {
    core_.Register(&entry_);
  }
  ~ServerConnection() { core_.Unregister(&entry_); }

  void Run();

  absl::StatusOr<std::size_t> ReadBody(char* buffer,
                                       std::size_t size) override;

 private:
  // Serves one request whose head was read. Returns whether the connection
  // may serve another.
  bool ServeRequest();
  // Answers an error of the client and ends the connection.
  void SendError(int status, absl::string_view message);
  // Discards the unread rest of the request body. Returns false when it
  // could not (too long, too slow, broken).
  bool DiscardBody();
  void Linger();

  HttpServerCore& core_;
  const HttpServerOptions& options_;
  HttpTransport& transport_;
  const SocketAddress& peer_;
  HttpInput input_;
  HttpOutput output_;
  HttpConnectionEntry entry_;

  // The request being served.
  HttpResponse* response_ = nullptr;
  absl::Time body_deadline_;
  std::uint64_t body_read_ = 0;
  // The decompressed body of a gzip request (reads this connection).
  std::unique_ptr<GzipBodySource> gzip_;
  // The answer when the handler returns without one after its body read
  // failed: 413 too large, 400 malformed (else 500).
  int body_error_status_ = 0;
  bool expect_continue_ = false;
  bool request_keep_alive_ = false;
  bool body_failed_ = false;
  bool aborted_ = false;
};

void ServerConnection::Run() {
  for (;;) {
    if (core_.stopping()) break;
    entry_.idle = input_.idle();
    absl::Status head = input_.ReadHead(absl::Now() + options_.idle_timeout,
                                        options_.head_timeout);
    entry_.idle = false;
    if (!head.ok()) {
      // Closed, timed out or shut down between requests: nothing to say.
      if (!input_.parser().message_started()) break;
      if (absl::IsInvalidArgument(head)) {
        SendError(input_.parser().error_status(), head.message());
      } else if (absl::IsDeadlineExceeded(head)) {
        SendError(408, "request head timed out");
      }
      break;
    }
    if (!ServeRequest()) break;
    if (aborted_) return;
    if (!input_.buffered() || output_.pending() >= HttpOutput::kFlushBytes) {
      if (!output_.Flush().ok()) return;
    }
    // Nothing pipelined: the client has yet to send its next request.
    if (!input_.buffered()) input_.ExpectWait();
    input_.NextMessage();
  }
  if (!output_.Flush().ok()) return;
  Linger();
}

bool ServerConnection::ServeRequest() {
  core_.CountRequest();
  HttpHead& head = input_.parser().mutable_head();
  if (head.content_length && *head.content_length > options_.max_body_bytes) {
    SendError(413, absl::StrCat("request body larger than ",
                                options_.max_body_bytes, " bytes"));
    return false;
  }
  body_deadline_ = absl::Now() + options_.body_timeout;
  body_read_ = 0;
  body_error_status_ = 0;
  body_failed_ = false;
  gzip_.reset();
  std::optional<std::uint64_t> content_length = head.content_length;
  if (DecodesGzip(options_, head.headers)) {
    gzip_ = std::make_unique<GzipBodySource>(
        *this, options_.max_decompressed_body_bytes);
    head.headers.Remove("Content-Encoding");
    head.headers.Remove("Content-Length");
    content_length.reset();
  }
  expect_continue_ = head.version_minor >= 1 &&
                     head.headers.HasToken("Expect", "100-continue") &&
                     !input_.message_complete();

  HttpRequest request(std::move(head.method), std::move(head.target),
                      head.version_minor, std::move(head.headers), peer_,
                      content_length,
                      HttpBodyReader(gzip_ != nullptr
                                         ? static_cast<HttpBodySource*>(
                                               gzip_.get())
                                         : this));
  HttpResponse response(HttpResponse::Context{
      .output = &output_,
      .head_request = request.method() == "HEAD",
      .version_minor = request.version_minor(),
      .keep_alive = head.keep_alive && !core_.stopping(),
      .closing = core_.stopping_flag()});
  response_ = &response;
  // A client told to wait for 100 Continue may or may not send its body
  // when the answer comes without it: we cannot reuse the connection
  // unless the 100 went out (ReadBody).
  request_keep_alive_ = response.keep_alive();
  if (expect_continue_) response.set_keep_alive(false);

  std::exception_ptr error;
  try {
    core_.handler()(request, response);
  } catch (const GreenletExit&) {
    // Killed (Stop's grace ran out): a body in progress must not end
    // with a clean close that could pass for its end.
    response_ = nullptr;
    if (response.started() && !response.finished()) transport_.Abort();
    throw;
  } catch (...) {
    error = std::current_exception();
  }
  response_ = nullptr;

  if (error) {
    Hub::Current()->HandleError(
        absl::StrCat("HTTP handler for ", request.method(), " ",
                     request.target(), " from ", peer_.ToString()),
        error);
    if (response.started()) {
      // A finished response stands (the connection just ends); a body
      // in progress is cut: abort.
      if (!response.finished()) {
        aborted_ = true;
        transport_.Abort();
      }
      return false;
    }
  }
  if (!response.started()) {
    int status = body_error_status_ != 0 ? body_error_status_ : 500;
    if (status == 500 && gzip_ != nullptr) {
      if (absl::IsResourceExhausted(gzip_->status())) status = 413;
      if (absl::IsInvalidArgument(gzip_->status())) status = 400;
    }
    response.set_keep_alive(false);
    response.Send(status, absl::StrCat(internal::HttpReasonPhrase(status),
                                       "\n"),
                  {{"Content-Type", "text/plain"}})
        .IgnoreError();
  }
  if (!response.Finish().ok() || response.broken()) {
    aborted_ = true;
    transport_.Abort();
    return false;
  }
  if (!output_.status().ok()) return false;
  if (!response.keep_alive() || core_.stopping()) return false;
  return DiscardBody();
}

absl::StatusOr<std::size_t> ServerConnection::ReadBody(char* buffer,
                                                       std::size_t size) {
  if (body_failed_) {
    return absl::FailedPreconditionError("HTTP request body failed before");
  }
  if (expect_continue_) {
    expect_continue_ = false;
    // Only while the final response has not begun: after it, the client
    // must not be told to go on (B-HT13).
    if (response_ != nullptr && !response_->started()) {
      absl::Status sent = output_.Write("HTTP/1.1 100 Continue\r\n\r\n");
      if (sent.ok()) sent = output_.Flush();
      if (!sent.ok()) return sent;
      response_->set_keep_alive(request_keep_alive_);
    }
  }
  absl::StatusOr<std::size_t> n = input_.ReadBody(buffer, size, body_deadline_);
  if (!n.ok()) {
    body_failed_ = true;
    if (absl::IsInvalidArgument(n.status())) body_error_status_ = 400;
    if (response_ != nullptr) response_->set_keep_alive(false);
    return n;
  }
  body_read_ += *n;
  if (body_read_ > options_.max_body_bytes) {
    body_failed_ = true;
    body_error_status_ = 413;
    if (response_ != nullptr) response_->set_keep_alive(false);
    return absl::ResourceExhaustedError(absl::StrCat(
        "HTTP request body larger than ", options_.max_body_bytes, " bytes"));
  }
  return n;
}

bool ServerConnection::DiscardBody() {
  if (input_.message_complete()) return true;
  // A client waiting for 100 Continue that never came will not send the
  // body; we cannot tell, so the connection ends.
  if (expect_continue_ || body_failed_) return false;
  char scratch[4096];
  std::size_t discarded = 0;
  while (!input_.message_complete()) {
    absl::StatusOr<std::size_t> n =
        input_.ReadBody(scratch, sizeof scratch, body_deadline_);
    if (!n.ok()) return false;
    discarded += *n;
    if (discarded > options_.max_discard_bytes) return false;
  }
  return true;
}

void ServerConnection::SendError(int status, absl::string_view message) {
  HttpResponse response(HttpResponse::Context{
      .output = &output_, .version_minor = 1, .keep_alive = false});
  response
      .Send(status, absl::StrCat(message, "\n"),
            {{"Content-Type", "text/plain"}})
      .IgnoreError();
}

void ServerConnection::Linger() {
  const absl::Time deadline = absl::Now() + kLingerTime;
  if (!transport_.Shutdown(deadline).ok()) return;
  char scratch[4096];
  std::size_t total = 0;
  while (total < kLingerBytes) {
    absl::StatusOr<std::size_t> n =
        transport_.ReadSome(scratch, sizeof scratch, deadline);
    if (!n.ok() || *n == 0) return;
    total += *n;
  }
}

}  // namespace

void HttpServerCore::Serve(HttpTransport& transport,
                           const SocketAddress& peer) {
  ServerConnection connection(*this, transport, peer);
  connection.Run();
}

void HttpServerCore::BeginShutdown() {
  stopping_ = true;
  for (HttpConnectionEntry* entry : connections_) {
    if (entry->idle) entry->transport->Close();
  }
}

}  // namespace internal
}  // namespace evergreen
