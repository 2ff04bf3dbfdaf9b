#include "actors/transport/rpc_server.h"

#include <utility>

#include "absl/strings/str_cat.h"

#include "net/stream_server.h"
#include "net/tls_stream_server.h"

namespace evergreen {

RpcServer::RpcServer(RpcServerOptions options)
    : options_(std::move(options)), table_(options_.max_concurrent_calls) {}

RpcServer::~RpcServer() { Stop(absl::ZeroDuration()); }

void RpcServer::ServeStream(std::unique_ptr<ByteStream> stream) {
  auto connection = std::make_shared<ServerConnection>(
      std::move(stream), table_, options_.connection);
  connections_.insert(connection.get());
  struct Forget {
    RpcServer* server;
    ServerConnection* connection;
    ~Forget() { server->connections_.erase(connection); }
  } forget{this, connection.get()};
  if (stopping_) return;
  connection->Serve();
}

absl::StatusOr<SocketAddress> RpcServer::ListenTcp(absl::string_view address) {
  absl::StatusOr<SocketAddress> parsed = SocketAddress::Parse(address);
  if (!parsed.ok()) return parsed.status();
  auto server = std::make_unique<StreamServer>(
      *parsed, [this](Socket& socket, const SocketAddress& peer) {
        // The connection takes the socket: its writer may outlive this
        // handler by a hub turn.
        ServeStream(OwnTcpStream(std::move(socket), peer.ToString()));
      });
  absl::Status started = server->Start();
  if (!started.ok()) return started;
  SocketAddress bound = server->address();
  listeners_.push_back(std::move(server));
  return bound;
}

absl::StatusOr<SocketAddress> RpcServer::ListenTls(absl::string_view address,
                                                   TlsContext context) {
  absl::StatusOr<SocketAddress> parsed = SocketAddress::Parse(address);
  if (!parsed.ok()) return parsed.status();
  TlsStreamServerOptions tls_options;
  tls_options.handshake_timeout = options_.tls_handshake_timeout;
  auto server = std::make_unique<TlsStreamServer>(
      *parsed, std::move(context),
      [this](TlsSocket& socket, const SocketAddress& peer) {
        ServeStream(OwnTlsStream(std::move(socket), peer.ToString()));
      },
      tls_options);
  absl::Status started = server->Start();
  if (!started.ok()) return started;
  SocketAddress bound = server->address();
  listeners_.push_back(std::move(server));
  return bound;
}

absl::StatusOr<SocketAddress> RpcServer::ListenUdp(absl::string_view address) {
  absl::StatusOr<SocketAddress> parsed = SocketAddress::Parse(address);
  if (!parsed.ok()) return parsed.status();
  auto endpoint = std::make_unique<UdpEndpoint>(table_, options_.udp);
  absl::StatusOr<SocketAddress> bound = endpoint->Listen(*parsed);
  if (!bound.ok()) return bound.status();
  udp_.push_back(std::move(endpoint));
  return bound;
}

absl::StatusOr<SocketAddress> RpcServer::ListenHttp(absl::string_view address) {
  absl::StatusOr<SocketAddress> parsed = SocketAddress::Parse(address);
  if (!parsed.ok()) return parsed.status();
  auto server = std::make_unique<HttpServer>(
      *parsed, ConnectHandler(table_, options_.connect), options_.http);
  absl::Status started = server->Start();
  if (!started.ok()) return started;
  SocketAddress bound = server->address();
  http_.push_back(std::move(server));
  return bound;
}

absl::StatusOr<SocketAddress> RpcServer::ListenHttps(absl::string_view address,
                                                     TlsContext context) {
  absl::StatusOr<SocketAddress> parsed = SocketAddress::Parse(address);
  if (!parsed.ok()) return parsed.status();
  HttpServerOptions http = options_.http;
  http.tls_handshake_timeout = options_.tls_handshake_timeout;
  auto server = std::make_unique<HttpServer>(
      *parsed, std::move(context), ConnectHandler(table_, options_.connect),
      http);
  absl::Status started = server->Start();
  if (!started.ok()) return started;
  SocketAddress bound = server->address();
  http_.push_back(std::move(server));
  return bound;
}

absl::Status RpcServer::MountHttp(HttpMux& mux) {
  for (const std::string& service : table_.service_names()) {
    absl::Status routed = mux.Handle(absl::StrCat("/", service, "/"),
                                     ConnectHandler(table_, options_.connect));
    if (!routed.ok()) return routed;
  }
  return absl::OkStatus();
}

void RpcServer::Stop(absl::Duration timeout) {
  if (stopping_ && listeners_.empty() && udp_.empty() && http_.empty()) return;
  stopping_ = true;
  const absl::Time deadline = timeout == absl::InfiniteDuration()
                                  ? absl::InfiniteFuture()
                                  : absl::Now() + timeout;
  for (auto& listener : listeners_) listener->StopAccepting();
  for (ServerConnection* connection : connections_) connection->Drain();
  for (auto& listener : listeners_) {
    const absl::Duration left =
        deadline == absl::InfiniteFuture()
            ? absl::InfiniteDuration()
            : std::max(absl::ZeroDuration(), deadline - absl::Now());
    listener->Stop(left);
  }
  listeners_.clear();
  for (auto& endpoint : udp_) {
    endpoint->Stop(deadline == absl::InfiniteFuture()
                       ? absl::InfiniteDuration()
                       : std::max(absl::ZeroDuration(), deadline - absl::Now()));
  }
  udp_.clear();
  for (auto& server : http_) {
    server->Stop(deadline == absl::InfiniteFuture()
                     ? absl::Seconds(10)
                     : std::max(absl::ZeroDuration(), deadline - absl::Now()));
  }
  http_.clear();
  stopped_.Set();
}

void RpcServer::ServeForever() { stopped_.Wait(); }

}  // namespace evergreen
