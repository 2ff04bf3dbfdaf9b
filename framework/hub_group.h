// HubGroup: N hubs on N threads of their own, so that one program uses
// every core while each hub (and everything bound to it) stays
// single-threaded.
//
//   evergreen::HubGroup hubs;                       // one hub per core
//   evergreen::AsyncResult<int> r =
//       hubs.Spawn(1, [] { return 6 * 7; });        // a greenlet on hub 1
//   int v = r.Get();                                // 42, waited for here
//   std::vector<evergreen::AsyncResult<void>> all =
//       hubs.SpawnOnEach([](int index) { /* runs on every hub */ });
//   for (auto& each : all) each.Get();
//   hubs.Stop();                                    // stops and joins all
//   // (compiled in tests/framework/hub_group_test.cc)
//
// Each thread runs its hub until Stop(): the hub is kept alive meanwhile
// (a HubKeepAlive), so greenlets spawned there may wait for work from other
// threads. Stop() wakes every thread, which then runs its AtStop hooks (in
// reverse order of registration, in its main greenlet, so they may block:
// servers stop there), lets what is still running finish for up to
// `stop_grace`, destroys its hub (unwinding what is left with GreenletExit)
// and exits; Stop() joins the threads.
//
// Cross-hub results: Spawn returns an AsyncResult bound to the *caller's*
// hub; the greenlet on the chosen hub delivers into it through the
// caller's ev_async (Hub::Post), never touching the caller's state. While
// it is pending the caller's hub is kept alive, so waiting for it never
// raises LoopExit. A greenlet that never ran or was unwound (its hub
// stopped) fails the result with Unavailable. An AsyncResult of one hub may
// also be waited for from another hub's greenlet directly (see
// framework/async_result.h, "Cross-hub waits").
//
// Thread affinity: the constructor, Stop() and the destructor on a thread
// outside the group (they block that OS thread, not just a greenlet, while
// the threads start or join). Spawn/SpawnOnEach/Post from any thread,
// including the group's own hubs. AtStop on one of the group's hub threads.
// hub(i) is for identity comparisons only: another thread's hub must not
// be used.
//
// Errors: Spawn after Stop() (or on a hub index out of range) returns a
// result failed with Unavailable (FailedPrecondition for a bad index is not
// used: both mean "no hub runs this"); Post returns the status.
#ifndef EVERGREEN_FRAMEWORK_HUB_GROUP_H_
#define EVERGREEN_FRAMEWORK_HUB_GROUP_H_

#include <condition_variable>
#include <exception>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "framework/async_result.h"
#include "framework/errors.h"
#include "framework/event.h"
#include "framework/exception_status.h"
#include "framework/greenlet.h"
#include "framework/hub.h"
#include "framework/internal/hub_remote.h"
#include "framework/keep_alive.h"

namespace evergreen {

struct HubGroupOptions {
  // Hubs (threads) to start; 0: std::thread::hardware_concurrency() (at
  // least 1).
  int threads = 0;
  // After Stop() and the AtStop hooks, how long each hub may keep running
  // what is left before it is destroyed (unwinding it).
  absl::Duration stop_grace = absl::Seconds(5);
};

namespace internal {

// Delivers one value into an AsyncResult of another hub, exactly once:
// destroyed unset (the work was dropped: its hub stopped), it fails the
// result with Unavailable. Keeps the result's hub alive until then. Made on
// the result's hub; used and destroyed on any thread.
template <typename R>
class RemoteReply {
 public:
  RemoteReply() = default;  // on the result's hub
  RemoteReply(RemoteReply&& other) noexcept
      : result_(other.result_),
        alive_(std::move(other.alive_)),
        armed_(std::exchange(other.armed_, false)) {}
  RemoteReply& operator=(RemoteReply&&) = delete;
  ~RemoteReply() {
    if (armed_) {
      result_.SetException(std::make_exception_ptr(StatusError(
          absl::UnavailableError("the hub running the work stopped first"))));
    }
  }

  const AsyncResult<R>& result() const { return result_; }

  // Runs `fn` and delivers its value or exception. Rethrows GreenletExit
  // (after failing the result with Unavailable).
  template <typename F>
  void RunAndDeliver(F& fn) {
    try {
      if constexpr (std::is_void_v<R>) {
        fn();
        result_.Set();
      } else {
        result_.Set(fn());
      }
      Disarm();
    } catch (const GreenletExit&) {
      throw;  // the destructor reports Unavailable
    } catch (...) {
      result_.SetException(std::current_exception());
      Disarm();
    }
  }

 private:
  void Disarm() {
    armed_ = false;
    alive_.Reset();  // posted after the value: the hub sees it first
  }

  AsyncResult<R> result_;
  HubKeepAlive alive_;
  bool armed_ = true;
};

}  // namespace internal

class HubGroup {
 public:
  // Starts the threads and their hubs; returns once every hub runs.
  explicit HubGroup(HubGroupOptions options = {});
  // Stop().
  ~HubGroup();
  HubGroup(const HubGroup&) = delete;
  HubGroup& operator=(const HubGroup&) = delete;

  int size() const { return static_cast<int>(slots_.size()); }
  // Hub `index`, for comparisons only (see the file comment).
  Hub* hub(int index) const { return slots_[index]->hub; }
  // The index of the calling thread's hub in this group, or -1.
  int CurrentIndex() const;

  // Runs `fn` in a new greenlet on hub `index`; its value (or exception)
  // arrives in the returned result, bound to the caller's hub. Any thread.
  template <typename F>
  auto Spawn(int index, F fn) -> AsyncResult<std::invoke_result_t<F&>> {
    using R = std::invoke_result_t<F&>;
    internal::RemoteReply<R> reply;
    AsyncResult<R> result = reply.result();
    (void)Post(index, [fn = std::move(fn), reply = std::move(reply)]() mutable {
      ::evergreen::Spawn(
          [fn = std::move(fn), reply = std::move(reply)]() mutable {
            reply.RunAndDeliver(fn);
          });
    });
    return result;  // failed with Unavailable if the post was refused
  }

  // Spawn(i, [fn, i] { return fn(i); }) on every hub, in index order.
  template <typename F>
  auto SpawnOnEach(F fn) -> std::vector<AsyncResult<std::invoke_result_t<F&, int>>> {
    std::vector<AsyncResult<std::invoke_result_t<F&, int>>> results;
    results.reserve(slots_.size());
    for (int i = 0; i < size(); ++i) {
      results.push_back(Spawn(i, [fn, i]() mutable { return fn(i); }));
    }
    return results;
  }

  // Runs `fn` in hub `index` itself, soon (Hub::Post: must not block).
  // Errors: OutOfRange for a bad index; Unavailable once the hub stopped.
  absl::Status Post(int index, absl::AnyInvocable<void()> fn);

  // Registers `hook` to run on the calling hub's thread when the group
  // stops, before the hub is destroyed (in its main greenlet: it may
  // block). Hooks run in reverse order of registration; an exception goes
  // to Hub::HandleError. REQUIRES: called on one of this group's hub
  // threads (WrongThreadError otherwise).
  void AtStop(absl::AnyInvocable<void()> hook);

  // Stops every hub (see the file comment) and joins the threads.
  // Idempotent. REQUIRES: not on one of the group's threads.
  void Stop();

 private:
  struct Slot {
    Hub* hub = nullptr;
    std::shared_ptr<internal::HubRemote> remote;
    // Set from any thread to wake the hub thread's main greenlet.
    std::unique_ptr<Event> stop;
    // Only touched on the slot's own thread.
    std::vector<absl::AnyInvocable<void()>> hooks;
    std::thread thread;
  };

  void ThreadMain(Slot* slot, std::mutex* mu, int* started,
                  std::condition_variable* ready);

  HubGroupOptions options_;
  std::vector<std::unique_ptr<Slot>> slots_;
  std::mutex stop_mu_;
  bool stopped_ = false;
};

}  // namespace evergreen

#endif  // EVERGREEN_FRAMEWORK_HUB_GROUP_H_
