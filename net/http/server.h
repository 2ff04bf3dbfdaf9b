// HttpServer: an HTTP/1.1 server (gevent's pywsgi.WSGIServer, production
// grade) over a StreamServer or, given a TlsContext, a TlsStreamServer.
//
//   evergreen::HttpServer server(
//       *evergreen::SocketAddress::Parse("127.0.0.1:8080"),
//       [](evergreen::HttpRequest& request, evergreen::HttpResponse& response) {
//         response.Send(200, "hello\n", {{"Content-Type", "text/plain"}});
//       });
//   absl::Status started = server.Start();   // returns at once
//   ...
//   server.Stop(absl::Seconds(5));            // graceful
//
// Each connection runs in its own greenlet; its requests are parsed by
// llhttp (strict), handled one at a time and answered in order, so
// keep-alive and pipelining need nothing from the handler (B-HT1, B-HT2).
// Bad requests get 400 / 414 / 431 / 413 / 505 and the connection closes
// (B-HT4..B-HT9); see HttpServerOptions for the limits and timeouts.
//
// Routing: the handler is one function; HttpMux (net/http/mux.h) routes by
// path prefix and is itself a handler, so services (e.g. Connect) mount on
// a prefix.
//
// Thread affinity: the hub thread that constructs the server; every call
// belongs to it. Several servers on one port (one per hub thread) with
// options.stream.reuse_port spread connections over cores.
#ifndef EVERGREEN_NET_HTTP_SERVER_H_
#define EVERGREEN_NET_HTTP_SERVER_H_

#include <cstdint>
#include <memory>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "net/address.h"
#include "net/http/handler.h"
#include "net/http/internal/server_core.h"
#include "net/http/server_options.h"
#include "net/stream_server.h"
#include "net/tls_context.h"

namespace evergreen {

class HttpServer {
 public:
  // Plain HTTP on `address` (port 0 picks one; see address()).
  HttpServer(const SocketAddress& address, HttpHandler handler,
             HttpServerOptions options = {});
  // HTTPS: every connection handshakes with `tls` (a server context) first.
  HttpServer(const SocketAddress& address, TlsContext tls, HttpHandler handler,
             HttpServerOptions options = {});
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;
  // Stops at once if running (as Stop(absl::ZeroDuration())).
  ~HttpServer();

  // Binds and starts accepting in the background. Never blocks. Errors as
  // BaseServer::Start ("bind 127.0.0.1:80: Permission denied").
  absl::Status Start();
  // Start() unless started, then blocks until Stop() finished.
  absl::Status ServeForever();

  // Graceful shutdown: stops accepting (new clients are refused), closes
  // idle keep-alive connections at once, lets requests in flight finish
  // (their responses say "Connection: close") for up to `timeout`, then
  // kills the handlers still running. Blocks until done. Idempotent.
  void Stop(absl::Duration timeout = absl::Seconds(10));

  // The bound address once started (the real port for port 0).
  const SocketAddress& address() const { return server_->address(); }
  // Connections open now.
  int connection_count() const { return server_->connection_count(); }
  // Requests whose head was read so far.
  std::uint64_t request_count() const { return core_->requests(); }

 private:
  std::unique_ptr<internal::HttpServerCore> core_;
  std::unique_ptr<StreamServer> server_;
};

}  // namespace evergreen

#endif  // EVERGREEN_NET_HTTP_SERVER_H_
