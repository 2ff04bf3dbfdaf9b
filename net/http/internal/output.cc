#include "net/http/internal/output.h"

namespace evergreen {
namespace internal {

absl::Status HttpOutput::Send(absl::string_view data) {
  if (!status_.ok()) return status_;
  status_ = transport_.WriteAll(data, absl::Now() + write_timeout_);
  return status_;
}

absl::Status HttpOutput::Write(absl::string_view data) {
  if (!status_.ok()) return status_;
  if (buffer_.size() + data.size() <= kFlushBytes) {
    buffer_.append(data.data(), data.size());
    return absl::OkStatus();
  }
  if (absl::Status flushed = Flush(); !flushed.ok()) return flushed;
  if (data.size() <= kFlushBytes) {
    buffer_.append(data.data(), data.size());
    return absl::OkStatus();
  }
  return Send(data);
}

absl::Status HttpOutput::Flush() {
  if (buffer_.empty()) return status_;
  absl::Status sent = Send(buffer_);
  buffer_.clear();
  return sent;
}

}  // namespace internal
}  // namespace evergreen
