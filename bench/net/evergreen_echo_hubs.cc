// The Evergreen side of the scaling line: the same echo handler as
// evergreen_echo, served by a StreamServer on each of N hubs (a HubGroup,
// one thread per hub) sharing one port with SO_REUSEPORT (ServerOnHubs).
// Prints "port <n>" once every hub listens; serves until killed.
//
// Usage: evergreen_echo_hubs <hubs> [port=0]
#include <unistd.h>

#include <cstddef>
#include <cstdio>
#include <memory>

#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/strings/string_view.h"
#include "bench/net/serve_common.h"
#include "framework/hub_group.h"
#include "net/server_on_hubs.h"
#include "net/socket.h"
#include "net/stream_server.h"

namespace evergreen::bench {
namespace {

void Echo(Socket& connection, const SocketAddress&) {
  char buffer[4096];
  for (;;) {
    absl::StatusOr<std::size_t> n = connection.RecvInto(buffer, sizeof(buffer));
    if (!n.ok() || *n == 0) return;  // error or EOF
    if (!connection.SendAll(absl::string_view(buffer, *n)).ok()) return;
  }
}

int Main(int argc, char** argv) {
  int hubs_wanted = 0;
  absl::StatusOr<SocketAddress> address =
      LoopbackAddress(argc > 2 ? argv[2] : "0");
  if (argc < 2 || argc > 3 || !absl::SimpleAtoi(argv[1], &hubs_wanted) ||
      hubs_wanted < 1 || !address.ok()) {
    std::fprintf(stderr, "usage: evergreen_echo_hubs <hubs> [port=0]\n");
    return 2;
  }
  HubGroup hubs({.threads = hubs_wanted});
  auto servers = ServerOnHubs<StreamServer>::Start(
      hubs, *address, [](const SocketAddress& at, int) {
        StreamServerOptions options;
        options.reuse_port = true;
        return std::make_unique<StreamServer>(at, Echo, options);
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
