// Channel::Http: calls to a server over HTTP/1.1 with the Connect
// protocol, unary (the client side of RpcServer::ListenHttp, and of any
// Connect server: connect-go, connect-es, ...).
//
//   kv::v1::KeyValue::Client kv(Channel::Http("http://127.0.0.1:8080"));
//   auto r = kv.Get(request, {.timeout = absl::Milliseconds(50)});
//
//   HttpChannelOptions json{.json = true};            // application/json
//   Channel https = Channel::Http("https://kv.example:8443", json);
//
// Each call is one POST <base>/<package>.<Service>/<Method> on net/http's
// HttpClient (a keep-alive pool per origin, so calls in flight at once
// use several connections). The deadline goes as Connect-Timeout-Ms and
// bounds the exchange; metadata goes as request headers. A Connect error
// body becomes the absl::Status with its code and message; any other
// non-200 answer gets the code Connect infers from the HTTP status. A
// transport failure is Unavailable naming the URL ("POST http://...:
// connect: Connection refused"). Cancel stops the exchange (its connection
// is closed, not reused).
//
// Thread affinity: the hub thread that made it.
#ifndef EVERGREEN_ACTORS_TRANSPORT_HTTP_CHANNEL_H_
#define EVERGREEN_ACTORS_TRANSPORT_HTTP_CHANNEL_H_

#include "absl/time/time.h"
#include "actors/service/channel.h"
#include "net/tls_context.h"

namespace evergreen {

struct HttpChannelOptions {
  // Send and ask for application/json instead of application/proto.
  bool json = false;
  // Resolving, connecting and the TLS handshake of a new connection.
  absl::Duration connect_timeout = absl::Seconds(5);
  // A call without a deadline is bounded by this.
  absl::Duration default_timeout = absl::Seconds(60);
  // For https:// targets; empty: verify against the system's CAs.
  TlsContext tls;
};

}  // namespace evergreen

#endif  // EVERGREEN_ACTORS_TRANSPORT_HTTP_CHANNEL_H_
