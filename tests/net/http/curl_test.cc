// Interop: the system curl (/usr/bin/curl) against HttpServer on loopback.
#include <unistd.h>

#include <cstdio>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "net/http/server.h"
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
    response
        .Send(200, body.ok() ? *body : std::string(body.status().message()),
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

}  // namespace
}  // namespace evergreen
