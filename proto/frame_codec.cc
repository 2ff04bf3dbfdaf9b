#include "proto/frame_codec.h"

#include <cstring>

#include "absl/strings/str_cat.h"

namespace evergreen {
namespace {

std::uint32_t ReadPrefix(const char* p) {
  const auto* u = reinterpret_cast<const unsigned char*>(p);
  return (std::uint32_t{u[0]} << 24) | (std::uint32_t{u[1]} << 16) |
         (std::uint32_t{u[2]} << 8) | std::uint32_t{u[3]};
}

// The buffer capacity kept between frames.
constexpr std::size_t kKeptCapacity = 64 * 1024;

}  // namespace

absl::Status AppendFrame(const rpc::Frame& frame, std::string* out,
                         std::size_t max_frame_size) {
  const std::size_t size = frame.ByteSizeLong();
  if (size > max_frame_size) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "frame of ", size, " bytes exceeds the limit of ", max_frame_size,
        " bytes"));
  }
  const std::size_t at = out->size();
  out->resize(at + kFramePrefixSize + size);
  char* p = out->data() + at;
  p[0] = static_cast<char>((size >> 24) & 0xff);
  p[1] = static_cast<char>((size >> 16) & 0xff);
  p[2] = static_cast<char>((size >> 8) & 0xff);
  p[3] = static_cast<char>(size & 0xff);
  frame.SerializeWithCachedSizesToArray(
      reinterpret_cast<std::uint8_t*>(p + kFramePrefixSize));
  return absl::OkStatus();
}

FrameDecoder::FrameDecoder(std::size_t max_frame_size)
    : max_frame_size_(max_frame_size) {}

void FrameDecoder::Feed(absl::string_view bytes) {
  if (!error_.ok() || bytes.empty()) return;
  Compact();
  buffer_.append(bytes.data(), bytes.size());
}

absl::StatusOr<bool> FrameDecoder::Next(rpc::Frame* frame) {
  if (!error_.ok()) return error_;
  if (buffered() < kFramePrefixSize) return false;
  const std::uint32_t size = ReadPrefix(buffer_.data() + start_);
  // Checked before waiting for the body, so an oversized declaration is
  // refused with 4 bytes buffered, not 4 MiB.
  if (size > max_frame_size_) {
    error_ = absl::ResourceExhaustedError(absl::StrCat(
        "frame declares ", size, " bytes, over the limit of ",
        max_frame_size_, " bytes"));
    return error_;
  }
  if (buffered() - kFramePrefixSize < size) return false;
  const char* body = buffer_.data() + start_ + kFramePrefixSize;
  if (!frame->ParseFromArray(body, static_cast<int>(size))) {
    error_ = absl::InvalidArgumentError(absl::StrCat(
        "frame of ", size, " bytes does not parse as evergreen.rpc.Frame"));
    return error_;
  }
  start_ += kFramePrefixSize + size;
  if (start_ == buffer_.size()) {
    start_ = 0;
    // A burst of large frames leaves a large buffer behind; give it back.
    if (buffer_.capacity() > kKeptCapacity) {
      std::string().swap(buffer_);
    } else {
      buffer_.clear();
    }
  }
  return true;
}

absl::Status FrameDecoder::Finish() const {
  if (!error_.ok()) return error_;
  if (buffered() == 0) return absl::OkStatus();
  if (buffered() < kFramePrefixSize) {
    return absl::DataLossError(absl::StrCat(
        "stream ended inside a frame's length prefix (", buffered(), " of ",
        kFramePrefixSize, " bytes)"));
  }
  return absl::DataLossError(absl::StrCat(
      "stream ended inside a frame (", buffered() - kFramePrefixSize, " of ",
      ReadPrefix(buffer_.data() + start_), " bytes)"));
}

void FrameDecoder::Compact() {
  if (start_ == 0) return;
  if (start_ < buffer_.size() - start_ && start_ < 4096) return;
  buffer_.erase(0, start_);
  start_ = 0;
}

}  // namespace evergreen
