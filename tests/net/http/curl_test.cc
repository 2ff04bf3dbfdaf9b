// Interop: the system curl (/usr/bin/curl) against HttpServer on loopback.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "net/http/server.h"
#include "tests/net/http/gzip_testing.h"
#include "tests/net/http/server_thread.h"

namespace evergreen {
namespace {

using ::testing::HasSubstr;

constexpr char kCurl[] = "/usr/bin/curl";

// Runs `arguments` through curl (bounded by --max-time); stdout+stderr.
std::string Curl(const std::string& arguments) {
  const std::string command =
      absl::StrCat(kCurl, " --silent --show-error --max-time 10 ", arguments,
                   " 2>&1");
  std::string out;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return "popen failed";
  char buffer[4096];
  std::size_t n;
  while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) out.append(buffer, n);
  pclose(pipe);
  return out;
}

void Handle(HttpRequest& request, HttpResponse& response) {
  if (request.path() == "/echo") {
    absl::StatusOr<std::string> body = request.body().ReadAll();
    if (!body.ok()) return;  // the server answers: 413, 400, ...
    response
        .Send(200, *body,
              {{"X-Chunked", request.content_length() ? "no" : "yes"}})
        .IgnoreError();
  } else if (request.path() == "/stream") {
    response.Start(200).IgnoreError();
    for (const char* piece : {"one ", "two ", "three"}) {
      response.Write(piece).IgnoreError();
    }
  } else {
    response.Send(200, "hello\n", {{"Content-Type", "text/plain"}})
        .IgnoreError();
  }
}

class CurlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (access(kCurl, X_OK) != 0) {
      GTEST_SKIP() << "curl is not installed (" << kCurl
                   << "): apt-get install curl to run this interop test";
    }
  }
};

TEST_F(CurlTest, CurlTalksToTheServer) {
  ServerThread server(&Handle);
  ASSERT_FALSE(server.address().empty());

  EXPECT_EQ(Curl(server.Url("/")), "hello\n");

  // Two transfers in one curl run share the kept-alive connection.
  EXPECT_EQ(Curl(absl::StrCat("-o /dev/null -o /dev/null -w '%{num_connects} ' ",
                              server.Url("/"), " ", server.Url("/"))),
            "1 0 ");

  // A chunked upload, and one with Expect: 100-continue.
  std::string chunked = Curl(absl::StrCat(
      "-i -H 'Transfer-Encoding: chunked' --data-binary 'abc' ",
      server.Url("/echo")));
  EXPECT_THAT(chunked, HasSubstr("X-Chunked: yes"));
  EXPECT_THAT(chunked, HasSubstr("\r\n\r\nabc"));
  std::string expect = Curl(absl::StrCat(
      "-i -H 'Expect: 100-continue' --data-binary 'xyz' ", server.Url("/echo")));
  EXPECT_THAT(expect, HasSubstr("HTTP/1.1 100 Continue"));
  EXPECT_THAT(expect, HasSubstr("\r\n\r\nxyz"));

  // A streamed response: chunked on 1.1, close-delimited on 1.0.
  EXPECT_EQ(Curl(server.Url("/stream")), "one two three");
  EXPECT_EQ(Curl(absl::StrCat("--http1.0 ", server.Url("/stream"))),
            "one two three");

  // HEAD.
  std::string head = Curl(absl::StrCat("-I ", server.Url("/")));
  EXPECT_THAT(head, HasSubstr("HTTP/1.1 200 OK"));
  EXPECT_THAT(head, HasSubstr("Content-Length: 6"));
}

// A file in the test's temporary folder holding `data`; its path.
std::string TempFile(const std::string& name, const std::string& data) {
  const char* folder = std::getenv("TEST_TMPDIR");
  const std::string path =
      absl::StrCat(folder != nullptr ? folder : "/tmp", "/", name);
  std::ofstream(path, std::ios::binary) << data;
  return path;
}

// curl --data-binary of gzipped bytes, as a reader would send them.
TEST_F(CurlTest, CurlSendsGzipBodies) {
  HttpServerOptions options;
  options.max_decompressed_body_bytes = 64 * 1024;
  ServerThread server(&Handle, options);
  ASSERT_FALSE(server.address().empty());
  const std::string gzip = "-H 'Content-Encoding: gzip' --data-binary @";

  const std::string text = "compressed on the wire, plain for the handler";
  EXPECT_EQ(Curl(absl::StrCat(gzip, TempFile("text.gz", testing::Gzip(text)),
                              " ", server.Url("/echo"))),
            text);
  const std::string status = " -o /dev/null -w '%{http_code}' ";
  EXPECT_EQ(Curl(absl::StrCat(
                gzip,
                TempFile("bomb.gz", testing::Gzip(std::string(1 << 20, 0))),
                status, server.Url("/echo"))),
            "413");
  EXPECT_EQ(Curl(absl::StrCat(gzip, TempFile("corrupt.gz", "not gzip at all"),
                              status, server.Url("/echo"))),
            "400");
}

}  // namespace
}  // namespace evergreen
