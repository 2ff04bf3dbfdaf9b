// libFuzzer target for the frame decoder (B-RPC2): arbitrary bytes, fed in
// chunks whose sizes come from the input itself, must never crash, never
// buffer beyond the limit plus one chunk, and must decode what they encode.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "proto/frame_codec.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data,
                                      std::size_t size) {
  if (size == 0) return 0;
  // First byte: the chunk size for feeding; small limit so oversize paths run.
  const std::size_t chunk = 1 + data[0] % 64;
  constexpr std::size_t kLimit = 4096;
  evergreen::FrameDecoder decoder(kLimit);
  evergreen::rpc::Frame frame;
  const char* bytes = reinterpret_cast<const char*>(data + 1);
  std::size_t left = size - 1;
  bool failed = false;
  while (left > 0 && !failed) {
    const std::size_t n = left < chunk ? left : chunk;
    decoder.Feed(absl::string_view(bytes, n));
    bytes += n;
    left -= n;
    for (;;) {
      absl::StatusOr<bool> next = decoder.Next(&frame);
      if (!next.ok()) {
        failed = true;
        break;
      }
      if (!*next) break;
      // A decoded frame re-encodes and decodes to the same bytes.
      std::string wire;
      if (evergreen::AppendFrame(frame, &wire, kLimit).ok()) {
        evergreen::FrameDecoder again(kLimit);
        again.Feed(wire);
        evergreen::rpc::Frame copy;
        absl::StatusOr<bool> back = again.Next(&copy);
        if (!back.ok() || !*back ||
            copy.SerializeAsString() != frame.SerializeAsString()) {
          std::abort();
        }
      }
    }
    if (decoder.buffered() > kLimit + evergreen::kFramePrefixSize + chunk) {
      std::abort();
    }
  }
  (void)decoder.Finish();
  return 0;
}
