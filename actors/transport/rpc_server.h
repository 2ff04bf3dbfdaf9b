// RpcServer: hosts services and serves them on several listeners at once.
//
//   RpcServer server({.max_concurrent_calls = 10'000});
//   server.Register<kv::v1::KeyValue>("kv");      // the actor registered
//                                                 // as "kv", per call
//   absl::StatusOr<SocketAddress> tcp = server.ListenTcp("0.0.0.0:7000");
//   absl::StatusOr<SocketAddress> tls =
//       server.ListenTls("0.0.0.0:7001", *tls_context);
//   absl::StatusOr<SocketAddress> udp = server.ListenUdp("0.0.0.0:7002");
//   absl::StatusOr<SocketAddress> http = server.ListenHttp("0.0.0.0:8080");
//   ...
//   server.Stop(absl::Seconds(5));   // graceful
//
// Every call runs in its service's actor (actors/service/service_base.h);
// the server only moves frames. Calls on one connection are pipelined and
// answered as they finish, in any order (B-RPC4). A call's deadline
// arrives as remaining time and becomes its handler's; one that arrives
// expired is answered DeadlineExceeded without running. Over
// max_concurrent_calls a call fails ResourceExhausted at once (B-RPC8).
// Bad input: see actors/transport/server_connection.h.
//
// Stop(timeout): stops accepting, stops reading requests (later ones on a
// live connection are not read), lets the calls in flight finish and
// their replies go out within `timeout`, then closes what is left (its
// clients see Unavailable).
//
// Thread affinity: the hub thread that made it; Listen*, Stop and
// ServeForever belong to it. Stop and ServeForever block.
#ifndef EVERGREEN_ACTORS_TRANSPORT_RPC_SERVER_H_
#define EVERGREEN_ACTORS_TRANSPORT_RPC_SERVER_H_

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "actors/actor_ref.h"
#include "actors/transport/connect_handler.h"
#include "actors/transport/server_connection.h"
#include "actors/transport/service_table.h"
#include "actors/transport/udp_endpoint.h"
#include "framework/event.h"
#include "net/address.h"
#include "net/http/mux.h"
#include "net/http/server.h"
#include "net/stream_server.h"
#include "net/tls_context.h"

namespace evergreen {

struct RpcServerOptions {
  // Calls in flight across the server; 0: no bound (services still bound
  // their own queues).
  std::size_t max_concurrent_calls = 0;
  ConnectionLimits connection;
  // TLS handshakes of accepted connections may take this long.
  absl::Duration tls_handshake_timeout = absl::Seconds(10);
  UdpOptions udp;
  // ListenHttp / ListenHttps: the HTTP server's limits and timeouts, and
  // the Connect handler's.
  HttpServerOptions http;
  ConnectHandlerOptions connect;
};

class RpcServer {
 public:
  explicit RpcServer(RpcServerOptions options = {});
  // Stops at once (Stop(ZeroDuration())) if still serving.
  ~RpcServer();
  RpcServer(const RpcServer&) = delete;
  RpcServer& operator=(const RpcServer&) = delete;

  // Serves service S (a generated service class, e.g. kv::v1::KeyValue)
  // by the actor registered as `registered_name` in this hub's Registry,
  // looked up per call: it follows a supervised service across restarts.
  // Errors: AlreadyExists when S is already hosted.
  template <typename S>
  absl::Status Register(absl::string_view registered_name) {
    return table_.AddRegistered(S::Descriptor(), std::string(registered_name));
  }
  // Serves service S by `actor` for as long as it lives.
  template <typename S>
  absl::Status Register(const AnyActorRef& actor) {
    return table_.AddActor(S::Descriptor(), actor);
  }

  // Listens on `address` ("127.0.0.1:0" picks a port) and serves
  // connections in the background. Returns the bound address. Never
  // blocks. Errors: InvalidArgument for a bad address; bind/listen errors.
  absl::StatusOr<SocketAddress> ListenTcp(absl::string_view address);
  // The same over TLS with `context` (a server context).
  absl::StatusOr<SocketAddress> ListenTls(absl::string_view address,
                                          TlsContext context);

  // The same over UDP: one frame per datagram, duplicate requests answered
  // from a bounded cache (actors/transport/udp_endpoint.h).
  absl::StatusOr<SocketAddress> ListenUdp(absl::string_view address);

  // Serves the hosted services over HTTP/1.1 with the Connect protocol,
  // unary (actors/transport/connect_handler.h): POST
  // /<package>.<Service>/<Method>, application/proto or application/json.
  // Every other path answers Connect's 404 unimplemented. Returns the bound
  // address. Never blocks. Errors as ListenTcp.
  absl::StatusOr<SocketAddress> ListenHttp(absl::string_view address);
  // The same over HTTPS with `context` (a server context).
  absl::StatusOr<SocketAddress> ListenHttps(absl::string_view address,
                                            TlsContext context);
  // Mounts the services registered so far on `mux`, one route per service
  // ("/kv.v1.KeyValue/"), so that other handlers live beside them on one
  // HttpServer the caller owns (and stops). REQUIRES: this server outlives
  // the mux's server. Errors: AlreadyExists when a route is taken.
  absl::Status MountHttp(HttpMux& mux);

  // Graceful stop (see the file comment). Blocks up to `timeout` (what
  // wakes it: the last connection finishing). Idempotent.
  void Stop(absl::Duration timeout = absl::InfiniteDuration());

  // Blocks until Stop() is called (from another greenlet).
  void ServeForever();

  std::size_t calls_in_flight() const { return table_.calls_in_flight(); }
  std::size_t connection_count() const { return connections_.size(); }

 private:
  // Serves one accepted connection until it ends (the listener's handler).
  void ServeStream(std::unique_ptr<ByteStream> stream);

  RpcServerOptions options_;
  ServiceTable table_;
  std::vector<std::unique_ptr<StreamServer>> listeners_;
  std::vector<std::unique_ptr<UdpEndpoint>> udp_;
  std::vector<std::unique_ptr<HttpServer>> http_;
  absl::flat_hash_set<ServerConnection*> connections_;
  Event stopped_;
  bool stopping_ = false;
};

}  // namespace evergreen

#endif  // EVERGREEN_ACTORS_TRANSPORT_RPC_SERVER_H_
