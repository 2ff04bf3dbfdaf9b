#include "net/base_server.h"

#include <sys/socket.h>

#include <algorithm>
#include <cstdio>
#include <exception>
#include <stdexcept>
#include <utility>

#include "absl/strings/str_cat.h"
#include "framework/waiter.h"
#include "net/internal/memory_trim.h"

namespace evergreen {
namespace {

// Failures that concern one client only (ECONNABORTED, ENETDOWN, EPERM
// from a firewall, ICMP errors on UDP): the next attempt may well succeed.
bool AffectsOneClient(const absl::Status& status) {
  return absl::IsUnavailable(status) || absl::IsPermissionDenied(status);
}

}  // namespace

BaseServer::BaseServer(const char* kind, SocketAddress address,
                       ServerOptions options)
    : hub_(Hub::Current()),
      kind_(kind),
      options_(std::move(options)),
      address_(std::move(address)),
      label_(absl::StrCat(kind, " ", address_.ToString())),
      workers_(options_.pool, options_.max_connections) {}

BaseServer::BaseServer(const char* kind, Socket socket, ServerOptions options)
    : BaseServer(kind, SocketAddress(), std::move(options)) {
  socket_ = std::move(socket);
  if (absl::StatusOr<SocketAddress> bound = socket_.LocalAddress();
      bound.ok()) {
    address_ = *bound;
    label_ = absl::StrCat(kind_, " ", address_.ToString());
  }
}

BaseServer::~BaseServer() = default;

void BaseServer::StopNow() {
  if (Hub::CurrentIfExists() == hub_) Stop(absl::ZeroDuration());
}

absl::StatusOr<Socket> BaseServer::BindSocket(const SocketAddress& address,
                                              int type) {
  absl::StatusOr<Socket> socket = Socket::Create(address.family(), type);
  if (!socket.ok()) return socket.status();
  if (address.family() != AF_UNIX) {
    absl::Status set = socket->SetReuseAddr(options_.reuse_addr);
    if (set.ok() && options_.reuse_port) set = socket->SetReusePort(true);
    if (!set.ok()) return set;
  }
  absl::Status bound = socket->Bind(address);
  if (!bound.ok()) return bound;
  return socket;
}

absl::Status BaseServer::Start() {
  hub_->CheckThread("BaseServer::Start");
  if (state_ != State::kNew) {
    return absl::FailedPreconditionError(
        absl::StrCat(label_, ": already ", running() ? "started" : "stopped"));
  }
  absl::Status checked = CheckOptions();
  if (!checked.ok()) return checked;
  if (!socket_.is_open()) {
    if (address_.empty()) {
      return absl::FailedPreconditionError(
          absl::StrCat(label_, ": no address and no open socket to serve"));
    }
    absl::StatusOr<Socket> opened = Open(address_);
    if (!opened.ok()) return opened.status();
    socket_ = *std::move(opened);
  }
  absl::StatusOr<SocketAddress> bound = socket_.LocalAddress();
  if (!bound.ok()) return bound.status();
  address_ = *bound;
  label_ = absl::StrCat(kind_, " ", address_.ToString());
  state_ = State::kRunning;
  StartAccepting();
  return absl::OkStatus();
}

absl::Status BaseServer::ServeForever() {
  if (state_ == State::kNew) {
    absl::Status started = Start();
    if (!started.ok()) return started;
  }
  try {
    stopped_.Wait();
  } catch (...) {
    // Killed (or timed out) while serving: nobody else may stop it.
    if (!hub_->destroying()) Stop(absl::ZeroDuration());
    throw;
  }
  return absl::OkStatus();
}

void BaseServer::Stop(absl::Duration timeout) {
  hub_->CheckThread("BaseServer::Stop");
  switch (state_) {
    case State::kStopped:
      return;
    case State::kNew:
      state_ = State::kStopped;
      socket_.Close();
      stopped_.Set();
      return;
    case State::kRunning:
      state_ = State::kStopping;
      StopAccepting();
      socket_.Close();  // new clients are refused; wakes the acceptor
      break;
    case State::kStopping:
      break;
  }
  const bool from_handler = workers_.Contains(GreenletBase::Current());
  if (draining_ || (stopper_ && !stopper_.dead())) {
    if (!from_handler) stopped_.Wait();
    return;
  }
  if (from_handler) {
    // Waiting here would wait for ourselves: drain in a greenlet of its
    // own, which waits for this handler too.
    stopper_ = SpawnWith(GreenletOptions{.name = label_ + ": stop"},
                         [this, timeout] { Drain(timeout); });
    return;
  }
  Drain(timeout);
}

void BaseServer::Drain(absl::Duration timeout) {
  draining_ = true;
  struct Reset {
    bool* flag;
    ~Reset() { *flag = false; }
  } reset{&draining_};
  // Killed acceptors unwind on the hub's next turn, touching the socket.
  for (const Greenlet<void>& acceptor : retired_) acceptor.Join();
  retired_.clear();
  workers_.Stop(timeout);
  state_ = State::kStopped;
  stopped_.Set();
}

void BaseServer::StopAccepting() {
  hub_->CheckThread("BaseServer::StopAccepting");
  if (!acceptor_) return;
  acceptor_.Kill(nullptr, /*block=*/false);
  std::erase_if(retired_, [](const Greenlet<void>& g) { return g.dead(); });
  retired_.push_back(acceptor_);
  acceptor_ = Greenlet<void>();
}

void BaseServer::StartAccepting() {
  hub_->CheckThread("BaseServer::StartAccepting");
  if (state_ != State::kRunning || acceptor_) return;
  acceptor_ = SpawnWith(GreenletOptions{.name = label_ + ": acceptor"},
                        [this, previous = retired_] {
                          // One reader at a time: let the old one unwind.
                          for (const Greenlet<void>& g : previous) g.Join();
                          AcceptLoop();
                        });
}

void BaseServer::Spawn(absl::string_view what,
                       absl::AnyInvocable<void()> body) {
  if (options_.shed_when_full && workers_.full()) {
    ++stats_.shed;
    return;  // `body` and what it owns go now
  }
  burst_peak_ = std::max(burst_peak_, workers_.size() + 1);
  workers_.Spawn(absl::StrCat(label_, ": ", what),
                 [this, body = std::move(body)]() mutable {
                   struct Ended {
                     BaseServer* server;
                     ~Ended() { server->WorkerEnded(); }
                   } ended{this};
                   body();
                 });
}

void BaseServer::WorkerEnded() {
  // The server outlives its workers: Stop() waits for them.
  if (options_.trim_after_burst <= 0 ||
      burst_peak_ < options_.trim_after_burst || workers_.size() > 1) {
    return;
  }
  burst_peak_ = 0;
  // After this greenlet is gone and its stack back in the pool.
  internal::RequestTrimAfterBurst(hub_);
}

void BaseServer::Log(absl::string_view message) const {
  const std::string line = absl::StrCat(label_, ": ", message);
  if (options_.log) {
    options_.log(line);
  } else {
    std::fprintf(stderr, "evergreen: %s\n", line.c_str());
  }
}

void BaseServer::AcceptLoop() {
  absl::Duration backoff = options_.min_error_backoff;
  bool reported = false;  // the current run of errors
  int pauses = 0;         // in the current run
  int in_a_row = 0;       // taken since the acceptor last yielded
  for (;;) {
    // B-S5: clients queue in the kernel meanwhile (unless shed in Spawn).
    if (!options_.shed_when_full) workers_.WaitAvailable();
    if (in_a_row >= options_.max_accepts_per_wakeup) {
      in_a_row = 0;
      Sleep(absl::ZeroDuration());  // everything else runs, I/O is polled
    }
    absl::Status status = TakeOne();
    if (status.ok()) {
      ++stats_.accepted;
      ++in_a_row;
      backoff = options_.min_error_backoff;
      if (reported) {
        Log(absl::StrCat("accepting again after ", pauses, " pause",
                         pauses == 1 ? "" : "s"));
      }
      reported = false;
      pauses = 0;
      continue;
    }
    if (!socket_.is_open()) return;          // Stop()
    if (absl::IsDeadlineExceeded(status)) {  // nothing pending (EAGAIN)
      in_a_row = 0;
      status = socket_.WaitReadable(absl::InfiniteDuration());
      if (status.ok()) continue;
      if (!socket_.is_open()) return;
    } else {
      ++stats_.accept_errors;
      if (AffectsOneClient(status)) {
        ++in_a_row;
        continue;
      }
    }
    // Out of fds or memory, or unexpected: retrying now would spin, since
    // the listener stays readable. Pause on a timer instead.
    ++stats_.backoffs;
    ++pauses;
    if (!reported) {
      reported = true;
      Log(absl::StrCat(status.message(), "; pausing accepts for ",
                       absl::FormatDuration(backoff),
                       " (longer while it persists)"));
    }
    in_a_row = 0;
    Sleep(backoff);
    backoff = std::min(backoff * 2, options_.max_error_backoff);
  }
}

}  // namespace evergreen
