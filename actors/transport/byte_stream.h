// ByteStream: the connection an RPC transport frames its calls on — a TCP
// Socket or a TlsSocket, behind one small interface so that the server
// connection and the client channel are written once for both.
//
//   std::unique_ptr<ByteStream> s = TcpStream(*std::move(socket));
//   absl::StatusOr<std::size_t> n = s->ReadSome(buffer, sizeof(buffer));
//   absl::Status sent = s->WriteAll(bytes, absl::Seconds(30));
//
// One greenlet may read while another writes. Close() from any greenlet
// wakes both with Cancelled.
//
// Thread affinity: the hub thread of the socket.
#ifndef EVERGREEN_ACTORS_TRANSPORT_BYTE_STREAM_H_
#define EVERGREEN_ACTORS_TRANSPORT_BYTE_STREAM_H_

#include <cstddef>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "net/socket.h"
#include "net/tls_socket.h"

namespace evergreen {

class ByteStream {
 public:
  virtual ~ByteStream() = default;
  // Blocks until some bytes arrive; 0 at the peer's orderly end.
  virtual absl::StatusOr<std::size_t> ReadSome(void* buffer,
                                               std::size_t size) = 0;
  // Blocks until all of `data` is written or `timeout` passes.
  virtual absl::Status WriteAll(absl::string_view data,
                                absl::Duration timeout) = 0;
  // Stops reading: a blocked ReadSome returns (0 or an error) soon, while
  // writes still go out. For a graceful drain.
  virtual void StopReading() = 0;
  // Wakes blocked calls, then closes. Idempotent.
  virtual void Close() = 0;
  // The peer, "127.0.0.1:5000".
  virtual const std::string& peer() const = 0;
};

// Borrows `socket` (its owner keeps it open while the stream is used).
std::unique_ptr<ByteStream> BorrowTcpStream(Socket& socket, std::string peer);
std::unique_ptr<ByteStream> BorrowTlsStream(TlsSocket& socket,
                                            std::string peer);
// Owns `socket`.
std::unique_ptr<ByteStream> OwnTcpStream(Socket socket, std::string peer);
std::unique_ptr<ByteStream> OwnTlsStream(TlsSocket socket, std::string peer);

}  // namespace evergreen

#endif  // EVERGREEN_ACTORS_TRANSPORT_BYTE_STREAM_H_
