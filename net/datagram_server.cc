#include "net/datagram_server.h"

#include <sys/socket.h>

#include <utility>

#include "absl/strings/str_cat.h"

namespace evergreen {

DatagramServer::DatagramServer(const SocketAddress& address, Handler handler,
                               DatagramServerOptions options)
    : BaseServer("DatagramServer", address, options),
      handler_(std::move(handler)),
      buffer_(options.max_datagram_size, '\0') {}

DatagramServer::DatagramServer(Socket socket, Handler handler,
                               DatagramServerOptions options)
    : BaseServer("DatagramServer", std::move(socket), options),
      handler_(std::move(handler)),
      buffer_(options.max_datagram_size, '\0') {}

DatagramServer::~DatagramServer() { StopNow(); }

absl::StatusOr<Socket> DatagramServer::Open(const SocketAddress& address) {
  return BindSocket(address, SOCK_DGRAM);
}

absl::Status DatagramServer::TakeOne() {
  SocketAddress from;
  absl::StatusOr<std::size_t> size = socket().RecvFrom(
      buffer_.data(), buffer_.size(), &from, absl::ZeroDuration());
  if (!size.ok()) return size.status();
  Spawn(absl::StrCat("datagram from ", from.ToString()),
        [this, data = std::string(buffer_.data(), *size), from] {
          handler_(data, from, *this);
        });
  return absl::OkStatus();
}

absl::StatusOr<std::size_t> DatagramServer::SendTo(absl::string_view data,
                                                   const SocketAddress& to,
                                                   absl::Duration timeout) {
  const absl::Time start = absl::Now();
  if (!send_lock_.Acquire(timeout)) {
    return absl::DeadlineExceededError(absl::StrCat(
        "sendto ", to.ToString(), ": timed out after ",
        absl::FormatDuration(timeout), " waiting for other senders"));
  }
  struct Release {
    Lock* lock;
    ~Release() { lock->Release(); }
  } release{&send_lock_};
  // What is left of `timeout` (an infinite one stays infinite).
  return socket().SendTo(data, to, timeout - (absl::Now() - start));
}

}  // namespace evergreen
