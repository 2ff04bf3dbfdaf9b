// HttpInput: the reading side of an HTTP connection: a fixed read buffer,
// the transport and the parser. Reads only as far as the caller asks: the
// head, then the body piece by piece, so memory stays bounded by the
// buffer whatever the peer declares or sends (B-HT8, B-HT9).
//
// Thread affinity: the connection's greenlet.
#ifndef EVERGREEN_NET_HTTP_INTERNAL_INPUT_H_
#define EVERGREEN_NET_HTTP_INTERNAL_INPUT_H_

#include <cstddef>
#include <memory>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "net/http/internal/parser.h"
#include "net/http/internal/transport.h"

namespace evergreen {
namespace internal {

class HttpInput {
 public:
  HttpInput(HttpTransport& transport, HttpParser::Kind kind,
            HttpParseLimits limits, std::size_t buffer_size);

  // Blocks until the next message's head is parsed. Waits for its first
  // byte until `first_byte_deadline`, then at most `head_timeout` for the
  // rest. Errors: NotFound when the stream ended before any byte of the
  // message; DeadlineExceeded; the transport's; the parser's (see
  // parser().error_status()). parser().message_started() tells whether
  // any byte of the message came.
  absl::Status ReadHead(absl::Time first_byte_deadline,
                        absl::Duration head_timeout);

  // Reads up to `size` body bytes into `out`; 0 at the end of the body.
  // Blocks until some came or `deadline`. Errors: DeadlineExceeded, the
  // transport's, the parser's, DataLoss when the stream ended early.
  absl::StatusOr<std::size_t> ReadBody(char* out, std::size_t size,
                                       absl::Time deadline);
  // The next read from the transport will most likely have to wait (we
  // just sent a request, or a response with nothing pipelined after it):
  // wait for bytes before trying (HttpTransport::AwaitReadable).
  void ExpectWait() { expect_wait_ = true; }
  // The current message was read to its end.
  bool message_complete() const { return parser_.message_complete(); }
  // Moves on to the next message. REQUIRES: message_complete().
  void NextMessage() { parser_.NextMessage(); }
  // Bytes received but not yet parsed (a pipelined request).
  bool buffered() const { return pos_ < end_; }
  // No byte of the next message has been received.
  bool idle() const { return pos_ == end_ && !parser_.message_started(); }

  HttpParser& parser() { return parser_; }
  const HttpHead& head() const { return parser_.head(); }

 private:
  // Parses buffered bytes up to the next event.
  absl::Status Parse();
  // Reads more bytes into the buffer. Returns false at the end of stream.
  absl::StatusOr<bool> Fill(absl::Time deadline);

  HttpTransport& transport_;
  HttpParser parser_;
  std::unique_ptr<char[]> buffer_;
  std::size_t capacity_;
  std::size_t pos_ = 0;  // next byte to parse
  std::size_t end_ = 0;  // end of received bytes
  bool eof_ = false;
  bool expect_wait_ = false;
};

}  // namespace internal
}  // namespace evergreen

#endif  // EVERGREEN_NET_HTTP_INTERNAL_INPUT_H_
