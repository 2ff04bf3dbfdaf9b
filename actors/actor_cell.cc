#include "actors/internal/actor_cell.h"

#include <atomic>
#include <cstdlib>
#include <deque>
#include <mutex>
#include <string>
#include <typeindex>
#include <typeinfo>
#include <unordered_map>
#include <utility>

#include "absl/strings/str_cat.h"
#include "actors/actor.h"
#include "actors/actor_dump.h"
#include "actors/actor_ref.h"
#include "actors/dead_letters.h"
#include "framework/async_result.h"
#include "framework/deadline.h"
#include "framework/internal/hub_access.h"
#include "framework/keep_alive.h"

namespace evergreen {
namespace internal {
namespace {

std::atomic<std::uint64_t> next_actor_id{1};
std::atomic<std::uint64_t> next_observer_id{1};

// Thrown into a linked actor to end it with kFailed.
class LinkedExit : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The demangled name of `type`, made once per type and kept for the
// process (Deliver's `what` outlives a message sent to another hub).
const char* InternedName(const std::type_info& type) {
  static std::mutex mu;
  static auto* names = new std::unordered_map<std::type_index, std::string>();
  std::lock_guard<std::mutex> lock(mu);
  auto [it, made] = names->try_emplace(std::type_index(type));
  if (made) it->second = DemangledName(type);
  return it->second.c_str();
}

}  // namespace

// The first starts of actors born hibernating, per hub, oldest first, a
// batch per hub turn: a million spawns in a row then never hold more than
// a couple of batches of greenlets at once (each starts, runs OnStart and
// hibernates, handing its stack and greenlet on to the next).
class ActorCell::PendingStarts
    : public std::enable_shared_from_this<PendingStarts> {
 public:
  static PendingStarts& Of(Hub* hub) {
    static const char key = 0;
    return *hub->Extension<PendingStarts>(
        &key, [hub] { return std::make_shared<PendingStarts>(hub); });
  }
  explicit PendingStarts(Hub* hub) : hub_(hub) {}

  void Add(std::shared_ptr<ActorCell> cell) {
    queue_.push_back(std::move(cell));
    if (!std::exchange(scheduled_, true)) Schedule();
  }

 private:
  static constexpr int kBatch = 64;
  void Schedule() {
    // Weak: the hub destroys its extensions before what is scheduled.
    hub_->CallSoon([weak = weak_from_this()] {
      if (std::shared_ptr<PendingStarts> self = weak.lock()) self->RunBatch();
    });
  }
  void RunBatch() {
    for (int i = 0; i < kBatch && !queue_.empty(); ++i) {
      std::shared_ptr<ActorCell> cell = std::move(queue_.front());
      queue_.pop_front();
      // Not woken meanwhile (a delivery, a kill).
      if (cell->hibernating_ && !cell->ran_) cell->Wake();
    }
    if (queue_.empty()) {
      scheduled_ = false;
      queue_.shrink_to_fit();
    } else {
      Schedule();  // after this batch's greenlets have run
    }
  }
  Hub* hub_;
  std::deque<std::shared_ptr<ActorCell>> queue_;
  bool scheduled_ = false;
};

ActorCell::ActorCell(ActorOptions options, AnyDispatcher dispatcher,
                     const char* type_name)
    : hub_(Hub::Current()),
      id_(next_actor_id.fetch_add(1, std::memory_order_relaxed)),
      type_name_(type_name),
      capacity_(options.mailbox_capacity),
      max_throughput_(options.max_throughput),
      stack_size_(options.stack_size),
      dispatcher_(dispatcher),
      hibernate_when_idle_(options.hibernate_when_idle),
      remote_(internal::HubAccess::remote(hub_)) {
  if (!options.name.empty() || options.block_when_full) {
    rare_ = std::make_unique<Rare>();
    rare_->name = std::move(options.name);
    rare_->block_when_full = options.block_when_full;
    rare_->send_timeout = options.send_timeout;
    if (!rare_->name.empty()) {
      name_.store(&rare_->name, std::memory_order_relaxed);
    }
  }
  may_hibernate_ = hibernate_when_idle_;
  roster_entry_.Join(hub_);
  EnableActorDump();
}

void ActorCell::Adopt(ActorBase* actor) {
  actor_ = actor;
  actor_->cell_ = this;
}

ActorCellOwning::ActorCellOwning(ActorOptions options,
                                 std::unique_ptr<ActorBase> actor,
                                 AnyDispatcher dispatcher,
                                 const char* type_name)
    : ActorCell(std::move(options), dispatcher, type_name) {
  Adopt(actor.release());
}

ActorCellOwning::~ActorCellOwning() {
  if (ActorBase* actor = this->actor()) DestroyActor(actor);  // never ran
}

void ActorCellOwning::DestroyActor(ActorBase* actor) { delete actor; }

std::shared_ptr<ActorCell> ShareActorCell(ActorCell* cell) {
  return std::shared_ptr<ActorCell>(cell, [](ActorCell* dying) {
    if (dying->OnOwnerHub()) {
      delete dying;
      return;
    }
    // The last ref went on another hub: the cell (its mailbox, greenlet
    // handle) belongs to its own. If that hub is gone, Post refuses and the
    // cell dies here, with nothing left to race with.
    std::shared_ptr<HubRemote> remote = dying->remote_;
    remote->Post([owned = std::unique_ptr<ActorCell>(dying)] {});
  });
}

ActorCell::~ActorCell() {
  DropUndrainedInbox();
  mailbox_.DropAll();  // before the rest of the cell: messages may use it
  const std::string* name = name_.load(std::memory_order_acquire);
  if (rare_ == nullptr || name != &rare_->name) delete name;
}

const std::string& ActorCell::MakeName() const {
  auto* made = new std::string(absl::StrCat(type_name_, "#", id_));
  const std::string* expected = nullptr;
  if (name_.compare_exchange_strong(expected, made,
                                    std::memory_order_acq_rel)) {
    return *made;
  }
  delete made;  // another thread made it first
  return *expected;
}

absl::Status ActorCell::NotRunning() const {
  return absl::NotFoundError(absl::StrCat(
      "actor '", name(), "' is not running (", exit_.ToString(), ")"));
}

void ActorCell::Start() {
  // (Not while the hub is being destroyed: its extensions, the batches'
  // keeper among them, are gone.)
  if (hibernate_when_idle_ && !hub_->destroying()) {
    // Born hibernating: no greenlet (nor its allocation) until the hub's
    // next turn runs OnStart, or a delivery comes first. A million spawns
    // in a row therefore never hold a million greenlets at once.
    Park();
    PendingStarts::Of(hub_).Add(shared_from_this());
    return;
  }
  StartGreenlet(shared_from_this());
}

void ActorCell::StartGreenlet(std::shared_ptr<ActorCell> self) {
  // The greenlet holds the cell alive until the actor has exited or
  // hibernates. It is named after the actor only when the actor was given
  // a name (a made-up "<type>#<id>" would cost a string per spawn; the
  // live dump's actor section names every actor).
  greenlet_ = Greenlet<void>::Create(
      GreenletOptions{.name = rare_ != nullptr ? rare_->name : std::string(),
                      .stack_size = stack_size_},
      [self = std::move(self)] { self->Run(); });
  end_watch_.Observe(*greenlet_.base());
  greenlet_.Start();
}

void ActorCell::Park() {
  hibernating_ = true;
  parked_self_ = shared_from_this();
  // Counted as a live greenlet (Hub::stats(), the leak check) and shut
  // down with the hub, as the greenlet it stands for would be.
  Track(HubAccess::tracked_head(hub_), HubAccess::greenlet_count(hub_));
  // Dropped while the ending greenlet still runs: it holds itself until
  // the hub has switched away from it.
  greenlet_ = Greenlet<void>();
}

void ActorCell::Wake() {
  hibernating_ = false;
  Untrack();
  StartGreenlet(std::move(parked_self_));
}

void ActorCell::ShutdownForHub() {
  // As the hub unwinds a waiting actor's greenlet: the actor is killed. It
  // has no greenlet to unwind, so its exit runs here.
  Untrack();
  hibernating_ = false;
  std::shared_ptr<ActorCell> self = std::move(parked_self_);
  if (!exited_) Finish(Exit::Killed());
}  // `self` may be the last reference: the cell goes here

absl::Status ActorCell::Deliver(MailPtr& mail, const char* what) {
  if (Hub::CurrentIfExists() != hub_) [[unlikely]] {
    mail->what = what;
    absl::Status sent = SendRemote(mail);
    if (!sent.ok()) ReportDeadLetter(*this, what, sent);  // sender's hub
    return sent;
  }
  if (exited_) [[unlikely]] {
    absl::Status dead = NotRunning();
    ReportDeadLetter(*this, what, dead);
    return dead;
  }
  if (full()) [[unlikely]] {
    if (block_when_full()) return DeliverBlocking(mail, what);
    absl::Status full = absl::ResourceExhaustedError(absl::StrCat(
        "mailbox of actor '", name(), "' is full (", capacity_,
        " messages)"));
    ReportDeadLetter(*this, what, full);
    return full;
  }
  Enqueue(mail.release());
  return absl::OkStatus();
}

absl::Status ActorCell::DeliverBlocking(MailPtr& mail, const char* what) {
  absl::Status status;
  const absl::Duration timeout = rare_->send_timeout;
  if (timeout <= absl::ZeroDuration()) {
    status = absl::DeadlineExceededError(absl::StrCat(
        "mailbox of actor '", name(), "' is full (", capacity_,
        " messages) and the send timeout is ", absl::FormatDuration(timeout)));
  } else {
    std::shared_ptr<ActorCell> keep_alive = shared_from_this();
    BlockedSender sender;
    sender.mail = mail.get();
    // Runs before `sender` is unlinked, however the wait ends (a kill
    // included): a mail the actor took is no longer the sender's.
    struct Settle {
      BlockedSender* sender;
      MailPtr* mail;
      ~Settle() {
        if (sender->outcome() == QueueWaitNode::Outcome::kDone) {
          (void)mail->release();
        }
      }
    } settle{&sender, &mail};
    if (!sender.Await(&rare_->blocked_senders, timeout)) {
      status = absl::DeadlineExceededError(absl::StrCat(
          "mailbox of actor '", name(), "' still full (",
          capacity_, " messages) after ",
          absl::FormatDuration(timeout)));
    } else if (sender.outcome() != QueueWaitNode::Outcome::kDone) {
      status = NotRunning();  // it exited meanwhile
    }
  }
  if (!status.ok()) ReportDeadLetter(*this, what, status);
  return status;
}

Mail* ActorCell::TakeMail() {
  Mail* mail = mailbox_.PopFront();
  handed_ = false;
  while (rare_ != nullptr && !rare_->blocked_senders.empty() && !full())
      [[unlikely]] {
    auto* sender =
        static_cast<BlockedSender*>(rare_->blocked_senders.PopFront());
    mailbox_.PushBack(sender->mail);
    sender->Finish(QueueWaitNode::Outcome::kDone);
  }
  return mail;
}

void ActorCell::AwaitMail() {
  Waiter waiter;
  idle_ = &waiter;
  struct Clear {
    ActorCell* cell;
    ~Clear() { cell->idle_ = nullptr; }
  } clear{this};
  waiter.Wait();
}

absl::Status ActorCell::DeliverAny(std::any message) {
  const char* what = InternedName(message.type());
  absl::StatusOr<MailPtr> mail = dispatcher_(message);
  if (!mail.ok()) {
    ReportDeadLetter(*this, what, mail.status());
    return mail.status();
  }
  return Deliver(*mail, what);
}

void ActorCell::Stop() {
  if (!OnOwnerHub()) {
    OnOwner([](ActorCell& cell) { cell.Stop(); });
    return;
  }
  if (exited_ || stop_mail_.queued) return;
  // A full bounded mailbox has no room for the stop: the actor is killed.
  if (full()) {
    Kill();
    return;
  }
  stop_mail_.queued = true;
  Enqueue(&stop_mail_);
}

void ActorCell::StopMail::RunOrDrop(Mail* mail, ActorBase* actor) {
  auto* stop = static_cast<StopMail*>(mail);
  stop->queued = false;
  if (actor != nullptr) stop->cell_->stop_request_ = ExitReason::kShutdown;
}

void ActorCell::Kill() {
  if (!OnOwnerHub()) {
    OnOwner([](ActorCell& cell) { cell.Kill(); });
    return;
  }
  if (!exited_) KillWith(nullptr);
}

void ActorCell::KillWith(std::exception_ptr error) {
  if (!greenlet_ && !hibernating_) return;  // no actor to kill
  if (error == nullptr) error = std::make_exception_ptr(GreenletExit());
  // Kept for a greenlet that has not started running yet (hibernating, or
  // woken and not yet switched in): it raises it as it starts, as the kill
  // would have been raised where the actor waited for mail. Kept too for
  // a running one that might hibernate before the kill's turn comes.
  if (wake_error_ == nullptr) wake_error_ = error;
  if (greenlet_ && (!may_hibernate_ || greenlet_->raw().started())) {
    greenlet_.Kill(std::move(error), /*block=*/false);
    return;
  }
  if (hibernating_) Wake();
}

void ActorCell::Fail(std::exception_ptr error) {
  if (!OnOwnerHub()) {
    OnOwner([error](ActorCell& cell) { cell.Fail(error); });
    return;
  }
  if (!exited_) KillWith(std::move(error));
}

bool ActorCell::Join(absl::Duration timeout) {
  if (!OnOwnerHub()) {
    if (!alive()) return true;
    AsyncResult<void> done;  // on the caller's hub: the observer runs here
    HubKeepAlive waiting;
    const std::uint64_t id =
        AddExitObserver([done](const Exit&) mutable { done.Set(); });
    if (done.Wait(timeout)) return true;
    RemoveExitObserver(id);
    return !alive();
  }
  if (exited_) return true;
  if (running_in_actor()) {
    greenlet_.Join(timeout);
    return exited_;
  }
  const absl::Time deadline = absl::Now() + timeout;
  while (!may_hibernate_) {
    // The greenlet ends with the actor, unless a handler calls Hibernate()
    // meanwhile: then it ends with the actor alive, and the wait goes on
    // below. The handle is held here: a hibernation resets greenlet_.
    Greenlet<void> greenlet = greenlet_;
    greenlet.Join(deadline - absl::Now());
    if (exited_) return true;
    if (!may_hibernate_) return false;  // the timeout passed
  }
  // The greenlet may end by hibernating: wait for the exit itself.
  AsyncResult<void> done;
  const std::uint64_t id =
      AddExitObserver([done](const Exit&) mutable { done.Set(); });
  if (!done.Wait(deadline - absl::Now())) RemoveExitObserver(id);
  return exited_;
}

void ActorCell::Run() {
  Exit exit = Exit::Normal();
  try {
    if (!std::exchange(ran_, true)) {
      if (wake_error_ != nullptr) {
        // Killed before it ever ran, as a greenlet killed unstarted: no
        // OnStart, no OnStop.
        wake_error_ = nullptr;
        Finish(Exit::Killed());
        return;
      }
      actor_->OnStart();
    }
    if (wake_error_ != nullptr) [[unlikely]] {
      std::rethrow_exception(std::exchange(wake_error_, nullptr));
    }
    std::size_t in_a_row = 0;  // messages handled since the last switch
    while (!stop_request_.has_value()) {
      if (mailbox_.empty()) {
        if (hibernate_when_idle_ || hibernate_request_) {
          // A kill that came while this greenlet was ready to run (ahead
          // of the kill's own turn) is raised here, not lost with it.
          if (wake_error_ != nullptr) [[unlikely]] {
            std::rethrow_exception(std::exchange(wake_error_, nullptr));
          }
          hibernate_request_ = false;
          Park();
          return;  // the greenlet ends; the next delivery starts another
        }
        in_a_row = 0;
        AwaitMail();  // the others run meanwhile
        continue;
      }
      if (++in_a_row > max_throughput_) {
        in_a_row = 0;
        Sleep(absl::ZeroDuration());  // B-D6: a flooded actor lets others run
        continue;
      }
      // A take that did not wait yields once the hub's slice is spent
      // (internal::MaybeYield); the first after a wait has just been
      // switched in, so it skips the clock read.
      if (in_a_row > 1) internal::MaybeYield();
      TakeMail()->Run(*actor_);
    }
    if (stop_request_.has_value()) exit.reason = *stop_request_;
  } catch (const GreenletExit&) {
    Finish(Exit::Killed());
    throw;
  } catch (...) {
    exit = Exit::Failed(std::current_exception());
  }
  try {
    actor_->OnStop(exit);
  } catch (const GreenletExit&) {
    Finish(Exit::Killed());  // killed while stopping
    throw;
  } catch (...) {
    if (!exit.abnormal()) exit = Exit::Failed(std::current_exception());
  }
  Finish(std::move(exit));
}

void ActorCell::Finish(Exit exit) {
  exit_ = std::move(exit);
  exited_.store(true, std::memory_order_release);  // exit_ first (alive())
  // Queued requests die with their mail (Asks fail "exited before
  // replying"), blocked senders fail; the actor's state goes now.
  if (rare_ != nullptr) {
    rare_->blocked_senders.FinishAll(QueueWaitNode::Outcome::kShutDown);
  }
  mailbox_.DropAll();
  handed_ = false;
  if (actor_ != nullptr) {
    internal::NoDeadlineScope no_deadline;
    actor_->BeforeDestroy();
    DestroyActor(std::exchange(actor_, nullptr));
  }
  std::unique_ptr<Watchers> watchers = std::move(watchers_);
  if (watchers == nullptr) {
    CloseInbox();
    return;
  }
  std::shared_ptr<ActorCell> self = shared_from_this();
  for (auto& [id, weak] : watchers->links) {
    if (std::shared_ptr<ActorCell> other = weak.lock()) {
      if (other->hub_ != hub_) {  // on its own hub, in send order
        other->OnOwner([self, exit = exit_](ActorCell& cell) {
          cell.EraseLink(self->id());
          cell.OnLinkedExit(self, exit);
        });
        continue;
      }
      other->EraseLink(id_);
      other->OnLinkedExit(self, exit_);
    }
  }
  for (auto& [id, observer] : watchers->observers) {
    // In the hub, like greenlet links: observers must not block.
    hub_->CallSoon([observer = std::move(observer.fn), exit = exit_]() mutable {
      observer(exit);
    });
  }
  CloseInbox();  // after the exit is known: a late observer sees it
}

void ActorCell::OnLinkedExit(const std::shared_ptr<ActorCell>& from,
                             const Exit& exit) {
  if (exited_) return;
  if (trap_exit_) {
    // Dropped when a bounded mailbox is full.
    if (!full()) {
      Enqueue(MakeMail([from = AnyActorRef(from), exit](ActorBase& actor) {
                actor.OnExitSignal(ExitSignal{from, exit});
              }).release());
    }
    return;
  }
  if (!exit.abnormal()) return;
  Fail(std::make_exception_ptr(LinkedExit(absl::StrCat(
      "linked actor '", from->name(), "' exited: ", exit.ToString()))));
}

std::uint64_t ActorCell::AddExitObserver(ExitObserver observer,
                                         std::string monitor) {
  const std::uint64_t id =
      next_observer_id.fetch_add(1, std::memory_order_relaxed);
  if (!OnOwnerHub()) {
    // Runs on the caller's hub: posted there from the actor's.
    auto box = std::make_shared<ExitObserver>(
        [caller = internal::HubAccess::remote(Hub::Current()),
         observer = std::move(observer)](const Exit& exit) mutable {
          caller->Post([observer = std::move(observer), exit]() mutable {
            observer(exit);
          });
        });
    absl::Status sent = SendControl(
        [id, box, monitor = std::move(monitor)](ActorCell& cell) {
          cell.AddObserverHere(id, {std::move(*box), monitor});
        });
    if (!sent.ok()) {
      // The actor is gone (its exit is readable once !alive()).
      Exit exit = alive() ? Exit::Killed() : exit_;
      (*box)(exit);
    }
    return id;
  }
  AddObserverHere(id, {std::move(observer), std::move(monitor)});
  return id;
}

void ActorCell::AddObserverHere(std::uint64_t id, Observer observer) {
  if (exited_) {
    hub_->CallSoon([observer = std::move(observer.fn), exit = exit_]() mutable {
      observer(exit);
    });
    return;
  }
  watchers().observers.emplace(id, std::move(observer));
}

void ActorCell::RemoveExitObserver(std::uint64_t id) {
  OnOwner([id](ActorCell& cell) {
    if (cell.watchers_ != nullptr) cell.watchers_->observers.erase(id);
  });
}

void ActorCell::Link(const std::shared_ptr<ActorCell>& other) {
  if (other.get() == this) return;
  if (other->hub_ != hub_) {
    // Across hubs: each side's table is written on its own hub. Should the
    // other have exited already, it answers as below (noproc).
    watchers().links[other->id_] = other;
    other->OnOwner([peer = weak_from_this()](ActorCell& cell) {
      std::shared_ptr<ActorCell> linked = peer.lock();
      if (linked == nullptr) return;
      if (!cell.alive()) {
        Exit exit = cell.exit_.abnormal() ? cell.exit_ : Exit::Normal();
        linked->OnOwner([from = cell.shared_from_this(), exit](ActorCell& me) {
          me.EraseLink(from->id());
          me.OnLinkedExit(from, exit);
        });
        return;
      }
      cell.watchers().links[linked->id_] = linked;
    });
    return;
  }
  if (!other->alive()) {
    // Linking to a dead actor: its exit reaches us at once (OTP's noproc).
    OnLinkedExit(other, other->exit_.abnormal() ? other->exit_ : Exit::Normal());
    return;
  }
  watchers().links[other->id_] = other;
  other->watchers().links[id_] = weak_from_this();
}

std::vector<std::string> ActorCell::LinkedNames() const {
  std::vector<std::string> names;
  if (watchers_ == nullptr) return names;
  for (const auto& [id, weak] : watchers_->links) {
    // name() is safe from any thread; the ref dropped here may be the
    // last, which MakeActorCell's deleter sends home.
    if (std::shared_ptr<ActorCell> other = weak.lock()) {
      if (other->alive()) names.push_back(other->name());
    }
  }
  return names;
}

std::vector<std::string> ActorCell::MonitorNames() const {
  std::vector<std::string> names;
  if (watchers_ == nullptr) return names;
  for (const auto& [id, observer] : watchers_->observers) {
    if (!observer.monitor.empty()) names.push_back(observer.monitor);
  }
  return names;
}

void ActorCell::Unlink(const std::shared_ptr<ActorCell>& other) {
  EraseLink(other->id_);
  other->OnOwner([id = id_](ActorCell& cell) { cell.EraseLink(id); });
}

}  // namespace internal

}  // namespace evergreen
