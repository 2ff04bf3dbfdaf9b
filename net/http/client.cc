#include "net/http/client.h"

#include <algorithm>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "framework/deadline.h"
#include "net/connect.h"
#include "net/http/internal/transport.h"
#include "net/tls_socket.h"

namespace evergreen {
namespace {

absl::Status Named(const HttpClientRequest& request, const absl::Status& s) {
  return absl::Status(s.code(), absl::StrCat(request.method, " ", request.url,
                                             ": ", s.message()));
}

// "connect 127.0.0.1:1: Connection refused" → "connect: Connection refused"
// (the URL already names the peer).
absl::Status ConnectError(const absl::Status& s) {
  absl::string_view message = s.message();
  if (absl::StartsWith(message, "connect ") &&
      !absl::StrContains(message, "; ")) {
    message.remove_prefix(message.rfind(": ") + 2);
    return absl::Status(s.code(), absl::StrCat("connect: ", message));
  }
  return s;
}

bool Idempotent(absl::string_view method) {
  return method == "GET" || method == "HEAD" || method == "PUT" ||
         method == "DELETE" || method == "OPTIONS";
}

bool IsRedirect(int status) {
  return status == 301 || status == 302 || status == 303 || status == 307 ||
         status == 308;
}

}  // namespace

HttpClientResponse::HttpClientResponse(
    std::unique_ptr<internal::ClientConnection> connection,
    std::weak_ptr<internal::ClientPool> pool)
    : connection_(std::move(connection)),
      pool_(std::move(pool)),
      body_(std::make_unique<HttpBodyReader>(connection_.get())) {}

HttpClientResponse::~HttpClientResponse() {
  if (connection_ == nullptr) return;
  if (std::shared_ptr<internal::ClientPool> pool = pool_.lock()) {
    pool->Put(std::move(connection_));
  } else {
    connection_->Close();
  }
}

absl::StatusOr<std::string> HttpClientResponse::ReadAll(std::size_t limit) {
  return body_->ReadAll(limit);
}

HttpClient::HttpClient(HttpClientOptions options)
    : options_(std::move(options)),
      pool_(std::make_shared<internal::ClientPool>(
          options_.max_idle_per_origin, options_.idle_timeout)) {}

HttpClient::~HttpClient() = default;

absl::StatusOr<std::unique_ptr<internal::ClientConnection>>
HttpClient::Connect(const HttpUrl& url, absl::Time deadline) {
  const absl::Duration timeout =
      std::min(options_.connect_timeout, internal::Remaining(deadline));
  absl::StatusOr<Socket> socket =
      CreateConnection(url.host, url.port, timeout);
  if (!socket.ok()) return ConnectError(socket.status());
  socket->SetNoDelay(true).IgnoreError();
  internal::HttpParseLimits limits;
  limits.max_header_bytes = options_.max_header_bytes;
  std::unique_ptr<internal::HttpTransport> transport;
  if (url.tls) {
    if (!options_.tls) {
      absl::StatusOr<TlsContext> context = TlsContext::Client({});
      if (!context.ok()) return context.status();
      options_.tls = *std::move(context);
    }
    absl::StatusOr<TlsSocket> tls =
        TlsConnect(*std::move(socket), options_.tls, url.host,
                   std::min(options_.connect_timeout,
                            internal::Remaining(deadline)));
    if (!tls.ok()) return tls.status();
    transport = std::make_unique<internal::TlsTransport>(*std::move(tls));
  } else {
    transport =
        std::make_unique<internal::SocketTransport>(*std::move(socket));
  }
  return std::make_unique<internal::ClientConnection>(
      std::move(transport), url.Origin(), limits, options_.read_buffer_bytes);
}

absl::Status HttpClient::WriteRequest(internal::ClientConnection& connection,
                                      HttpClientRequest& request,
                                      const HttpUrl& url) {
  std::string& out = connection.output().buffer();
  absl::StrAppend(&out, request.method, " ", url.target,
                  " HTTP/1.1\r\nHost: ", url.HostHeader(), "\r\n");
  for (const auto& [name, value] : request.headers) {
    if (absl::EqualsIgnoreCase(name, "Host") ||
        absl::EqualsIgnoreCase(name, "Content-Length") ||
        absl::EqualsIgnoreCase(name, "Transfer-Encoding")) {
      continue;
    }
    absl::StrAppend(&out, name, ": ", value, "\r\n");
  }
  const bool streamed = static_cast<bool>(request.body_stream);
  if (streamed) {
    out.append("Transfer-Encoding: chunked\r\n\r\n");
  } else if (!request.body.empty() || request.method == "POST" ||
             request.method == "PUT" || request.method == "PATCH") {
    absl::StrAppend(&out, "Content-Length: ", request.body.size(),
                    "\r\n\r\n");
  } else {
    out.append("\r\n");
  }
  internal::HttpOutput& output = connection.output();
  if (!streamed) {
    if (absl::Status written = output.Write(request.body); !written.ok()) {
      return written;
    }
    return output.Flush();
  }
  for (;;) {
    absl::StatusOr<std::string> piece = request.body_stream();
    if (!piece.ok()) return piece.status();
    if (piece->empty()) break;
    absl::StrAppend(&output.buffer(), absl::Hex(piece->size()), "\r\n");
    absl::Status written = output.Write(*piece);
    if (written.ok()) written = output.Write("\r\n");
    if (!written.ok()) return written;
  }
  if (absl::Status written = output.Write("0\r\n\r\n"); !written.ok()) {
    return written;
  }
  return output.Flush();
}

absl::StatusOr<HttpClientResponse> HttpClient::SendOnce(
    HttpClientRequest& request, absl::Time deadline) {
  absl::StatusOr<HttpUrl> url = HttpUrl::Parse(request.url);
  if (!url.ok()) return url.status();
  if (!IsHttpMethod(request.method)) {
    return absl::InvalidArgumentError(
        absl::StrCat("bad HTTP method \"", request.method, "\""));
  }
  for (const auto& [name, value] : request.headers) {
    if (absl::Status valid = ValidateHeaderField(name, value); !valid.ok()) {
      return valid;
    }
  }
  const std::string origin = url->Origin();
  for (int attempt = 0;; ++attempt) {
    std::unique_ptr<internal::ClientConnection> connection =
        attempt == 0 ? pool_->Take(origin) : nullptr;
    const bool reused = connection != nullptr;
    if (!reused) {
      absl::StatusOr<std::unique_ptr<internal::ClientConnection>> made =
          Connect(*url, deadline);
      if (!made.ok()) return made.status();
      connection = *std::move(made);
    }
    connection->output().set_write_timeout(internal::Remaining(deadline));
    connection->set_deadline(deadline);
    const bool streamed = static_cast<bool>(request.body_stream);
    absl::Status sent = WriteRequest(*connection, request, *url);
    internal::HttpInput& input = connection->input();
    if (sent.ok()) {
      input.ExpectWait();  // the server has yet to answer
      if (request.method == "HEAD") input.parser().SkipBodyOfNextMessage();
      for (;;) {
        sent = input.ReadHead(deadline, internal::Remaining(deadline));
        if (!sent.ok()) break;
        const int status = input.head().status;
        if (status >= 200 || status == 101) break;
        input.NextMessage();  // 100 Continue, 103 Early Hints
        if (request.method == "HEAD") input.parser().SkipBodyOfNextMessage();
      }
    }
    if (!sent.ok()) {
      connection->Close();
      // A pooled connection the server closed as the request crossed its
      // close (Take already skips those closed before): no byte of a
      // response came, so the server did not act on the request, or did
      // and failed at once; only an idempotent request with a body that
      // can be sent again may go again, once, on a new connection.
      const bool retry = reused && !streamed && Idempotent(request.method) &&
                         !input.parser().message_started() &&
                         (absl::IsNotFound(sent) || absl::IsUnavailable(sent) ||
                          absl::IsCancelled(sent));
      if (retry) continue;
      if (absl::IsNotFound(sent)) {
        return absl::UnavailableError(absl::StrCat(
            "the server closed the connection without a response (",
            sent.message(), ")"));
      }
      return sent;
    }
    internal::HttpHead& head = input.parser().mutable_head();
    connection->set_keep_alive(head.keep_alive);
    HttpClientResponse response(std::move(connection), pool_);
    response.status_ = head.status;
    response.reason_ = std::move(head.reason);
    response.headers_ = std::move(head.headers);
    return response;
  }
}

absl::StatusOr<HttpClientResponse> HttpClient::Send(HttpClientRequest request) {
  // The request's own timeout, narrowed by the caller's current deadline
  // (docs/deadlines.md): every wait below (DNS, connect, TLS handshake,
  // writes, the head and, later, the body reads) ends by it.
  const absl::Time deadline =
      std::min(absl::Now() + request.timeout.value_or(options_.timeout),
               CurrentDeadline());
  if (absl::Now() >= deadline) {
    return Named(request, absl::DeadlineExceededError(
                              "deadline exceeded before the request was sent"));
  }
  for (int redirects = 0;; ++redirects) {
    absl::StatusOr<HttpClientResponse> response = SendOnce(request, deadline);
    if (!response.ok()) return Named(request, response.status());
    const std::optional<absl::string_view> location =
        response->headers().Get("Location");
    if (redirects >= options_.max_redirects ||
        !IsRedirect(response->status()) || !location) {
      return response;
    }
    std::string next(*location);
    if (absl::StartsWith(next, "/")) {
      absl::StatusOr<HttpUrl> url = HttpUrl::Parse(request.url);
      next = absl::StrCat(url->Origin(), next);
    }
    // Read the redirect's body so its connection can be reused.
    response->ReadAll(64 * 1024).IgnoreError();
    if (response->status() == 303 ||
        ((response->status() == 301 || response->status() == 302) &&
         request.method == "POST")) {
      request.method = "GET";
      request.body.clear();
      request.body_stream = nullptr;
    }
    request.url = std::move(next);
  }
}

absl::StatusOr<HttpResult> HttpClient::Fetch(HttpClientRequest request,
                                             std::size_t max_body) {
  std::string method = request.method;
  std::string url = request.url;
  absl::StatusOr<HttpClientResponse> response = Send(std::move(request));
  if (!response.ok()) return response.status();
  absl::StatusOr<std::string> body = response->ReadAll(max_body);
  if (!body.ok()) {
    return absl::Status(body.status().code(),
                        absl::StrCat(method, " ", url, ": reading the body: ",
                                     body.status().message()));
  }
  HttpResult result;
  result.status = response->status();
  result.headers = response->headers();
  result.body = *std::move(body);
  return result;
}

absl::StatusOr<HttpResult> HttpClient::Get(absl::string_view url) {
  HttpClientRequest request;
  request.url = std::string(url);
  return Fetch(std::move(request));
}

absl::StatusOr<HttpResult> HttpClient::Post(absl::string_view url,
                                            std::string body,
                                            absl::string_view content_type) {
  HttpClientRequest request;
  request.method = "POST";
  request.url = std::string(url);
  request.body = std::move(body);
  request.headers.Add("Content-Type", content_type);
  return Fetch(std::move(request));
}

}  // namespace evergreen
