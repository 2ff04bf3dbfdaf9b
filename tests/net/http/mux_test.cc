// HttpMux: prefix routing, longest match first, 404 otherwise.
#include "net/http/mux.h"

#include <string>
#include <utility>

#include "absl/strings/str_cat.h"

#include "gtest/gtest.h"
#include "net/http/server.h"
#include "tests/net/http/raw_client.h"

namespace evergreen {
namespace {

using testing_http::RawClient;
using testing_http::RawResponse;

HttpHandler Say(std::string what) {
  return [what](HttpRequest&, HttpResponse& response) {
    response.Send(200, what).IgnoreError();
  };
}

TEST(MuxTest, LongestPatternWinsAndExactPatternsMatchOnlyThemselves) {
  HttpMux mux;
  ASSERT_TRUE(mux.Handle("/", Say("root")).ok());
  ASSERT_TRUE(mux.Handle("/api/", Say("api")).ok());
  ASSERT_TRUE(mux.Handle("/api/kv.Store/", Say("service")).ok());
  ASSERT_TRUE(mux.Handle("/health", Say("health")).ok());
  EXPECT_TRUE(absl::IsAlreadyExists(mux.Handle("/api/", Say("x"))));
  EXPECT_TRUE(absl::IsInvalidArgument(mux.Handle("api", Say("x"))));

  HttpServer server(*SocketAddress::Parse("127.0.0.1:0"), mux.AsHandler());
  ASSERT_TRUE(server.Start().ok());
  RawClient client = RawClient::Connect(server.address());
  const std::pair<const char*, const char*> cases[] = {
      {"/", "root"},
      {"/other", "root"},
      {"/api/", "api"},
      {"/api/x?y=/api/kv.Store/", "api"},
      {"/api/kv.Store/Get", "service"},
      {"/health", "health"},
      {"/healthz", "root"},
  };
  for (const auto& [path, body] : cases) {
    SCOPED_TRACE(path);
    ASSERT_TRUE(
        client.Send(absl::StrCat("GET ", path, " HTTP/1.1\r\nHost: a\r\n\r\n"))
            .ok());
    absl::StatusOr<RawResponse> response = client.Read();
    ASSERT_TRUE(response.ok()) << response.status();
    EXPECT_EQ(response->body, body);
  }
}

TEST(MuxTest, NoMatchIs404) {
  HttpMux mux;
  ASSERT_TRUE(mux.Handle("/only/", Say("only")).ok());
  HttpServer server(*SocketAddress::Parse("127.0.0.1:0"), mux.AsHandler());
  ASSERT_TRUE(server.Start().ok());
  RawClient client = RawClient::Connect(server.address());
  ASSERT_TRUE(client.Send("GET /only HTTP/1.1\r\nHost: a\r\n\r\n").ok());
  absl::StatusOr<RawResponse> response = client.Read();
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->status, 404);
}

}  // namespace
}  // namespace evergreen
