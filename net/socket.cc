#include "net/socket.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"
#include "framework/deadline.h"
#include "framework/hub_stats.h"
#include "net/internal/deadline.h"
#include "net/internal/idle_watchdog.h"

namespace evergreen {

using internal::DeadlineFor;
using internal::Remaining;

struct Socket::State {
  explicit State(int fd) : fd(fd), io(fd) {
    if (fd >= 0) internal::CountOwnedFd(1);  // OpenEvergreenFds()
  }
  int fd;
  IoWatcher io;
  absl::Duration timeout = absl::InfiniteDuration();
  SocketAddress peer;  // known after Connect/Accept, for messages
  // Set when a limit closed the socket: what later calls report.
  absl::Status close_reason;
  std::unique_ptr<internal::IdleWatchdog> watchdog;  // SetLimits
  bool tcp = false;      // AF_INET/AF_INET6 and SOCK_STREAM
  bool no_delay = false;  // TCP_NODELAY as last set (inherited by accept)
};

absl::Status ErrnoStatus(int err, absl::string_view what) {
  return absl::ErrnoToStatus(err, what);
}

// Out of the anonymous namespace: State is private to Socket.
struct SocketStateAccess {
  static void Close(Socket::State& state, const absl::Status& reason) {
    if (state.fd < 0) return;
    state.watchdog.reset();
    // Wake (and unregister) every waiter before the fd number can be
    // reused.
    state.io.Cancel(reason);
    close(state.fd);
    internal::CountOwnedFd(-1);
    state.fd = -1;
  }
  static absl::Status ClosedError(const Socket::State* state,
                                  absl::string_view what) {
    if (state != nullptr && !state->close_reason.ok()) {
      return absl::Status(
          state->close_reason.code(),
          absl::StrCat(what, ": ", state->close_reason.message()));
    }
    return absl::FailedPreconditionError(
        absl::StrCat(what, ": socket is closed"));
  }
};

namespace {

bool IsTcp(int family, int type) {
  return (family == AF_INET || family == AF_INET6) &&
         (type & 0xf) == SOCK_STREAM;
}

}  // namespace

Socket::Socket() = default;
Socket::Socket(std::unique_ptr<State> state) : state_(std::move(state)) {}
Socket::Socket(Socket&&) noexcept = default;
Socket& Socket::operator=(Socket&& other) noexcept {
  if (this != &other) {
    Close();
    state_ = std::move(other.state_);
  }
  return *this;
}
Socket::~Socket() { Close(); }

absl::StatusOr<Socket> Socket::Create(int family, int type, int protocol) {
  const int fd = socket(family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, protocol);
  if (fd < 0) return ErrnoStatus(errno, "socket");
  Socket socket(std::make_unique<State>(fd));
  if (IsTcp(family, type)) {
    // B-LR2: request/reply traffic must not wait on Nagle. Set before
    // connect or listen: connected sockets have it, and Linux's accept
    // copies it from the listener.
    socket.state_->tcp = true;
    absl::Status set = socket.SetNoDelay(true);
    if (!set.ok()) return set;
  }
  return socket;
}

absl::StatusOr<Socket> Socket::Adopt(int fd) {
  const int flags = fcntl(fd, F_GETFL);
  if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) {
    return ErrnoStatus(errno, absl::StrCat("adopt fd ", fd));
  }
  auto state = std::make_unique<State>(fd);
  int family = 0, type = 0, no_delay = 0;
  socklen_t len = sizeof(int);
  if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &family, &len) == 0 &&
      (len = sizeof(int), getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len)) ==
          0 &&
      IsTcp(family, type)) {
    state->tcp = true;
    len = sizeof(int);
    if (getsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &no_delay, &len) == 0) {
      state->no_delay = no_delay != 0;
    }
  }
  return Socket(std::move(state));
}

absl::StatusOr<Socket> Socket::Connect(const SocketAddress& peer,
                                       Timeout timeout,
                                       const SocketAddress* source) {
  absl::StatusOr<Socket> socket = Create(peer.family(), SOCK_STREAM);
  if (!socket.ok()) return socket.status();
  if (source != nullptr) {
    absl::Status bound = socket->Bind(*source);
    if (!bound.ok()) return bound;
  }
  absl::Status connected = socket->ConnectTo(peer, timeout);
  if (!connected.ok()) return connected;
  return socket;
}

absl::StatusOr<Socket> Socket::Listen(const SocketAddress& address,
                                      int backlog, bool reuse_port) {
  absl::StatusOr<Socket> socket = Create(address.family(), SOCK_STREAM);
  if (!socket.ok()) return socket.status();
  if (address.family() != AF_UNIX) {
    absl::Status s = socket->SetReuseAddr(true);
    if (s.ok() && reuse_port) s = socket->SetReusePort(true);
    if (!s.ok()) return s;
  }
  absl::Status s = socket->Bind(address);
  if (s.ok()) s = socket->Listen(backlog);
  if (!s.ok()) return s;
  return socket;
}

bool Socket::is_open() const { return state_ != nullptr && state_->fd >= 0; }
int Socket::fd() const { return is_open() ? state_->fd : -1; }

void Socket::set_timeout(absl::Duration timeout) {
  if (state_ != nullptr) state_->timeout = timeout;
}
absl::Duration Socket::timeout() const {
  return state_ != nullptr ? state_->timeout : absl::InfiniteDuration();
}

absl::Duration Socket::Resolve(Timeout timeout) const {
  return timeout.has_value() ? *timeout : state_->timeout;
}

std::string Socket::Describe(const char* what) const {
  if (state_ != nullptr && !state_->peer.empty()) {
    return absl::StrCat(what, " ", state_->peer.ToString());
  }
  return what;
}

absl::Status Socket::Bind(const SocketAddress& address) {
  if (!is_open()) return ClosedError("bind");
  if (bind(state_->fd, address.sockaddr_ptr(), address.length()) != 0) {
    return ErrnoStatus(errno, absl::StrCat("bind ", address.ToString()));
  }
  return absl::OkStatus();
}

absl::Status Socket::Listen(int backlog) {
  if (!is_open()) return ClosedError("listen");
  if (listen(state_->fd, backlog) != 0) return ErrnoStatus(errno, "listen");
  return absl::OkStatus();
}

template <typename Op>
absl::StatusOr<std::size_t> Socket::Retry(IoWatcher::Direction direction,
                                          absl::Time deadline,
                                          absl::Duration timeout,
                                          const char* what, Op op) {
  // A peer that is always readable must not let us starve the others.
  // Reads only: a yield before a write could let the peer act (close) on
  // what came before the write, reordering a request/reply exchange.
  if (direction == IoWatcher::kRead) internal::MaybeYield();
  for (;;) {
    if (!is_open()) return ClosedError(what);
    const ssize_t n = op();
    if (n >= 0) {
      if (state_->watchdog != nullptr) state_->watchdog->Touch();
      return static_cast<std::size_t>(n);
    }
    const int err = errno;
    if (err == EINTR) continue;
    if (err != EAGAIN && err != EWOULDBLOCK) {
      return ErrnoStatus(err, Describe(what));
    }
    absl::Status ready = state_->io.Wait(direction, Remaining(deadline));
    if (!ready.ok() && !state_->close_reason.ok()) {
      return ClosedError(Describe(what));  // a limit closed it meanwhile
    }
    if (absl::IsDeadlineExceeded(ready)) {
      return absl::DeadlineExceededError(absl::StrCat(
          Describe(what), ": ", internal::DescribeTimeout(timeout)));
    }
    if (!ready.ok()) {
      return absl::Status(ready.code(),
                          absl::StrCat(Describe(what), ": ", ready.message()));
    }
  }
}

absl::Status Socket::ConnectTo(const SocketAddress& peer, Timeout timeout) {
  if (!is_open()) return ClosedError("connect");
  state_->peer = peer;
  const std::string what = absl::StrCat("connect ", peer.ToString());
  int rc;
  do {
    rc = connect(state_->fd, peer.sockaddr_ptr(), peer.length());
  } while (rc != 0 && errno == EINTR);
  if (rc == 0) return absl::OkStatus();
  if (errno != EINPROGRESS) return ErrnoStatus(errno, what);
  const absl::Duration limit = Resolve(timeout);
  absl::Status ready = state_->io.Wait(IoWatcher::kWrite, limit);
  if (!ready.ok() && !state_->close_reason.ok()) return ClosedError(what);
  if (absl::IsDeadlineExceeded(ready)) {
    return absl::DeadlineExceededError(
        absl::StrCat(what, ": ", internal::DescribeTimeout(limit)));
  }
  if (!ready.ok()) {
    return absl::Status(ready.code(), absl::StrCat(what, ": ", ready.message()));
  }
  int err = 0;
  socklen_t len = sizeof(err);
  if (getsockopt(state_->fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) {
    err = errno;
  }
  if (err != 0) return ErrnoStatus(err, what);
  return absl::OkStatus();
}

absl::StatusOr<Socket> Socket::Accept(Timeout timeout, SocketAddress* peer) {
  if (!is_open()) return ClosedError("accept");
  const absl::Duration limit = Resolve(timeout);
  SocketAddress from;
  absl::StatusOr<std::size_t> fd =
      Retry(IoWatcher::kRead, DeadlineFor(limit), limit, "accept", [&] {
        socklen_t len = SocketAddress::capacity();
        const int r = accept4(state_->fd, from.mutable_sockaddr(), &len,
                              SOCK_NONBLOCK | SOCK_CLOEXEC);
        from.set_length(len);
        return static_cast<ssize_t>(r);
      });
  if (!fd.ok()) return fd.status();
  auto state = std::make_unique<State>(static_cast<int>(*fd));
  state->peer = from;
  state->tcp = state_->tcp;
  state->no_delay = state_->no_delay;  // inherited from the listener
  if (peer != nullptr) *peer = from;
  return Socket(std::move(state));
}

absl::StatusOr<std::size_t> Socket::RecvInto(void* buffer, std::size_t size,
                                             Timeout timeout) {
  if (!is_open()) return ClosedError("recv");
  const absl::Duration limit = Resolve(timeout);
  return Retry(IoWatcher::kRead, DeadlineFor(limit), limit, "recv from", [&] {
    return recv(state_->fd, buffer, size, 0);
  });
}

absl::StatusOr<std::string> Socket::Recv(std::size_t max_size, Timeout timeout) {
  std::string data(max_size, '\0');
  absl::StatusOr<std::size_t> n = RecvInto(data.data(), max_size, timeout);
  if (!n.ok()) return n.status();
  data.resize(*n);
  return data;
}

absl::StatusOr<std::size_t> Socket::Send(absl::string_view data,
                                         Timeout timeout) {
  if (!is_open()) return ClosedError("send");
  const absl::Duration limit = Resolve(timeout);
  return Retry(IoWatcher::kWrite, DeadlineFor(limit), limit, "send to", [&] {
    return send(state_->fd, data.data(), data.size(), MSG_NOSIGNAL);
  });
}

absl::Status Socket::SendAll(absl::string_view data, Timeout timeout) {
  if (!is_open()) return ClosedError("send");
  const absl::Duration limit = Resolve(timeout);
  const absl::Time deadline = DeadlineFor(limit);
  while (!data.empty()) {
    absl::StatusOr<std::size_t> n =
        Retry(IoWatcher::kWrite, deadline, limit, "send to", [&] {
          return send(state_->fd, data.data(), data.size(), MSG_NOSIGNAL);
        });
    if (!n.ok()) return n.status();
    data.remove_prefix(*n);
  }
  return absl::OkStatus();
}

absl::StatusOr<std::size_t> Socket::RecvFrom(void* buffer, std::size_t size,
                                             SocketAddress* from,
                                             Timeout timeout) {
  if (!is_open()) return ClosedError("recvfrom");
  const absl::Duration limit = Resolve(timeout);
  SocketAddress sender;
  absl::StatusOr<std::size_t> n =
      Retry(IoWatcher::kRead, DeadlineFor(limit), limit, "recvfrom", [&] {
        socklen_t len = SocketAddress::capacity();
        const ssize_t r =
            recvfrom(state_->fd, buffer, size, 0, sender.mutable_sockaddr(), &len);
        sender.set_length(len);
        return r;
      });
  if (n.ok() && from != nullptr) *from = sender;
  return n;
}

absl::StatusOr<std::size_t> Socket::SendTo(absl::string_view data,
                                           const SocketAddress& to,
                                           Timeout timeout) {
  if (!is_open()) return ClosedError("sendto");
  const absl::Duration limit = Resolve(timeout);
  const std::string what = absl::StrCat("sendto ", to.ToString());
  return Retry(IoWatcher::kWrite, DeadlineFor(limit), limit, what.c_str(), [&] {
    return sendto(state_->fd, data.data(), data.size(), MSG_NOSIGNAL,
                  to.sockaddr_ptr(), to.length());
  });
}

absl::Status Socket::Shutdown(int how) {
  if (!is_open()) return ClosedError("shutdown");
  if (shutdown(state_->fd, how) != 0) {
    return ErrnoStatus(errno, Describe("shutdown"));
  }
  return absl::OkStatus();
}

void Socket::Close() {
  if (!is_open()) return;
  SocketStateAccess::Close(*state_, absl::CancelledError("socket closed"));
  // The state itself stays: a greenlet woken above may still be returning
  // through it. It goes with the Socket object.
}

absl::Status Socket::ClosedError(absl::string_view what) const {
  return SocketStateAccess::ClosedError(state_.get(), what);
}

absl::Status Socket::SetLimits(const SocketLimits& limits) {
  if (!is_open()) return ClosedError("socket limits");
  for (absl::Duration d : {limits.idle_timeout, limits.lifetime}) {
    if (d <= absl::ZeroDuration()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "socket limits: ", absl::FormatDuration(d),
          " is not a positive duration (use absl::InfiniteDuration() for "
          "no limit)"));
    }
  }
  state_->watchdog.reset();
  if (limits.idle_timeout == absl::InfiniteDuration() &&
      limits.lifetime == absl::InfiniteDuration()) {
    return absl::OkStatus();
  }
  State* state = state_.get();
  state_->watchdog = std::make_unique<internal::IdleWatchdog>(
      limits.idle_timeout, limits.lifetime, [state](absl::Status reason) {
        state->close_reason = reason;
        SocketStateAccess::Close(*state, reason);
      });
  return absl::OkStatus();
}

void Socket::NoteActivity() {
  if (state_ != nullptr && state_->watchdog != nullptr) {
    state_->watchdog->Touch();
  }
}

absl::Status Socket::SetOption(int level, int name, int value,
                               const char* what) {
  if (!is_open()) return ClosedError(what);
  if (setsockopt(state_->fd, level, name, &value, sizeof(value)) != 0) {
    return ErrnoStatus(errno, what);
  }
  return absl::OkStatus();
}

absl::Status Socket::SetNoDelay(bool on) {
  absl::Status set =
      SetOption(IPPROTO_TCP, TCP_NODELAY, on, "setsockopt TCP_NODELAY");
  if (set.ok()) state_->no_delay = on;
  return set;
}

bool Socket::no_delay() const { return state_ != nullptr && state_->no_delay; }
bool Socket::is_tcp() const { return state_ != nullptr && state_->tcp; }
absl::Status Socket::SetKeepAlive(bool on) {
  return SetOption(SOL_SOCKET, SO_KEEPALIVE, on, "setsockopt SO_KEEPALIVE");
}
absl::Status Socket::SetReuseAddr(bool on) {
  return SetOption(SOL_SOCKET, SO_REUSEADDR, on, "setsockopt SO_REUSEADDR");
}
absl::Status Socket::SetReusePort(bool on) {
  return SetOption(SOL_SOCKET, SO_REUSEPORT, on, "setsockopt SO_REUSEPORT");
}

absl::StatusOr<SocketAddress> Socket::LocalAddress() const {
  if (!is_open()) return ClosedError("getsockname");
  SocketAddress address;
  socklen_t len = SocketAddress::capacity();
  if (getsockname(state_->fd, address.mutable_sockaddr(), &len) != 0) {
    return ErrnoStatus(errno, "getsockname");
  }
  address.set_length(len);
  return address;
}

absl::StatusOr<SocketAddress> Socket::PeerAddress() const {
  if (!is_open()) return ClosedError("getpeername");
  SocketAddress address;
  socklen_t len = SocketAddress::capacity();
  if (getpeername(state_->fd, address.mutable_sockaddr(), &len) != 0) {
    return ErrnoStatus(errno, "getpeername");
  }
  address.set_length(len);
  return address;
}

absl::Status Socket::WaitReadable(Timeout timeout) {
  if (!is_open()) return ClosedError("wait readable");
  return state_->io.Wait(IoWatcher::kRead, Resolve(timeout));
}

absl::Status Socket::WaitWritable(Timeout timeout) {
  if (!is_open()) return ClosedError("wait writable");
  return state_->io.Wait(IoWatcher::kWrite, Resolve(timeout));
}

}  // namespace evergreen
