// ConnectHandler: serves a ServiceTable's services over HTTP with the
// Connect protocol, unary calls (https://connectrpc.com/docs/protocol):
//
//   POST /<package>.<Service>/<Method>
//   Content-Type: application/proto | application/json
//   Connect-Protocol-Version: 1          (optional; another value: 400)
//   Connect-Timeout-Ms: 250              (optional: the call's deadline)
//
// The request runs through the same runtime as the TCP transport
// (ServiceTable::Dispatch: the service actor, deadlines, load shedding).
// 200 carries the reply in the request's codec (protobuf binary, or
// protobuf's JSON mapping with unknown request fields ignored); an error
// is Connect's JSON {"code": "...", "message": "..."} with the HTTP status
// of Connect's table (connect_codes.h). Unknown service or method: 404
// unimplemented. Other request headers (except HTTP's and Connect's own)
// become the call's metadata, names in lower case.
//
// Compression (Connect unary: plain Content-Encoding / Accept-Encoding):
// a gzip request body is decompressed by the HttpServer (corrupt:
// invalid_argument); a reply of at least `compress_min_bytes` is gzipped
// when the request's Accept-Encoding allows gzip.
//
// Refused with a Connect error: a method other than POST (405, Allow:
// POST), another Content-Type (415, Accept-Post), a request
// Content-Encoding other than gzip or identity (unimplemented, with
// Accept-Encoding: gzip), a bad Connect-Timeout-Ms (invalid_argument), a
// body over `max_body_bytes` (resource_exhausted).
//
// Mount it with RpcServer::ListenHttp / ListenHttps / MountHttp, or as
// any HttpHandler (HttpMux routes by "/<package>.<Service>/").
//
// Blocks: the handler waits (its connection's greenlet) for the call.
// Thread affinity: the hub of the server and of the table.
#ifndef EVERGREEN_ACTORS_TRANSPORT_CONNECT_HANDLER_H_
#define EVERGREEN_ACTORS_TRANSPORT_CONNECT_HANDLER_H_

#include <cstddef>

#include "actors/transport/service_table.h"
#include "net/http/handler.h"

namespace evergreen {

struct ConnectHandlerOptions {
  // A request body larger than this fails resource_exhausted.
  std::size_t max_body_bytes = 4 << 20;
  // Replies at least this large are gzipped when the request's
  // Accept-Encoding allows gzip (Connect's default threshold). Requests
  // sent with Content-Encoding: gzip are decompressed by the HTTP server.
  std::size_t compress_min_bytes = 1024;
};

// A handler serving `table`. REQUIRES: `table` outlives the handler.
HttpHandler ConnectHandler(const ServiceTable& table,
                           ConnectHandlerOptions options = {});

}  // namespace evergreen

#endif  // EVERGREEN_ACTORS_TRANSPORT_CONNECT_HANDLER_H_
