// BaseServer: the life cycle StreamServer and DatagramServer share
// (gevent.baseserver.BaseServer).
//
//   evergreen::StreamServer server(address, Handle);   // a BaseServer
//   absl::Status started = server.Start();   // binds; accepts in the
//   background server.address();                        // the bound address
//   (port 0 → real) server.StopAccepting();                  // new clients
//   wait in the backlog server.StartAccepting();                 // ...and are
//   served again server.Stop(absl::Seconds(5));           // drain handlers,
//   kill stragglers
//
// A server reads its socket in one greenlet of its own (the acceptor) and
// runs each connection (or datagram) in a new greenlet, the worker. The
// acceptor never busy-loops:
//  - it takes at most `max_accepts_per_wakeup` connections before yielding
//    to the hub, so one busy listener cannot starve other greenlets;
//  - with a Pool or `max_connections`, it takes a connection only when a
//    slot is free (B-S5): clients meanwhile wait in the kernel's backlog;
//    or, with `shed_when_full`, it takes it and closes it at once;
//  - on running out of resources (EMFILE, ENFILE, ENOBUFS, ENOMEM) it
//    logs once per episode what happened ("accept: too many open files;
//    pausing accepts for 10ms") and stops accepting for a back-off
//    interval (a timer) that doubles while errors persist. This is an
//    expected condition, not an uncaught error: it is not sent to
//    Hub::HandleError.
//    Per-connection failures (ECONNABORTED, EPERM) are only counted.
//
// Errors: an exception escaping a handler is reported once through
// Hub::HandleError (naming the peer) and ends only that handler's
// connection (B-S4); the server keeps serving. A handler unwound by Stop
// (GreenletExit) is not reported.
//
// Thread affinity: the hub thread that constructs the server. Every call
// belongs to it (WrongThreadError otherwise). Blocking calls switch to the
// hub and must not be made from the hub itself.
#ifndef EVERGREEN_NET_BASE_SERVER_H_
#define EVERGREEN_NET_BASE_SERVER_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "framework/event.h"
#include "framework/greenlet.h"
#include "framework/hub.h"
#include "framework/pool.h"
#include "net/address.h"
#include "net/internal/server_workers.h"
#include "net/socket.h"

namespace evergreen {

struct ServerOptions {
  // SO_REUSEADDR before binding: restart on a port in TIME_WAIT at once.
  bool reuse_addr = true;
  // SO_REUSEPORT: several servers (one per hub, on N threads) share a port
  // and the kernel spreads clients over them.
  bool reuse_port = false;
  // The most connections accepted (datagrams read) in a row before the
  // acceptor yields to the hub. REQUIRES: > 0.
  int max_accepts_per_wakeup = 64;
  // Back-off after a resource error: the first pause, doubled while errors
  // persist, up to the second. Reset by the next success.
  absl::Duration min_error_backoff = absl::Milliseconds(10);
  absl::Duration max_error_backoff = absl::Seconds(1);
  // Handlers running at once (connections for a StreamServer, datagrams
  // being handled for a DatagramServer); 0: no bound. Ignored with `pool`.
  int max_connections = 0;
  // Handlers take slots of this pool, which may be shared with other work.
  // Not owned; must outlive the server. Null: see max_connections.
  Pool* pool = nullptr;
  // What happens to a connection (datagram) arriving while every slot
  // (max_connections or pool) is busy: false, it waits in the kernel's
  // backlog until a slot frees (B-S5); true, it is accepted and closed
  // (dropped) at once and counted in stats().shed, so clients fail fast
  // instead of queueing.
  bool shed_when_full = false;
  // When the last connection (handler) of a burst of at least this many
  // at once ends, the server gives memory back: the pages of the hub
  // thread's cached greenlet stacks and the allocator's free memory
  // (B-LR1; see net/internal/memory_trim.h), at most once a second per
  // thread. 0: never.
  int trim_after_burst = 64;
  // Where the server reports expected conditions worth a line (a resource
  // back-off starting, and ending), once per episode, prefixed with its
  // label. Null: standard error ("evergreen: StreamServer 127.0.0.1:80:
  // accept: Too many open files; pausing accepts for 10ms"). Called on the
  // hub thread; must not block.
  std::function<void(absl::string_view line)> log;
};

// Counters, for monitoring and tests.
struct ServerStats {
  std::uint64_t accepted = 0;       // connections accepted, datagrams read
  std::uint64_t accept_errors = 0;  // failed accept/recvfrom calls
  std::uint64_t backoffs = 0;       // pauses after an error
  std::uint64_t shed = 0;  // accepted, then closed at once: all slots busy
};

class BaseServer {
 public:
  BaseServer(const BaseServer&) = delete;
  BaseServer& operator=(const BaseServer&) = delete;

  // Binds (unless given a socket) and starts accepting in the background.
  // Never blocks; returns at once. Errors: from binding or listening
  // ("bind 127.0.0.1:80: Permission denied"); FailedPrecondition when
  // already started or stopped (a stopped server does not restart).
  absl::Status Start();

  // Start() unless started, then blocks until Stop() has finished (what
  // wakes it: Stop, from a handler or any other greenlet). Returns Start's
  // error, or OK.
  // If the caller is killed meanwhile, stops the server at once (as
  // Stop(absl::ZeroDuration())) and rethrows. Throws as Waiter::Wait.
  absl::Status ServeForever();

  // Stops accepting and closes the socket, so that new clients are refused
  // (B-S4); then blocks until the running handlers finish or `timeout`
  // passes, and kills the rest (B-S6), waiting for them to unwind. Returns
  // at once when no handler runs. From inside one of this server's
  // handlers, does the waiting in a new greenlet and returns at once (the
  // calling handler is among those waited for). A call while another
  // greenlet is stopping the server waits for that stop. Idempotent.
  // Throws as Waiter::Wait.
  void Stop(absl::Duration timeout = absl::InfiniteDuration());

  // Pauses accepting without closing the socket: new clients wait in the
  // kernel's backlog (or receive buffer) until StartAccepting(). Never
  // blocks. Does nothing unless the server is running and accepting.
  void StopAccepting();
  // Resumes accepting after StopAccepting(). Never blocks. Does nothing
  // unless the server is running and paused.
  void StartAccepting();

  bool started() const { return state_ != State::kNew; }
  bool running() const { return state_ == State::kRunning; }
  bool accepting() const { return static_cast<bool>(acceptor_); }
  // The bound address once started (the real port when bound to port 0);
  // before that, the address given to the constructor.
  const SocketAddress& address() const { return address_; }
  // Handlers running now.
  int connection_count() const { return workers_.size(); }
  const ServerStats& stats() const { return stats_; }

 protected:
  // `kind` names the server in greenlet names and error reports.
  BaseServer(const char* kind, SocketAddress address, ServerOptions options);
  BaseServer(const char* kind, Socket socket, ServerOptions options);
  virtual ~BaseServer();

  // Stop(absl::ZeroDuration()), unless the hub is gone already (its
  // destruction unwound every greenlet). Derived destructors call it
  // first: handlers must not outlive what they call.
  void StopNow();

  // Checked by Start() before anything else: errors are returned by it.
  virtual absl::Status CheckOptions() const { return absl::OkStatus(); }
  // Creates the server's socket bound to `address` (Start without a socket
  // given). Use BindSocket.
  virtual absl::StatusOr<Socket> Open(const SocketAddress& address) = 0;
  // Takes one connection or datagram without blocking and hands it to
  // Spawn(). Returns DeadlineExceeded when none is pending, else the
  // accept/recvfrom error. May block only in Spawn.
  virtual absl::Status TakeOne() = 0;

  // A socket of `type` bound to `address` with the reuse options applied.
  absl::StatusOr<Socket> BindSocket(const SocketAddress& address, int type);
  // Runs `body` in a new worker greenlet named after `what` (e.g.
  // "connection from 1.2.3.4:5"). Blocks as ServerWorkers::Spawn; with
  // shed_when_full, never: when every slot is busy `body` is destroyed
  // without running (closing the connection it owns) and counted.
  void Spawn(absl::string_view what, absl::AnyInvocable<void()> body);

  Socket& socket() { return socket_; }
  const ServerOptions& options() const { return options_; }
  const std::string& label() const { return label_; }

 private:
  enum class State { kNew, kRunning, kStopping, kStopped };

  // The acceptor's body.
  void AcceptLoop();
  // A worker's last act: trims memory after a burst.
  void WorkerEnded();
  // Reports `message` through options_.log, or to stderr.
  void Log(absl::string_view message) const;
  // Waits out the acceptors and the handlers; then the server is stopped.
  void Drain(absl::Duration timeout);

  Hub* hub_;
  const char* kind_;
  const ServerOptions options_;
  SocketAddress address_;
  Socket socket_;
  std::string label_;  // "StreamServer 127.0.0.1:8080"
  State state_ = State::kNew;
  internal::ServerWorkers workers_;
  Greenlet<void> acceptor_;              // null while not accepting
  std::vector<Greenlet<void>> retired_;  // killed acceptors, maybe alive
  Greenlet<void> stopper_;               // a Stop() called from a handler
  bool draining_ = false;                // inside Drain()
  Event stopped_;
  ServerStats stats_;
  int burst_peak_ = 0;  // most workers at once since the last trim
};

}  // namespace evergreen

#endif  // EVERGREEN_NET_BASE_SERVER_H_
