#include "net/stream_server.h"

#include <sys/socket.h>

#include <utility>

#include "absl/strings/str_cat.h"

namespace evergreen {

StreamServer::StreamServer(const SocketAddress& address, Handler handler,
                           StreamServerOptions options)
    : BaseServer("StreamServer", address, options),
      handler_(std::move(handler)),
      backlog_(options.backlog),
      tcp_nodelay_(options.tcp_nodelay) {}

StreamServer::StreamServer(Socket listener, Handler handler,
                           StreamServerOptions options)
    : BaseServer("StreamServer", std::move(listener), options),
      handler_(std::move(handler)),
      backlog_(options.backlog),
      tcp_nodelay_(options.tcp_nodelay) {}

StreamServer::~StreamServer() { StopNow(); }

absl::StatusOr<Socket> StreamServer::Open(const SocketAddress& address) {
  absl::StatusOr<Socket> socket = BindSocket(address, SOCK_STREAM);
  if (!socket.ok()) return socket.status();
  // Accepted sockets inherit the listener's TCP_NODELAY: no call per
  // connection.
  if (socket->is_tcp() && socket->no_delay() != tcp_nodelay_) {
    absl::Status set = socket->SetNoDelay(tcp_nodelay_);
    if (!set.ok()) return set;
  }
  absl::Status listening = socket->Listen(backlog_);
  if (!listening.ok()) return listening;
  return socket;
}

absl::Status StreamServer::TakeOne() {
  SocketAddress peer;
  absl::StatusOr<Socket> connection =
      socket().Accept(absl::ZeroDuration(), &peer);
  if (!connection.ok()) return connection.status();
  if (connection->is_tcp() && connection->no_delay() != tcp_nodelay_) {
    // A listener handed over with another setting.
    (void)connection->SetNoDelay(tcp_nodelay_);
  }
  Spawn(absl::StrCat("connection from ", peer.ToString()),
        [this, connection = *std::move(connection), peer]() mutable {
          ServeConnection(connection, peer);
        });
  return absl::OkStatus();
}

void StreamServer::ServeConnection(Socket& connection,
                                   const SocketAddress& peer) {
  handler_(connection, peer);
  // Whether the handler returned or threw, the connection dies with the
  // greenlet's body, right after.
}

}  // namespace evergreen
