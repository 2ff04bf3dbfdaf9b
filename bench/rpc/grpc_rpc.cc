// gRPC C++ 1.51's side of `./dev bench rpc`, on the same .proto:
//
//   grpc_rpc server PORT [CERT KEY]            callback server until killed
//   grpc_rpc client latency TARGET N [CA]      median us of N blocking calls
//   grpc_rpc client throughput TARGET N [CA]   calls/s, 64 in flight
//
// run.py pins each process to one core, as it does Evergreen's.
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <sstream>
#include <string>
#include <vector>

#include "bench/rpc/bench.grpc.pb.h"

namespace {

using bench::rpc::Blob;

std::string ReadFile(const char* path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class Service final : public bench::rpc::Bench::CallbackService {
  grpc::ServerUnaryReactor* Call(grpc::CallbackServerContext* context,
                                 const Blob* request, Blob* reply) override {
    *reply = *request;
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    reactor->Finish(grpc::Status::OK);
    return reactor;
  }
};

int Serve(int argc, char** argv) {
  Service service;
  grpc::ServerBuilder builder;
  std::shared_ptr<grpc::ServerCredentials> credentials =
      grpc::InsecureServerCredentials();
  if (argc >= 5) {
    grpc::SslServerCredentialsOptions options;
    options.pem_key_cert_pairs.push_back({ReadFile(argv[4]), ReadFile(argv[3])});
    credentials = grpc::SslServerCredentials(options);
  }
  builder.AddListeningPort(std::string("127.0.0.1:") + argv[2], credentials);
  builder.RegisterService(&service);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (!server) return 1;
  std::printf("ready\n");
  std::fflush(stdout);
  server->Wait();
  return 0;
}

int Client(int argc, char** argv) {
  const std::string mode = argv[2];
  const int calls = std::atoi(argv[4]);
  std::shared_ptr<grpc::ChannelCredentials> credentials =
      grpc::InsecureChannelCredentials();
  grpc::ChannelArguments args;
  std::string target = argv[3];
  if (argc >= 6) {
    grpc::SslCredentialsOptions options;
    options.pem_root_certs = ReadFile(argv[5]);
    credentials = grpc::SslCredentials(options);
  }
  auto channel = grpc::CreateCustomChannel(target, credentials, args);
  auto stub = bench::rpc::Bench::NewStub(channel);
  Blob request;
  request.set_data(std::string(64, 'x'));
  for (int i = 0; i < 1000; ++i) {
    grpc::ClientContext context;
    Blob reply;
    if (!stub->Call(&context, request, &reply).ok()) {
      std::fprintf(stderr, "warm-up call failed\n");
      return 1;
    }
  }
  using Clock = std::chrono::steady_clock;
  if (mode == "latency") {
    std::vector<double> us;
    us.reserve(calls);
    for (int i = 0; i < calls; ++i) {
      grpc::ClientContext context;
      Blob reply;
      const auto start = Clock::now();
      if (!stub->Call(&context, request, &reply).ok()) return 1;
      us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - start)
                       .count());
    }
    std::nth_element(us.begin(), us.begin() + us.size() / 2, us.end());
    std::printf("%.3f\n", us[us.size() / 2]);
    return 0;
  }
  // 64 calls in flight through the callback API; each completion starts
  // the next until `calls` have been issued.
  constexpr int kInFlight = 64;
  struct Call {
    grpc::ClientContext context;
    Blob reply;
  };
  std::mutex mu;
  std::condition_variable cv;
  int issued = 0, finished = 0, failures = 0;
  std::function<void()> issue = [&] {
    auto* call = new Call;
    stub->async()->Call(&call->context, &request, &call->reply,
                        [&, call](grpc::Status status) {
                          delete call;
                          bool again = false;
                          {
                            std::lock_guard<std::mutex> lock(mu);
                            if (!status.ok()) ++failures;
                            ++finished;
                            if (issued < calls) {
                              ++issued;
                              again = true;
                            }
                          }
                          if (again) {
                            issue();
                          } else {
                            cv.notify_one();
                          }
                        });
  };
  const auto start = Clock::now();
  {
    std::lock_guard<std::mutex> lock(mu);
    issued = kInFlight;
  }
  for (int i = 0; i < kInFlight; ++i) issue();
  std::unique_lock<std::mutex> lock(mu);
  cv.wait(lock, [&] { return finished == calls; });
  const double seconds =
      std::chrono::duration<double>(Clock::now() - start).count();
  if (failures > 0) return 1;
  std::printf("%.1f\n", calls / seconds);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string what = argc > 1 ? argv[1] : "";
  if (what == "server" && argc >= 3) return Serve(argc, argv);
  if (what == "client" && argc >= 5) return Client(argc, argv);
  std::fprintf(stderr, "usage: see the file comment\n");
  return 2;
}
