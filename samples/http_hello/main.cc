// A tiny HTTP server: every request is answered by a plain function running
// in its connection's greenlet, written as if it had a thread to itself.
//
//   bazel run //samples/http_hello -- --port=8080
//   curl -i http://127.0.0.1:8080/
//   curl -i --data-binary 'echo me' http://127.0.0.1:8080/echo
//
// "/" says hello; "/echo" returns the request body (read as it arrives,
// chunked or not); anything else is 404.
#include <cstdio>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/strip.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "framework/hub.h"
#include "net/address.h"
#include "net/http/server.h"

namespace {

void Handle(evergreen::HttpRequest& request,
            evergreen::HttpResponse& response) {
  if (request.path() == "/") {
    response.Send(200, "Hello, World!\n", {{"Content-Type", "text/plain"}})
        .IgnoreError();
  } else if (request.path() == "/echo") {
    absl::StatusOr<std::string> body = request.body().ReadAll(1 << 20);
    if (!body.ok()) {
      response.Send(400, absl::StrCat(body.status().message(), "\n"))
          .IgnoreError();
      return;
    }
    response.Send(200, *body, {{"Content-Type", "application/octet-stream"}})
        .IgnoreError();
  } else {
    response.Send(404, "not found\n", {{"Content-Type", "text/plain"}})
        .IgnoreError();
  }
}

}  // namespace

int main(int argc, char** argv) {
  int port = 8080;
  for (int i = 1; i < argc; ++i) {
    absl::string_view arg = argv[i];
    if (!absl::ConsumePrefix(&arg, "--port=") || !absl::SimpleAtoi(arg, &port)) {
      std::fprintf(stderr, "usage: http_hello [--port=8080]\n");
      return 2;
    }
  }
  evergreen::HttpServer server(
      *evergreen::SocketAddress::Parse(absl::StrCat("127.0.0.1:", port)),
      &Handle);
  if (absl::Status started = server.Start(); !started.ok()) {
    std::fprintf(stderr, "http_hello: %s\n", started.ToString().c_str());
    return 1;
  }
  std::printf("serving on http://%s/\n", server.address().ToString().c_str());
  std::fflush(stdout);
  absl::Status served = server.ServeForever();
  return served.ok() ? 0 : 1;
}
