// What the net suite's Evergreen servers (evergreen_echo, evergreen_tls)
// share: the loopback address they bind, and announcing the bound port to
// run.py before serving until killed.
//
//   absl::StatusOr<SocketAddress> address = bench::LoopbackAddress(argv[1]);
//   StreamServer server(*address, Echo);
//   return bench::AnnounceAndServe(server);
#ifndef EVERGREEN_BENCH_NET_SERVE_COMMON_H_
#define EVERGREEN_BENCH_NET_SERVE_COMMON_H_

#include "absl/status/statusor.h"
#include "net/address.h"
#include "net/base_server.h"

namespace evergreen::bench {

// 127.0.0.1:<port> (port "0": any free port). Errors: InvalidArgument.
absl::StatusOr<SocketAddress> LoopbackAddress(const char* port);

// Starts `server`, prints "port <n>" (the bound port) on stdout, the line
// run.py waits for, and serves until the process is killed. Returns the
// process's exit status: 1, with the reason on stderr, if it cannot start.
int AnnounceAndServe(BaseServer& server);

}  // namespace evergreen::bench

#endif  // EVERGREEN_BENCH_NET_SERVE_COMMON_H_
