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
      tcp_nodelay_(options.tcp_nodelay),
      limits_{options.idle_timeout, options.max_lifetime} {}

StreamServer::StreamServer(Socket listener, Handler handler,
                           StreamServerOptions options)
    : BaseServer("StreamServer", std::move(listener), options),
      handler_(std::move(handler)),
      backlog_(options.backlog),
      tcp_nodelay_(options.tcp_nodelay),
      limits_{options.idle_timeout, options.max_lifetime} {}

StreamServer::~StreamServer() { StopNow(); }

absl::Status StreamServer::CheckOptions() const {
  if (limits_.idle_timeout <= absl::ZeroDuration() ||
      limits_.lifetime <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError(absl::StrCat(
        label(), ": idle_timeout and max_lifetime must be positive (",
        absl::FormatDuration(limits_.idle_timeout), ", ",
        absl::FormatDuration(limits_.lifetime),
        "); absl::InfiniteDuration() means no limit"));
  }
  return absl::OkStatus();
}

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
  if (limits_.idle_timeout != absl::InfiniteDuration() ||
      limits_.lifetime != absl::InfiniteDuration()) {
    // Limits valid (checked at Start); the socket is open: cannot fail.
    (void)connection->SetLimits(limits_);
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
