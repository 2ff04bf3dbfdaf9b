#include "framework/internal/signal_dispatch.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <map>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "framework/hub_stats.h"
#include "framework/internal/hub_access.h"
#include "framework/internal/hub_remote.h"

namespace evergreen::internal {
namespace {

// Written by the handler, read by the dispatcher thread. Set once.
int pipe_read = -1;
int pipe_write = -1;

void OnSignal(int signal) {
  const int saved = errno;
  const unsigned char byte = static_cast<unsigned char>(signal);
  (void)!::write(pipe_write, &byte, 1);  // a full pipe drops: coalescing
  errno = saved;
}

class Dispatch {
 public:
  static Dispatch& Get() {
    static Dispatch* dispatch = new Dispatch();  // its thread never ends
    return *dispatch;
  }

  absl::StatusOr<std::uint64_t> Subscribe(int signal, Hub* hub,
                                          std::shared_ptr<SignalSink> sink) {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<Subscriber>& list = by_signal_[signal];
    if (list.empty()) {
      struct sigaction action = {};
      action.sa_handler = &OnSignal;
      action.sa_flags = SA_RESTART;
      sigfillset(&action.sa_mask);
      struct sigaction previous;
      if (sigaction(signal, &action, &previous) != 0) {
        by_signal_.erase(signal);
        return absl::ErrnoToStatus(errno,
                                   absl::StrCat("sigaction ", signal));
      }
      previous_[signal] = previous;
    }
    const std::uint64_t id = next_id_++;
    list.push_back({id, HubAccess::remote(hub), std::move(sink)});
    return id;
  }

  void Unsubscribe(std::uint64_t id) {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto it = by_signal_.begin(); it != by_signal_.end(); ++it) {
      std::vector<Subscriber>& list = it->second;
      for (auto s = list.begin(); s != list.end(); ++s) {
        if (s->id != id) continue;
        list.erase(s);
        if (list.empty()) {
          sigaction(it->first, &previous_[it->first], nullptr);
          previous_.erase(it->first);
          by_signal_.erase(it);
        }
        return;
      }
    }
  }

 private:
  struct Subscriber {
    std::uint64_t id;
    std::shared_ptr<HubRemote> remote;
    std::shared_ptr<SignalSink> sink;
  };

  Dispatch() {
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) {
      std::perror("evergreen: signal pipe");
      std::abort();
    }
    pipe_read = fds[0];
    pipe_write = fds[1];
    CountProcessWideFd(2);  // kept for the process's life
    fcntl(pipe_write, F_SETFL, O_NONBLOCK);
    std::thread([this] { Loop(); }).detach();
  }

  void Loop() {
    // This thread takes no signals of its own: the handler may run on any
    // thread, but a blocking read here must not be what it interrupts.
    sigset_t all;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, nullptr);
    unsigned char buffer[64];
    for (;;) {
      const ssize_t n = ::read(pipe_read, buffer, sizeof buffer);
      if (n <= 0) continue;  // EINTR
      std::lock_guard<std::mutex> lock(mu_);
      for (ssize_t i = 0; i < n; ++i) {
        const int signal = buffer[i];
        auto it = by_signal_.find(signal);
        if (it == by_signal_.end()) continue;
        for (const Subscriber& subscriber : it->second) {
          subscriber.remote->Post([sink = subscriber.sink, signal] {
            if (sink->active) sink->on_signal(signal);
          });
        }
      }
    }
  }

  std::mutex mu_;
  std::map<int, std::vector<Subscriber>> by_signal_;  // guarded by mu_
  std::map<int, struct sigaction> previous_;          // guarded by mu_
  std::uint64_t next_id_ = 1;                         // guarded by mu_
};

}  // namespace

absl::StatusOr<std::uint64_t> SubscribeSignal(
    int signal, Hub* hub, std::shared_ptr<SignalSink> sink) {
  if (signal <= 0 || signal >= NSIG || signal == SIGKILL ||
      signal == SIGSTOP) {
    return absl::InvalidArgumentError(
        absl::StrCat("signal ", signal, " cannot be handled"));
  }
  return Dispatch::Get().Subscribe(signal, hub, std::move(sink));
}

void UnsubscribeSignal(std::uint64_t id) { Dispatch::Get().Unsubscribe(id); }

}  // namespace evergreen::internal
