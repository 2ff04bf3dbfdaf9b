#include "net/http/internal/transport.h"

#include <sys/socket.h>

#include <algorithm>

namespace evergreen {
namespace internal {

absl::Duration Remaining(absl::Time deadline) {
  if (deadline == absl::InfiniteFuture()) return absl::InfiniteDuration();
  return std::max(deadline - absl::Now(), absl::ZeroDuration());
}

void HttpTransport::Abort() {
  const int descriptor = fd();
  if (descriptor >= 0) {
    const linger reset = {.l_onoff = 1, .l_linger = 0};
    // Best effort: without it the close is merely clean.
    setsockopt(descriptor, SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
  }
  Close();
}

absl::StatusOr<std::size_t> SocketTransport::ReadSome(char* buffer,
                                                      std::size_t size,
                                                      absl::Time deadline) {
  return socket_->RecvInto(buffer, size, Remaining(deadline));
}

absl::Status SocketTransport::WriteAll(absl::string_view data,
                                       absl::Time deadline) {
  return socket_->SendAll(data, Remaining(deadline));
}

void SocketTransport::AwaitReadable(absl::Time deadline) {
  // A failure (the deadline, a close) shows again in the read after.
  socket_->WaitReadable(Remaining(deadline)).IgnoreError();
}

absl::Status SocketTransport::Shutdown(absl::Time) {
  return socket_->Shutdown(SHUT_WR);
}

absl::StatusOr<std::size_t> TlsTransport::ReadSome(char* buffer,
                                                   std::size_t size,
                                                   absl::Time deadline) {
  return socket_->ReadInto(buffer, size, Remaining(deadline));
}

absl::Status TlsTransport::WriteAll(absl::string_view data,
                                    absl::Time deadline) {
  return socket_->WriteAll(data, Remaining(deadline));
}

absl::Status TlsTransport::Shutdown(absl::Time deadline) {
  return socket_->Shutdown(Remaining(deadline));
}

}  // namespace internal
}  // namespace evergreen
