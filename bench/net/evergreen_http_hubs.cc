// The Evergreen side of the HTTP scaling line: the HTTP hello server of
// bench/http (evergreen_hello: "Hello, World!\n", text/plain, keep-alive),
// one HttpServer on each of N hubs (a HubGroup, one thread per hub) sharing
// one port with SO_REUSEPORT (ServerOnHubs). Prints "port <n>" once every
// hub listens; serves until killed.
//
// Usage: evergreen_http_hubs <hubs> [port=0]
#include <unistd.h>

#include <cstdio>
#include <memory>

#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "bench/net/serve_common.h"
#include "framework/hub_group.h"
#include "net/http/server.h"
#include "net/server_on_hubs.h"

namespace evergreen::bench {
namespace {

void Hello(HttpRequest&, HttpResponse& response) {
  response.Send(200, "Hello, World!\n", {{"Content-Type", "text/plain"}})
      .IgnoreError();
}

int Main(int argc, char** argv) {
  int hubs_wanted = 0;
  absl::StatusOr<SocketAddress> address =
      LoopbackAddress(argc > 2 ? argv[2] : "0");
  if (argc < 2 || argc > 3 || !absl::SimpleAtoi(argv[1], &hubs_wanted) ||
      hubs_wanted < 1 || !address.ok()) {
    std::fprintf(stderr, "usage: evergreen_http_hubs <hubs> [port=0]\n");
    return 2;
  }
  HubGroup hubs({.threads = hubs_wanted});
  auto servers = ServerOnHubs<HttpServer>::Start(
      hubs, *address, [](const SocketAddress& at, int) {
        HttpServerOptions options;
        options.stream.reuse_port = true;
        return std::make_unique<HttpServer>(at, Hello, options);
      });
  if (!servers.ok()) {
    std::fprintf(stderr, "%s\n", servers.status().ToString().c_str());
    return 1;
  }
  std::printf("port %d\n", (*servers)->address().port());
  std::fflush(stdout);
  for (;;) pause();  // until killed
}

}  // namespace
}  // namespace evergreen::bench

int main(int argc, char** argv) { return evergreen::bench::Main(argc, argv); }
