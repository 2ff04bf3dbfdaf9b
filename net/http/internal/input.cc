#include "net/http/internal/input.h"

#include <algorithm>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace evergreen {
namespace internal {

HttpInput::HttpInput(HttpTransport& transport, HttpParser::Kind kind,
                     HttpParseLimits limits, std::size_t buffer_size)
    : transport_(transport),
      parser_(kind, limits),
      buffer_(new char[buffer_size]),
      capacity_(buffer_size) {}

absl::Status HttpInput::Parse() {
  absl::StatusOr<std::size_t> used =
      parser_.Feed(absl::string_view(buffer_.get() + pos_, end_ - pos_));
  if (!used.ok()) return used.status();
  pos_ += *used;
  return absl::OkStatus();
}

absl::StatusOr<bool> HttpInput::Fill(absl::Time deadline) {
  if (eof_) return false;
  // Everything before pos_ is parsed and any body piece consumed.
  if (pos_ == end_) {
    pos_ = end_ = 0;
  } else if (end_ == capacity_) {
    std::memmove(buffer_.get(), buffer_.get() + pos_, end_ - pos_);
    end_ -= pos_;
    pos_ = 0;
  }
  if (expect_wait_) {
    expect_wait_ = false;
    transport_.AwaitReadable(deadline);
  }
  absl::StatusOr<std::size_t> got =
      transport_.ReadSome(buffer_.get() + end_, capacity_ - end_, deadline);
  if (!got.ok()) return got.status();
  if (*got == 0) {
    eof_ = true;
    return false;
  }
  end_ += *got;
  return true;
}

absl::Status HttpInput::ReadHead(absl::Time first_byte_deadline,
                                 absl::Duration head_timeout) {
  absl::Time deadline = first_byte_deadline;
  bool timing_head = false;
  while (!parser_.head_complete()) {
    if (pos_ < end_) {
      if (!timing_head) {
        timing_head = true;
        deadline = absl::Now() + head_timeout;
      }
      if (absl::Status parsed = Parse(); !parsed.ok()) return parsed;
      continue;
    }
    absl::StatusOr<bool> more = Fill(deadline);
    const bool nothing_yet = !parser_.message_started() && pos_ == end_;
    if (!more.ok()) return more.status();
    if (!*more) {
      if (nothing_yet) return absl::NotFoundError("the stream ended");
      if (absl::Status ended = parser_.FeedEof(); !ended.ok()) return ended;
      if (!parser_.head_complete()) {
        return absl::InvalidArgumentError("HTTP head cut short");
      }
    }
  }
  // Lets a message without a body complete now (llhttp paused at the end
  // of its head), and picks up a first body piece already buffered.
  return Parse();
}

absl::StatusOr<std::size_t> HttpInput::ReadBody(char* out, std::size_t size,
                                                absl::Time deadline) {
  while (parser_.body().empty()) {
    if (parser_.message_complete() || size == 0) return 0;
    if (pos_ < end_ || parser_.paused()) {
      if (absl::Status parsed = Parse(); !parsed.ok()) return parsed;
      continue;
    }
    absl::StatusOr<bool> more = Fill(deadline);
    if (!more.ok()) return more.status();
    if (!*more) {
      if (absl::Status ended = parser_.FeedEof(); !ended.ok()) {
        return absl::DataLossError(ended.message());
      }
      if (!parser_.message_complete()) {
        return absl::DataLossError("HTTP body cut short");
      }
    }
  }
  absl::string_view piece = parser_.body();
  const std::size_t n = std::min(size, piece.size());
  std::memcpy(out, piece.data(), n);
  // The rest of the piece stays in the buffer: Fill() is not called while
  // a piece is pending.
  parser_.ConsumeBody(n);
  return n;
}

}  // namespace internal
}  // namespace evergreen
