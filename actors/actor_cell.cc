#include "actors/internal/actor_cell.h"

#include <atomic>
#include <cstdlib>
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

ActorCell::ActorCell(ActorOptions options, std::unique_ptr<ActorBase> actor,
                     AnyDispatcher dispatcher, const char* type_name)
    : hub_(Hub::Current()),
      id_(next_actor_id.fetch_add(1, std::memory_order_relaxed)),
      name_(options.name.empty() ? absl::StrCat(type_name, "#", id_)
                                 : options.name),
      type_name_(type_name),
      options_(std::move(options)),
      actor_(std::move(actor)),
      dispatcher_(std::move(dispatcher)),
      mailbox_(options_.mailbox_capacity),
      remote_(internal::HubAccess::remote(hub_)) {
  actor_->cell_ = this;
  roster_entry_.Join(hub_);
  EnableActorDump();
}

std::shared_ptr<ActorCell> MakeActorCell(ActorOptions options,
                                         std::unique_ptr<ActorBase> actor,
                                         ActorCell::AnyDispatcher dispatcher,
                                         const char* type_name) {
  auto* cell = new ActorCell(std::move(options), std::move(actor),
                             std::move(dispatcher), type_name);
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

ActorCell::~ActorCell() = default;

void ActorCell::Start() {
  // The greenlet holds the cell alive until the actor has exited.
  greenlet_ = Greenlet<void>::Create(
      GreenletOptions{.name = name_, .stack_size = options_.stack_size},
      [self = shared_from_this()] { self->Run(); });
  end_watch_.Observe(*greenlet_.base());
  greenlet_.Start();
}

absl::Status ActorCell::Deliver(Envelope& envelope, const char* what) {
  if (!OnOwnerHub()) [[unlikely]] {
    RemoteItem item{std::move(envelope), what, nullptr};
    absl::Status sent = SendRemote(item);
    if (!sent.ok()) {
      envelope = std::move(item.envelope);  // moved from only on success
      ReportDeadLetter(*this, what, sent);  // on the sender's hub
    }
    return sent;
  }
  if (exited_) {
    absl::Status dead = absl::NotFoundError(absl::StrCat(
        "actor '", name_, "' is not running (", exit_.ToString(), ")"));
    ReportDeadLetter(*this, what, dead);
    return dead;
  }
  if (options_.block_when_full) {
    absl::Status put = mailbox_.Put(std::move(envelope), options_.send_timeout);
    if (!put.ok()) ReportDeadLetter(*this, what, put);
    return put;
  }
  if (mailbox_.full()) {
    absl::Status full = absl::ResourceExhaustedError(absl::StrCat(
        "mailbox of actor '", name_, "' is full (", options_.mailbox_capacity,
        " messages)"));
    ReportDeadLetter(*this, what, full);
    return full;
  }
  return mailbox_.TryPut(std::move(envelope));
}

absl::Status ActorCell::DeliverAny(std::any message) {
  const char* what = InternedName(message.type());
  absl::StatusOr<Envelope> envelope = dispatcher_(std::move(message));
  if (!envelope.ok()) {
    ReportDeadLetter(*this, what, envelope.status());
    return envelope.status();
  }
  return Deliver(*envelope, what);
}

absl::Status ActorCell::SendRemote(RemoteItem& item) {
  bool post = false;
  {
    std::lock_guard<std::mutex> lock(inbox_mu_);
    if (inbox_closed_) return inbox_status_;
    inbox_.push_back(std::move(item));
    post = !std::exchange(drain_posted_, true);
  }
  // One wake-up per batch: later senders find the drain pending.
  if (!post) return absl::OkStatus();
  if (remote_->Post([self = shared_from_this()] { self->DrainInbox(); })) {
    return absl::OkStatus();
  }
  // The hub is gone without the actor having closed the inbox (it never
  // ran): nothing will drain it.
  std::vector<RemoteItem> orphans;
  absl::Status gone = absl::UnavailableError(
      absl::StrCat("actor '", name_, "': its hub has stopped"));
  {
    std::lock_guard<std::mutex> lock(inbox_mu_);
    inbox_closed_ = true;
    inbox_status_ = gone;
    orphans.swap(inbox_);
  }
  return gone;  // the orphans die here: their Asks fail Unavailable
}

void ActorCell::OnOwner(absl::AnyInvocable<void(ActorCell&)> op) {
  if (OnOwnerHub()) {
    op(*this);
    return;
  }
  RemoteItem item{nullptr, "", std::move(op)};
  (void)SendRemote(item);  // refused: the actor is gone; so is the op
}

void ActorCell::DrainInbox() {
  std::vector<RemoteItem> items = std::move(draining_);  // empty, has room
  {
    std::lock_guard<std::mutex> lock(inbox_mu_);
    items.swap(inbox_);
    drain_posted_ = false;
  }
  for (RemoteItem& item : items) {
    if (item.control) {
      item.control(*this);
      continue;
    }
    // In the hub: a full mailbox cannot make this wait.
    if (!exited_ && options_.block_when_full && mailbox_.full()) {
      absl::Status full = absl::ResourceExhaustedError(absl::StrCat(
          "mailbox of actor '", name_, "' is full (",
          options_.mailbox_capacity, " messages); sent from another hub"));
      ReportDeadLetter(*this, item.what, full);
      continue;
    }
    if (!exited_ && options_.block_when_full) {
      (void)mailbox_.TryPut(std::move(item.envelope));
      continue;
    }
    (void)Deliver(item.envelope, item.what);
  }
  items.clear();
  draining_ = std::move(items);
}

void ActorCell::CloseInbox() {
  std::vector<RemoteItem> items;
  {
    std::lock_guard<std::mutex> lock(inbox_mu_);
    inbox_closed_ = true;
    inbox_status_ =
        hub_->destroying()
            ? absl::UnavailableError(absl::StrCat(
                  "actor '", name_, "' is not running: its hub is stopping"))
            : absl::NotFoundError(absl::StrCat("actor '", name_,
                                               "' is not running (",
                                               exit_.ToString(), ")"));
    items.swap(inbox_);
  }
  // Operations still apply (a link learns of the exit, an observer runs);
  // messages die, failing their Asks.
  for (RemoteItem& item : items) {
    if (item.control) item.control(*this);
  }
}

void ActorCell::Stop() {
  if (!OnOwnerHub()) {
    OnOwner([](ActorCell& cell) { cell.Stop(); });
    return;
  }
  if (exited_) return;
  Envelope stop = &ActorCell::ShutdownEnvelope;
  // A stop must get in even when the mailbox is full.
  if (!mailbox_.TryPut(std::move(stop)).ok()) Kill();
}

void ActorCell::ShutdownEnvelope(ActorBase& actor) {
  actor.cell_->stop_request_ = ExitReason::kShutdown;
}

void ActorCell::Kill() {
  if (!OnOwnerHub()) {
    OnOwner([](ActorCell& cell) { cell.Kill(); });
    return;
  }
  if (!exited_ && greenlet_) greenlet_.Kill(nullptr, /*block=*/false);
}

void ActorCell::Fail(std::exception_ptr error) {
  if (!OnOwnerHub()) {
    OnOwner([error](ActorCell& cell) { cell.Fail(error); });
    return;
  }
  if (!exited_ && greenlet_) greenlet_.Kill(std::move(error), /*block=*/false);
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
  greenlet_.Join(timeout);
  return exited_;
}

void ActorCell::Run() {
  Exit exit = Exit::Normal();
  try {
    actor_->OnStart();
    std::size_t in_a_row = 0;  // messages handled since the last switch
    while (!stop_request_.has_value()) {
      if (mailbox_.empty()) {
        in_a_row = 0;  // Get() waits: the others run meanwhile
      } else if (++in_a_row > options_.max_throughput) {
        in_a_row = 0;
        Sleep(absl::ZeroDuration());  // B-D6: a flooded actor lets others run
      }
      absl::StatusOr<Envelope> envelope = mailbox_.Get();
      if (!envelope.ok()) break;  // shut down
      struct Done {
        JoinableQueue<Envelope>* mailbox;
        ~Done() { (void)mailbox->TaskDone(); }
      } done{&mailbox_};
      (*envelope)(*actor_);
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
  // Queued requests die with their envelopes (Asks fail "exited before
  // replying"); the actor's state goes now.
  mailbox_.Shutdown(/*immediate=*/true);
  if (actor_ != nullptr) {
    internal::NoDeadlineScope no_deadline;
    actor_->BeforeDestroy();
  }
  actor_.reset();
  auto observers = std::move(observers_);
  observers_.clear();
  auto links = std::move(links_);
  links_.clear();
  std::shared_ptr<ActorCell> self = shared_from_this();
  for (auto& [id, weak] : links) {
    if (std::shared_ptr<ActorCell> other = weak.lock()) {
      if (other->hub_ != hub_) {  // on its own hub, in send order
        other->OnOwner([self, exit = exit_](ActorCell& cell) {
          cell.links_.erase(self->id());
          cell.OnLinkedExit(self, exit);
        });
        continue;
      }
      other->links_.erase(id_);
      other->OnLinkedExit(self, exit_);
    }
  }
  for (auto& [id, observer] : observers) {
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
    Envelope signal = [from = AnyActorRef(from), exit](ActorBase& actor) {
      actor.OnExitSignal(ExitSignal{from, exit});
    };
    (void)mailbox_.TryPut(std::move(signal));
    return;
  }
  if (!exit.abnormal()) return;
  Fail(std::make_exception_ptr(LinkedExit(absl::StrCat(
      "linked actor '", from->name(), "' exited: ", exit.ToString()))));
}

std::uint64_t ActorCell::AddExitObserver(ExitObserver observer,
                                         std::string monitor) {
  const std::uint64_t id =
      next_observer_id_.fetch_add(1, std::memory_order_relaxed);
  if (!OnOwnerHub()) {
    // Runs on the caller's hub: posted there from the actor's.
    auto box = std::make_shared<ExitObserver>(
        [caller = internal::HubAccess::remote(Hub::Current()),
         observer = std::move(observer)](const Exit& exit) mutable {
          caller->Post([observer = std::move(observer), exit]() mutable {
            observer(exit);
          });
        });
    RemoteItem item{nullptr, "",
                    [id, box, monitor = std::move(monitor)](ActorCell& cell) {
                      cell.AddObserverHere(id, {std::move(*box), monitor});
                    }};
    if (!SendRemote(item).ok()) {
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
  observers_.emplace(id, std::move(observer));
}

void ActorCell::RemoveExitObserver(std::uint64_t id) {
  OnOwner([id](ActorCell& cell) { cell.observers_.erase(id); });
}

void ActorCell::Link(const std::shared_ptr<ActorCell>& other) {
  if (other.get() == this) return;
  if (other->hub_ != hub_) {
    // Across hubs: each side's table is written on its own hub. Should the
    // other have exited already, it answers as below (noproc).
    links_[other->id_] = other;
    other->OnOwner([peer = weak_from_this()](ActorCell& cell) {
      std::shared_ptr<ActorCell> linked = peer.lock();
      if (linked == nullptr) return;
      if (!cell.alive()) {
        Exit exit = cell.exit_.abnormal() ? cell.exit_ : Exit::Normal();
        linked->OnOwner([from = cell.shared_from_this(), exit](ActorCell& me) {
          me.links_.erase(from->id());
          me.OnLinkedExit(from, exit);
        });
        return;
      }
      cell.links_[linked->id_] = linked;
    });
    return;
  }
  if (!other->alive()) {
    // Linking to a dead actor: its exit reaches us at once (OTP's noproc).
    OnLinkedExit(other, other->exit_.abnormal() ? other->exit_ : Exit::Normal());
    return;
  }
  links_[other->id_] = other;
  other->links_[id_] = weak_from_this();
}

std::vector<std::string> ActorCell::LinkedNames() const {
  std::vector<std::string> names;
  for (const auto& [id, weak] : links_) {
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
  for (const auto& [id, observer] : observers_) {
    if (!observer.monitor.empty()) names.push_back(observer.monitor);
  }
  return names;
}

std::size_t ActorCell::inbox_size() {
  std::lock_guard<std::mutex> lock(inbox_mu_);
  return inbox_.size();
}

void ActorCell::Unlink(const std::shared_ptr<ActorCell>& other) {
  links_.erase(other->id_);
  other->OnOwner([id = id_](ActorCell& cell) { cell.links_.erase(id); });
}

}  // namespace internal

}  // namespace evergreen
