// Typed services over HTTP with the Connect protocol (unary), on real
// loopback sockets: the generated client over Channel::Http (binary and
// JSON), the system curl as an outside client (B-RPC11), HTTPS with
// test-generated certificates, and the Connect error rules.
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "actors/service/service_spec.h"
#include "actors/transport/connect_codes.h"
#include "actors/transport/http_channel.h"
#include "actors/transport/rpc_server.h"
#include "framework/thread_pool.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "net/http/client.h"
#include "tests/net/http/gzip_testing.h"
#include "tests/net/test_certs.h"
#include "tests/proto/echo_service.h"

namespace evergreen {
namespace {

using test::Echo;
using test::EchoReply;
using test::EchoRequest;
using test::EchoService;
using ::testing::HasSubstr;

constexpr char kCurl[] = "/usr/bin/curl";

EchoRequest Say(std::string text, int sleep_ms = 0) {
  EchoRequest request;
  request.set_text(std::move(text));
  request.set_sleep_ms(sleep_ms);
  return request;
}

class HttpTransportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    echo_ = SpawnService<EchoService>("echo", {});
    ASSERT_TRUE(server_.Register<Echo>(echo_).ok());
    absl::StatusOr<SocketAddress> bound = server_.ListenHttp("127.0.0.1:0");
    ASSERT_TRUE(bound.ok()) << bound.status();
    base_ = absl::StrCat("http://127.0.0.1:", bound->port());
  }

  void TearDown() override {
    server_.Stop(absl::Seconds(1));
    echo_.Kill();
    EXPECT_TRUE(echo_.Join(absl::Seconds(30)));
  }

  // Runs curl on a pool thread (the hub keeps serving meanwhile); returns
  // stdout+stderr. Bounded by --max-time.
  std::string Curl(const std::string& arguments) {
    const std::string command = absl::StrCat(
        kCurl, " --silent --show-error --max-time 10 ", arguments, " 2>&1");
    return pool_.Apply([command] {
      std::string out;
      FILE* pipe = popen(command.c_str(), "r");
      if (pipe == nullptr) return std::string("popen failed");
      char buffer[4096];
      std::size_t n;
      while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) {
        out.append(buffer, n);
      }
      pclose(pipe);
      return out;
    });
  }

  std::string Url(absl::string_view method) const {
    return absl::StrCat(base_, "/evergreen.test.Echo/", method);
  }

  ActorRef<EchoService> echo_;
  RpcServer server_;
  std::string base_;
  ThreadPool pool_{{.max_threads = 2}};
};

// B-RPC11: the same generated client type over HTTP, binary and JSON.
TEST_F(HttpTransportTest, TypedClientCallsOverHttpInBothCodecs) {
  for (bool json : {false, true}) {
    Echo::Client client(Channel::Http(base_, {.json = json}));
    absl::StatusOr<EchoReply> reply =
        client.Say(Say("hi"), {.timeout = absl::Seconds(5),
                               .metadata = {{"tenant", "acme"}}});
    ASSERT_TRUE(reply.ok()) << reply.status();
    EXPECT_EQ(reply->text(), "hi");
    EXPECT_EQ(reply->tenant(), "acme");
    EXPECT_THAT(reply->peer(), HasSubstr("127.0.0.1"));
    // Connect-Timeout-Ms became the handler's deadline.
    EXPECT_GT(reply->deadline_ms(), 0);
    EXPECT_LE(reply->deadline_ms(), 5000);

    absl::StatusOr<EchoReply> unbounded = client.Say(Say("none"));
    ASSERT_TRUE(unbounded.ok()) << unbounded.status();
    EXPECT_EQ(unbounded->deadline_ms(), -1);
  }
}

// B-RPC11: a handler's error reaches the typed client with its code.
TEST_F(HttpTransportTest, HandlerErrorKeepsItsCode) {
  for (bool json : {false, true}) {
    Echo::Client client(Channel::Http(base_, {.json = json}));
    EchoRequest request = Say("boom");
    request.set_fail(true);
    absl::StatusOr<EchoReply> reply = client.Say(request);
    EXPECT_EQ(reply.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(reply.status().message(), HasSubstr("asked to fail: boom"));
  }
}

// B-RPC11: the deadline bounds a slow handler, on both sides.
TEST_F(HttpTransportTest, DeadlineBoundsSlowHandler) {
  Echo::Client client(Channel::Http(base_));
  const absl::Time start = absl::Now();
  absl::StatusOr<EchoReply> reply =
      client.Say(Say("slow", 5000), {.timeout = absl::Milliseconds(200)});
  EXPECT_EQ(reply.status().code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_LT(absl::Now() - start, absl::Seconds(3));
  // The server's own answer to a slow call (its deadline from the header).
  HttpClient http;
  HttpClientRequest request;
  request.method = "POST";
  request.url = Url("Say");
  request.headers = {{"Content-Type", "application/json"},
                     {"Connect-Timeout-Ms", "150"}};
  request.body = R"({"text":"slow","sleepMs":"5000"})";
  absl::StatusOr<HttpResult> result = http.Fetch(std::move(request));
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->status, 504);
  EXPECT_THAT(result->body, HasSubstr(R"("code":"deadline_exceeded")"));
  EXPECT_LT(absl::Now() - start, absl::Seconds(5));
}

TEST_F(HttpTransportTest, UnreachableServerIsUnavailable) {
  Echo::Client client(Channel::Http("http://127.0.0.1:1"));
  absl::StatusOr<EchoReply> reply =
      client.Say(Say("x"), {.timeout = absl::Seconds(5)});
  EXPECT_EQ(reply.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(reply.status().message(), HasSubstr("evergreen.test.Echo/Say"));
}

// The Connect protocol's refusals, over a plain HTTP client.
TEST_F(HttpTransportTest, ProtocolErrorsFollowConnect) {
  HttpClient http;
  auto post = [&](std::string url, HttpHeaders headers, std::string body) {
    HttpClientRequest request;
    request.method = "POST";
    request.url = std::move(url);
    request.headers = std::move(headers);
    request.body = std::move(body);
    absl::StatusOr<HttpResult> result = http.Fetch(std::move(request));
    EXPECT_TRUE(result.ok()) << result.status();
    return result.ok() ? *result : HttpResult();
  };
  HttpHeaders json = {{"Content-Type", "application/json"}};

  HttpResult unknown =
      post(absl::StrCat(base_, "/evergreen.test.Echo/Nope"), json, "{}");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_THAT(unknown.body, HasSubstr(R"("code":"unimplemented")"));
  EXPECT_EQ(unknown.headers.Get("Content-Type").value_or(""),
            "application/json");
  EXPECT_EQ(post(absl::StrCat(base_, "/no.Such/Service"), json, "{}").status,
            404);

  // Unknown JSON fields are ignored; bad JSON is invalid_argument.
  HttpResult extra = post(Url("Say"), json, R"({"text":"a","extra":[1,2]})");
  EXPECT_EQ(extra.status, 200);
  EXPECT_THAT(extra.body, HasSubstr(R"("text":"a")"));
  HttpResult bad = post(Url("Say"), json, "{not json");
  EXPECT_EQ(bad.status, 400);
  EXPECT_THAT(bad.body, HasSubstr(R"("code":"invalid_argument")"));

  EXPECT_EQ(post(Url("Say"), {{"Content-Type", "text/plain"}}, "x").status,
            415);
  HttpResult version = post(Url("Say"),
                            {{"Content-Type", "application/json"},
                             {"Connect-Protocol-Version", "2"}},
                            "{}");
  EXPECT_EQ(version.status, 400);
  HttpResult timeout = post(Url("Say"),
                            {{"Content-Type", "application/json"},
                             {"Connect-Timeout-Ms", "soon"}},
                            "{}");
  EXPECT_EQ(timeout.status, 400);
  EXPECT_THAT(timeout.body, HasSubstr("Connect-Timeout-Ms"));
  // Compression other than gzip is unimplemented, naming gzip; gzip that
  // is not is invalid_argument.
  HttpResult brotli = post(Url("Say"),
                           {{"Content-Type", "application/json"},
                            {"Content-Encoding", "br"}},
                           "{}");
  EXPECT_EQ(brotli.status, 501);
  EXPECT_THAT(brotli.body, HasSubstr(R"("code":"unimplemented")"));
  EXPECT_EQ(brotli.headers.Get("Accept-Encoding").value_or(""), "gzip");
  HttpResult corrupt = post(Url("Say"),
                            {{"Content-Type", "application/json"},
                             {"Content-Encoding", "gzip"}},
                            "{}");
  EXPECT_EQ(corrupt.status, 400);
  EXPECT_THAT(corrupt.body, HasSubstr(R"("code":"invalid_argument")"));
  // Accept-Encoding asks; a small reply stays identity.
  HttpResult accept = post(Url("Say"),
                           {{"Content-Type", "application/json"},
                            {"Accept-Encoding", "gzip, br"}},
                           R"({"text":"plain"})");
  EXPECT_EQ(accept.status, 200);
  EXPECT_FALSE(accept.headers.Get("Content-Encoding").has_value());

  absl::StatusOr<HttpResult> get = http.Get(Url("Say"));
  ASSERT_TRUE(get.ok());
  EXPECT_EQ(get->status, 405);
  EXPECT_EQ(get->headers.Get("Allow").value_or(""), "POST");
}

// Connect unary compression: a gzip request body, and a gzip reply when
// Accept-Encoding allows it and the reply is at least 1 KiB.
TEST_F(HttpTransportTest, GzipBothWays) {
  HttpClient http;
  const std::string text(4000, 'g');
  HttpClientRequest request;
  request.method = "POST";
  request.url = Url("Say");
  request.headers = {{"Content-Type", "application/json"},
                     {"Content-Encoding", "gzip"},
                     {"Accept-Encoding", "gzip"}};
  request.body = testing::Gzip(absl::StrCat(R"({"text":")", text, R"("})"));
  absl::StatusOr<HttpResult> result = http.Fetch(std::move(request));
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->status, 200);
  EXPECT_EQ(result->headers.Get("Content-Encoding").value_or(""), "gzip");
  EXPECT_LT(result->body.size(), text.size() / 4);
  EXPECT_THAT(testing::Gunzip(result->body), HasSubstr(text));
}

// B-RPC11: curl, the way a reader would call a service.
TEST_F(HttpTransportTest, CurlCallsWithJsonAndBinaryBodies) {
  if (access(kCurl, X_OK) != 0) {
    GTEST_SKIP() << "curl is not installed (" << kCurl
                 << "): apt-get install curl to run this interop test";
  }
  // JSON, with Content-Length and chunked.
  EXPECT_THAT(Curl(absl::StrCat("-H 'Content-Type: application/json' "
                                "-d '{\"text\":\"from curl\"}' ",
                                Url("Say"))),
              HasSubstr(R"("text":"from curl")"));
  EXPECT_THAT(Curl(absl::StrCat("-H 'Content-Type: application/json' "
                                "-H 'Transfer-Encoding: chunked' "
                                "-d '{\"text\":\"chunked\"}' ",
                                Url("Say"))),
              HasSubstr(R"("text":"chunked")"));

  // Binary: the body serialised here, the reply parsed here.
  const std::string dir =
      getenv("TEST_TMPDIR") != nullptr ? getenv("TEST_TMPDIR") : "/tmp";
  const std::string request_file = absl::StrCat(dir, "/say.bin");
  const std::string reply_file = absl::StrCat(dir, "/reply.bin");
  {
    std::ofstream out(request_file, std::ios::binary);
    out << Say("binary body").SerializeAsString();
  }
  std::string head = Curl(absl::StrCat(
      "-D - -o ", reply_file, " -H 'Content-Type: application/proto' "
      "-H 'Connect-Protocol-Version: 1' --data-binary @",
      request_file, " ", Url("Say")));
  EXPECT_THAT(head, HasSubstr("200 OK"));
  EXPECT_THAT(head, HasSubstr("Content-Type: application/proto"));
  std::ifstream in(reply_file, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)),
                    std::istreambuf_iterator<char>());
  EchoReply reply;
  ASSERT_TRUE(reply.ParseFromString(bytes));
  EXPECT_EQ(reply.text(), "binary body");

  // An error, as Connect's JSON with its HTTP status.
  std::string error = Curl(absl::StrCat(
      "-i -H 'Content-Type: application/json' "
      "-d '{\"text\":\"x\",\"fail\":true}' ",
      Url("Say")));
  EXPECT_THAT(error, HasSubstr("HTTP/1.1 400"));
  EXPECT_THAT(error, HasSubstr(
      R"({"code":"invalid_argument","message":"asked to fail: x"})"));

  // Connect-Timeout-Ms bounds a slow handler.
  const absl::Time start = absl::Now();
  std::string slow = Curl(absl::StrCat(
      "-i -H 'Content-Type: application/json' -H 'Connect-Timeout-Ms: 200' "
      "-d '{\"text\":\"slow\",\"sleepMs\":5000}' ",
      Url("Say")));
  EXPECT_THAT(slow, HasSubstr("HTTP/1.1 504"));
  EXPECT_THAT(slow, HasSubstr(R"("code":"deadline_exceeded")"));
  EXPECT_LT(absl::Now() - start, absl::Seconds(4));

  // Unknown method: 404 unimplemented.
  std::string unknown = Curl(absl::StrCat(
      "-i -H 'Content-Type: application/json' -d '{}' ", Url("Missing")));
  EXPECT_THAT(unknown, HasSubstr("HTTP/1.1 404"));
  EXPECT_THAT(unknown, HasSubstr(R"("code":"unimplemented")"));
}

// Other handlers live beside the services on one HttpServer.
TEST_F(HttpTransportTest, MountsBesideOtherHandlers) {
  HttpMux mux;
  ASSERT_TRUE(server_.MountHttp(mux).ok());
  ASSERT_TRUE(mux.Handle("/health", [](HttpRequest&, HttpResponse& response) {
                   response.Send(200, "ok\n").IgnoreError();
                 }).ok());
  HttpServer http(*SocketAddress::Parse("127.0.0.1:0"), mux.AsHandler());
  ASSERT_TRUE(http.Start().ok());
  const std::string base = absl::StrCat("http://127.0.0.1:", http.address().port());
  HttpClient client;
  absl::StatusOr<HttpResult> health = client.Get(base + "/health");
  ASSERT_TRUE(health.ok());
  EXPECT_EQ(health->body, "ok\n");
  Echo::Client echo(Channel::Http(base));
  absl::StatusOr<EchoReply> reply = echo.Say(Say("mounted"));
  ASSERT_TRUE(reply.ok()) << reply.status();
  EXPECT_EQ(reply->text(), "mounted");
  http.Stop(absl::Seconds(1));
}

// The same over HTTPS, verified against the test CA.
TEST_F(HttpTransportTest, HttpsWithVerifiedCertificate) {
  const TestPki& pki = TestCertificates();
  TlsServerOptions server_options;
  server_options.certificate = pki.server.AsCertificate();
  absl::StatusOr<TlsContext> server_context = TlsContext::Server(server_options);
  ASSERT_TRUE(server_context.ok()) << server_context.status();
  absl::StatusOr<SocketAddress> bound =
      server_.ListenHttps("127.0.0.1:0", *std::move(server_context));
  ASSERT_TRUE(bound.ok()) << bound.status();
  TlsClientOptions client_options;
  client_options.ca = PemSource::Text(pki.ca_pem);
  absl::StatusOr<TlsContext> client_context = TlsContext::Client(client_options);
  ASSERT_TRUE(client_context.ok());
  const std::string url = absl::StrCat("https://localhost:", bound->port());
  Echo::Client client(Channel::Http(url, {.tls = *client_context}));
  absl::StatusOr<EchoReply> reply = client.Say(Say("secure"));
  ASSERT_TRUE(reply.ok()) << reply.status();
  EXPECT_EQ(reply->text(), "secure");

  TlsClientOptions untrusting;
  untrusting.ca = PemSource::Text(pki.other_ca_pem);
  absl::StatusOr<TlsContext> other = TlsContext::Client(untrusting);
  ASSERT_TRUE(other.ok());
  Echo::Client refused(Channel::Http(url, {.tls = *other}));
  EXPECT_EQ(refused.Say(Say("x")).status().code(),
            absl::StatusCode::kUnavailable);
}

TEST(ConnectCodesTest, TableRoundTrips) {
  EXPECT_EQ(ConnectHttpStatus(absl::StatusCode::kInvalidArgument), 400);
  EXPECT_EQ(ConnectHttpStatus(absl::StatusCode::kDeadlineExceeded), 504);
  EXPECT_EQ(ConnectHttpStatus(absl::StatusCode::kUnimplemented), 501);
  EXPECT_EQ(ConnectHttpStatus(absl::StatusCode::kResourceExhausted), 429);
  EXPECT_EQ(ConnectHttpStatus(absl::StatusCode::kUnauthenticated), 401);
  EXPECT_EQ(ConnectHttpStatus(absl::StatusCode::kCancelled), 499);
  for (int c = 1; c <= 16; ++c) {
    const auto code = static_cast<absl::StatusCode>(c);
    absl::Status back = ConnectErrorFromResponse(
        ConnectHttpStatus(code), "application/json",
        ConnectErrorJson(absl::Status(code, "why \"quoted\"\n")));
    EXPECT_EQ(back.code(), code);
    EXPECT_EQ(back.message(), "why \"quoted\"\n");
  }
  EXPECT_EQ(ConnectErrorFromResponse(503, "text/html", "<h1>down</h1>").code(),
            absl::StatusCode::kUnavailable);
}

// B-RPC11, client side: what a Connect error body means, and what a body
// that is not one falls back to (the HTTP status's code, the body quoted).
TEST(ConnectCodesTest, ErrorBodiesAreReadAsConnectDefinesThem) {
  const absl::Status full = ConnectErrorFromResponse(
      404, "application/json; charset=utf-8",
      R"({"code":"not_found","message":"no \u00e9 key",)"
      R"("details":[{"type":"t","value":"AA"}],"extra":{"a":[1]}})");
  EXPECT_EQ(full, absl::NotFoundError("no \xc3\xa9 key"));
  // A name Connect does not define; no message.
  EXPECT_EQ(ConnectErrorFromResponse(500, "application/json",
                                     R"({"code":"on_fire"})"),
            absl::UnknownError(""));
  // Not Connect errors: the HTTP status decides, the body is quoted.
  const struct {
    int http_status;
    const char* body;
  } kNotConnect[] = {
      {503, "not json"},
      {503, "[\"code\",\"not_found\"]"},
      {503, R"({"code":5,"message":"numeric code"})"},
      {503, R"({"code":null})"},
      {503, R"({"message":"no code"})"},
      {503, R"({"code":"not_found","message":{"nested":true}})"},
      {503, R"({"code":"not_found")"},
  };
  for (const auto& c : kNotConnect) {
    EXPECT_EQ(ConnectErrorFromResponse(c.http_status, "application/json",
                                       c.body),
              absl::UnavailableError(absl::StrCat("HTTP 503: ", c.body)))
        << c.body;
  }
  // The quote is bounded.
  const std::string big(5000, 'x');
  EXPECT_EQ(ConnectErrorFromResponse(404, "application/json", big),
            absl::UnimplementedError(
                absl::StrCat("HTTP 404: ", big.substr(0, 200))));
  // JSON under another content type is not read.
  EXPECT_EQ(
      ConnectErrorFromResponse(429, "text/plain", R"({"code":"aborted"})")
          .code(),
      absl::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace evergreen
