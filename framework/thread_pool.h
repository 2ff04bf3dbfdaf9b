// ThreadPool: runs blocking callables on OS threads while greenlets wait
// for them cooperatively (gevent.threadpool).
//
//   evergreen::ThreadPool pool({.max_threads = 4});
//   evergreen::AsyncResult<std::string> r = pool.Spawn([] {
//     return ReadFileTheBlockingWay("/etc/hosts");   // on a pool thread
//   });
//   std::string text = r.Get();     // this greenlet waits; the hub runs on
//   int n = pool.Apply([] { return Crunch(); });   // Spawn + Get
//   // (compiled in tests/docs/header_examples_test.cc)
//
// Threads start on demand up to max_threads and retire after idle_timeout
// without work (down to min_threads). Work waiting for a thread runs in
// submission order. While work is outstanding the pool holds its hub alive,
// so a greenlet waiting on a result never gets LoopExit.
//
// Thread affinity: a pool belongs to the hub of the thread that created it.
// Spawn/Apply/Map/Resize from any other thread throw WrongThreadError (the
// results are delivered into that hub). The callables run on pool threads
// and must not touch hub-bound objects other than through Post/Set.
//
// Errors: a callable's exception is stored in its AsyncResult and rethrown
// by Get (B-H4). Work still queued when the pool is destroyed fails with
// std::runtime_error("thread pool destroyed"); destruction blocks the
// calling OS thread until running work finishes.
//
// Blocks, under a deadline: every blocking call here waits at most until
// min(its own timeout, CurrentDeadline()) and then fails as its timeout
// does; with the deadline already passed, a call that would wait fails at
// once (framework/deadline.h, docs/deadlines.md).
#ifndef EVERGREEN_FRAMEWORK_THREAD_POOL_H_
#define EVERGREEN_FRAMEWORK_THREAD_POOL_H_

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <list>
#include <stdexcept>
#include <mutex>
#include <optional>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/time/time.h"
#include "framework/async_result.h"
#include "framework/hub.h"
#include "framework/internal/hub_access.h"
#include "framework/greenlet.h"
#include "framework/keep_alive.h"
#include "framework/map_results.h"

namespace evergreen {

struct ThreadPoolOptions {
  int min_threads = 0;
  int max_threads = 4;
  // An idle thread above min_threads exits after this long without work.
  absl::Duration idle_timeout = absl::Seconds(10);
};

class ThreadPool {
 public:
  // REQUIRES: 0 <= min_threads <= max_threads, max_threads >= 1 (else
  // std::invalid_argument naming the bad value).
  explicit ThreadPool(ThreadPoolOptions options = {});
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  // The calling thread's hub's default pool, created on first use with
  // max_threads from EVERGREEN_THREADPOOL_SIZE (default 4).
  static ThreadPool* Default();

  // Queues fn(args...) for a pool thread. Never blocks. Returns the result
  // to wait on.
  template <typename F, typename... Args>
  auto Spawn(F&& fn, Args&&... args) {
    using R = std::invoke_result_t<std::decay_t<F>, std::decay_t<Args>...>;
    CheckOwner("ThreadPool::Spawn");
    AsyncResult<R> result;
    Submit([result, keep = HubKeepAlive(),
            remote = internal::HubAccess::remote(hub_),
            fn = std::forward<F>(fn),
            ... args = std::forward<Args>(args)](bool cancelled) mutable {
      if (cancelled) {  // on the hub's thread (~ThreadPool)
        result.SetException(std::make_exception_ptr(
            std::runtime_error("thread pool destroyed")));
        return;
      }
      using Value = std::conditional_t<std::is_void_v<R>, bool, R>;
      std::optional<Value> value;
      std::exception_ptr error;
      try {
        if constexpr (std::is_void_v<R>) {
          std::invoke(std::move(fn), std::move(args)...);
          value.emplace(true);
        } else {
          value.emplace(std::invoke(std::move(fn), std::move(args)...));
        }
      } catch (...) {
        error = std::current_exception();
      }
      // One post delivers the outcome and then releases the hub: nothing of
      // the pool's is still in flight once a waiter has the result. (A
      // refused post — the hub is gone — drops both here.)
      remote->Post([result, keep = std::move(keep), value = std::move(value),
                    error]() mutable {
        if (error != nullptr) {
          result.SetException(error);
        } else if constexpr (std::is_void_v<R>) {
          result.Set();
        } else {
          result.Set(std::move(*value));
        }
        keep.Reset();
      });
    });
    return result;
  }

  // Spawn(...).Get(): blocks the calling greenlet (not the thread) until the
  // work is done; returns its value or rethrows its exception.
  template <typename F, typename... Args>
  auto Apply(F&& fn, Args&&... args) {
    return Spawn(std::forward<F>(fn), std::forward<Args>(args)...).Take();
  }

  // Runs fn over every input on the pool; returns the results in input
  // order. Blocks the calling greenlet; the first exception (in input
  // order) is rethrown after all finished.
  template <typename F, typename T>
  auto Map(F fn, const std::vector<T>& inputs) {
    using R = std::invoke_result_t<F&, const T&>;
    std::vector<AsyncResult<R>> pending;
    pending.reserve(inputs.size());
    for (const T& input : inputs) pending.push_back(Spawn(fn, input));
    for (auto& r : pending) r.Wait();
    std::vector<R> out;
    out.reserve(inputs.size());
    for (auto& r : pending) out.push_back(r.Take());
    return out;
  }

  // As Map, but lazy and never throwing for an element: yields each
  // element's absl::StatusOr in input order (IMap) or as finished
  // (IMapUnordered), like Pool's (framework/map_results.h). Submitting
  // never blocks; iterating blocks the calling greenlet.
  template <typename F, typename T>
  auto IMap(F fn, const std::vector<T>& inputs) {
    return Results(std::move(fn), inputs, /*ordered=*/true);
  }
  template <typename F, typename T>
  auto IMapUnordered(F fn, const std::vector<T>& inputs) {
    return Results(std::move(fn), inputs, /*ordered=*/false);
  }

  // Changes the thread bounds. Threads above a lowered max retire when
  // their current work ends; a raised max starts threads for work already
  // queued at once. Errors: InvalidArgument for bad bounds.
  absl::Status Resize(int min_threads, int max_threads);

  int max_threads() const;
  int min_threads() const;
  // Threads alive now (busy or idle).
  int size() const;
  // Work queued and not yet picked up by a thread.
  std::size_t queued() const;

 private:
  // One greenlet per input waits for its pool result, so MapResults (and
  // its failure-to-status mapping) serves thread pools as it serves Pools.
  template <typename F, typename T>
  auto Results(F fn, const std::vector<T>& inputs, bool ordered) {
    using R = std::invoke_result_t<F&, const T&>;
    std::vector<Greenlet<R>> waiters;
    waiters.reserve(inputs.size());
    for (const T& input : inputs) {
      AsyncResult<R> result = Spawn(fn, input);  // queued in input order
      waiters.push_back(
          ::evergreen::Spawn([result]() mutable { return result.Take(); }));
    }
    return MapResults<R>(std::move(waiters), ordered);
  }

  // Runs the work, or with `cancelled` only fails its result.
  using Task = absl::AnyInvocable<void(bool cancelled)>;
  using Workers = std::list<std::thread>;
  void CheckOwner(const char* what) const;
  void Submit(Task task);
  // Starts one more worker thread. REQUIRES: mu_ held.
  void StartWorkerLocked();
  void WorkerLoop(Workers::iterator self);
  // Joins threads that have exited. Called without mu_ held.
  void ReapFinished();

  Hub* hub_;
  mutable std::mutex mu_;
  std::condition_variable work_ready_;
  std::condition_variable worker_exited_;
  std::deque<Task> queue_;
  Workers workers_;   // running threads
  Workers finished_;  // exited threads, to be joined
  ThreadPoolOptions options_;
  int threads_ = 0;
  int idle_ = 0;
  bool stopping_ = false;
};

}  // namespace evergreen

#endif  // EVERGREEN_FRAMEWORK_THREAD_POOL_H_
