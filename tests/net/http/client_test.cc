// HttpClient against HttpServer (and TLS) over loopback.
#include "net/http/client.h"

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "framework/event.h"
#include "framework/hub.h"
#include "framework/waiter.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "net/http/mux.h"
#include "net/http/server.h"
#include "net/stream_server.h"
#include "tests/net/test_certs.h"

namespace evergreen {
namespace {

using ::testing::HasSubstr;

constexpr absl::Duration kPatience = absl::Seconds(10);

class ClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    mux_.Handle("/hello", [](HttpRequest&, HttpResponse& response) {
      response.Send(200, "hello").IgnoreError();
    }).IgnoreError();
    mux_.Handle("/echo", [this](HttpRequest& request, HttpResponse& response) {
      last_chunked_ = !request.content_length().has_value();
      absl::StatusOr<std::string> body = request.body().ReadAll();
      response.Send(200, body.ok() ? *body : body.status().ToString())
          .IgnoreError();
    }).IgnoreError();
    mux_.Handle("/stream", [this](HttpRequest&, HttpResponse& response) {
      response.Start(200).IgnoreError();
      response.Write("first").IgnoreError();
      release_.Wait(kPatience);
      response.Write("second").IgnoreError();
    }).IgnoreError();
    mux_.Handle("/slow", [this](HttpRequest&, HttpResponse& response) {
      release_.Wait(kPatience);
      response.Send(200, "late").IgnoreError();
    }).IgnoreError();
    mux_.Handle("/redirect", [](HttpRequest&, HttpResponse& response) {
      response.Send(302, "moved", {{"Location", "/hello"}}).IgnoreError();
    }).IgnoreError();
    mux_.Handle("/close", [](HttpRequest&, HttpResponse& response) {
      response.Send(200, "bye", {{"Connection", "close"}}).IgnoreError();
    }).IgnoreError();
  }

  std::string Url(absl::string_view path) {
    return absl::StrCat("http://", server_->address().ToString(), path);
  }

  void StartServer(HttpServerOptions options = {}) {
    server_ = std::make_unique<HttpServer>(*SocketAddress::Parse("127.0.0.1:0"),
                                           mux_.AsHandler(), options);
    ASSERT_TRUE(server_->Start().ok());
  }

  HttpMux mux_;
  std::unique_ptr<HttpServer> server_;
  Event release_;
  bool last_chunked_ = false;
};

TEST_F(ClientTest, KeepAliveReusesOneConnectionPerOrigin) {
  StartServer();
  HttpClient client;
  for (int i = 0; i < 3; ++i) {
    absl::StatusOr<HttpResult> got = client.Get(Url("/hello"));
    ASSERT_TRUE(got.ok()) << got.status();
    EXPECT_EQ(got->status, 200);
    EXPECT_EQ(got->body, "hello");
  }
  EXPECT_EQ(client.idle_connections(), 1);
  EXPECT_EQ(server_->request_count(), 3u);
  EXPECT_EQ(server_->connection_count(), 1);
}

TEST_F(ClientTest, ConnectionClosedByTheServerIsNotPooled) {
  StartServer();
  HttpClient client;
  absl::StatusOr<HttpResult> got = client.Get(Url("/close"));
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->body, "bye");
  EXPECT_EQ(client.idle_connections(), 0);
}

TEST_F(ClientTest, IdempotentRequestRetriesWhenThePooledConnectionWasClosed) {
  HttpServerOptions options;
  options.idle_timeout = absl::Milliseconds(50);
  StartServer(options);
  HttpClient client;
  ASSERT_TRUE(client.Get(Url("/hello")).ok());
  ASSERT_EQ(client.idle_connections(), 1);
  // Wait until the server dropped the idle connection.
  const absl::Time give_up = absl::Now() + kPatience;
  while (server_->connection_count() > 0 && absl::Now() < give_up) {
    Sleep(absl::Milliseconds(10));
  }
  absl::StatusOr<HttpResult> got = client.Get(Url("/hello"));
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->body, "hello");
}

TEST_F(ClientTest, ChunkedRequestBodyAndContentLengthBody) {
  StartServer();
  HttpClient client;
  std::vector<std::string> pieces = {"one ", "two ", "three"};
  std::size_t next = 0;
  HttpClientRequest request;
  request.method = "POST";
  request.url = Url("/echo");
  request.body_stream = [&]() -> absl::StatusOr<std::string> {
    return next < pieces.size() ? pieces[next++] : std::string();
  };
  absl::StatusOr<HttpResult> got = client.Fetch(std::move(request));
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->body, "one two three");
  EXPECT_TRUE(last_chunked_);

  got = client.Post(Url("/echo"), std::string(100000, 'x'), "text/plain");
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->body.size(), 100000u);
  EXPECT_FALSE(last_chunked_);
}

TEST_F(ClientTest, ResponseBodyStreamsAsItArrives) {
  StartServer();
  HttpClient client;
  absl::StatusOr<HttpClientResponse> response =
      client.Send({.url = Url("/stream")});
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->headers().Get("Transfer-Encoding"), "chunked");
  char buffer[64];
  absl::StatusOr<std::size_t> n = response->body().Read(buffer, sizeof buffer);
  ASSERT_TRUE(n.ok()) << n.status();
  EXPECT_EQ(absl::string_view(buffer, *n), "first");  // before "second" exists
  release_.Set();
  absl::StatusOr<std::string> rest = response->ReadAll();
  ASSERT_TRUE(rest.ok()) << rest.status();
  EXPECT_EQ(*rest, "second");
}

TEST_F(ClientTest, TimeoutIsDeadlineExceededNamingTheRequest) {
  StartServer();
  HttpClient client;
  HttpClientRequest request;
  request.url = Url("/slow");
  request.timeout = absl::Milliseconds(100);
  absl::StatusOr<HttpResult> got = client.Fetch(std::move(request));
  ASSERT_FALSE(got.ok());
  EXPECT_TRUE(absl::IsDeadlineExceeded(got.status())) << got.status();
  EXPECT_THAT(got.status().message(), HasSubstr("GET " + Url("/slow") + ": "));
  release_.Set();
}

TEST_F(ClientTest, ConnectionRefusedIsAClearError) {
  HttpClient client;
  absl::StatusOr<HttpResult> got = client.Get("http://127.0.0.1:1/");
  ASSERT_FALSE(got.ok());
  EXPECT_TRUE(absl::IsUnavailable(got.status())) << got.status();
  EXPECT_EQ(got.status().message(),
            "GET http://127.0.0.1:1/: connect: Connection refused");
}

TEST_F(ClientTest, BadUrlAndHeaderAreInvalidArgument) {
  HttpClient client;
  EXPECT_TRUE(absl::IsInvalidArgument(client.Get("ftp://x/").status()));
  EXPECT_TRUE(absl::IsInvalidArgument(client.Get("http:///x").status()));
  HttpClientRequest request;
  request.url = "http://127.0.0.1:1/";
  request.headers.Add("X", "a\r\nInjected: 1");
  EXPECT_TRUE(
      absl::IsInvalidArgument(client.Fetch(std::move(request)).status()));
}

TEST_F(ClientTest, RedirectsAreReturnedUnlessAskedToFollow) {
  StartServer();
  HttpClient plain;
  absl::StatusOr<HttpResult> got = plain.Get(Url("/redirect"));
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->status, 302);
  HttpClient following({.max_redirects = 3});
  got = following.Get(Url("/redirect"));
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->status, 200);
  EXPECT_EQ(got->body, "hello");
}

TEST_F(ClientTest, HeadResponseHasNoBodyAndKeepsTheConnection) {
  StartServer();
  HttpClient client;
  absl::StatusOr<HttpResult> got =
      client.Fetch({.method = "HEAD", .url = Url("/hello")});
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->headers.Get("Content-Length"), "5");
  EXPECT_EQ(got->body, "");
  got = client.Get(Url("/hello"));
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->body, "hello");
  EXPECT_EQ(server_->connection_count(), 1);
}

TEST_F(ClientTest, HttpsWithVerification) {
  const TestPki& pki = TestCertificates();
  TlsServerOptions server_options;
  server_options.certificate = pki.server.AsCertificate();
  absl::StatusOr<TlsContext> server_tls = TlsContext::Server(server_options);
  ASSERT_TRUE(server_tls.ok()) << server_tls.status();
  HttpServer server(*SocketAddress::Parse("127.0.0.1:0"), *server_tls,
                    mux_.AsHandler());
  ASSERT_TRUE(server.Start().ok());
  const std::string url = absl::StrCat(
      "https://localhost:", server.address().port(), "/hello");

  TlsClientOptions trusting;
  trusting.ca = PemSource::Text(pki.ca_pem);
  absl::StatusOr<TlsContext> client_tls = TlsContext::Client(trusting);
  ASSERT_TRUE(client_tls.ok()) << client_tls.status();
  HttpClient client({.tls = *client_tls});
  for (int i = 0; i < 2; ++i) {
    absl::StatusOr<HttpResult> got = client.Get(url);
    ASSERT_TRUE(got.ok()) << got.status();
    EXPECT_EQ(got->body, "hello");
  }
  EXPECT_EQ(server.connection_count(), 1);

  TlsClientOptions other;
  other.ca = PemSource::Text(pki.other_ca_pem);
  absl::StatusOr<TlsContext> untrusting = TlsContext::Client(other);
  ASSERT_TRUE(untrusting.ok());
  HttpClient refusing({.tls = *untrusting});
  absl::StatusOr<HttpResult> refused = refusing.Get(url);
  ASSERT_FALSE(refused.ok());
  EXPECT_THAT(refused.status().message(), HasSubstr("GET " + url + ": "));
  EXPECT_THAT(refused.status().message(), HasSubstr("certificate"));
}

// A raw server that answers every connection with `reply` and closes.
class CannedServer {
 public:
  explicit CannedServer(std::string reply)
      : server_(*SocketAddress::Parse("127.0.0.1:0"),
                [reply](Socket& connection, const SocketAddress&) {
                  connection.Recv(4096, kPatience).IgnoreError();
                  connection.SendAll(reply).IgnoreError();
                }) {
    EXPECT_TRUE(server_.Start().ok());
  }
  std::string Url() const {
    return absl::StrCat("http://", server_.address().ToString(), "/");
  }

 private:
  StreamServer server_;
};

TEST(ClientFramingTest, BodyWithoutLengthEndsAtClose) {
  CannedServer server("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nall of it");
  HttpClient client;
  absl::StatusOr<HttpResult> got = client.Get(server.Url());
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->body, "all of it");
  EXPECT_EQ(client.idle_connections(), 0);
}

TEST(ClientFramingTest, BodyCutShortIsDataLoss) {
  CannedServer server("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc");
  HttpClient client;
  absl::StatusOr<HttpResult> got = client.Get(server.Url());
  ASSERT_FALSE(got.ok());
  EXPECT_TRUE(absl::IsDataLoss(got.status())) << got.status();
  EXPECT_THAT(got.status().message(), HasSubstr("GET " + server.Url()));
}

TEST(ClientFramingTest, AmbiguousResponseFramingIsRefused) {
  CannedServer server(
      "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n"
      "abcd");
  HttpClient client;
  absl::StatusOr<HttpResult> got = client.Get(server.Url());
  ASSERT_FALSE(got.ok());
  EXPECT_TRUE(absl::IsInvalidArgument(got.status())) << got.status();
}

}  // namespace
}  // namespace evergreen
