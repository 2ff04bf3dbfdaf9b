// A key-value store as a typed protobuf service, supervised, served over
// TCP, TLS and UDP at once, and called over each with the same stub.
//
//   root (one_for_one)
//   ├── shard-0 … shard-3   the data, each journaled to a "disk" that
//   │                       survives its crashes; replayed on restart
//   └── kv                  the KeyValue service actor: routes each call
//                           to the key's shard
//
// A Put is acknowledged only once its shard has journaled and applied it,
// so a shard crash (CrashShard, the demo's chaos) loses no acknowledged
// write: the supervisor restarts the shard, which replays its journal.
//
//   bazel run //samples/kv_service -- [--tls-cert=cert.pem --tls-key=key.pem]
//
// Without a certificate the TLS listener is skipped. ./dev demo makes a
// throwaway self-signed one.
#include <unistd.h>

#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "actors/registry.h"
#include "actors/service/service_spec.h"
#include "actors/supervisor.h"
#include "actors/transport/http_channel.h"
#include "actors/transport/rpc_server.h"
#include "actors/transport/tcp_channel.h"
#include "actors/transport/udp_channel.h"
#include "framework/hub.h"
#include "framework/thread_pool.h"
#include "samples/kv_service/kv.evg.h"

namespace {

using evergreen::ActorBase;
using evergreen::CallContext;
using evergreen::Channel;
using evergreen::ChildSpec;
using evergreen::Registry;
using evergreen::SpawnActor;

constexpr int kShards = 4;

// What a disk keeps across crashes: the shard's journal.
using Disk = std::vector<std::pair<std::string, std::string>>;
std::map<std::string, int> starts;  // per shard, for the printout

struct ShardPut {
  std::string key, value;
};
struct ShardGet {
  std::string key;
};
struct ShardCrash {};

class Shard : public ActorBase {
 public:
  Shard(std::string name, std::shared_ptr<Disk> disk)
      : name_(std::move(name)), disk_(std::move(disk)) {}

  void Handle(ShardPut m) {
    disk_->emplace_back(m.key, m.value);  // journal first, then apply
    data_[m.key] = std::move(m.value);
  }
  std::optional<std::string> Handle(ShardGet m) {
    auto it = data_.find(m.key);
    if (it == data_.end()) return std::nullopt;
    return it->second;
  }
  void Handle(ShardCrash) { throw std::runtime_error(name_ + " crashed"); }

 protected:
  void OnStart() override {
    ++starts[name_];
    for (const auto& [key, value] : *disk_) data_[key] = value;  // replay
  }

 private:
  std::string name_;
  std::shared_ptr<Disk> disk_;
  absl::flat_hash_map<std::string, std::string> data_;
};

int ShardOf(const std::string& key) {
  return static_cast<int>(std::hash<std::string>()(key) % kShards);
}

// The service: one call at a time, each handed to the key's shard.
class KvStore : public kv::v1::KeyValue::Service {
 public:
  absl::StatusOr<kv::v1::PutReply> Put(const kv::v1::PutRequest& req,
                                       CallContext& ctx) override {
    if (req.key().empty()) return absl::InvalidArgumentError("empty key");
    absl::StatusOr<evergreen::ActorRef<Shard>> shard = ShardFor(req.key());
    if (!shard.ok()) return shard.status();
    // An Ask bounded by the call's deadline: acknowledged once applied.
    evergreen::AsyncResult<void> done =
        shard->Ask(ShardPut{req.key(), req.value()}, ctx.remaining());
    done.Get();  // a shard failure unwinds as an error → the call fails
    return kv::v1::PutReply();
  }

  absl::StatusOr<kv::v1::GetReply> Get(const kv::v1::GetRequest& req,
                                       CallContext& ctx) override {
    absl::StatusOr<evergreen::ActorRef<Shard>> shard = ShardFor(req.key());
    if (!shard.ok()) return shard.status();
    std::optional<std::string> value =
        shard->Ask(ShardGet{req.key()}, ctx.remaining()).Get();
    kv::v1::GetReply reply;
    reply.set_found(value.has_value());
    if (value) reply.set_value(*value);
    return reply;
  }

  absl::StatusOr<kv::v1::CrashReply> CrashShard(const kv::v1::CrashRequest& req,
                                                CallContext&) override {
    absl::StatusOr<evergreen::ActorRef<Shard>> shard = ShardFor(req.key());
    if (!shard.ok()) return shard.status();
    (void)shard->Tell(ShardCrash{});
    kv::v1::CrashReply reply;
    reply.set_shard(shard->name());
    return reply;
  }

 private:
  static absl::StatusOr<evergreen::ActorRef<Shard>> ShardFor(
      const std::string& key) {
    return Registry::Current().LookupAs<Shard>(
        absl::StrCat("shard-", ShardOf(key)));
  }
};

ChildSpec ShardSpec(int i, std::shared_ptr<Disk> disk) {
  std::string name = absl::StrCat("shard-", i);
  return {.id = name, .start = [name, disk]() -> absl::StatusOr<evergreen::Child> {
            auto shard = SpawnActor<Shard>({.name = name}, name, disk);
            absl::Status s = Registry::Current().Register(name, shard);
            if (!s.ok()) return s;
            return evergreen::Child(evergreen::AnyActorRef(shard));
          }};
}

std::string Flag(int argc, char** argv, const char* name) {
  const std::string prefix = absl::StrCat("--", name, "=");
  for (int i = 1; i < argc; ++i) {
    if (absl::StartsWith(argv[i], prefix)) return argv[i] + prefix.size();
  }
  return "";
}

// Puts and gets a few keys through `client`, printing what happens.
bool Exercise(const char* transport, const kv::v1::KeyValue::Client& client) {
  const evergreen::CallOptions options{.timeout = absl::Seconds(2)};
  for (int i = 0; i < 3; ++i) {
    kv::v1::PutRequest put;
    put.set_key(absl::StrCat(transport, "-", i));
    put.set_value(absl::StrCat("value ", i, " via ", transport));
    absl::StatusOr<kv::v1::PutReply> ok = client.Put(put, options);
    if (!ok.ok()) {
      std::printf("  %-4s put %s: %s\n", transport, put.key().c_str(),
                  ok.status().ToString().c_str());
      return false;
    }
  }
  kv::v1::GetRequest get;
  get.set_key(absl::StrCat(transport, "-2"));
  absl::StatusOr<kv::v1::GetReply> got = client.Get(get, options);
  if (!got.ok() || !got->found()) return false;
  std::printf("  %-4s put 3 keys, get %s -> \"%s\"\n", transport,
              get.key().c_str(), got->value().c_str());
  return true;
}

// Runs curl (on a pool thread: the hub keeps serving) to get `key` over
// HTTP with Connect's JSON, printing the command and the answer. Without
// /usr/bin/curl it says so and succeeds.
bool CurlGet(const evergreen::SocketAddress& http, const std::string& key) {
  if (access("/usr/bin/curl", X_OK) != 0) {
    std::printf("  (curl not installed: skipped the curl call)\n");
    return true;
  }
  const std::string command = absl::StrCat(
      "curl -s --max-time 5 -H 'Content-Type: application/json' -d "
      "'{\"key\":\"", key, "\"}' http://", http.ToString(),
      "/kv.v1.KeyValue/Get");
  evergreen::ThreadPool pool({.max_threads = 1});
  const std::string out = pool.Apply([command] {
    std::string text;
    FILE* pipe = popen(command.c_str(), "r");
    if (pipe == nullptr) return text;
    char buffer[1024];
    std::size_t n;
    while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) text.append(buffer, n);
    pclose(pipe);
    return text;
  });
  std::printf("  $ %s\n  %s\n", command.c_str(), out.c_str());
  return absl::StrContains(out, "\"found\":true");
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<ChildSpec> children;
  for (int i = 0; i < kShards; ++i) {
    children.push_back(ShardSpec(i, std::make_shared<Disk>()));
  }
  children.push_back(evergreen::ServiceSpec<KvStore>("kv"));
  absl::StatusOr<evergreen::Supervisor> root = evergreen::Supervisor::Start(
      {.strategy = evergreen::Strategy::kOneForOne, .intensity = 10,
       .period = absl::Seconds(10)},
      std::move(children));
  if (!root.ok()) {
    std::fprintf(stderr, "start: %s\n", root.status().ToString().c_str());
    return 1;
  }
  // The demo crashes a shard on purpose; its report is expected noise.
  evergreen::Hub::Current()->SetErrorHandler(
      [](absl::string_view, std::exception_ptr) {});

  evergreen::RpcServer server;
  (void)server.Register<kv::v1::KeyValue>("kv");  // follows restarts
  absl::StatusOr<evergreen::SocketAddress> tcp = server.ListenTcp("127.0.0.1:0");
  absl::StatusOr<evergreen::SocketAddress> udp = server.ListenUdp("127.0.0.1:0");
  absl::StatusOr<evergreen::SocketAddress> http =
      server.ListenHttp("127.0.0.1:0");  // Connect protocol
  if (!tcp.ok() || !udp.ok() || !http.ok()) {
    std::fprintf(stderr, "listen failed\n");
    return 1;
  }
  std::printf("kv service: tcp %s, udp %s, http %s", tcp->ToString().c_str(),
              udp->ToString().c_str(), http->ToString().c_str());

  const std::string cert = Flag(argc, argv, "tls-cert");
  const std::string key = Flag(argc, argv, "tls-key");
  std::unique_ptr<evergreen::TlsContext> client_tls;
  absl::StatusOr<evergreen::SocketAddress> tls =
      absl::FailedPreconditionError("no --tls-cert/--tls-key");
  if (!cert.empty() && !key.empty()) {
    absl::StatusOr<evergreen::TlsContext> server_context =
        evergreen::TlsContext::Server(
            {.certificate = {evergreen::PemSource::File(cert),
                             evergreen::PemSource::File(key)}});
    absl::StatusOr<evergreen::TlsContext> client_context =
        evergreen::TlsContext::Client({.ca = evergreen::PemSource::File(cert)});
    if (server_context.ok() && client_context.ok()) {
      tls = server.ListenTls("127.0.0.1:0", *std::move(server_context));
      client_tls =
          std::make_unique<evergreen::TlsContext>(*std::move(client_context));
    } else {
      tls = server_context.ok() ? client_context.status()
                                : server_context.status();
    }
  }
  if (tls.ok()) {
    std::printf(", tls %s\n", tls->ToString().c_str());
  } else {
    std::printf("\n  (TLS skipped: %s)\n", tls.status().ToString().c_str());
  }

  // One stub type, three channels.
  kv::v1::KeyValue::Client over_tcp(Channel::Tcp(tcp->ToString()));
  kv::v1::KeyValue::Client over_udp(Channel::Udp(udp->ToString()));
  kv::v1::KeyValue::Client over_http(
      Channel::Http(absl::StrCat("http://", http->ToString())));
  bool ok = Exercise("tcp", over_tcp) && Exercise("udp", over_udp) &&
            Exercise("http", over_http);
  // From the outside world: curl speaks Connect's JSON to the same store.
  ok = ok && CurlGet(*http, "tcp-2");
  if (tls.ok()) {
    kv::v1::KeyValue::Client over_tls(
        Channel::Tcp(absl::StrCat("localhost:", tls->port()),
                     {.tls = client_tls.get()}));
    ok = ok && Exercise("tls", over_tls);
  }

  // Chaos: an acknowledged write, then its shard crashes.
  kv::v1::PutRequest put;
  put.set_key("acknowledged");
  put.set_value("survives the crash");
  ok = ok && over_tcp.Put(put).ok();
  kv::v1::CrashRequest crash;
  crash.set_key("acknowledged");
  absl::StatusOr<kv::v1::CrashReply> crashed = over_tcp.CrashShard(crash);
  ok = ok && crashed.ok();
  kv::v1::GetRequest get;
  get.set_key("acknowledged");
  absl::StatusOr<kv::v1::GetReply> after;
  for (int i = 0; i < 100; ++i) {  // the restart takes a hub turn or two
    after = over_udp.Get(get, {.timeout = absl::Seconds(2)});
    if (after.ok()) break;
    evergreen::Sleep(absl::Milliseconds(10));
  }
  if (crashed.ok()) {
    const std::string& shard = crashed->shard();
    std::printf("  crashed %s (started %d times); get acknowledged over udp -> %s\n",
                shard.c_str(), starts[shard],
                after.ok() && after->found()
                    ? absl::StrCat("\"", after->value(), "\"").c_str()
                    : after.status().ToString().c_str());
  }
  ok = ok && after.ok() && after->found();

  server.Stop(absl::Seconds(1));
  root->Stop();
  root->Join();
  std::printf("%s\n", ok ? "kv service: OK" : "kv service: FAILED");
  return ok ? 0 : 1;
}
