// Connect unary over HTTP vs the same service over the TCP transport
// (`./dev bench http` runs it; run.py prints the comparison line).
//
//   connect_unary SECONDS     prints "<http calls/s> <tcp calls/s>"
//
// One process, one hub: an RpcServer listening with ListenHttp and
// ListenTcp, and 16 greenlets calling Echo/Call (64-byte payload) through
// the same generated client over Channel::Http, then over Channel::Tcp,
// for SECONDS each after a warm-up. Client and server share the core, so
// the rates compare the transports' costs, not a deployment's throughput.
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "actors/service/service_spec.h"
#include "actors/transport/http_channel.h"
#include "actors/transport/rpc_server.h"
#include "actors/transport/tcp_channel.h"
#include "bench/http/connect_bench.evg.h"
#include "framework/greenlet.h"
#include "framework/hub.h"

namespace {

using bench::http::Blob;

constexpr int kCallers = 16;

class EchoService : public bench::http::Echo::Service {
 public:
  absl::StatusOr<Blob> Call(const Blob& request,
                            evergreen::CallContext&) override {
    return request;
  }
};

// Calls per second through `channel`, kCallers at a time, for `seconds`;
// -1 on a failed call.
double Rate(const evergreen::Channel& channel, absl::Duration seconds) {
  bench::http::Echo::Client client(channel);
  Blob request;
  request.set_data(std::string(64, 'x'));
  long calls = 0;
  long failures = 0;
  const absl::Time start = absl::Now();
  const absl::Time end = start + seconds;
  std::vector<evergreen::Greenlet<void>> callers;
  for (int i = 0; i < kCallers; ++i) {
    callers.push_back(evergreen::Spawn([&] {
      while (absl::Now() < end && failures == 0) {
        absl::StatusOr<Blob> reply =
            client.Call(request, {.timeout = absl::Seconds(5)});
        if (reply.ok()) {
          ++calls;
        } else {
          if (failures++ == 0) {
            std::fprintf(stderr, "call failed: %s\n",
                         reply.status().ToString().c_str());
          }
        }
      }
    }));
  }
  for (auto& caller : callers) caller.Join();
  if (failures > 0) return -1;
  return calls / absl::ToDoubleSeconds(absl::Now() - start);
}

}  // namespace

int main(int argc, char** argv) {
  const int seconds = argc > 1 ? std::atoi(argv[1]) : 5;
  if (seconds <= 0 || seconds > 60) {
    std::fprintf(stderr, "usage: connect_unary SECONDS (1..60)\n");
    return 2;
  }
  auto service = evergreen::SpawnService<EchoService>("echo", {});
  evergreen::RpcServer server;
  (void)server.Register<bench::http::Echo>(service);
  absl::StatusOr<evergreen::SocketAddress> http =
      server.ListenHttp("127.0.0.1:0");
  absl::StatusOr<evergreen::SocketAddress> tcp =
      server.ListenTcp("127.0.0.1:0");
  if (!http.ok() || !tcp.ok()) {
    std::fprintf(stderr, "listen failed\n");
    return 1;
  }
  evergreen::Channel over_http = evergreen::Channel::Http(
      absl::StrCat("http://127.0.0.1:", http->port()));
  evergreen::Channel over_tcp = evergreen::Channel::Tcp(tcp->ToString());
  Rate(over_http, absl::Milliseconds(300));  // warm-up: connections, caches
  Rate(over_tcp, absl::Milliseconds(300));
  const double http_rate = Rate(over_http, absl::Seconds(seconds));
  const double tcp_rate = Rate(over_tcp, absl::Seconds(seconds));
  server.Stop(absl::Seconds(1));
  service.Kill();
  if (http_rate < 0 || tcp_rate < 0) return 1;
  std::printf("%.1f %.1f\n", http_rate, tcp_rate);
  return 0;
}
