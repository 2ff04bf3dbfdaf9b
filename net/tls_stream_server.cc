#include "net/tls_stream_server.h"

#include <utility>

namespace evergreen {

TlsStreamServer::TlsStreamServer(const SocketAddress& address,
                                 TlsContext context, TlsHandler handler,
                                 TlsStreamServerOptions options)
    // The wrapper runs only once connections are served, after construction.
    : StreamServer(
          address,
          [this](Socket& connection, const SocketAddress& peer) {
            Serve(connection, peer);
          },
          options),
      context_(std::move(context)),
      handler_(std::move(handler)),
      handshake_timeout_(options.handshake_timeout == absl::InfiniteDuration()
                             ? TlsStreamServerOptions().handshake_timeout
                             : options.handshake_timeout),
      shutdown_timeout_(options.shutdown_timeout) {}

TlsStreamServer::~TlsStreamServer() { StopNow(); }

void TlsStreamServer::Serve(Socket& connection, const SocketAddress& peer) {
  // Taking the socket leaves the server a closed one to dispose of.
  absl::StatusOr<TlsSocket> tls =
      TlsAccept(std::move(connection), context_, handshake_timeout_);
  if (!tls.ok()) {
    ++handshake_failures_;
    return;
  }
  handler_(*tls, peer);
  (void)tls->Shutdown(shutdown_timeout_);
}

}  // namespace evergreen
