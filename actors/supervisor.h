// Supervisor: an Erlang/OTP supervisor — starts children, restarts them
// when they exit as their specs and its strategy say, and stops them in
// order. It supervises actors and plain greenlets alike (actors/child.h).
//
//   absl::StatusOr<Supervisor> sup = Supervisor::Start(
//       {.strategy = Strategy::kOneForOne, .intensity = 3,
//        .period = absl::Seconds(5)},
//       {{.id = "db", .start = [] { return SpawnActor<Db>(); }},
//        {.id = "poller", .start = [] { return Spawn(Poll); }}});
//   absl::StatusOr<Child> cache =
//       sup->StartChild({.id = "cache", .start = [] { return SpawnActor<Cache>(); }});
//   sup->Stop();    // children stop in reverse start order
//   sup->Join();
//   // (compiled in tests/docs/header_examples_test.cc)
//
//   // A tree: a supervisor is a child of another (type kSupervisor).
//   Supervisor::Start({}, {Supervisor::Spec("workers", {}, worker_specs),
//                          {.id = "api", .start = StartApi}});
//
// The supervisor is an actor: its children's exits reach it as messages,
// so exits, restarts and the calls below are handled one at a time, in
// arrival order — a restart never races an administrative call. Each call
// below is synchronous: it blocks the calling greenlet until the
// supervisor has done it (what wakes it: the supervisor's reply), which
// may include starting or stopping a child. A call from the supervisor's
// own greenlet (a child's start function) fails with FailedPrecondition
// instead of deadlocking; a call to a supervisor that is not running
// fails with Unavailable.
//
// Exits (actors/exit.h): Stop() → kShutdown after the children are
// stopped; a child failing to start during Start, or giving up (restart
// intensity, B-U6/B-U7) → kFailed with a StatusError, after the
// children are stopped; Kill() → kKilled, and the children are killed
// without waiting. OTP exits with `shutdown` when it gives up; a failure
// is used here so that links and transient parent specs see the
// escalation. Design notes: docs/supervision.md.
//
// Thread affinity: the hub thread that started it; calls block that
// thread's calling greenlet (never the hub itself).
//
// Blocks, under a deadline: every blocking call here waits at most until
// min(its own timeout, CurrentDeadline()) and then fails as its timeout
// does; with the deadline already passed, a call that would wait fails at
// once (framework/deadline.h, docs/deadlines.md).
#ifndef EVERGREEN_ACTORS_SUPERVISOR_H_
#define EVERGREEN_ACTORS_SUPERVISOR_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "actors/actor.h"
#include "actors/child.h"
#include "actors/child_info.h"
#include "actors/child_spec.h"
#include "framework/errors.h"
#include "actors/supervisor_flags.h"

namespace evergreen {
namespace internal {
class SupervisorActor;
}  // namespace internal

struct SupervisorOptions {
  // The supervisor actor's name (default "supervisor"; Spec: its id).
  std::string name;
  std::size_t stack_size = kDefaultStackSize;
};

class Supervisor {
 public:
  // A null handle.
  Supervisor() = default;

  // Starts a supervisor on the calling thread's hub, which starts
  // `children` in order (simple_one_for_one: none; `children` is its one
  // template). Blocks until they have all started (what wakes it: the
  // supervisor finishing its start). Errors: InvalidArgument for invalid
  // flags or specs (a duplicate id, a negative shutdown, a non-positive
  // period, a negative intensity, not exactly one spec for
  // simple_one_for_one); a child's start error (same code, message naming
  // the child), after the children already started were stopped (B-U1).
  static absl::StatusOr<Supervisor> Start(SupervisorFlags flags,
                                          std::vector<ChildSpec> children,
                                          SupervisorOptions options = {});

  // A child spec that starts such a supervisor under another one:
  // permanent, shutdown infinity, type kSupervisor (change the fields to
  // taste). Each restart starts a fresh supervisor from these specs:
  // children added later with StartChild are not restored (B-U8).
  static ChildSpec Spec(std::string id, SupervisorFlags flags,
                        std::vector<ChildSpec> children,
                        SupervisorOptions options = {});

  // The supervisor `child` is, if it is one (WhichChildren of a tree).
  static std::optional<Supervisor> FromChild(const Child& child);

  // Adds `spec` and starts its child (static strategies). Returns it (no
  // child if its start returned none). Errors: AlreadyExists "already
  // started" / "already present" for an id in use (B-U3); InvalidArgument
  // for an invalid spec or a simple_one_for_one supervisor; the start
  // error (the spec is then not kept).
  absl::StatusOr<Child> StartChild(ChildSpec spec) const;
  // simple_one_for_one: starts a child from the template, passing `args`.
  // Errors: InvalidArgument for another strategy, or args given to a
  // start function that takes none; the start error.
  absl::StatusOr<Child> StartChild(ChildArgs args = {}) const;

  // Stops the child as its spec's shutdown says (blocks meanwhile) and
  // keeps its spec for RestartChild, unless it is temporary. Idempotent
  // (B-U3). Errors: NotFound for an unknown id; InvalidArgument for
  // simple_one_for_one (terminate those by Child).
  absl::Status TerminateChild(const std::string& id) const;
  // The same for the child `child` (any strategy). OK for a child that
  // is gone; NotFound for a live one that is not this supervisor's.
  absl::Status TerminateChild(const Child& child) const;
  // Starts a terminated child again: a new identity (B-U3). Does not
  // count toward the restart intensity. Errors: NotFound; FailedPrecondition
  // "running" / "restarting"; InvalidArgument for simple_one_for_one; the
  // start error.
  absl::StatusOr<Child> RestartChild(const std::string& id) const;
  // Forgets a terminated child's spec. Errors as RestartChild.
  absl::Status DeleteChild(const std::string& id) const;

  // Every child in start order.
  absl::StatusOr<std::vector<ChildInfo>> WhichChildren() const;
  absl::StatusOr<ChildCounts> CountChildren() const;

  // Orderly shutdown after the requests already queued: children stop in
  // reverse start order (simple_one_for_one: all at once), then the
  // supervisor exits with kShutdown. Never blocks; Join() waits.
  void Stop() const { ref_.Stop(); }
  // Kills the supervisor now (kKilled); its children are killed too,
  // without waiting for them. Never blocks.
  void Kill() const { ref_.Kill(); }
  // Blocks until the supervisor has exited or `timeout` passes (what wakes
  // it: its exit); returns whether it has.
  bool Join(absl::Duration timeout = absl::InfiniteDuration()) const {
    return ref_.Join(timeout);
  }

  explicit operator bool() const { return static_cast<bool>(ref_); }
  bool alive() const { return ref_.alive(); }
  // REQUIRES: !alive().
  const Exit& exit() const { return ref_.exit(); }
  const std::string& name() const { return ref_.name(); }
  // The supervisor's actor.
  const AnyActorRef& ref() const { return ref_; }
  // The supervisor as a child of another supervisor.
  Child AsChild() const { return Child(AnyActorRef(ref_)); }

  friend bool operator==(const Supervisor& a, const Supervisor& b) {
    return a.ref_ == b.ref_;
  }

 private:
  explicit Supervisor(AnyActorRef ref) : ref_(std::move(ref)) {}
  template <typename Request>
  auto Call(Request request) const;

  AnyActorRef ref_;
};

}  // namespace evergreen

#endif  // EVERGREEN_ACTORS_SUPERVISOR_H_
