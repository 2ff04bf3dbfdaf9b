// What every benchmark of the actors suite shares: the CAF peer's runtime,
// its message atoms, and the batch loop both sides are timed in.
//
//   void BM_CafSomething(benchmark::State& state) {
//     bench::CafPeer caf;                      // one scheduler thread
//     caf::actor driver = caf.system().spawn(Driver);
//     bench::RunBatches(state, 10000, [&](std::int64_t n) {
//       caf.Run(driver, n);                    // n operations, on CAF's thread
//     });
//     caf.Stop({driver});
//   }
//
// Fairness, once for the whole suite: an Evergreen hub is one thread, so
// the CAF peer gets exactly one scheduler worker (CAF's default work-
// stealing policy, `scheduler.max-threads = 1`) and every measured message
// is sent by an actor running on that worker to another one there. The main
// thread only starts a batch and waits for its end (a cross-thread hop on
// the CAF side, a greenlet switch on Evergreen's), once per thousands of
// measured operations.
#ifndef EVERGREEN_BENCH_ACTORS_SUPPORT_H_
#define EVERGREEN_BENCH_ACTORS_SUPPORT_H_

#include <cstdint>
#include <initializer_list>

#include "benchmark/benchmark.h"
#include "caf/all.hpp"
#include "framework/hub.h"

namespace evergreen::bench {

// Message tags of the CAF peers (CAF 0.17 atoms, at most 10 characters).
using run_atom = caf::atom_constant<caf::atom("run")>;
using done_atom = caf::atom_constant<caf::atom("done")>;
using ping_atom = caf::atom_constant<caf::atom("ping")>;
using pong_atom = caf::atom_constant<caf::atom("pong")>;
using inc_atom = caf::atom_constant<caf::atom("inc")>;
using get_atom = caf::atom_constant<caf::atom("get")>;
using send_atom = caf::atom_constant<caf::atom("send")>;
using expect_atom = caf::atom_constant<caf::atom("expect")>;
using next_atom = caf::atom_constant<caf::atom("next")>;
using token_atom = caf::atom_constant<caf::atom("token")>;

// CAF 0.17's stateful_actor<State> constructs State from the actor's self
// pointer whenever it can; under C++20 an aggregate can be initialised
// with parentheses, so one whose first member is a caf::actor would start
// out holding the actor itself. Every State here therefore declares a
// default constructor, which makes it no aggregate.

// The driver message of the Evergreen sides: do `n` operations.
struct Run {
  std::int64_t n;
};

// Destroys the calling thread's hub, and every actor a benchmark left on
// it, at the end of the scope: benchmarks do not see each other's actors.
struct FreshHubAfter {
  FreshHubAfter() = default;
  FreshHubAfter(const FreshHubAfter&) = delete;
  FreshHubAfter& operator=(const FreshHubAfter&) = delete;
  ~FreshHubAfter() { Hub::DestroyCurrent(); }
};

// Times `batch(n)` calls, n operations each, until the benchmark has run
// its iterations; Google Benchmark then reports time per operation.
// Register benchmarks with UseRealTime(): CAF's work runs on its worker
// thread, so the calling thread's CPU time says nothing.
template <typename Batch>
void RunBatches(benchmark::State& state, std::int64_t n, Batch&& batch) {
  while (state.KeepRunningBatch(n)) batch(n);
}

// A CAF actor system with one scheduler worker, plus a blocking actor on
// the calling thread that starts batches and hears of their end.
class CafPeer {
 public:
  // One scheduler worker; `workers` for the cross-hub comparisons (the peer
  // of a HubGroup of that many hubs).
  explicit CafPeer(int workers = 1);
  ~CafPeer();
  CafPeer(const CafPeer&) = delete;
  CafPeer& operator=(const CafPeer&) = delete;

  caf::actor_system& system() { return system_; }

  // The calling thread's actor, for peers to send done_atom to.
  caf::actor main() const { return caf::actor_cast<caf::actor>(main_); }

  // Requests (run_atom, n) from `driver` and blocks for its reply.
  void Run(const caf::actor& driver, std::int64_t n);

  // Blocks until a done_atom arrives at main().
  void AwaitDone();

  // Sends each actor an exit (user_shutdown), so that the system, which
  // waits for its actors when destroyed, can shut down.
  void Stop(std::initializer_list<caf::actor> actors);
  template <typename Actors>
  void StopAll(const Actors& actors) {
    for (const caf::actor& actor : actors) Stop({actor});
  }

 private:
  static caf::actor_system_config& Workers(caf::actor_system_config& config,
                                           int workers);

  caf::actor_system_config config_;
  caf::actor_system system_;
  caf::scoped_actor main_;
};

// Aborts the benchmark binary with `what` (a wrong result means the
// timing is of something else).
[[noreturn]] void Fail(const char* what);

}  // namespace evergreen::bench

#endif  // EVERGREEN_BENCH_ACTORS_SUPPORT_H_
