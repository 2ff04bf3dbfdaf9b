// HttpBodyReader: reads a message body as it arrives, in pieces of any size
// (a request body on the server, a response body on the client). The
// framing (Content-Length, chunked, until close) is already removed.
//
//   char buffer[16384];
//   for (;;) {
//     absl::StatusOr<std::size_t> n = request.body().Read(buffer, sizeof buffer);
//     if (!n.ok()) return ...;      // timeout, peer gone, too large, bad chunk
//     if (*n == 0) break;           // end of body
//     Consume(absl::string_view(buffer, *n));
//   }
//   absl::StatusOr<std::string> all = request.body().ReadAll(1 << 20);
//
// Blocks: Read waits (switching to the hub) until some body bytes came,
// the body ended, or the connection's body timeout passed
// (DeadlineExceeded). Errors: DeadlineExceeded, the transport's,
// InvalidArgument for a malformed chunked body, DataLoss when the peer
// ended the stream early, ResourceExhausted past a size limit. After an
// error the connection is not reused.
//
// Thread affinity: the greenlet serving the message.
#ifndef EVERGREEN_NET_HTTP_BODY_READER_H_
#define EVERGREEN_NET_HTTP_BODY_READER_H_

#include <cstddef>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace evergreen {
namespace internal {

// Where a body comes from (a server or client connection).
class HttpBodySource {
 public:
  // As HttpBodyReader::Read.
  virtual absl::StatusOr<std::size_t> ReadBody(char* buffer,
                                               std::size_t size) = 0;

 protected:
  ~HttpBodySource() = default;
};

}  // namespace internal

class HttpBodyReader {
 public:
  explicit HttpBodyReader(internal::HttpBodySource* source = nullptr)
      : source_(source) {}

  // Reads at most `size` bytes into `buffer`; returns 0 at the end of the
  // body (and for size 0). See the overview for blocking and errors.
  absl::StatusOr<std::size_t> Read(char* buffer, std::size_t size);

  // Reads the rest of the body. Errors as Read, and ResourceExhausted when
  // it is longer than `limit` bytes (the excess is not kept).
  absl::StatusOr<std::string> ReadAll(std::size_t limit = 16 << 20);

  // The end of the body was read.
  bool done() const { return done_; }

 private:
  internal::HttpBodySource* source_;
  bool done_ = false;
};

}  // namespace evergreen

#endif  // EVERGREEN_NET_HTTP_BODY_READER_H_
