// ActorCell: the runtime of one actor — its mailbox, its greenlet, its
// links and monitors, and how it ends. Refs point at the cell, which
// outlives the actor object, so a ref to a dead actor stays safe.
//
// Internal: users see ActorRef (actors/actor_ref.h) and AnyActorRef
// (actors/any_actor_ref.h).
// The mailbox is intrusive (actors/internal/mail.h): a message is one node,
// allocated once by its sender and linked in as it is; the actor's
// greenlet waits on the cell itself when the mailbox is empty, or, for a
// hibernating actor (ActorOptions::hibernate_when_idle), ends: the cell
// then holds itself alive, tracked by the hub like a greenlet (it counts in
// Hub::stats().greenlets and is killed when the hub is destroyed), and the
// next delivery starts a new greenlet.
//
// Thread affinity: the hub thread that spawned the actor owns the cell. From
// another thread (another hub of a HubGroup), Deliver/DeliverAny, Stop,
// Kill, Fail, Join, AddExitObserver/RemoveExitObserver, Link/Unlink,
// alive(), exit() once !alive(), id(), name() and hub() (for comparison)
// may be called: they go through the cell's inbox (a lock-free MPSC
// stack of mail nodes) and the owner's ev_async, one post per batch (see
// docs/design.md, "Threading"). Everything else is owner-only. The last
// reference may be dropped on any thread: the cell is then destroyed on
// its hub (MakeActorCell).
#ifndef EVERGREEN_ACTORS_INTERNAL_ACTOR_CELL_H_
#define EVERGREEN_ACTORS_INTERNAL_ACTOR_CELL_H_

#include <any>
#include <atomic>
#include <optional>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <typeindex>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/functional/any_invocable.h"
#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "actors/actor_options.h"
#include "actors/exit.h"
#include "actors/internal/hub_roster.h"
#include "actors/internal/mail.h"
#include "framework/greenlet.h"
#include "framework/internal/end_observer.h"
#include "framework/internal/hub_tracked.h"
#include "framework/internal/hub_remote.h"
#include "framework/internal/queue_waiters.h"
#include "framework/waiter.h"

namespace evergreen {

class ActorBase;


namespace internal {

class ActorCell : public std::enable_shared_from_this<ActorCell>,
                  private HubTracked {
 public:
  // Untyped delivery (AnyActorRef::TellAny): a dispatcher built from the
  // actor type's Messages list (actors/internal/dispatcher.h); returns
  // InvalidArgument for other types.
  using AnyDispatcher = absl::StatusOr<MailPtr> (*)(std::any& message);
  // Exit observers run in the hub once the actor is dead; must not block.
  using ExitObserver = absl::AnyInvocable<void(const Exit&)>;

  // The actor object is placed by the subclass (ActorCellWith<A>, in
  // actors/actor.h), in the same allocation as the cell, and handed over
  // with Adopt.
  ActorCell(ActorOptions options, AnyDispatcher dispatcher,
            const char* type_name);
  virtual ~ActorCell();
  ActorCell(const ActorCell&) = delete;
  ActorCell& operator=(const ActorCell&) = delete;

  // Starts the actor's greenlet (OnStart, then the message loop).
  void Start();

  // Queues `mail` (released only on success); `what` names the
  // message for errors and dead letters, and must live as long as the
  // process (a literal, or MessageName<M>()): a message sent from another
  // hub keeps the pointer. Errors: NotFound when the actor
  // is dead (a dead letter is reported), ResourceExhausted when the mailbox
  // is full, DeadlineExceeded when a blocking send timed out.
  // From another hub: queued in the inbox and moved into the mailbox on the
  // actor's hub, in the order sent (per sender); OK once queued there. A
  // full mailbox then drops it with a dead letter on the actor's hub
  // (block_when_full does not block a sender on another hub). Errors:
  // NotFound when the actor has exited, Unavailable when its hub is
  // stopping or gone (a dead letter on the sender's hub).
  absl::Status Deliver(MailPtr& mail, const char* what);
  absl::Status DeliverAny(std::any message);

  // Graceful: handles what is queued, then exits with kShutdown.
  void Stop();
  // Kills the greenlet now: exit kKilled.
  void Kill();
  // Kills it with `error`: exit kFailed (a link's propagation).
  void Fail(std::exception_ptr error);
  // Blocks until the actor has exited, or `timeout`. Returns alive() == false.
  bool Join(absl::Duration timeout);

  // Any thread (acquire: once false, exit() is stable and readable).
  bool alive() const { return !exited_.load(std::memory_order_acquire); }
  const Exit& exit() const { return exit_; }
  std::uint64_t id() const { return id_; }
  // The name given at spawn, else "<type>#<id>", made on first use.
  const std::string& name() const {
    const std::string* name = name_.load(std::memory_order_acquire);
    return name != nullptr ? *name : MakeName();
  }
  const char* type_name() const { return type_name_; }
  Hub* hub() const { return hub_; }
  // Messages queued (owner hub). As with a queue handing an item to a
  // waiting getter, a message that woke the waiting actor is its already.
  std::size_t mailbox_size() const { return mailbox_.size() - handed_; }
  // True on the actor's own hub thread.
  bool OnOwnerHub() const { return Hub::CurrentIfExists() == hub_; }
  // True when called from the actor's own greenlet (a handler, OnStart,
  // OnStop), where waiting for the actor's own reply would deadlock.
  bool running_in_actor() const {
    return greenlet_ && GreenletBase::Current() == greenlet_.base();
  }

  // Runs `observer` once when the actor exits (at once — on the next hub
  // turn — if it already has), in the hub of the caller (from another hub,
  // it is posted there). Returns an id for RemoveExitObserver; from another
  // hub, a removal races with an exit already under way (the observer may
  // still run once). `monitor` names the watching actor when the observer
  // is a monitor (ActorBase::Monitor), for the live dump.
  std::uint64_t AddExitObserver(ExitObserver observer,
                                std::string monitor = "");
  void RemoveExitObserver(std::uint64_t id);

  // Links: an abnormal exit of either side reaches the other (as an
  // ExitSignal message when it traps exits, else by failing it).
  void Link(const std::shared_ptr<ActorCell>& other);
  void Unlink(const std::shared_ptr<ActorCell>& other);
  void set_trap_exit(bool on) { trap_exit_ = on; }
  bool trap_exit() const { return trap_exit_; }

  // Called by ActorBase::Stop() from inside a handler.
  void RequestSelfStop() { stop_request_ = ExitReason::kNormal; }
  // Called by ActorBase::Hibernate() from inside a handler.
  void RequestHibernate() {
    hibernate_request_ = true;
    may_hibernate_ = true;
  }
  // Hibernating: alive with no greenlet (its stack is back in the pool)
  // until the next delivery. Owner hub.
  bool hibernating() const { return hibernating_; }
  // OnStart has begun (a hibernating actor is born hibernating, before
  // its first start). Owner hub.
  bool started() const { return ran_; }

  // For the live dump (actors/actor_dump.h). Owner hub only.
  // The names of the linked actors still alive, and of the actors
  // monitoring this one, in no particular order.
  std::vector<std::string> LinkedNames() const;
  std::vector<std::string> MonitorNames() const;
  // Messages sent from other hubs not yet moved into the mailbox.
  std::size_t inbox_size();
  // The actor object; nullptr once it has exited.
  ActorBase* actor() const { return actor_; }

 protected:
  // From the subclass's constructor: `actor` lives in the subclass.
  void Adopt(ActorBase* actor);
  // Destroys the actor object in place (the subclass knows its type).
  virtual void DestroyActor(ActorBase* actor) = 0;

 private:
  // What ActorRef::Stop queues: a node of the cell's own (a Stop
  // allocates nothing), queued at most once at a time.
  class StopMail final : public Mail {
   public:
    explicit StopMail(ActorCell* cell) : Mail(&RunOrDrop), cell_(cell) {}
    bool queued = false;

   private:
    static void RunOrDrop(Mail* mail, ActorBase* actor);
    ActorCell* cell_;
  };
  // A sender blocked on a full mailbox (block_when_full): its mail is
  // linked in by the actor's next take, or dropped by the exit.
  struct BlockedSender : QueueWaitNode {
    Mail* mail = nullptr;
  };

  const std::string& MakeName() const;
  // Links `mail` at the back and wakes the actor if it waits for mail
  // (or starts its greenlet again if it hibernates).
  void Enqueue(Mail* mail) {
    mailbox_.PushBack(mail);
    if (idle_ != nullptr) {
      std::exchange(idle_, nullptr)->Wake();
      handed_ = true;
    } else if (hibernating_) [[unlikely]] {
      Wake();
      handed_ = true;
    }
  }
  // Hibernation. Park: the running greenlet is about to end with the actor
  // idle; the cell keeps itself alive and is tracked by the hub. Wake:
  // starts a new greenlet for the parked actor (on the hub's next turn).
  void Park();
  void Wake();
  // Creates and starts the actor's greenlet, which holds `self`.
  void StartGreenlet(std::shared_ptr<ActorCell> self);
  // Kill/Fail on the owner hub: `error` (nullptr: a kill) unwinds the
  // actor's greenlet, or, when it has none running yet (hibernating, or
  // woken and not yet switched in), is raised as the new one starts.
  void KillWith(std::exception_ptr error);
  // HubTracked: the hub is being destroyed while the actor hibernates.
  void ShutdownForHub() override;
  // The first starts of actors born hibernating, a batch per hub turn.
  class PendingStarts;
  // Whether a bounded mailbox has no room.
  bool full() const {
    return capacity_ != 0 && mailbox_size() >= capacity_;
  }
  // Deliver's block_when_full path on a full mailbox.
  absl::Status DeliverBlocking(MailPtr& mail, const char* what);
  // Takes the oldest mail, admitting the oldest blocked sender's.
  // REQUIRES: !mailbox_.empty().
  Mail* TakeMail();
  // Suspends the actor's greenlet until mail arrives.
  void AwaitMail();
  absl::Status NotRunning() const;

  // What another hub sends: a message (its mail node, named by
  // Mail::what), or an operation on the cell (stop, kill, link, ...) in a
  // node of this kind, run on the actor's hub in order.
  class ControlMail;
  // Queues `mail` (released once linked in) from another hub and posts a
  // drain to the actor's hub if none is pending. Errors: the inbox's
  // closing status (`mail` still the caller's, unless the actor's hub
  // turned out gone: then it died with the inbox).
  absl::Status SendRemote(MailPtr& mail);
  // Runs `op` on the actor's hub: now when called there, else through the
  // inbox (dropped once the actor is gone).
  void OnOwner(absl::AnyInvocable<void(ActorCell&)> op);
  // From another hub: queues `op` in the inbox, to run on the actor's hub.
  // Errors: as SendRemote (then `op` is dropped unrun).
  absl::Status SendControl(absl::AnyInvocable<void(ActorCell&)> op);
  struct Observer {
    ExitObserver fn;
    std::string monitor;  // the watcher's name for a monitor, else ""
  };
  // Exit observers and links, made by the first of either (most actors
  // have none: an idle actor's cell stays small).
  struct Watchers {
    absl::flat_hash_map<std::uint64_t, Observer> observers;
    // Links, by the other cell's id.
    absl::flat_hash_map<std::uint64_t, std::weak_ptr<ActorCell>> links;
  };
  Watchers& watchers() {
    if (watchers_ == nullptr) watchers_ = std::make_unique<Watchers>();
    return *watchers_;
  }
  void EraseLink(std::uint64_t id) {
    if (watchers_ != nullptr) watchers_->links.erase(id);
  }
  // What few actors set: a name, a blocking bounded mailbox. Made by the
  // constructor only for those.
  struct Rare {
    std::string name;
    bool block_when_full = false;
    absl::Duration send_timeout = absl::InfiniteDuration();
    QueueWaitList blocked_senders;  // of BlockedSender, oldest first
  };
  bool block_when_full() const {
    return rare_ != nullptr && rare_->block_when_full;
  }
  // On the actor's hub: AddExitObserver's body.
  void AddObserverHere(std::uint64_t id, Observer observer);
  // On the actor's hub: delivers what other hubs queued.
  void DrainInbox();
  // On the actor's hub, at exit: refuses further remote items; what is
  // still queued dies (its Asks fail).
  void CloseInbox();
  enum class InboxState { kOpen, kExited, kHubStopping, kHubGone };
  // Closes the inbox as `state` (unless closed already) and returns what
  // was queued, oldest first. Any thread.
  Mail* TakeAndCloseInbox(InboxState state);
  // Runs (a control) or delivers (a message) each of `list`, oldest first;
  // on an exception, the rest are dropped. Owner hub.
  void DeliverFromInbox(Mail* list);
  // The destructor's: drops what other hubs queued and nobody drained.
  void DropUndrainedInbox();
  // Walks `list` (oldest first): control nodes apply to this cell, each
  // message goes to `message`, which owns it. If either throws, the rest
  // of the list is dropped unrun.
  void ApplyInOrder(Mail* list, absl::FunctionRef<void(Mail*)> message);
  void Run();
  void Finish(Exit exit);
  void OnLinkedExit(const std::shared_ptr<ActorCell>& from, const Exit& exit);

  // Learns of the greenlet's end however it comes, even a kill before the
  // actor ever ran.
  class EndWatch final : public EndObserver {
   public:
    explicit EndWatch(ActorCell* cell) : cell_(cell) {}
    ~EndWatch() = default;

   private:
    void OnEnd(GreenletBase&) override {
      if (!cell_->exited_ && !cell_->hibernating_) {
        cell_->Finish(Exit::Killed());
      }
    }
    ActorCell* cell_;
  };

  Hub* hub_;
  std::uint64_t id_;
  const char* type_name_;
  // ActorOptions, as the cell keeps them (the rare ones in rare_).
  std::size_t capacity_;
  std::size_t max_throughput_;
  std::size_t stack_size_;
  std::unique_ptr<Rare> rare_;
  // A kill or failure for a greenlet that has not started running yet
  // (KillWith), raised by Run as it starts.
  std::exception_ptr wake_error_;
  // While hibernating: the reference the ended greenlet held.
  std::shared_ptr<ActorCell> parked_self_;
  // rare_->name, or a "<type>#<id>" made by the first name() (any
  // thread: published once with a compare-exchange).
  mutable std::atomic<const std::string*> name_{nullptr};
  ActorBase* actor_ = nullptr;  // in the subclass's storage until the exit
  AnyDispatcher dispatcher_;
  MailQueue mailbox_;
  // The actor's greenlet while it waits for mail (AwaitMail).
  Waiter* idle_ = nullptr;
  bool handed_ = false;  // the first queued mail woke the actor
  bool hibernating_ = false;        // no greenlet (Park .. Wake)
  bool hibernate_request_ = false;  // ActorBase::Hibernate(), once
  // Whether the greenlet may end without an exit: hibernate_when_idle, or
  // Hibernate() was called. Then Join waits for the exit, not the greenlet.
  bool may_hibernate_ = false;
  const bool hibernate_when_idle_;
  bool ran_ = false;  // OnStart has begun
  StopMail stop_mail_{this};
  Greenlet<void> greenlet_;
  EndWatch end_watch_{this};
  Exit exit_;
  std::atomic<bool> exited_{false};
  friend std::shared_ptr<ActorCell> ShareActorCell(ActorCell* cell);
  bool trap_exit_ = false;
  std::optional<ExitReason> stop_request_;
  std::unique_ptr<Watchers> watchers_;

  // The owner hub's cross-thread side, and the inbox other hubs write to:
  // a Treiber stack of mail linked through Mail::next, newest first.
  // Senders push with a CAS; the one that finds it empty posts a drain
  // (later senders find a drain pending: one post per batch). The drain
  // takes the whole stack with a CAS to empty and reverses it, so each
  // sender's messages keep their order. Closing swaps in ClosedInbox()
  // (never dereferenced), which senders then find. Every change is a
  // read-modify-write, so an acquire of the head sees every node pushed
  // before it.
  std::shared_ptr<HubRemote> remote_;
  std::atomic<Mail*> inbox_{nullptr};
  static Mail* ClosedInbox();
  // Why the inbox is closed (the refusal's Status is made on demand):
  // stored before the closing swap, read after a sender finds it.
  std::atomic<InboxState> inbox_state_{InboxState::kOpen};
  std::mutex close_mu_;  // serialises closers (the exit, a gone hub)
  absl::Status InboxRefusal() const;  // REQUIRES: closed

  // Listed by the live dump while the cell lives.
  HubRoster<ActorCell>::Entry roster_entry_{this};
};

// A cell for an actor object constructed elsewhere (a service spawned
// from its instance): owns it on the heap. SpawnActor uses ActorCellWith
// (actors/actor.h), which saves that allocation.
class ActorCellOwning final : public ActorCell {
 public:
  ActorCellOwning(ActorOptions options, std::unique_ptr<ActorBase> actor,
                  AnyDispatcher dispatcher, const char* type_name);
  ~ActorCellOwning() override;

 private:
  void DestroyActor(ActorBase* actor) override;
};

// Owns `cell` (new'd) so that its last reference may be dropped on any
// thread: it is then destroyed on its own hub (or at once if that hub is
// gone).
std::shared_ptr<ActorCell> ShareActorCell(ActorCell* cell);

// Reports a message that could not be delivered (see actors/dead_letters.h).
void ReportDeadLetter(const ActorCell& cell, const char* what,
                      const absl::Status& why);

}  // namespace internal
}  // namespace evergreen

#endif  // EVERGREEN_ACTORS_INTERNAL_ACTOR_CELL_H_
