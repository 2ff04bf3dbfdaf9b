// ActorCell's cross-hub side: the inbox other hubs write to (a lock-free
// stack of mail nodes, drained in order on the owner hub), the operations
// they send as control nodes, and the inbox's closing at the exit. The
// rest of the cell is in actor_cell.cc.
#include <atomic>
#include <cstddef>
#include <memory>
#include <mutex>
#include <utility>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "actors/dead_letters.h"
#include "actors/internal/actor_cell.h"
#include "framework/hub.h"

namespace evergreen {
namespace internal {
namespace {

// Mail::what of a control node (never a message's name).
constexpr char kControlWhat[] = "<control>";

// The closed inbox's mark: an address no node has.
alignas(Mail) char closed_inbox_mark[sizeof(void*)];

// Reverses a list linked through Mail::next (newest first -> oldest first).
Mail* Reversed(Mail* list) {
  Mail* reversed = nullptr;
  while (list != nullptr) {
    Mail* next = list->next;
    list->next = reversed;
    reversed = list;
    list = next;
  }
  return reversed;
}

// Drops every mail of `list` unrun.
void DropList(Mail* list) {
  while (list != nullptr) {
    Mail* next = list->next;
    list->next = nullptr;
    list->Drop();
    list = next;
  }
}

}  // namespace

// An operation on the cell sent from another hub, queued as mail.
class ActorCell::ControlMail final : public Mail {
 public:
  explicit ControlMail(absl::AnyInvocable<void(ActorCell&)> op)
      : Mail(&RunOrDrop), op_(std::move(op)) {
    what = kControlWhat;
  }
  static bool Is(const Mail* mail) { return mail->what == kControlWhat; }
  // Runs the operation on `cell`, then frees the node (also on a throw).
  void ApplyAndFree(ActorCell& cell) {
    std::unique_ptr<ControlMail> owned(this);
    op_(cell);
  }

 private:
  ~ControlMail() = default;
  friend struct std::default_delete<ControlMail>;
  // Run never applies to a control (the inbox applies it); both free it.
  static void RunOrDrop(Mail* mail, ActorBase*) {
    delete static_cast<ControlMail*>(mail);
  }
  absl::AnyInvocable<void(ActorCell&)> op_;
};

Mail* ActorCell::ClosedInbox() {
  return reinterpret_cast<Mail*>(&closed_inbox_mark);
}

// What another hub queued and nobody drained (the hub went first).
void ActorCell::DropUndrainedInbox() {
  Mail* left = inbox_.exchange(ClosedInbox(), std::memory_order_acquire);
  if (left != ClosedInbox()) DropList(Reversed(left));
}

absl::Status ActorCell::InboxRefusal() const {
  switch (inbox_state_.load(std::memory_order_relaxed)) {
    case InboxState::kHubStopping:
      return absl::UnavailableError(absl::StrCat(
          "actor '", name(), "' is not running: its hub is stopping"));
    case InboxState::kHubGone:
      return absl::UnavailableError(
          absl::StrCat("actor '", name(), "': its hub has stopped"));
    default:
      return NotRunning();
  }
}

absl::Status ActorCell::SendRemote(MailPtr& mail) {
  Mail* node = mail.get();
  Mail* head = inbox_.load(std::memory_order_acquire);
  do {
    if (head == ClosedInbox()) return InboxRefusal();
    node->next = head;
  } while (!inbox_.compare_exchange_weak(head, node,
                                         std::memory_order_acq_rel,
                                         std::memory_order_acquire));
  (void)mail.release();  // the inbox's now
  // One post per batch: later senders find the stack non-empty (a drain
  // pending), until the drain empties it.
  if (head != nullptr) return absl::OkStatus();
  if (remote_->Post([self = shared_from_this()] { self->DrainInbox(); })) {
    return absl::OkStatus();
  }
  // The hub is gone without the actor having closed the inbox (it never
  // ran): nothing will drain it. What it holds dies here (this mail
  // included): the Asks fail Unavailable.
  DropList(TakeAndCloseInbox(InboxState::kHubGone));
  return InboxRefusal();
}

void ActorCell::OnOwner(absl::AnyInvocable<void(ActorCell&)> op) {
  if (OnOwnerHub()) {
    op(*this);
    return;
  }
  (void)SendControl(std::move(op));  // refused: the actor is gone; so is op
}

absl::Status ActorCell::SendControl(absl::AnyInvocable<void(ActorCell&)> op) {
  MailPtr control(new ControlMail(std::move(op)));
  return SendRemote(control);
}

void ActorCell::DrainInbox() {
  Mail* head = inbox_.load(std::memory_order_acquire);
  do {
    if (head == nullptr || head == ClosedInbox()) return;
  } while (!inbox_.compare_exchange_weak(head, nullptr,
                                         std::memory_order_acquire,
                                         std::memory_order_acquire));
  DeliverFromInbox(Reversed(head));
}

void ActorCell::ApplyInOrder(Mail* list,
                             absl::FunctionRef<void(Mail*)> message) {
  struct Rest {
    Mail* list;
    ~Rest() { DropList(list); }  // only on an exception: empty otherwise
  } rest{list};
  while (Mail* mail = rest.list) {
    rest.list = mail->next;
    mail->next = nullptr;
    if (ControlMail::Is(mail)) {
      static_cast<ControlMail*>(mail)->ApplyAndFree(*this);
    } else {
      message(mail);
    }
  }
}

void ActorCell::DeliverFromInbox(Mail* list) {
  ApplyInOrder(list, [this](Mail* mail) {
    MailPtr owned(mail);
    // In the hub: a full mailbox cannot make this wait.
    if (!exited_ && block_when_full() && full()) {
      absl::Status full = absl::ResourceExhaustedError(absl::StrCat(
          "mailbox of actor '", name(), "' is full (",
          capacity_, " messages); sent from another hub"));
      ReportDeadLetter(*this, mail->what, full);
      return;
    }
    (void)Deliver(owned, mail->what);
  });
}

Mail* ActorCell::TakeAndCloseInbox(InboxState state) {
  std::lock_guard<std::mutex> lock(close_mu_);
  if (inbox_.load(std::memory_order_acquire) == ClosedInbox()) return nullptr;
  inbox_state_.store(state, std::memory_order_relaxed);
  // Release: a sender that finds the inbox closed reads `state`.
  Mail* list = inbox_.exchange(ClosedInbox(), std::memory_order_acq_rel);
  return Reversed(list);
}

void ActorCell::CloseInbox() {
  Mail* list = TakeAndCloseInbox(hub_->destroying()
                                     ? InboxState::kHubStopping
                                     : InboxState::kExited);
  // Operations still apply (a link learns of the exit, an observer runs);
  // messages die, failing their Asks.
  ApplyInOrder(list, [](Mail* mail) { mail->Drop(); });
}

std::size_t ActorCell::inbox_size() {
  // Owner hub: only it (or a sender finding its hub gone, when it cannot
  // run) takes nodes out; senders only push in front of what is walked.
  std::size_t n = 0;
  Mail* mail = inbox_.load(std::memory_order_acquire);
  if (mail == ClosedInbox()) return 0;
  for (; mail != nullptr; mail = mail->next) {
    if (!ControlMail::Is(mail)) ++n;
  }
  return n;
}

}  // namespace internal
}  // namespace evergreen
