// Mail: one message in an actor's mailbox — the typed message and the call
// of its handler in one allocation, linked into the mailbox as it is (an
// intrusive node: queueing and taking it move nothing).
//
//   MailPtr mail = MakeMail([m = Increment{2}](ActorBase& actor) mutable {
//     static_cast<Counter&>(actor).Handle(std::move(m));
//   });
//   absl::Status sent = cell->Deliver(mail, MessageName<Increment>());
//   ...
//   mail.release()->Run(actor);   // the actor's greenlet: handle, then free
//
// A Mail is run once (Run) or dropped unrun (Drop, and MailPtr's deleter):
// either way its message, and whatever it holds (an Ask's pending reply,
// which then fails), is destroyed and the node freed. Nodes come from a
// per-thread pool of free lists of a few size classes. A node remembers its
// home pool: freed on another thread (a message sent across hubs), it goes
// back to its home through a lock-free list that the home thread takes in
// one exchange when its own list runs dry, so one-way traffic between two
// threads recycles nodes instead of allocating on one side and freeing on
// the other. A thread's pool outlives it (a later thread adopts it), so a
// node may be freed anywhere after its home thread exited. Under
// AddressSanitizer every node is a plain new/delete, so a use after free is
// still caught.
//
// Internal: actors/internal/actor_cell.h queues them; ActorRef, the
// dispatcher and the service runtime make them.
// Thread affinity: a node belongs to whoever holds it and may be freed on
// any thread; a pool's own lists are its thread's, other threads only push
// onto its remote lists (a CAS).
#ifndef EVERGREEN_ACTORS_INTERNAL_MAIL_H_
#define EVERGREEN_ACTORS_INTERNAL_MAIL_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>
#include <type_traits>
#include <utility>

namespace evergreen {

class ActorBase;

namespace internal {

// The node allocator behind MakeMail: per-thread free lists of a few size
// classes; larger nodes go to operator new.
void* AllocateMail(std::size_t size);
// Any thread; `size` as given to AllocateMail.
void FreeMail(void* node, std::size_t size) noexcept;

// What the calling thread's pool did since the thread took it (tests and
// benchmarks). All zero under AddressSanitizer (no pool).
struct MailPoolStats {
  std::uint64_t fresh = 0;     // nodes made with operator new
  std::uint64_t reused = 0;    // nodes served from the free lists
  std::uint64_t returned = 0;  // nodes of this pool freed on other threads
                               // and taken back (or deleted: beyond the cap)
  std::size_t kept = 0;        // free nodes in the local lists now
};
MailPoolStats ThisThreadMailPoolStats();
// Nodes freed (deleted) on another thread after their home thread had
// exited, process-wide (tests).
std::uint64_t MailFreedAfterHomeExit();
// False under AddressSanitizer, where every node is a plain new/delete.
bool MailPoolEnabled();

class Mail {
 public:
  Mail(const Mail&) = delete;
  Mail& operator=(const Mail&) = delete;

  // Runs the handler against `actor`, then frees the node (also when the
  // handler throws, which then propagates).
  void Run(ActorBase& actor) { fn_(this, &actor); }
  // Frees the node without running it; the message dies.
  void Drop() noexcept { fn_(this, nullptr); }

  // The mailbox's link (owner-hub only; nullptr when not queued), and the
  // inbox's while the mail crosses hubs (actors/internal/actor_cell.h).
  Mail* next = nullptr;
  // The message's name while it crosses hubs (for a dead letter on the
  // actor's hub); process-lifetime. Unused otherwise.
  const char* what = nullptr;

 protected:
  // Runs (actor != nullptr) or drops (nullptr) and frees `mail`.
  using Fn = void (*)(Mail* mail, ActorBase* actor);
  explicit Mail(Fn fn) : fn_(fn) {}
  ~Mail() = default;

 private:
  Fn fn_;
};

// A Mail whose handler call is F (void(ActorBase&)).
template <typename F>
class MailOf final : public Mail {
 public:
  explicit MailOf(F fn) : Mail(&RunOrDrop), fn_(std::move(fn)) {}

  // Over-aligned messages bypass the pool, whose nodes have the default
  // alignment.
  static void* operator new(std::size_t size) {
    if constexpr (kOverAligned) {
      return ::operator new(size, std::align_val_t{alignof(MailOf)});
    } else {
      return AllocateMail(size);
    }
  }
  static void operator delete(void* node, std::size_t size) noexcept {
    if constexpr (kOverAligned) {
      ::operator delete(node, size, std::align_val_t{alignof(MailOf)});
    } else {
      FreeMail(node, size);
    }
  }

 private:
  static constexpr bool kOverAligned =
      alignof(F) > __STDCPP_DEFAULT_NEW_ALIGNMENT__;
  ~MailOf() = default;
  static void RunOrDrop(Mail* mail, ActorBase* actor) {
    auto* self = static_cast<MailOf*>(mail);
    struct Free {
      MailOf* self;
      ~Free() { delete self; }
    } free{self};
    if (actor != nullptr) self->fn_(*actor);
  }

  F fn_;
};

struct MailDrop {
  void operator()(Mail* mail) const noexcept { mail->Drop(); }
};
// Owns a node until it is queued (release()); dropping it drops the mail.
using MailPtr = std::unique_ptr<Mail, MailDrop>;

template <typename F>
MailPtr MakeMail(F&& fn) {
  return MailPtr(new MailOf<std::decay_t<F>>(std::forward<F>(fn)));
}

// The mailbox: an intrusive FIFO of Mail. Owner-hub only.
class MailQueue {
 public:
  MailQueue() = default;
  MailQueue(const MailQueue&) = delete;
  MailQueue& operator=(const MailQueue&) = delete;
  ~MailQueue() { DropAll(); }

  bool empty() const { return head_ == nullptr; }
  std::size_t size() const { return size_; }

  void PushBack(Mail* mail) {
    mail->next = nullptr;
    (tail_ != nullptr ? tail_->next : head_) = mail;
    tail_ = mail;
    ++size_;
  }
  // REQUIRES: !empty().
  Mail* PopFront() {
    Mail* mail = head_;
    head_ = mail->next;
    if (head_ == nullptr) tail_ = nullptr;
    mail->next = nullptr;
    --size_;
    return mail;
  }
  // Drops every queued mail, oldest first; each is unlinked before it
  // dies, so a message's destructor may use the queue.
  void DropAll() noexcept {
    while (!empty()) PopFront()->Drop();
  }

 private:
  Mail* head_ = nullptr;
  Mail* tail_ = nullptr;
  std::size_t size_ = 0;
};

}  // namespace internal
}  // namespace evergreen

#endif  // EVERGREEN_ACTORS_INTERNAL_MAIL_H_
