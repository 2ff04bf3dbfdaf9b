#include "bench/net/serve_common.h"

#include <cstdio>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace evergreen::bench {

absl::StatusOr<SocketAddress> LoopbackAddress(const char* port) {
  int number = -1;
  if (!absl::SimpleAtoi(port, &number) || number < 0 || number > 65535) {
    return absl::InvalidArgumentError(absl::StrCat("bad port: ", port));
  }
  return SocketAddress::FromHostPort("127.0.0.1", number);
}

int AnnounceAndServe(BaseServer& server) {
  if (absl::Status started = server.Start(); !started.ok()) {
    std::fprintf(stderr, "%s\n", started.ToString().c_str());
    return 1;
  }
  std::printf("port %d\n", server.address().port());
  std::fflush(stdout);
  return server.ServeForever().ok() ? 0 : 1;
}

}  // namespace evergreen::bench
