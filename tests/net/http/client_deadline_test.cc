// B-D3, B-D4 for HttpClient: a request made under the caller's current
// deadline (DeadlineScope, WithDeadline) or a Timeout ends by it, whichever
// step stalls: connecting, the TLS handshake, the response head or the
// body, long before the client's own timeouts. Every peer is a real
// loopback socket that stops answering.
#include <memory>
#include <string>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "framework/deadline.h"
#include "framework/event.h"
#include "framework/hub.h"
#include "framework/timeout.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "net/http/client.h"
#include "net/http/mux.h"
#include "net/http/server.h"
#include "net/socket.h"
#include "tests/net/test_certs.h"

namespace evergreen {
namespace {

using ::testing::HasSubstr;

constexpr absl::Duration kDeadline = absl::Milliseconds(100);
constexpr absl::Duration kLong = absl::Hours(1);
constexpr absl::Duration kPatience = absl::Seconds(10);

// The client's own timeouts never fire in these tests.
HttpClientOptions PatientOptions() {
  HttpClientOptions options;
  options.connect_timeout = kLong;
  options.timeout = kLong;
  return options;
}

// A listener that completes TCP handshakes (the kernel does) but never
// accepts: a client connects, sends, and hears nothing, ever.
class SilentListener {
 public:
  SilentListener()
      : socket_(*Socket::Listen(*SocketAddress::Parse("127.0.0.1:0"), 16)) {}
  int port() const { return socket_->LocalAddress()->port(); }

 private:
  absl::StatusOr<Socket> socket_;
};

// A listener whose accept queue is full (backlog 0, one connection queued
// and never accepted): the kernel drops further SYNs, so connect stalls.
class FullListener {
 public:
  FullListener() {
    absl::StatusOr<Socket> socket = Socket::Create(AF_INET, SOCK_STREAM);
    EXPECT_TRUE(socket.ok()) << socket.status();
    listener_ = *std::move(socket);
    EXPECT_TRUE(listener_.Bind(*SocketAddress::Parse("127.0.0.1:0")).ok());
    EXPECT_TRUE(listener_.Listen(0).ok());
    absl::StatusOr<Socket> filler =
        Socket::Connect(*listener_.LocalAddress(), kPatience);
    EXPECT_TRUE(filler.ok()) << filler.status();
    filler_ = *std::move(filler);
  }
  int port() const { return listener_.LocalAddress()->port(); }

 private:
  Socket listener_;
  Socket filler_;
};

class ClientDeadlineTest : public ::testing::Test {
 protected:
  // Runs `fn` under a kDeadline scope: DeadlineExceeded naming the request
  // and "deadline exceeded", not before the deadline, long before kLong.
  template <typename F>
  void ExpectCutByDeadline(const std::string& request, F&& fn) {
    const absl::Time start = absl::Now();
    absl::Status status;
    {
      DeadlineScope scope(kDeadline);
      status = fn();
    }
    const absl::Duration took = absl::Now() - start;
    EXPECT_EQ(status.code(), absl::StatusCode::kDeadlineExceeded) << status;
    EXPECT_TRUE(absl::StartsWith(status.message(), request + ": ")) << status;
    EXPECT_THAT(status.message(), HasSubstr("deadline exceeded"));
    EXPECT_GE(took, kDeadline - absl::Milliseconds(1));
    EXPECT_LT(took, kPatience);
  }

  // A server whose /stall sends the head and part of the body, then waits.
  void StartServer() {
    mux_.Handle("/stall", [this](HttpRequest&, HttpResponse& response) {
      response.Start(200, {{"Content-Length", "10"}}).IgnoreError();
      response.Write("abc").IgnoreError();
      release_.Wait(kPatience);
    }).IgnoreError();
    mux_.Handle("/hello", [](HttpRequest&, HttpResponse& response) {
      response.Send(200, "hello").IgnoreError();
    }).IgnoreError();
    server_ = std::make_unique<HttpServer>(*SocketAddress::Parse("127.0.0.1:0"),
                                           mux_.AsHandler());
    ASSERT_TRUE(server_->Start().ok());
  }
  void TearDown() override {
    release_.Set();
    if (server_ != nullptr) server_->Stop(kPatience);
  }
  std::string Url(absl::string_view path) {
    return absl::StrCat("http://", server_->address().ToString(), path);
  }

  HttpMux mux_;
  std::unique_ptr<HttpServer> server_;
  Event release_;
};

// B-D3
TEST_F(ClientDeadlineTest, ConnectEndsAtTheCurrentDeadline) {
  FullListener full;
  HttpClient client(PatientOptions());
  const std::string url = absl::StrCat("http://127.0.0.1:", full.port(), "/");
  ExpectCutByDeadline("GET " + url,
                      [&] { return client.Get(url).status(); });
}

// B-D3
TEST_F(ClientDeadlineTest, TlsHandshakeEndsAtTheCurrentDeadline) {
  SilentListener silent;
  TlsClientOptions trusting;
  trusting.ca = PemSource::Text(TestCertificates().ca_pem);
  absl::StatusOr<TlsContext> tls = TlsContext::Client(trusting);
  ASSERT_TRUE(tls.ok()) << tls.status();
  HttpClientOptions options = PatientOptions();
  options.tls = *tls;
  HttpClient client(std::move(options));
  const std::string url =
      absl::StrCat("https://localhost:", silent.port(), "/");
  ExpectCutByDeadline("GET " + url,
                      [&] { return client.Get(url).status(); });
}

// B-D3
TEST_F(ClientDeadlineTest, ResponseHeadEndsAtTheCurrentDeadline) {
  SilentListener silent;
  HttpClient client(PatientOptions());
  const std::string url =
      absl::StrCat("http://127.0.0.1:", silent.port(), "/");
  ExpectCutByDeadline("GET " + url,
                      [&] { return client.Get(url).status(); });
  // WithDeadline says the same.
  absl::Status status = WithDeadline(kDeadline, [&] {
    return client.Get(url).status();
  });
  EXPECT_TRUE(absl::IsDeadlineExceeded(status)) << status;
}

// B-D3: the body read is bounded by the deadline the request was sent
// under, even once the scope has ended; the connection is not pooled.
TEST_F(ClientDeadlineTest, BodyReadsEndAtTheDeadlineOfTheRequest) {
  StartServer();
  HttpClient client(PatientOptions());
  ExpectCutByDeadline("GET " + Url("/stall"),
                      [&] { return client.Get(Url("/stall")).status(); });
  EXPECT_EQ(client.idle_connections(), 0);

  absl::StatusOr<HttpClientResponse> response;
  {
    DeadlineScope scope(kDeadline);
    response = client.Send({.url = Url("/stall")});
  }
  ASSERT_TRUE(response.ok()) << response.status();
  const absl::Time start = absl::Now();
  absl::StatusOr<std::string> body = response->ReadAll();
  EXPECT_TRUE(absl::IsDeadlineExceeded(body.status())) << body.status();
  EXPECT_LT(absl::Now() - start, kPatience);
}

// B-D3: with the deadline already passed nothing is sent.
TEST_F(ClientDeadlineTest, PassedDeadlineSendsNothing) {
  StartServer();
  HttpClient client(PatientOptions());
  DeadlineScope scope(absl::InfinitePast());
  absl::StatusOr<HttpResult> got = client.Get(Url("/hello"));
  EXPECT_TRUE(absl::IsDeadlineExceeded(got.status())) << got.status();
  EXPECT_EQ(server_->request_count(), 0u);
}

// B-D3: a request's own timeout still applies inside a longer scope.
TEST_F(ClientDeadlineTest, ScopeNeverExtendsTheRequestTimeout) {
  SilentListener silent;
  HttpClient client(PatientOptions());
  HttpClientRequest request;
  request.url = absl::StrCat("http://127.0.0.1:", silent.port(), "/");
  request.timeout = kDeadline;
  DeadlineScope scope(kLong);
  const absl::Time start = absl::Now();
  absl::StatusOr<HttpResult> got = client.Fetch(std::move(request));
  EXPECT_TRUE(absl::IsDeadlineExceeded(got.status())) << got.status();
  EXPECT_LT(absl::Now() - start, kPatience);
}

// B-D4: a Timeout thrown into a stalled request or body read unwinds it;
// the broken connection is not pooled and the client goes on working.
TEST_F(ClientDeadlineTest, TimeoutUnwindsAStalledRequestAndBodyRead) {
  StartServer();
  SilentListener silent;
  HttpClient client(PatientOptions());
  const std::string silent_url =
      absl::StrCat("http://127.0.0.1:", silent.port(), "/");
  bool raised = false;
  try {
    Timeout timeout(kDeadline);
    client.Get(silent_url).IgnoreError();
  } catch (const TimeoutError&) {
    raised = true;
  }
  EXPECT_TRUE(raised);

  raised = false;
  try {
    Timeout timeout(kDeadline);
    absl::StatusOr<HttpClientResponse> response =
        client.Send({.url = Url("/stall")});
    ASSERT_TRUE(response.ok()) << response.status();
    response->ReadAll().IgnoreError();
  } catch (const TimeoutError&) {
    raised = true;
  }
  EXPECT_TRUE(raised);
  EXPECT_EQ(client.idle_connections(), 0);

  absl::StatusOr<HttpResult> got = client.Get(Url("/hello"));
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->body, "hello");
}

}  // namespace
}  // namespace evergreen
