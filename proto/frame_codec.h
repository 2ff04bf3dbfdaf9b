// Frame codec: evergreen.rpc.Frame messages on a byte stream (TCP, TLS),
// each prefixed by its length as a 4-byte big-endian unsigned integer.
//
//   std::string wire;
//   absl::Status s = evergreen::AppendFrame(frame, &wire);   // encode
//
//   evergreen::FrameDecoder decoder;                          // decode
//   decoder.Feed(bytes_read);
//   rpc::Frame frame;
//   for (;;) {
//     absl::StatusOr<bool> got = decoder.Next(&frame);
//     if (!got.ok()) return got.status();   // close the connection
//     if (!*got) break;                     // wait for more bytes
//     Handle(frame);
//   }
//   absl::Status at_eof = decoder.Finish();  // DataLoss if a frame is cut
//
// Hostile input is expected: a declared length over the limit fails with
// ResourceExhausted before any byte of the body is buffered, and memory is
// only ever allocated for bytes that have arrived (never from a declared
// length), so a peer cannot make the decoder reserve 4 GiB with 4 bytes.
// A body that does not parse as a Frame fails InvalidArgument. Errors are
// sticky: once Next() has failed it returns that error forever, since the
// stream has lost its framing.
//
// Thread affinity: none (a plain value); not thread-safe. Never blocks.
#ifndef EVERGREEN_PROTO_FRAME_CODEC_H_
#define EVERGREEN_PROTO_FRAME_CODEC_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "proto/evergreen/rpc.pb.h"

namespace evergreen {

// The default limit on one frame's body: 4 MiB.
inline constexpr std::size_t kDefaultMaxFrameSize = std::size_t{4} << 20;
// The length prefix.
inline constexpr std::size_t kFramePrefixSize = 4;

// Appends `frame`'s length prefix and body to `out`. Errors:
// ResourceExhausted when the body is larger than `max_frame_size` (nothing
// is appended then).
absl::Status AppendFrame(const rpc::Frame& frame, std::string* out,
                         std::size_t max_frame_size = kDefaultMaxFrameSize);

class FrameDecoder {
 public:
  // REQUIRES: 0 < max_frame_size <= UINT32_MAX.
  explicit FrameDecoder(std::size_t max_frame_size = kDefaultMaxFrameSize);

  FrameDecoder(const FrameDecoder&) = delete;
  FrameDecoder& operator=(const FrameDecoder&) = delete;
  FrameDecoder(FrameDecoder&&) = default;
  FrameDecoder& operator=(FrameDecoder&&) = default;

  // Appends bytes read from the stream. After an error they are dropped.
  void Feed(absl::string_view bytes);

  // Decodes the next complete frame into `frame`: true when one was
  // decoded, false when more bytes are needed. Errors (sticky):
  // ResourceExhausted for a declared length over the limit,
  // InvalidArgument for a body that is not a Frame.
  absl::StatusOr<bool> Next(rpc::Frame* frame);

  // Whether the stream may end here: OK between frames; DataLoss naming
  // how much of the cut frame arrived; the sticky error if there is one.
  absl::Status Finish() const;

  // Bytes received and not yet decoded.
  std::size_t buffered() const { return buffer_.size() - start_; }
  std::size_t max_frame_size() const { return max_frame_size_; }

 private:
  // Drops decoded bytes from the front once they dominate the buffer.
  void Compact();

  std::size_t max_frame_size_;
  std::string buffer_;
  std::size_t start_ = 0;  // first undecoded byte in buffer_
  absl::Status error_;
};

}  // namespace evergreen

#endif  // EVERGREEN_PROTO_FRAME_CODEC_H_
