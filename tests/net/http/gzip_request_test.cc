// HttpServer and "Content-Encoding: gzip" request bodies (docs/http.md,
// "What the server decides for you"): decompressed for the handler, bounded
// once decompressed (413), corrupt data 400, other codings untouched.
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "framework/hub.h"
#include "gtest/gtest.h"
#include "net/http/client.h"
#include "net/http/server.h"
#include "tests/net/http/gzip_testing.h"

namespace evergreen {
namespace {

using ::evergreen::testing::Gzip;

constexpr absl::Duration kPatience = absl::Seconds(10);

// Echoes what the handler saw; says nothing when the body read fails (the
// server answers for it then).
void Describe(HttpRequest& request, HttpResponse& response) {
  absl::StatusOr<std::string> body = request.body().ReadAll(64 << 20);
  if (!body.ok()) return;
  response
      .Send(200, *body,
            {{"X-Encoding",
              request.headers().Get("Content-Encoding").value_or("none")},
             {"X-Length", request.content_length()
                              ? absl::StrCat(*request.content_length())
                              : "none"}})
      .IgnoreError();
}

class GzipRequestTest : public ::testing::Test {
 protected:
  void StartServer(HttpServerOptions options = {}) {
    server_ = std::make_unique<HttpServer>(*SocketAddress::Parse("127.0.0.1:0"),
                                           &Describe, options);
    ASSERT_TRUE(server_->Start().ok());
  }
  void TearDown() override {
    if (server_ != nullptr) server_->Stop(kPatience);
  }
  HttpResult Post(std::string body, absl::string_view encoding = "gzip") {
    HttpClientRequest request;
    request.method = "POST";
    request.url = absl::StrCat("http://", server_->address().ToString(), "/");
    request.headers.Add("Content-Encoding", encoding);
    request.body = std::move(body);
    absl::StatusOr<HttpResult> got = client_.Fetch(std::move(request));
    EXPECT_TRUE(got.ok()) << got.status();
    return got.ok() ? *std::move(got) : HttpResult{};
  }

  std::unique_ptr<HttpServer> server_;
  HttpClient client_;
};

TEST_F(GzipRequestTest, HandlerReadsTheDecompressedBody) {
  StartServer();
  std::string text;
  for (int i = 0; i < 20000; ++i) absl::StrAppend(&text, "line ", i, "\n");
  HttpResult got = Post(Gzip(text));
  EXPECT_EQ(got.status, 200);
  EXPECT_EQ(got.body, text);
  // The coding is undone: the handler sees neither it nor the compressed
  // length.
  EXPECT_EQ(got.headers.Get("X-Encoding"), "none");
  EXPECT_EQ(got.headers.Get("X-Length"), "none");

  // Two members one after the other are one body; x-gzip is gzip; an
  // empty body is empty. The connection stays usable throughout.
  got = Post(absl::StrCat(Gzip("first, "), Gzip("second")), "x-gzip");
  EXPECT_EQ(got.status, 200);
  EXPECT_EQ(got.body, "first, second");
  got = Post("");
  EXPECT_EQ(got.status, 200);
  EXPECT_EQ(got.body, "");
  EXPECT_EQ(server_->connection_count(), 1);
}

TEST_F(GzipRequestTest, DecompressedSizeOverTheLimitIs413) {
  HttpServerOptions options;
  options.max_decompressed_body_bytes = 64 * 1024;
  StartServer(options);
  const std::string bomb = Gzip(std::string(16 << 20, '\0'));  // ~16 KiB
  ASSERT_LT(bomb.size(), 64u * 1024);
  HttpResult got = Post(bomb);
  EXPECT_EQ(got.status, 413);
  // Exactly at the limit is fine.
  got = Post(Gzip(std::string(64 * 1024, 'a')));
  EXPECT_EQ(got.status, 200);
  EXPECT_EQ(got.body.size(), 64u * 1024);
}

TEST_F(GzipRequestTest, CorruptOrTruncatedGzipIs400) {
  StartServer();
  EXPECT_EQ(Post("this is not gzip").status, 400);
  const std::string whole = Gzip(std::string(10000, 'z'));
  EXPECT_EQ(Post(whole.substr(0, whole.size() / 2)).status, 400);
  EXPECT_EQ(Post(absl::StrCat(whole, "trailing junk")).status, 400);
}

TEST_F(GzipRequestTest, OtherCodingsAndTheOptOutReachTheHandlerAsSent) {
  HttpServerOptions options;
  options.decompress_gzip_requests = false;
  StartServer(options);
  const std::string compressed = Gzip("raw");
  HttpResult got = Post(compressed);
  EXPECT_EQ(got.body, compressed);
  EXPECT_EQ(got.headers.Get("X-Encoding"), "gzip");
  EXPECT_EQ(got.headers.Get("X-Length"), absl::StrCat(compressed.size()));
  server_->Stop(kPatience);

  StartServer();
  got = Post("brotli bytes", "br");
  EXPECT_EQ(got.status, 200);
  EXPECT_EQ(got.body, "brotli bytes");
  EXPECT_EQ(got.headers.Get("X-Encoding"), "br");
  got = Post("two codings", "gzip, br");
  EXPECT_EQ(got.body, "two codings");
  EXPECT_EQ(got.headers.Get("X-Encoding"), "gzip, br");
}

}  // namespace
}  // namespace evergreen
