// The Evergreen side of the TCP echo comparison: a StreamServer whose
// handler, in each connection's greenlet, receives up to 4 KiB and sends it
// back, until EOF. Prints "port <n>" once listening; serves until killed.
//
// Fair because it is the handler a user would write (the one in
// net/stream_server.h's overview) with a stack buffer instead of a string
// per message, doing what the raw libev server (libev_echo.c) and gevent's
// StreamServer (gevent_echo.py) do per readable connection: one recv, one
// send of what it got. All three are driven by echo_load on loopback, each
// pinned by run.py to the same core.
//
// Usage: evergreen_echo [port=0]
#include <cstddef>
#include <cstdio>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "bench/net/serve_common.h"
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
  absl::StatusOr<SocketAddress> address =
      LoopbackAddress(argc > 1 ? argv[1] : "0");
  if (argc > 2 || !address.ok()) {
    std::fprintf(stderr, "usage: evergreen_echo [port=0]\n");
    return 2;
  }
  StreamServer server(*address, Echo);
  return AnnounceAndServe(server);
}

}  // namespace
}  // namespace evergreen::bench

int main(int argc, char** argv) { return evergreen::bench::Main(argc, argv); }
