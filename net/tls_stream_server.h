// TlsStreamServer: a StreamServer whose connections speak TLS.
//
//   absl::StatusOr<TlsContext> context = TlsContext::Server(
//       {.certificate = {.chain = PemSource::File("server.pem"),
//                        .private_key = PemSource::File("server.key")}});
//   TlsStreamServer server(*SocketAddress::Parse("127.0.0.1:8443"), *context,
//       [](TlsSocket& tls, const SocketAddress& peer) {
//         absl::StatusOr<std::string> line = tls.Read(4096);
//         ...
//       });
//   absl::Status started = server.Start();
//
// Each accepted connection's handshake runs in that connection's own
// greenlet (a client that never speaks cannot stall accepting), bounded by
// handshake_timeout — always finite. A failed handshake (bad certificate,
// timeout, a peer that drops) is an outcome of the client, not an error of
// the server: it is counted in handshake_failures() and the connection is
// closed; the server keeps serving (B-X3, B-X4). After the handler
// returns, the server sends close_notify (bounded by shutdown_timeout).
//
// Life cycle, options and thread affinity: as StreamServer (net/base_server.h).
#ifndef EVERGREEN_NET_TLS_STREAM_SERVER_H_
#define EVERGREEN_NET_TLS_STREAM_SERVER_H_

#include <cstdint>

#include "absl/functional/any_invocable.h"
#include "absl/time/time.h"
#include "net/stream_server.h"
#include "net/tls_context.h"
#include "net/tls_socket.h"

namespace evergreen {

struct TlsStreamServerOptions : StreamServerOptions {
  absl::Duration handshake_timeout = absl::Seconds(10);
  absl::Duration shutdown_timeout = absl::Seconds(1);
};

class TlsStreamServer : public StreamServer {
 public:
  using TlsHandler =
      absl::AnyInvocable<void(TlsSocket& connection, const SocketAddress& peer)>;

  // REQUIRES: options.handshake_timeout is finite (else it is clamped to
  // the default, 10 s).
  TlsStreamServer(const SocketAddress& address, TlsContext context,
                  TlsHandler handler, TlsStreamServerOptions options = {});
  // Stops first (handlers are killed and unwound) while the context and
  // the handler they use are still alive.
  ~TlsStreamServer() override;

  // Handshakes that failed so far (each closed its connection).
  std::uint64_t handshake_failures() const { return handshake_failures_; }

 private:
  void Serve(Socket& connection, const SocketAddress& peer);

  TlsContext context_;
  TlsHandler handler_;
  absl::Duration handshake_timeout_;
  absl::Duration shutdown_timeout_;
  std::uint64_t handshake_failures_ = 0;
};

}  // namespace evergreen

#endif  // EVERGREEN_NET_TLS_STREAM_SERVER_H_
