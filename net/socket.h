// Socket: a cooperative socket (TCP, UDP, Unix; IPv4 and IPv6).
//
//   absl::StatusOr<Socket> s = Socket::Connect(*SocketAddress::Parse(
//       "127.0.0.1:8080"), absl::Seconds(5));
//   if (!s.ok()) return s.status();   // "connect 127.0.0.1:8080: Connection refused"
//   absl::Status sent = s->SendAll("ping\n");
//   absl::StatusOr<std::string> reply = s->Recv(4096);   // "" at EOF
//
// Every call tries the system call first and waits (switching to the hub)
// only on EAGAIN. Blocking calls take an optional timeout: absent means the
// socket's default (set_timeout(); infinite unless set); on expiry they
// fail with DeadlineExceeded. Failures are absl::Status values naming the
// operation, the peer and the errno text, with canonical codes
// (ECONNREFUSED → Unavailable, ETIMEDOUT → DeadlineExceeded, ...).
//
// One greenlet at a time may read, and one write (B-S2: a concurrent
// second reader gets FailedPrecondition). Close() from another greenlet
// wakes blocked callers at once with Cancelled("socket closed").
//
// TCP sockets (AF_INET/AF_INET6 stream sockets) made by Create, Connect or
// Listen have TCP_NODELAY on, and accepted ones inherit their listener's
// setting (B-LR2): a small reply never waits for the peer's delayed ACK.
// SetNoDelay(false) turns Nagle back on for one socket (or, on a listener,
// for the connections it accepts from then on).
//
// Thread affinity: the hub thread that created the socket. Movable (the
// state lives behind a pointer); not copyable. The destructor closes.
// REQUIRES: no other greenlet is inside a call on the socket when it is
// destroyed or moved from (Close() it first: that wakes them).
//
// Blocks, under a deadline: every blocking call here waits at most until
// min(its own timeout, CurrentDeadline()) and then fails as its timeout
// does; with the deadline already passed, a call that would wait fails at
// once (framework/deadline.h, docs/deadlines.md).
#ifndef EVERGREEN_NET_SOCKET_H_
#define EVERGREEN_NET_SOCKET_H_

#include <sys/socket.h>

#include <cstddef>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "framework/io_watcher.h"
#include "net/address.h"

namespace evergreen {

// Limits on a connection's life (Socket::SetLimits); infinite: no limit.
struct SocketLimits {
  // Closed when no call on it has moved a byte, either way, for this long.
  absl::Duration idle_timeout = absl::InfiniteDuration();
  // Closed this long after SetLimits, busy or not.
  absl::Duration lifetime = absl::InfiniteDuration();
};

class Socket {
 public:
  using Timeout = std::optional<absl::Duration>;

  // A new non-blocking, close-on-exec socket; TCP ones get TCP_NODELAY.
  // Errors: from socket(2) or setsockopt(2).
  static absl::StatusOr<Socket> Create(int family, int type, int protocol = 0);
  // Takes ownership of `fd` and makes it non-blocking. Its TCP_NODELAY
  // setting is left as it is.
  static absl::StatusOr<Socket> Adopt(int fd);
  // Create + (optional Bind to `source`) + Connect, for stream sockets.
  static absl::StatusOr<Socket> Connect(const SocketAddress& peer,
                                        Timeout timeout = std::nullopt,
                                        const SocketAddress* source = nullptr);
  // Create + SO_REUSEADDR + Bind + Listen, for stream servers.
  static absl::StatusOr<Socket> Listen(const SocketAddress& address,
                                       int backlog = 1024,
                                       bool reuse_port = false);

  Socket();  // closed
  Socket(Socket&&) noexcept;
  Socket& operator=(Socket&&) noexcept;
  ~Socket();

  bool is_open() const;
  int fd() const;

  absl::Status Bind(const SocketAddress& address);
  absl::Status Listen(int backlog);
  // Blocks until connected. Errors name the peer.
  absl::Status ConnectTo(const SocketAddress& peer, Timeout timeout = std::nullopt);
  // Blocks until a connection arrives; fills `peer` if given.
  absl::StatusOr<Socket> Accept(Timeout timeout = std::nullopt,
                                SocketAddress* peer = nullptr);

  // Receives at most `size` bytes into `buffer`; 0 means EOF. Blocks until
  // some data, EOF or an error.
  absl::StatusOr<std::size_t> RecvInto(void* buffer, std::size_t size,
                                       Timeout timeout = std::nullopt);
  // As RecvInto, returning the bytes ("" at EOF).
  absl::StatusOr<std::string> Recv(std::size_t max_size,
                                   Timeout timeout = std::nullopt);
  // Sends some of `data`; returns how much. Blocks until some is sent.
  absl::StatusOr<std::size_t> Send(absl::string_view data,
                                   Timeout timeout = std::nullopt);
  // Sends all of `data` within one overall `timeout`. Sending "" succeeds
  // at once. On failure some prefix may have been sent.
  absl::Status SendAll(absl::string_view data, Timeout timeout = std::nullopt);

  // Datagrams.
  absl::StatusOr<std::size_t> RecvFrom(void* buffer, std::size_t size,
                                       SocketAddress* from,
                                       Timeout timeout = std::nullopt);
  absl::StatusOr<std::size_t> SendTo(absl::string_view data,
                                     const SocketAddress& to,
                                     Timeout timeout = std::nullopt);

  // shutdown(2): SHUT_RD, SHUT_WR or SHUT_RDWR.
  absl::Status Shutdown(int how);
  // Wakes blocked callers with Cancelled("socket closed"), then closes.
  // Idempotent.
  void Close();

  // TCP_NODELAY on (the default for TCP sockets) or off (Nagle).
  // Errors: from setsockopt(2), e.g. on a non-TCP socket.
  absl::Status SetNoDelay(bool on);
  // TCP_NODELAY as last set through this object (or found by Adopt).
  bool no_delay() const;
  // AF_INET/AF_INET6 stream socket.
  bool is_tcp() const;
  absl::Status SetKeepAlive(bool on);
  absl::Status SetReuseAddr(bool on);
  absl::Status SetReusePort(bool on);
  absl::Status SetOption(int level, int name, int value, const char* what);

  // Closes the socket when `limits` passes (replacing earlier limits;
  // both infinite: none). Closing wakes blocked calls, and fails later
  // ones, with DeadlineExceeded naming the limit ("recv from 1.2.3.4:5:
  // idle for 30s (the idle timeout); connection closed"). Activity is any
  // call that moved bytes, and NoteActivity(). Never blocks. Errors:
  // InvalidArgument for a duration <= 0; FailedPrecondition when closed.
  absl::Status SetLimits(const SocketLimits& limits);
  // Counts as activity for the idle timeout: for layers that move bytes
  // on fd() themselves (TLS).
  void NoteActivity();
  // The status a call named `what` gets on this closed socket: the reason
  // a limit closed it, else FailedPrecondition("...: socket is closed").
  absl::Status ClosedError(absl::string_view what) const;

  // The default timeout of this socket's blocking calls.
  void set_timeout(absl::Duration timeout);
  absl::Duration timeout() const;

  absl::StatusOr<SocketAddress> LocalAddress() const;
  absl::StatusOr<SocketAddress> PeerAddress() const;

  // Waits for readiness without doing I/O (e.g. for TLS). Errors as
  // IoWatcher::Wait.
  absl::Status WaitReadable(Timeout timeout = std::nullopt);
  absl::Status WaitWritable(Timeout timeout = std::nullopt);

 private:
  struct State;
  explicit Socket(std::unique_ptr<State> state);
  absl::Duration Resolve(Timeout timeout) const;
  // Runs `op` (a syscall returning -1/errno on failure), waiting on EAGAIN.
  template <typename Op>
  absl::StatusOr<std::size_t> Retry(IoWatcher::Direction direction,
                                    absl::Time deadline, absl::Duration timeout,
                                    const char* what, Op op);
  std::string Describe(const char* what) const;

  friend struct SocketStateAccess;
  std::unique_ptr<State> state_;
};

// The absl::Status for `err` (an errno) with the message "what: strerror".
absl::Status ErrnoStatus(int err, absl::string_view what);

}  // namespace evergreen

#endif  // EVERGREEN_NET_SOCKET_H_
