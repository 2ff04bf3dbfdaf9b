// HttpOutput: the writing side of an HTTP connection. Small writes gather
// in a buffer so that a response head and a short body (or the answers to
// several pipelined requests) leave in one system call; large writes go
// out directly. The first failure sticks: later calls return it.
//
// Thread affinity: the connection's greenlet.
#ifndef EVERGREEN_NET_HTTP_INTERNAL_OUTPUT_H_
#define EVERGREEN_NET_HTTP_INTERNAL_OUTPUT_H_

#include <cstddef>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "net/http/internal/transport.h"

namespace evergreen {
namespace internal {

class HttpOutput {
 public:
  // Each flush must finish within `write_timeout`.
  HttpOutput(HttpTransport& transport, absl::Duration write_timeout)
      : transport_(transport), write_timeout_(write_timeout) {}

  // Queues `data`; blocks (flushing) only when the buffer would exceed
  // kFlushBytes.
  absl::Status Write(absl::string_view data);
  // Sends what is queued. Blocks until sent, or the write timeout.
  absl::Status Flush();

  void set_write_timeout(absl::Duration timeout) { write_timeout_ = timeout; }
  std::size_t pending() const { return buffer_.size(); }
  const absl::Status& status() const { return status_; }
  // The queue, for formatting into it directly.
  std::string& buffer() { return buffer_; }

  static constexpr std::size_t kFlushBytes = 16 * 1024;

 private:
  absl::Status Send(absl::string_view data);

  HttpTransport& transport_;
  absl::Duration write_timeout_;
  std::string buffer_;
  absl::Status status_;
};

}  // namespace internal
}  // namespace evergreen

#endif  // EVERGREEN_NET_HTTP_INTERNAL_OUTPUT_H_
