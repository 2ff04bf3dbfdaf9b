// Actor: a greenlet with a mailbox that handles one message at a time.
//
//   struct Increment { int by = 1; };
//   struct GetCount {};
//
//   class Counter : public evergreen::ActorBase {
//    public:
//     using Messages = std::tuple<Increment, GetCount>;  // for untyped refs
//     void Handle(Increment m) { count_ += m.by; }
//     int Handle(GetCount) { return count_; }          // the reply to Ask
//    private:
//     int count_ = 0;
//   };
//
//   evergreen::ActorRef<Counter> counter = evergreen::SpawnActor<Counter>();
//   absl::Status sent = counter.Tell(Increment{2});    // fire and forget
//   int n = counter.Ask(GetCount{}).Get();             // 2, or throws
//   absl::StatusOr<int> m =
//       counter.Ask(GetCount{}, absl::Seconds(1)).Result();  // never throws
//   counter.Stop();                                    // after the queue
//   counter.Join();                                    // until it exits
//
// (Compiled, with this header alone, in tests/docs/actor_example_test.cc.)
//
// This header is the actor model's front door: ActorBase, ActorOptions
// (actors/actor_options.h), Down and ExitSignal, SpawnActor, and through
// it ActorRef (actors/actor_ref.h) and AnyActorRef
// (actors/any_actor_ref.h).
//
// Messages are plain C++ values (protobuf messages included), moved into
// the mailbox, never serialised on the same hub. The set of messages an
// actor handles is the set of its Handle overloads: sending another type
// through a typed ActorRef does not compile; through an untyped AnyActorRef
// it fails at run time with InvalidArgument (and a dead-letter report).
//
// Life cycle: OnStart runs in the actor's greenlet before the first
// message; a handler that throws ends the actor with ExitReason::kFailed;
// Stop() (from a handler) ends it with kNormal after the current message;
// ActorRef::Stop ends it with kShutdown once the messages queued before it
// are handled; ActorRef::Kill ends it at once with kKilled. OnStop runs
// in the actor's greenlet for every exit but a kill. The actor object is
// destroyed when it exits.
//
// Hibernation: an actor spawned with ActorOptions::hibernate_when_idle (or
// whose handler calls Hibernate()) gives its greenlet's stack back when
// its mailbox runs dry, and the next message starts a new greenlet; an
// idle one then costs its cell only. Everything above holds unchanged;
// each wake-up from idle costs a greenlet start (docs/design.md,
// "Hibernation").
//
// Thread affinity: an actor lives on the hub of the thread that spawned it;
// its handlers run in its own greenlet there. Refs may be copied to and
// used from other hubs (actors/actor_on_hub.h spawns on a chosen hub of a
// HubGroup): Tell/Ask/Stop/Kill/Join, links and monitors work across hubs,
// replies arrive on the caller's hub, and each sender's messages keep their
// order (B-M2).
#ifndef EVERGREEN_ACTORS_ACTOR_H_
#define EVERGREEN_ACTORS_ACTOR_H_

#include <cstdint>
#include <memory>
#include <type_traits>
#include <utility>

#include "actors/actor_options.h"
#include "actors/actor_ref.h"
#include "actors/any_actor_ref.h"
#include "actors/exit.h"
#include "actors/internal/actor_cell.h"
#include "actors/internal/dispatcher.h"
#include "actors/internal/message_name.h"

namespace evergreen {

// A monitored actor exited (delivered to OnDown in the watcher's greenlet).
struct Down {
  AnyActorRef actor;
  Exit exit;
  std::uint64_t monitor_id = 0;
};

// A linked actor exited and this actor traps exits.
struct ExitSignal {
  AnyActorRef from;
  Exit exit;
};

class ActorBase {
 public:
  virtual ~ActorBase() = default;

  // A ref to this actor. Valid from OnStart on.
  AnyActorRef self() const;

 protected:
  ActorBase() = default;

  virtual void OnStart() {}
  virtual void OnStop(const Exit& exit) { (void)exit; }
  virtual void OnDown(const Down& down);
  virtual void OnExitSignal(const ExitSignal& signal);

  // Ends the actor with kNormal after the current message.
  void Stop() { cell_->RequestSelfStop(); }
  // Hibernates once the mailbox is next empty (after the current message,
  // or after the messages queued behind it): the actor's greenlet ends and
  // its stack goes back to the pool until the next message starts a new
  // one (erlang:hibernate; ActorOptions::hibernate_when_idle does this
  // every time). Never blocks; the handler goes on to its end.
  void Hibernate() { cell_->RequestHibernate(); }
  // Linked actors' abnormal exits arrive as ExitSignal messages instead of
  // ending this actor.
  void TrapExit(bool on) { cell_->set_trap_exit(on); }
  // Links this actor with `other` (both directions).
  void Link(const AnyActorRef& other);
  // Delivers a Down to OnDown when `other` exits. Returns the monitor id.
  std::uint64_t Monitor(const AnyActorRef& other);
  void Demonitor(const AnyActorRef& other, std::uint64_t id);

 private:
  friend class internal::ActorCell;
  friend class ActorSystemHooks;
  // Runtime bases (ServiceBase) end greenlets of their own here, after the
  // actor exited and before the object is destroyed, so that nothing runs
  // against a half-destroyed actor. Runs in the actor's greenlet for every
  // exit, kills included; may block (with no deadline).
  virtual void BeforeDestroy() {}
  internal::ActorCell* cell_ = nullptr;
};

namespace internal {

// A cell with its actor object in the same allocation: the object is
// constructed with the cell and destroyed in place when the actor exits
// (the cell may live on while refs remain).
template <typename A>
class ActorCellWith final : public ActorCell {
 public:
  template <typename... Args>
  explicit ActorCellWith(ActorOptions options, Args&&... args)
      : ActorCell(std::move(options), DispatcherFor<A>(), MessageName<A>()) {
    Adopt(::new (static_cast<void*>(storage_)) A(std::forward<Args>(args)...));
  }
  ~ActorCellWith() override {
    // Only a cell whose actor never ran still holds it (Finish destroys it).
    if (ActorBase* actor = this->actor()) DestroyActor(actor);
  }

 private:
  void DestroyActor(ActorBase* actor) override {
    static_cast<A*>(actor)->~A();
  }
  alignas(A) unsigned char storage_[sizeof(A)];
};

}  // namespace internal

// Constructs A(args...) and starts it on the calling thread's hub: OnStart
// runs on the hub's next turn. Never blocks.
template <typename A, typename... Args>
ActorRef<A> SpawnActor(ActorOptions options, Args&&... args) {
  static_assert(std::is_base_of_v<ActorBase, A>, "actors derive ActorBase");
  std::shared_ptr<internal::ActorCell> cell =
      internal::ShareActorCell(new internal::ActorCellWith<A>(
          std::move(options), std::forward<Args>(args)...));
  cell->Start();
  return ActorRef<A>(std::move(cell));
}

template <typename A>
ActorRef<A> SpawnActor() {
  return SpawnActor<A>(ActorOptions());
}

}  // namespace evergreen

#endif  // EVERGREEN_ACTORS_ACTOR_H_
