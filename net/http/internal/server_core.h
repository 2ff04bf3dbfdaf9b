// HttpServerCore: what an HttpServer's connections share — the handler,
// the options, and the set of live connections that a graceful shutdown
// walks. Serve() is the per-connection loop (server_connection.cc).
//
// Thread affinity: the server's hub thread.
#ifndef EVERGREEN_NET_HTTP_INTERNAL_SERVER_CORE_H_
#define EVERGREEN_NET_HTTP_INTERNAL_SERVER_CORE_H_

#include <cstdint>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "net/address.h"
#include "net/http/handler.h"
#include "net/http/internal/transport.h"
#include "net/http/server_options.h"

namespace evergreen {
namespace internal {

// A connection as the shutdown sees it.
struct HttpConnectionEntry {
  HttpTransport* transport;
  bool idle = false;  // waiting for the first byte of a request
};

class HttpServerCore {
 public:
  HttpServerCore(HttpHandler handler, HttpServerOptions options)
      : handler_(std::move(handler)), options_(std::move(options)) {}
  HttpServerCore(const HttpServerCore&) = delete;
  HttpServerCore& operator=(const HttpServerCore&) = delete;

  // Serves requests on `transport` until the connection ends. Blocks.
  void Serve(HttpTransport& transport, const SocketAddress& peer);

  // From now on responses close their connections; idle connections are
  // closed at once. Never blocks.
  void BeginShutdown();
  bool stopping() const { return stopping_; }
  const bool* stopping_flag() const { return &stopping_; }

  const HttpServerOptions& options() const { return options_; }
  HttpHandler& handler() { return handler_; }
  std::uint64_t requests() const { return requests_; }
  void CountRequest() { ++requests_; }

  void Register(HttpConnectionEntry* entry) { connections_.insert(entry); }
  void Unregister(HttpConnectionEntry* entry) { connections_.erase(entry); }

 private:
  HttpHandler handler_;
  HttpServerOptions options_;
  bool stopping_ = false;
  std::uint64_t requests_ = 0;
  absl::flat_hash_set<HttpConnectionEntry*> connections_;
};

}  // namespace internal
}  // namespace evergreen

#endif  // EVERGREEN_NET_HTTP_INTERNAL_SERVER_CORE_H_
