// DatagramServer: a UDP server that handles each datagram in a greenlet of
// its own (gevent.server.DatagramServer).
//
//   evergreen::DatagramServer server(
//       *evergreen::SocketAddress::Parse("127.0.0.1:0"),
//       [](absl::string_view data, const evergreen::SocketAddress& from,
//          evergreen::DatagramServer& server) {
//         (void)server.SendTo(data, from);   // echo
//       });
//   absl::Status started = server.Start();   // returns at once
//   ...
//   server.Stop(absl::Seconds(1));
//
// The handler is called in a new greenlet per datagram, concurrently with
// the others, and may block freely. `data` is valid during the call only.
// An exception from it is reported once through Hub::HandleError and the
// server keeps serving. With a Pool or `max_connections` (here: datagrams
// being handled at once), the server reads only when a slot is free, so
// datagrams wait in the socket's receive buffer — and the kernel drops
// what does not fit, as UDP does.
//
// Life cycle, options and thread affinity: see net/base_server.h.
#ifndef EVERGREEN_NET_DATAGRAM_SERVER_H_
#define EVERGREEN_NET_DATAGRAM_SERVER_H_

#include <cstddef>
#include <string>

#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "framework/lock.h"
#include "net/address.h"
#include "net/base_server.h"
#include "net/socket.h"

namespace evergreen {

struct DatagramServerOptions : ServerOptions {
  // The largest datagram received whole; longer ones are truncated.
  std::size_t max_datagram_size = 65536;
};

class DatagramServer : public BaseServer {
 public:
  // Called in the datagram's greenlet. May be called concurrently.
  using Handler = absl::AnyInvocable<void(
      absl::string_view data, const SocketAddress& from, DatagramServer&)>;

  // Serves `address` (port 0 picks a free port; see address()), which
  // Start() binds.
  DatagramServer(const SocketAddress& address, Handler handler,
                 DatagramServerOptions options = {});
  // Serves an already bound datagram socket; the server owns it from now.
  DatagramServer(Socket socket, Handler handler,
                 DatagramServerOptions options = {});
  // Stops at once if running: blocks while the handlers are killed and
  // unwind. REQUIRES: not called from one of its own handlers.
  ~DatagramServer() override;

  // Sends `data` as one datagram from the server's socket to `to`, e.g. a
  // reply. Blocks while the socket's send buffer is full (what wakes it:
  // room in the buffer), and while another greenlet is sending through
  // the server. Returns the bytes sent. Errors: DeadlineExceeded after
  // `timeout`; FailedPrecondition before Start or after Stop; sendto's.
  // Throws as Waiter::Wait.
  absl::StatusOr<std::size_t> SendTo(
      absl::string_view data, const SocketAddress& to,
      absl::Duration timeout = absl::InfiniteDuration());

 private:
  absl::StatusOr<Socket> Open(const SocketAddress& address) override;
  absl::Status TakeOne() override;

  Handler handler_;
  std::string buffer_;  // receives every datagram; copied per handler
  // Serialises senders: the socket lets one greenlet at a time wait to
  // write (B-S2).
  Lock send_lock_;
};

}  // namespace evergreen

#endif  // EVERGREEN_NET_DATAGRAM_SERVER_H_
