// ServerWorkers: the greenlets a server runs its handlers in — one per
// connection (StreamServer) or datagram (DatagramServer).
//
//   internal::ServerWorkers workers(/*pool=*/nullptr, /*max_workers=*/100);
//   workers.WaitAvailable();                 // blocks while 100 are busy
//   workers.Spawn("handler for 10.0.0.7:4711", [conn = ...]() mutable {
//     Serve(conn);
//   });
//   workers.Stop(absl::Seconds(5));          // drain, then kill the rest
//
// Admission: with a Pool (shared, not owned) or a cap, a new worker needs a
// slot. Tracking: every worker is also a member of a private Group, so
// Stop() waits for this server's workers only, not for whatever else a
// shared Pool runs.
//
// Errors: an exception escaping a worker body (other than GreenletExit) is
// reported once through Hub::HandleError, naming the worker; it affects
// nothing else. (Group membership would otherwise hide it: see
// framework/internal/end_observer.h.)
//
// Thread affinity: the hub thread that constructs it.
#ifndef EVERGREEN_NET_INTERNAL_SERVER_WORKERS_H_
#define EVERGREEN_NET_INTERNAL_SERVER_WORKERS_H_

#include <memory>
#include <string>

#include "absl/functional/any_invocable.h"
#include "absl/time/time.h"
#include "framework/group.h"
#include "framework/pool.h"

namespace evergreen::internal {

class ServerWorkers {
 public:
  // Workers take slots of `pool` when it is not null (it must outlive this
  // object); else at most `max_workers` run at once when it is > 0; else
  // there is no bound.
  ServerWorkers(Pool* pool, int max_workers);
  ServerWorkers(const ServerWorkers&) = delete;
  ServerWorkers& operator=(const ServerWorkers&) = delete;

  // Blocks while no slot is free; what wakes it: a worker ending (or, in a
  // shared Pool, any member ending). Returns at once without a bound.
  // Throws as Semaphore::Wait (GreenletExit when the caller is killed).
  void WaitAvailable();

  // Starts `body` in a new greenlet named `name` (it runs on the hub's next
  // turn). Blocks only when the pool is full (see WaitAvailable); throws
  // as it does, and then `body` is destroyed without running.
  void Spawn(std::string name, absl::AnyInvocable<void()> body);

  // Blocks until every worker has ended or `timeout` passes, then kills
  // the rest and waits for them to unwind (GreenletExit runs their
  // destructors; a worker that swallows it keeps Stop waiting). Throws as
  // Waiter::Wait. REQUIRES: not called from a worker (it would wait for
  // itself).
  void Stop(absl::Duration timeout);

  // Whether `greenlet` (may be null) is one of the running workers.
  bool Contains(const GreenletBase* greenlet) const;
  // Whether no slot is free now (Spawn would block).
  bool full() const;
  // Workers running now.
  int size() const { return running_.size(); }

 private:
  std::unique_ptr<Pool> owned_pool_;
  Pool* pool_;     // admission; null: unbounded
  Group running_;  // this server's workers
};

}  // namespace evergreen::internal

#endif  // EVERGREEN_NET_INTERNAL_SERVER_WORKERS_H_
