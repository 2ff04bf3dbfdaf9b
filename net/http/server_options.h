// HttpServerOptions: limits and timeouts of an HttpServer.
//
// Every limit answers with its status and closes the connection; every
// timeout closes it. Together they bound what one client can hold: memory
// (the read buffer plus the head limits; never a declared body length) and
// time (no read waits longer than its deadline, and the head and body
// deadlines are overall, so a byte at a time cannot extend them: B-HT9).
#ifndef EVERGREEN_NET_HTTP_SERVER_OPTIONS_H_
#define EVERGREEN_NET_HTTP_SERVER_OPTIONS_H_

#include <cstddef>
#include <cstdint>

#include "absl/time/time.h"
#include "net/stream_server.h"

namespace evergreen {

struct HttpServerOptions {
  // Request target longer than this → 414.
  std::size_t max_target_bytes = 8 * 1024;
  // Header names + values (+4 per field) larger than this, or more fields
  // than max_header_count → 431.
  std::size_t max_header_bytes = 64 * 1024;
  int max_header_count = 100;
  // A declared Content-Length over this → 413 before the handler runs; a
  // chunked body growing past it → the read fails with ResourceExhausted
  // and the client gets 413 unless the handler answered.
  std::uint64_t max_body_bytes = 64ull << 20;
  // A request body sent with "Content-Encoding: gzip" (or x-gzip, one
  // coding) is decompressed as the handler reads it: the handler sees
  // neither that field nor Content-Length (content_length() is nullopt),
  // only the decompressed bytes. More than max_decompressed_body_bytes of
  // them → the read fails with ResourceExhausted (413 unless the handler
  // answered); bytes that are not gzip → InvalidArgument (400 likewise).
  // Other codings reach the handler as sent, their field intact.
  // false: every body reaches the handler as sent.
  bool decompress_gzip_requests = true;
  std::uint64_t max_decompressed_body_bytes = 64ull << 20;
  // A chunk extension longer than this → 400.
  std::size_t max_chunk_extension_bytes = 1024;

  // Waiting for the first byte of a request on a kept-alive connection.
  absl::Duration idle_timeout = absl::Seconds(60);
  // From a request's first byte to the end of its head (→ 408 and close).
  absl::Duration head_timeout = absl::Seconds(10);
  // From the end of the head to the end of the body, for the handler's
  // reads.
  absl::Duration body_timeout = absl::Seconds(60);
  // Each flush of response bytes to the client.
  absl::Duration write_timeout = absl::Seconds(60);

  // Bytes read from the connection at a time; also the most a pipelining
  // client can make the server hold unparsed.
  std::size_t read_buffer_bytes = 16 * 1024;
  // Unread request body discarded after a response so the connection can
  // be reused; a longer rest closes it.
  std::size_t max_discard_bytes = 256 * 1024;

  // The TLS handshake (HttpServer over TLS only); always finite.
  absl::Duration tls_handshake_timeout = absl::Seconds(10);

  // The underlying StreamServer (backlog, connection cap, reuse_port).
  StreamServerOptions stream;
};

}  // namespace evergreen

#endif  // EVERGREEN_NET_HTTP_SERVER_OPTIONS_H_
