// StreamServer: a TCP (or Unix-stream) server that runs each connection in
// a greenlet of its own (gevent.server.StreamServer).
//
//   evergreen::StreamServer server(
//       *evergreen::SocketAddress::Parse("127.0.0.1:0"),
//       [](evergreen::Socket& connection, const evergreen::SocketAddress&) {
//         for (;;) {   // echo
//           absl::StatusOr<std::string> data = connection.Recv(4096);
//           if (!data.ok() || data->empty()) return;   // error or EOF
//           if (!connection.SendAll(*data).ok()) return;
//         }
//       });
//   absl::Status started = server.Start();   // returns at once
//   Connect(server.address());               // the real port
//   server.Stop(absl::Seconds(5));
//
// The handler is called in a new greenlet for every accepted connection,
// concurrently with the others, and may block freely (it blocks only its
// own greenlet). The connection is closed when the handler returns or
// throws; an exception is reported once through Hub::HandleError and
// affects no other connection (B-S4).
//
// Life cycle (Start, ServeForever, Stop, StopAccepting, StartAccepting),
// options (back-off, accept batching, Pool or connection cap), errors and
// thread affinity: see net/base_server.h.
//
// Extension point: ServeConnection() in stream_server.cc is the one place a
// connection passes through before the handler; TLS (a handshake under a
// timeout) belongs there.
#ifndef EVERGREEN_NET_STREAM_SERVER_H_
#define EVERGREEN_NET_STREAM_SERVER_H_

#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "net/address.h"
#include "net/base_server.h"
#include "net/socket.h"

namespace evergreen {

struct StreamServerOptions : ServerOptions {
  // listen(2) backlog: connections the kernel completes and queues while
  // none is being accepted (StopAccepting, a full pool).
  int backlog = 1024;
  // TCP_NODELAY on accepted TCP connections (B-LR2): replies leave at
  // once instead of waiting on Nagle. false turns Nagle on for them.
  bool tcp_nodelay = true;
  // Per-connection limits (B-LR3): a connection that moves no byte either
  // way for idle_timeout, or that has been open for max_lifetime, is
  // closed; the handler's blocked (and later) calls on it fail with
  // DeadlineExceeded naming the limit ("recv from 1.2.3.4:5: idle for 30s
  // (the idle timeout); connection closed"), and it should return.
  // Infinite: no limit. REQUIRES: > 0 (else Start fails with
  // InvalidArgument). Inherited by every server built on StreamServer.
  absl::Duration idle_timeout = absl::InfiniteDuration();
  absl::Duration max_lifetime = absl::InfiniteDuration();
};

class StreamServer : public BaseServer {
 public:
  // Called in the connection's greenlet; `connection` is closed after it
  // returns. May be called concurrently from many greenlets.
  using Handler =
      absl::AnyInvocable<void(Socket& connection, const SocketAddress& peer)>;

  // Serves `address` (port 0 picks a free port; see address()), which
  // Start() binds and listens on.
  StreamServer(const SocketAddress& address, Handler handler,
               StreamServerOptions options = {});
  // Serves an already listening socket (e.g. inherited, or made with
  // Socket::Listen); the server owns it from now on.
  StreamServer(Socket listener, Handler handler,
               StreamServerOptions options = {});
  // Stops at once if running: blocks while the handlers are killed and
  // unwind. REQUIRES: not called from one of its own handlers.
  ~StreamServer() override;

 private:
  absl::Status CheckOptions() const override;
  absl::StatusOr<Socket> Open(const SocketAddress& address) override;
  absl::Status TakeOne() override;
  void ServeConnection(Socket& connection, const SocketAddress& peer);

  Handler handler_;
  const int backlog_;
  const bool tcp_nodelay_;
  const SocketLimits limits_;
};

}  // namespace evergreen

#endif  // EVERGREEN_NET_STREAM_SERVER_H_
