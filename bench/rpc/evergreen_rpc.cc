// Evergreen's side of `./dev bench rpc` (run.py drives it):
//
//   evergreen_rpc server PORT [CERT KEY]      serve Bench until killed
//   evergreen_rpc client latency TARGET N [CA]     median us of N calls
//   evergreen_rpc client throughput TARGET N [CA]  calls/s, 64 in flight
//   evergreen_rpc inproc N                    calls/s: stub, then Ask
//   evergreen_rpc inproc N stub|ask           one side only (to profile it:
//                                             perf stat -e instructions)
//
// Each prints its result(s) as numbers on one line. One thread, one hub.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "actors/actor_ref.h"
#include "actors/service/service_spec.h"
#include "actors/transport/rpc_server.h"
#include "actors/transport/tcp_channel.h"
#include "bench/rpc/bench.evg.h"
#include "framework/greenlet.h"
#include "framework/hub.h"

namespace {

using bench::rpc::Blob;

class BenchService : public bench::rpc::Bench::Service {
 public:
  absl::StatusOr<Blob> Call(const Blob& request,
                            evergreen::CallContext&) override {
    return request;
  }
};

// The same work as a plain actor, for the in-process comparison.
class BenchActor : public evergreen::ActorBase {
 public:
  Blob Handle(Blob request) { return request; }
};

Blob Payload() {
  Blob blob;
  blob.set_data(std::string(64, 'x'));
  return blob;
}

int Serve(int argc, char** argv) {
  auto service = evergreen::SpawnService<BenchService>("bench", {});
  evergreen::RpcServer server;
  (void)server.Register<bench::rpc::Bench>(service);
  const std::string address = absl::StrCat("127.0.0.1:", argv[2]);
  absl::StatusOr<evergreen::SocketAddress> bound;
  if (argc >= 5) {
    absl::StatusOr<evergreen::TlsContext> context =
        evergreen::TlsContext::Server(
            {.certificate = {evergreen::PemSource::File(argv[3]),
                             evergreen::PemSource::File(argv[4])}});
    if (!context.ok()) {
      std::fprintf(stderr, "%s\n", context.status().ToString().c_str());
      return 1;
    }
    bound = server.ListenTls(address, *std::move(context));
  } else {
    bound = server.ListenTcp(address);
  }
  if (!bound.ok()) {
    std::fprintf(stderr, "%s\n", bound.status().ToString().c_str());
    return 1;
  }
  std::printf("ready\n");
  std::fflush(stdout);
  server.ServeForever();
  return 0;
}

int Client(int argc, char** argv) {
  const std::string mode = argv[2];
  const std::string target = argv[3];
  const int calls = std::atoi(argv[4]);
  std::unique_ptr<evergreen::TlsContext> tls;
  evergreen::TcpChannelOptions options;
  if (argc >= 6) {
    tls = std::make_unique<evergreen::TlsContext>(*evergreen::TlsContext::Client(
        {.ca = evergreen::PemSource::File(argv[5])}));
    options.tls = tls.get();
  }
  bench::rpc::Bench::Client client(evergreen::Channel::Tcp(target, options));
  const Blob request = Payload();
  if (!client.Call(request).ok()) {  // connect and warm up
    std::fprintf(stderr, "first call failed\n");
    return 1;
  }
  for (int i = 0; i < 1000; ++i) (void)client.Call(request);
  if (mode == "latency") {
    std::vector<double> us;
    us.reserve(calls);
    for (int i = 0; i < calls; ++i) {
      const absl::Time start = absl::Now();
      if (!client.Call(request).ok()) return 1;
      us.push_back(absl::ToDoubleMicroseconds(absl::Now() - start));
    }
    std::nth_element(us.begin(), us.begin() + us.size() / 2, us.end());
    std::printf("%.3f\n", us[us.size() / 2]);
    return 0;
  }
  constexpr int kInFlight = 64;
  int left = calls;
  int failures = 0;
  const absl::Time start = absl::Now();
  std::vector<evergreen::Greenlet<void>> callers;
  for (int i = 0; i < kInFlight; ++i) {
    callers.push_back(evergreen::Spawn([&] {
      while (left > 0) {
        --left;
        if (!client.Call(request).ok()) ++failures;
      }
    }));
  }
  for (auto& caller : callers) caller.Join();
  const double seconds = absl::ToDoubleSeconds(absl::Now() - start);
  if (failures > 0) return 1;
  std::printf("%.1f\n", calls / seconds);
  return 0;
}

int InProcess(int argc, char** argv) {
  const int calls = std::atoi(argv[2]);
  const std::string only = argc >= 4 ? argv[3] : "";
  auto service = evergreen::SpawnService<BenchService>("bench", {});
  auto actor = evergreen::SpawnActor<BenchActor>();
  bench::rpc::Bench::Client stub(evergreen::Channel::Local(service));
  const Blob request = Payload();
  double stub_rate = 0, ask_rate = 0;
  for (int round = 0; round < 2; ++round) {  // the first warms up
    absl::Time start = absl::Now();
    if (only != "ask") {
      for (int i = 0; i < calls; ++i) {
        if (!stub.Call(request).ok()) return 1;
      }
    }
    stub_rate = calls / absl::ToDoubleSeconds(absl::Now() - start);
    start = absl::Now();
    if (only != "stub") {
      for (int i = 0; i < calls; ++i) (void)actor.Ask(request).Get();
    }
    ask_rate = calls / absl::ToDoubleSeconds(absl::Now() - start);
  }
  std::printf("%.1f %.1f\n", stub_rate, ask_rate);
  service.Kill();
  actor.Kill();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string what = argc > 1 ? argv[1] : "";
  if (what == "server" && argc >= 3) return Serve(argc, argv);
  if (what == "client" && argc >= 5) return Client(argc, argv);
  if (what == "inproc" && argc >= 3) return InProcess(argc, argv);
  std::fprintf(stderr, "usage: see the file comment\n");
  return 2;
}
