// HttpMux: routes requests to handlers by path prefix, and is a handler
// itself (pass mux.AsHandler() to HttpServer). A service runtime (e.g. the
// Connect protocol) mounts on a prefix such as "/kv.Store/".
//
//   evergreen::HttpMux mux;
//   mux.Handle("/", &Index);                  // everything else
//   mux.Handle("/static/", &ServeStatic);     // /static/... (a subtree)
//   mux.Handle("/health", &Health);           // exactly /health
//   evergreen::HttpServer server(address, mux.AsHandler());
//
// A pattern ending in '/' matches every path under it; any other pattern
// matches that path only. The longest matching pattern wins, so a mounted
// subtree is never shadowed by a shorter one. No match → 404.
//
// Thread affinity: the server's hub thread. Handle() before the server
// starts (routes are not guarded against change while serving).
#ifndef EVERGREEN_NET_HTTP_MUX_H_
#define EVERGREEN_NET_HTTP_MUX_H_

#include <map>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "net/http/handler.h"

namespace evergreen {

class HttpMux {
 public:
  HttpMux() = default;
  HttpMux(const HttpMux&) = delete;
  HttpMux& operator=(const HttpMux&) = delete;

  // Routes `pattern` (starting with '/') to `handler`. Errors:
  // InvalidArgument for a pattern not starting with '/'; AlreadyExists for
  // a pattern routed before.
  absl::Status Handle(absl::string_view pattern, HttpHandler handler);

  // Serves one request with the handler of the longest matching pattern.
  void Serve(HttpRequest& request, HttpResponse& response);

  // A handler that calls Serve. REQUIRES: the mux outlives the server.
  HttpHandler AsHandler();

 private:
  // Longest first: std::greater on strings puts "/a/b/" before "/a/".
  std::map<std::string, HttpHandler, std::greater<>> routes_;
};

}  // namespace evergreen

#endif  // EVERGREEN_NET_HTTP_MUX_H_
