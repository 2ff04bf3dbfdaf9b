#include "net/http/server.h"

#include <utility>

#include "net/http/internal/transport.h"
#include "net/tls_stream_server.h"

namespace evergreen {

HttpServer::HttpServer(const SocketAddress& address, HttpHandler handler,
                       HttpServerOptions options)
    : core_(std::make_unique<internal::HttpServerCore>(std::move(handler),
                                                       options)) {
  internal::HttpServerCore* core = core_.get();
  server_ = std::make_unique<StreamServer>(
      address,
      [core](Socket& connection, const SocketAddress& peer) {
        // A streamed response is many small writes: Nagle would hold each
        // behind the client's delayed ACK.
        connection.SetNoDelay(true).IgnoreError();
        internal::SocketTransport transport(connection);
        core->Serve(transport, peer);
      },
      options.stream);
}

HttpServer::HttpServer(const SocketAddress& address, TlsContext tls,
                       HttpHandler handler, HttpServerOptions options)
    : core_(std::make_unique<internal::HttpServerCore>(std::move(handler),
                                                       options)) {
  internal::HttpServerCore* core = core_.get();
  TlsStreamServerOptions tls_options;
  static_cast<StreamServerOptions&>(tls_options) = options.stream;
  tls_options.handshake_timeout = options.tls_handshake_timeout;
  server_ = std::make_unique<TlsStreamServer>(
      address, std::move(tls),
      [core](TlsSocket& connection, const SocketAddress& peer) {
        connection.socket().SetNoDelay(true).IgnoreError();
        internal::TlsTransport transport(connection);
        core->Serve(transport, peer);
      },
      tls_options);
}

// server_ goes first (members die in reverse order): its destructor stops
// at once, unwinding the handlers, which use core_.
HttpServer::~HttpServer() = default;

absl::Status HttpServer::Start() { return server_->Start(); }

absl::Status HttpServer::ServeForever() { return server_->ServeForever(); }

void HttpServer::Stop(absl::Duration timeout) {
  server_->StopAccepting();
  core_->BeginShutdown();
  server_->Stop(timeout);
}

}  // namespace evergreen
