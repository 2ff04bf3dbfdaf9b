// TlsSocket: TLS over a connected cooperative Socket.
//
//   // Client: connect, then handshake (SNI, ALPN, chain and name checked).
//   absl::StatusOr<Socket> tcp = Socket::Connect(address, absl::Seconds(5));
//   absl::StatusOr<TlsSocket> tls =
//       TlsConnect(*std::move(tcp), client_context, "example.com",
//                  absl::Seconds(5));
//   if (!tls.ok()) return tls.status();
//       // "TLS handshake with example.com (93.184.216.34:443): certificate
//       //  verify failed: certificate has expired"
//   absl::Status sent = tls->WriteAll("GET / HTTP/1.1\r\n...");
//   absl::StatusOr<std::string> reply = tls->Read(4096);   // "" at EOF
//
//   // Server: per accepted connection.
//   absl::StatusOr<TlsSocket> conn =
//       TlsAccept(*std::move(accepted), server_context, absl::Seconds(10));
//
// The API mirrors Socket: every call tries OpenSSL first and waits
// (switching to the hub) only when OpenSSL needs the socket readable or
// writable. Blocking calls take an optional timeout — absent means the
// underlying socket's default (Socket::set_timeout(), infinite unless set) —
// and fail with DeadlineExceeded when it passes.
//
// Errors are absl::Status values naming the operation, the peer and the
// reason: Unauthenticated for certificate problems (our verification of the
// peer: "certificate has expired", "certificate is not yet valid",
// "hostname mismatch", "unable to get local issuer certificate"; or the
// peer's alert about ours: "tlsv13 alert certificate required");
// Unavailable for other protocol failures and a peer that vanished
// ("connection closed by peer (unexpected eof while reading)");
// the errno's code for transport errors; Cancelled after Close() from
// another greenlet. After a protocol failure the connection is dead: later
// calls fail with FailedPrecondition quoting the first error. Like every
// blocking call, these also throw as Waiter::Wait (GreenletExit on a kill,
// TimeoutError from a scoped Timeout).
//
// End of stream: Read returns 0 / "" only for the peer's close_notify. A
// peer that closes the TCP connection without it (mid-record or between
// records) is an error, since that is indistinguishable from truncation by
// an attacker (B-X4).
//
// One greenlet at a time may read, and one write: a second concurrent
// reader or writer that has to wait gets FailedPrecondition from the
// socket (B-S2). A read that must send (a TLS 1.3 key update answer) while
// a writer waits on the same socket can get that error too. SIGPIPE is never raised: the transport
// sends with MSG_NOSIGNAL.
//
// Thread affinity: the hub thread of the socket. Movable (state lives
// behind a pointer); not copyable. The destructor closes without
// close_notify; call Shutdown() first for a clean end.
// REQUIRES: no other greenlet is inside a call when it is destroyed or
// moved from (Close() it first: that wakes them).
//
// Blocks, under a deadline: every blocking call here waits at most until
// min(its own timeout, CurrentDeadline()) and then fails as its timeout
// does; with the deadline already passed, a call that would wait fails at
// once (framework/deadline.h, docs/deadlines.md).
#ifndef EVERGREEN_NET_TLS_SOCKET_H_
#define EVERGREEN_NET_TLS_SOCKET_H_

#include <openssl/types.h>

#include <cstddef>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "net/socket.h"
#include "net/tls_context.h"

namespace evergreen {

class TlsSocket {
 public:
  using Timeout = Socket::Timeout;

  // Wraps `socket` (connected) for a client handshake with the server
  // `server_name`: a DNS name (sent as SNI; checked against the
  // certificate) or an IP address (checked against its IP entries, no
  // SNI). Offers a cached session for "server_name:port". Does not
  // handshake. Errors: InvalidArgument for a server context, or an empty
  // name when the context verifies peers; FailedPrecondition for a closed
  // socket; Internal when OpenSSL cannot allocate.
  static absl::StatusOr<TlsSocket> Client(Socket socket,
                                          const TlsContext& context,
                                          absl::string_view server_name);
  // Wraps `socket` (accepted) for a server handshake. Does not handshake.
  // Errors as Client, for a client context.
  static absl::StatusOr<TlsSocket> Server(Socket socket,
                                          const TlsContext& context);

  TlsSocket();  // closed
  TlsSocket(TlsSocket&&) noexcept;
  TlsSocket& operator=(TlsSocket&&) noexcept;
  ~TlsSocket();

  // Performs the handshake. Blocks until it completes, fails, or
  // `timeout` passes (DeadlineExceeded). Errors as in the overview (B-X1,
  // B-X3). Calling it again after success returns OK at once.
  absl::Status Handshake(Timeout timeout = std::nullopt);

  // Decrypts at most `size` bytes into `buffer`; 0 means the peer's
  // close_notify (or size 0). Blocks until some data, close_notify or an
  // error. REQUIRES: the handshake succeeded (else FailedPrecondition).
  absl::StatusOr<std::size_t> ReadInto(void* buffer, std::size_t size,
                                       Timeout timeout = std::nullopt);
  // As ReadInto, returning the bytes ("" at close_notify).
  absl::StatusOr<std::string> Read(std::size_t max_size,
                                   Timeout timeout = std::nullopt);
  // Encrypts and sends some of `data` (at most one record, 16 KiB); returns
  // how much. Blocks until some is sent. After a write fails, times out or
  // is unwound (kill, scoped Timeout) the stream may be cut mid-record:
  // later writes and Shutdown fail with FailedPrecondition.
  absl::StatusOr<std::size_t> Write(absl::string_view data,
                                    Timeout timeout = std::nullopt);
  // Sends all of `data` within one overall `timeout`. Sending "" succeeds
  // at once.
  absl::Status WriteAll(absl::string_view data, Timeout timeout = std::nullopt);

  // Sends close_notify: the peer's reads then end cleanly. Blocks until it
  // is sent or `timeout` passes. Reading remains possible (the peer may
  // still send until its own close_notify). Does not close the socket.
  absl::Status Shutdown(Timeout timeout = std::nullopt);
  // Wakes blocked callers with Cancelled("socket closed"), then closes the
  // socket without close_notify. Idempotent.
  void Close();

  bool is_open() const;
  bool handshake_done() const;

  // --- After the handshake. ---
  // The negotiated ALPN protocol, or "" when none.
  std::string alpn() const;
  // "TLSv1.3", "TLSv1.2".
  std::string protocol_version() const;
  // The peer certificate's subject in RFC 2253 form ("CN=localhost,O=..."),
  // or "" when the peer sent none.
  std::string peer_subject() const;
  // True when the handshake resumed an earlier session.
  bool session_reused() const;

  // The underlying socket (addresses, default timeout). Reading or writing
  // it directly corrupts the TLS stream. REQUIRES: made by Client/Server
  // (not default-constructed or moved from).
  Socket& socket();
  const Socket& socket() const;
  // The SSL object, for what this class does not cover.
  SSL* native_handle() const;

 private:
  struct State;
  explicit TlsSocket(std::unique_ptr<State> state);
  static absl::StatusOr<TlsSocket> Wrap(Socket socket,
                                        const TlsContext& context, bool server);
  absl::Status Usable(const char* what, bool need_handshake) const;
  // Usable, and no earlier write was cut short.
  absl::Status Writable(const char* what) const;
  // Runs `op` (an SSL call returning > 0 on success) until it succeeds,
  // waiting for the socket as OpenSSL asks. Returns op's result, or 0 for
  // the peer's close_notify.
  template <typename Op>
  absl::StatusOr<int> Drive(const char* what, absl::Time deadline,
                            absl::Duration timeout, Op op);
  // Sends the output the BIO holds, waiting for the socket as needed.
  absl::Status FlushOutput(const char* what, absl::Time deadline,
                           absl::Duration timeout);
  // The status for a failed wait on the socket inside `what`.
  absl::Status WaitFailure(const absl::Status& ready, const char* what,
                           absl::Duration timeout) const;
  absl::StatusOr<std::size_t> WriteSome(absl::string_view data,
                                        absl::Time deadline,
                                        absl::Duration timeout);
  std::string Describe(const char* what) const;

  std::unique_ptr<State> state_;
};

// Client(socket, context, server_name) + Handshake(timeout).
absl::StatusOr<TlsSocket> TlsConnect(Socket socket, const TlsContext& context,
                                     absl::string_view server_name,
                                     TlsSocket::Timeout timeout = std::nullopt);

// Server(socket, context) + Handshake(timeout): what a stream server calls
// for each accepted connection. On failure the socket is closed.
absl::StatusOr<TlsSocket> TlsAccept(Socket socket, const TlsContext& context,
                                    TlsSocket::Timeout timeout = std::nullopt);

}  // namespace evergreen

#endif  // EVERGREEN_NET_TLS_SOCKET_H_
