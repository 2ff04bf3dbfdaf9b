// The Evergreen side of the HTTP hello comparison: one HttpServer on one
// hub answering every request with "Hello, World!\n" (text/plain), the
// same bytes nginx's `return 200` and the pywsgi app send. Prints
// "port <n>" once listening; serves until killed.
//
// Usage: evergreen_hello [port=0]
#include <cstdio>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "net/address.h"
#include "net/http/server.h"

int main(int argc, char** argv) {
  int port = 0;
  if (argc > 1 && !absl::SimpleAtoi(argv[1], &port)) {
    std::fprintf(stderr, "usage: evergreen_hello [port]\n");
    return 2;
  }
  evergreen::HttpServer server(
      *evergreen::SocketAddress::Parse(absl::StrCat("127.0.0.1:", port)),
      [](evergreen::HttpRequest&, evergreen::HttpResponse& response) {
        response.Send(200, "Hello, World!\n", {{"Content-Type", "text/plain"}})
            .IgnoreError();
      });
  if (absl::Status started = server.Start(); !started.ok()) {
    std::fprintf(stderr, "%s\n", started.ToString().c_str());
    return 1;
  }
  std::printf("port %d\n", server.address().port());
  std::fflush(stdout);
  return server.ServeForever().ok() ? 0 : 1;
}
