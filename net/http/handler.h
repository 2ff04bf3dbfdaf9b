// HttpHandler: the application side of an HTTP server, called once per
// request in the connection's greenlet (requests on one connection are
// handled one after another; responses leave in request order).
//
//   evergreen::HttpHandler hello = [](evergreen::HttpRequest& request,
//                                     evergreen::HttpResponse& response) {
//     response.Send(200, "hello\n", {{"Content-Type", "text/plain"}});
//   };
//
// A handler may block freely. An exception escaping it is reported once
// through Hub::HandleError: before the response started the client gets
// 500; after, the connection is aborted (B-HT11).
#ifndef EVERGREEN_NET_HTTP_HANDLER_H_
#define EVERGREEN_NET_HTTP_HANDLER_H_

#include "absl/functional/any_invocable.h"
#include "net/http/request.h"
#include "net/http/response.h"

namespace evergreen {

using HttpHandler =
    absl::AnyInvocable<void(HttpRequest& request, HttpResponse& response)>;

}  // namespace evergreen

#endif  // EVERGREEN_NET_HTTP_HANDLER_H_
