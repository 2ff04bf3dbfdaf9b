#include "actors/internal/actor_cell.h"

#include <atomic>
#include <cstdlib>
#include <utility>

#include "absl/strings/str_cat.h"
#include "actors/actor.h"
#include "actors/actor_ref.h"
#include "actors/dead_letters.h"
#include "framework/deadline.h"

namespace evergreen {
namespace internal {
namespace {

std::atomic<std::uint64_t> next_actor_id{1};

// Thrown into a linked actor to end it with kFailed.
class LinkedExit : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

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
      mailbox_(options_.mailbox_capacity) {
  actor_->cell_ = this;
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
  const std::string what = DemangledName(message.type());
  absl::StatusOr<Envelope> envelope = dispatcher_(std::move(message));
  if (!envelope.ok()) {
    ReportDeadLetter(*this, what.c_str(), envelope.status());
    return envelope.status();
  }
  return Deliver(*envelope, what.c_str());
}

void ActorCell::Stop() {
  if (exited_) return;
  Envelope stop = &ActorCell::ShutdownEnvelope;
  // A stop must get in even when the mailbox is full.
  if (!mailbox_.TryPut(std::move(stop)).ok()) Kill();
}

void ActorCell::ShutdownEnvelope(ActorBase& actor) {
  actor.cell_->stop_request_ = ExitReason::kShutdown;
}

void ActorCell::Kill() {
  if (!exited_ && greenlet_) greenlet_.Kill(nullptr, /*block=*/false);
}

void ActorCell::Fail(std::exception_ptr error) {
  if (!exited_ && greenlet_) greenlet_.Kill(std::move(error), /*block=*/false);
}

bool ActorCell::Join(absl::Duration timeout) {
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
  exited_ = true;
  exit_ = std::move(exit);
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
      other->links_.erase(id_);
      other->OnLinkedExit(self, exit_);
    }
  }
  for (auto& [id, observer] : observers) {
    // In the hub, like greenlet links: observers must not block.
    hub_->CallSoon([observer = std::move(observer), exit = exit_]() mutable {
      observer(exit);
    });
  }
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

std::uint64_t ActorCell::AddExitObserver(ExitObserver observer) {
  const std::uint64_t id = next_observer_id_++;
  if (exited_) {
    hub_->CallSoon([observer = std::move(observer), exit = exit_]() mutable {
      observer(exit);
    });
    return id;
  }
  observers_.emplace(id, std::move(observer));
  return id;
}

void ActorCell::RemoveExitObserver(std::uint64_t id) { observers_.erase(id); }

void ActorCell::Link(const std::shared_ptr<ActorCell>& other) {
  if (other.get() == this) return;
  if (!other->alive()) {
    // Linking to a dead actor: its exit reaches us at once (OTP's noproc).
    OnLinkedExit(other, other->exit_.abnormal() ? other->exit_ : Exit::Normal());
    return;
  }
  links_[other->id_] = other;
  other->links_[id_] = weak_from_this();
}

void ActorCell::Unlink(const std::shared_ptr<ActorCell>& other) {
  links_.erase(other->id_);
  other->links_.erase(id_);
}

}  // namespace internal

}  // namespace evergreen
