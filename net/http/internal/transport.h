// HttpTransport: the byte stream under an HTTP connection, plain TCP or
// TLS, behind one interface so the server and client code is written once.
//
// Calls block their greenlet (switching to the hub) until some bytes move,
// the peer ends the stream, an error, or `deadline` (DeadlineExceeded).
// Close() from another greenlet wakes a blocked call with Cancelled.
//
// Thread affinity: the hub thread of the socket.
#ifndef EVERGREEN_NET_HTTP_INTERNAL_TRANSPORT_H_
#define EVERGREEN_NET_HTTP_INTERNAL_TRANSPORT_H_

#include <cstddef>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "net/socket.h"
#include "net/tls_socket.h"

namespace evergreen {
namespace internal {

class HttpTransport {
 public:
  virtual ~HttpTransport() = default;
  // Reads at most `size` bytes; 0 at the end of the stream.
  virtual absl::StatusOr<std::size_t> ReadSome(char* buffer, std::size_t size,
                                               absl::Time deadline) = 0;
  virtual absl::Status WriteAll(absl::string_view data,
                                absl::Time deadline) = 0;
  // For a read that will most likely have to wait (the peer has yet to
  // answer what we just sent): waits until bytes may be there, or until
  // `deadline` or an error, which the read that follows then reports.
  // Saves that read an attempt bound to fail. Default: returns at once.
  virtual void AwaitReadable(absl::Time /*deadline*/) {}
  // Ends our direction cleanly (TLS close_notify, TCP FIN).
  virtual absl::Status Shutdown(absl::Time deadline) = 0;
  // Wakes blocked calls; the stream is unusable afterwards.
  virtual void Close() = 0;
  // Closes with a TCP reset (no FIN, no close_notify): the peer sees an
  // error, never a clean end, so a body cut short cannot pass for whole.
  void Abort();
  virtual bool is_open() const = 0;
  // The descriptor under the stream (-1 once closed).
  virtual int fd() const = 0;
};

// The time left until `deadline` (zero once passed; infinite stays so).
absl::Duration Remaining(absl::Time deadline);

// Over a Socket the transport refers to (the server's) or owns.
class SocketTransport final : public HttpTransport {
 public:
  explicit SocketTransport(Socket& socket) : socket_(&socket) {}
  explicit SocketTransport(Socket&& socket)
      : owned_(std::move(socket)), socket_(&owned_) {}

  absl::StatusOr<std::size_t> ReadSome(char* buffer, std::size_t size,
                                       absl::Time deadline) override;
  absl::Status WriteAll(absl::string_view data, absl::Time deadline) override;
  void AwaitReadable(absl::Time deadline) override;
  absl::Status Shutdown(absl::Time deadline) override;
  void Close() override { socket_->Close(); }
  bool is_open() const override { return socket_->is_open(); }
  int fd() const override { return socket_->fd(); }

 private:
  Socket owned_;
  Socket* socket_;
};

// Over a TlsSocket (handshake done) the transport refers to or owns.
class TlsTransport final : public HttpTransport {
 public:
  explicit TlsTransport(TlsSocket& socket) : socket_(&socket) {}
  explicit TlsTransport(TlsSocket&& socket)
      : owned_(std::move(socket)), socket_(&owned_) {}

  absl::StatusOr<std::size_t> ReadSome(char* buffer, std::size_t size,
                                       absl::Time deadline) override;
  absl::Status WriteAll(absl::string_view data, absl::Time deadline) override;
  absl::Status Shutdown(absl::Time deadline) override;
  void Close() override { socket_->Close(); }
  bool is_open() const override { return socket_->is_open(); }
  int fd() const override {
    return socket_->is_open() ? socket_->socket().fd() : -1;
  }

 private:
  TlsSocket owned_;
  TlsSocket* socket_;
};

}  // namespace internal
}  // namespace evergreen

#endif  // EVERGREEN_NET_HTTP_INTERNAL_TRANSPORT_H_
