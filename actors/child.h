// Child: what a supervisor supervises — an actor or a plain greenlet.
//
//   Child worker = SpawnActor<Worker>();           // an actor
//   Child poller = Spawn([] { PollForever(); });   // a greenlet
//   Child none;                                    // no child (OTP's
//                                                  // `undefined`)
//
// A handle: cheap to copy, and copies share one identity (==). A child
// start function (actors/child_spec.h) returns one.
//
// How each kind is stopped (the supervisor's shutdown protocol, OTP's
// exit(Child, shutdown) and exit(Child, kill)):
//
//   actor     RequestShutdown() is ActorRef::Stop: the actor handles what
//             is queued, runs OnStop and exits with kShutdown. Kill() is
//             ActorRef::Kill: it exits at once with kKilled.
//   greenlet  A greenlet has no graceful stop: RequestShutdown() kills it
//             with GreenletExit, which unwinds it (destructors run; it may
//             catch GreenletExit to clean up and must then return).
//             Kill() kills it again with GreenletExit.
//
// A greenlet's exit is classified like an actor's: it returned → kNormal;
// it was killed after RequestShutdown() (and before any Kill()) →
// kShutdown; otherwise killed → kKilled; it threw (or was killed with an
// exception other than GreenletExit) → kFailed, with that exception.
//
// Caveat: a kill is GreenletExit thrown into the child, so unlike OTP's
// `kill` it can be caught. A child that swallows GreenletExit forever
// cannot be stopped, and the supervisor waits for it.
//
// Thread affinity: the hub thread of the child. Join blocks.
//
// Blocks, under a deadline: every blocking call here waits at most until
// min(its own timeout, CurrentDeadline()) and then fails as its timeout
// does; with the deadline already passed, a call that would wait fails at
// once (framework/deadline.h, docs/deadlines.md).
#ifndef EVERGREEN_ACTORS_CHILD_H_
#define EVERGREEN_ACTORS_CHILD_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/functional/any_invocable.h"
#include "absl/time/time.h"
#include "actors/actor.h"
#include "actors/exit.h"
#include "framework/greenlet.h"

namespace evergreen {

class Child {
 public:
  enum class Kind { kNone, kActor, kGreenlet };
  // Runs in the hub once the child has exited; must not block.
  using ExitObserver = absl::AnyInvocable<void(const Exit&)>;

  // No child.
  Child() = default;
  // An actor child; a null ref makes no child.
  Child(AnyActorRef actor);  // NOLINT: implicit by design
  // A greenlet child; a null handle makes no child.
  template <typename T>
  Child(const Greenlet<T>& greenlet)  // NOLINT: implicit by design
      : Child(greenlet.base()) {}
  explicit Child(GreenletBase* greenlet);

  Kind kind() const;
  explicit operator bool() const { return kind() != Kind::kNone; }
  bool is_actor() const { return kind() == Kind::kActor; }
  bool is_greenlet() const { return kind() == Kind::kGreenlet; }

  // The actor; a null ref unless is_actor().
  const AnyActorRef& actor() const { return actor_; }
  // The greenlet; nullptr unless is_greenlet().
  GreenletBase* greenlet() const;

  // The actor's or greenlet's name ("" for no child).
  std::string name() const;
  // False for no child and for a child that has exited.
  bool alive() const;
  // How it exited (see the file comment). REQUIRES: a child that exited.
  Exit exit() const;

  // Asks it to stop (see the file comment). Never blocks; does nothing
  // once it has exited.
  void RequestShutdown() const;
  // Kills it. Never blocks; does nothing once it has exited.
  void Kill() const;
  // Blocks until it has exited or `timeout` passes; what wakes it: its
  // exit. Returns whether it has exited (true for no child). Throws as
  // Waiter::Wait.
  bool Join(absl::Duration timeout = absl::InfiniteDuration()) const;

  // Runs `observer` once, in the hub, after the child has exited (on the
  // next hub turn if it already has). Returns an id for
  // RemoveExitObserver. REQUIRES: a child.
  std::uint64_t AddExitObserver(ExitObserver observer) const;
  // Withdraws an observer that has not run. Unknown ids are ignored.
  void RemoveExitObserver(std::uint64_t id) const;

  // Stable while any handle to the child exists: the key supervisors
  // index children by. nullptr for no child.
  const void* identity() const;

  friend bool operator==(const Child& a, const Child& b) {
    return a.identity() == b.identity();
  }

 private:
  struct GreenletChild;

  AnyActorRef actor_;
  std::shared_ptr<GreenletChild> greenlet_;
};

}  // namespace evergreen

#endif  // EVERGREEN_ACTORS_CHILD_H_
