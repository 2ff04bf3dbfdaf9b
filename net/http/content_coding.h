// Content codings (RFC 9110 8.4): gzip for a response body, and what a
// request's Accept-Encoding allows.
//
//   if (evergreen::AcceptsCoding(request.headers(), "gzip") &&
//       body.size() >= 1024) {
//     response.Send(200, evergreen::GzipCompress(body),
//                   {{"Content-Encoding", "gzip"}});
//   }
//
// (Request bodies sent gzipped are decompressed by HttpServer itself; see
// HttpServerOptions::decompress_gzip_requests.)
//
// Thread affinity: none. Never blocks.
#ifndef EVERGREEN_NET_HTTP_CONTENT_CODING_H_
#define EVERGREEN_NET_HTTP_CONTENT_CODING_H_

#include <string>

#include "absl/strings/string_view.h"
#include "net/http/headers.h"

namespace evergreen {

// `data` as one gzip member (zlib's default level, the bytes `gzip -c`
// would write up to the header's time stamp).
std::string GzipCompress(absl::string_view data);

// True when the Accept-Encoding fields of `headers` list `coding` (or "*")
// with a q-value above 0, case-insensitively. No Accept-Encoding field:
// false (identity is always acceptable; nothing else is assumed).
bool AcceptsCoding(const HttpHeaders& headers, absl::string_view coding);

}  // namespace evergreen

#endif  // EVERGREEN_NET_HTTP_CONTENT_CODING_H_
