// ServerOnHubs<Server>: one server per hub of a HubGroup, all listening on
// the same address with SO_REUSEPORT, so that the kernel spreads clients
// over every hub (thread, core). B-M1.
//
//   evergreen::HubGroup hubs;
//   auto servers = evergreen::ServerOnHubs<evergreen::StreamServer>::Start(
//       hubs, *evergreen::SocketAddress::Parse("127.0.0.1:0"),
//       [](const evergreen::SocketAddress& address, int hub) {
//         evergreen::StreamServerOptions options;
//         options.reuse_port = true;                 // required
//         return std::make_unique<evergreen::StreamServer>(address, Echo,
//                                                          options);
//       });
//   // servers.value()->address(): the one bound address (port 0 → real)
//   (*servers)->Stop(absl::Seconds(5));   // all of them, together
//   // (compiled in tests/net/server_on_hubs_test.cc)
//
// Server is any of StreamServer, TlsStreamServer, DatagramServer,
// HttpServer: it needs Start() -> absl::Status, address() and
// Stop(absl::Duration). The single-hub classes are unchanged; this only
// makes one of them on every hub.
//
// `make(address, hub)` runs on hub `hub`'s thread and returns that hub's
// server, not started, for `address`, with SO_REUSEPORT on
// (ServerOptions::reuse_port; HttpServerOptions::stream.reuse_port).
// Hub 0's server is made and started first; when `address` has port 0, the
// others are then made for the port it bound, so every hub listens on the
// same one, reported once by address().
//
// Life: each server lives and dies on its own hub. Stop() stops them all
// at once (each on its hub, in parallel) and waits for all. If the group
// stops first, each hub stops its server at once as it stops (an AtStop
// hook). The destructor stops what is left, as Stop(absl::ZeroDuration()).
//
// Thread affinity: Start, Stop, the destructor and ForEach block the
// calling greenlet (of any hub, or a thread outside the group) until every
// hub has answered; not from a greenlet of the group's hubs that one of
// them waits for.
//
// Errors: Start returns the first failure naming the hub ("hub 1: bind
// 127.0.0.1:8080: Address already in use" when reuse_port was left off),
// after stopping the servers it had started.
#ifndef EVERGREEN_NET_SERVER_ON_HUBS_H_
#define EVERGREEN_NET_SERVER_ON_HUBS_H_

#include <functional>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "framework/async_result.h"
#include "framework/hub_group.h"
#include "net/address.h"

namespace evergreen {

template <typename Server>
class ServerOnHubs {
 public:
  using Factory =
      std::function<std::unique_ptr<Server>(const SocketAddress& address,
                                            int hub)>;

  // Makes and starts a server on every hub of `hubs` (see the file
  // comment). Blocks the calling greenlet until all are listening.
  static absl::StatusOr<std::unique_ptr<ServerOnHubs>> Start(
      HubGroup& hubs, const SocketAddress& address, Factory make) {
    std::unique_ptr<ServerOnHubs> servers(new ServerOnHubs(hubs));
    absl::StatusOr<SocketAddress> bound = servers->StartOn(0, address, make);
    if (!bound.ok()) return bound.status();
    servers->address_ = *bound;
    std::vector<AsyncResult<absl::StatusOr<SocketAddress>>> rest;
    for (int i = 1; i < hubs.size(); ++i) {
      rest.push_back(hubs.Spawn(i, [slot = servers->slots_[i], i, bound = *bound,
                                    make, &hubs] {
        return StartHere(slot, hubs, i, bound, make);
      }));
    }
    absl::Status first = absl::OkStatus();
    for (auto& each : rest) {
      absl::StatusOr<absl::StatusOr<SocketAddress>> r = each.Result();
      absl::Status status = r.ok() ? r->status() : r.status();
      if (first.ok() && !status.ok()) first = status;
    }
    if (!first.ok()) {
      servers->Stop(absl::ZeroDuration());
      return first;
    }
    return servers;
  }

  ~ServerOnHubs() { Stop(absl::ZeroDuration()); }
  ServerOnHubs(const ServerOnHubs&) = delete;
  ServerOnHubs& operator=(const ServerOnHubs&) = delete;

  // The address every hub's server is bound to (the real port for 0).
  const SocketAddress& address() const { return address_; }
  int size() const { return static_cast<int>(slots_.size()); }

  // Stops every hub's server as Server::Stop(timeout) does, in parallel,
  // and waits for all. Idempotent.
  void Stop(absl::Duration timeout = absl::InfiniteDuration()) {
    std::vector<AsyncResult<void>> stops;
    for (int i = 0; i < size(); ++i) {
      stops.push_back(hubs_->Spawn(i, [slot = slots_[i], timeout] {
        StopHere(*slot, timeout);
      }));
    }
    // A hub that stopped already stopped its server (Unavailable here).
    for (auto& each : stops) (void)each.Result();
  }

  // Runs fn(server, hub) on every hub that has a server (stats, counts),
  // and returns the values in hub order (a hub without one is skipped).
  template <typename F>
  auto ForEach(F fn) -> std::vector<std::invoke_result_t<F&, Server&, int>> {
    using R = std::invoke_result_t<F&, Server&, int>;
    std::vector<AsyncResult<std::optional<R>>> results;
    for (int i = 0; i < size(); ++i) {
      results.push_back(hubs_->Spawn(i, [slot = slots_[i], fn, i]() mutable
                                            -> std::optional<R> {
        if (slot->server == nullptr) return std::nullopt;
        return fn(*slot->server, i);
      }));
    }
    std::vector<R> values;
    for (auto& each : results) {
      absl::StatusOr<std::optional<R>> r = each.Result();
      if (r.ok() && r->has_value()) values.push_back(std::move(**r));
    }
    return values;
  }

 private:
  // One hub's server; touched only on that hub's thread.
  struct Slot {
    std::unique_ptr<Server> server;
    bool hooked = false;
  };

  explicit ServerOnHubs(HubGroup& hubs) : hubs_(&hubs) {
    for (int i = 0; i < hubs.size(); ++i) {
      slots_.push_back(std::make_shared<Slot>());
    }
  }

  absl::StatusOr<SocketAddress> StartOn(int hub, const SocketAddress& address,
                                        const Factory& make) {
    absl::StatusOr<absl::StatusOr<SocketAddress>> r = hubs_->Spawn(
        hub, [slot = slots_[hub], hubs = hubs_, hub, address, make] {
          return StartHere(slot, *hubs, hub, address, make);
        }).Result();
    return r.ok() ? *r : r.status();
  }

  // On hub `hub`: makes, starts and registers its server.
  static absl::StatusOr<SocketAddress> StartHere(
      const std::shared_ptr<Slot>& slot, HubGroup& hubs, int hub,
      const SocketAddress& address, const Factory& make) {
    slot->server = make(address, hub);
    if (slot->server == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat("hub ", hub, ": the factory made no server"));
    }
    if (!slot->hooked) {
      slot->hooked = true;
      hubs.AtStop([slot] { StopHere(*slot, absl::ZeroDuration()); });
    }
    absl::Status started = slot->server->Start();
    if (!started.ok()) {
      slot->server.reset();
      return absl::Status(started.code(),
                          absl::StrCat("hub ", hub, ": ", started.message()));
    }
    return slot->server->address();
  }

  static void StopHere(Slot& slot, absl::Duration timeout) {
    if (slot.server == nullptr) return;
    slot.server->Stop(timeout);
    slot.server.reset();
  }

  HubGroup* hubs_;
  SocketAddress address_;
  std::vector<std::shared_ptr<Slot>> slots_;
};

}  // namespace evergreen

#endif  // EVERGREEN_NET_SERVER_ON_HUBS_H_
