// ReplySlot and SlotReply: where ActorRef::Call's reply lands on the same
// hub — a slot on the blocked caller's stack instead of a heap
// AsyncResult. The request's mail holds a SlotReply pointing at the slot;
// each side unhooks the other when it goes first:
//
//   - the handler answers: the value (or its exception) goes into the slot
//     and the caller is woken;
//   - the mail dies unanswered (the actor exited with it queued, or was
//     killed in the handler): the slot gets that error and the caller is
//     woken;
//   - the caller stops waiting (its timeout, a kill): the slot is
//     unhooked, and the mail, should it still run, answers nobody.
//
// Internal: used by ActorRef::Call (actors/actor_ref.h).
// Thread affinity: the hub of both the caller and the actor (one thread,
// so neither side needs a lock).
#ifndef EVERGREEN_ACTORS_INTERNAL_REPLY_SLOT_H_
#define EVERGREEN_ACTORS_INTERNAL_REPLY_SLOT_H_

#include <exception>
#include <optional>
#include <type_traits>
#include <utility>

#include "absl/status/status.h"
#include "framework/errors.h"
#include "framework/waiter.h"

namespace evergreen::internal {

template <typename R>
class SlotReply;

// On the caller's stack, with the Waiter it blocks on.
template <typename R>
class ReplySlot {
 public:
  ReplySlot() = default;
  ReplySlot(const ReplySlot&) = delete;
  ReplySlot& operator=(const ReplySlot&) = delete;
  ~ReplySlot() {
    if (hook_ != nullptr) *hook_ = nullptr;  // the mail answers nobody now
  }

  Waiter& waiter() { return waiter_; }
  bool done() const { return done_; }
  // REQUIRES: done(). nullptr on success.
  const std::exception_ptr& error() const { return error_; }
  // REQUIRES: done() and no error(); R not void.
  auto& value() { return *value_; }

 private:
  friend class SlotReply<R>;
  struct Nothing {};
  using Value = std::conditional_t<std::is_void_v<R>, Nothing, R>;

  Waiter waiter_;
  std::optional<Value> value_;
  std::exception_ptr error_;
  bool done_ = false;
  ReplySlot** hook_ = nullptr;  // the SlotReply's pointer to this slot
};

// In the request's mail: answers the slot once, or fails it when it dies
// unanswered.
template <typename R>
class SlotReply {
 public:
  explicit SlotReply(ReplySlot<R>* slot) : slot_(slot) {
    slot_->hook_ = &slot_;
  }
  SlotReply(SlotReply&& other) noexcept
      : slot_(std::exchange(other.slot_, nullptr)) {
    if (slot_ != nullptr) slot_->hook_ = &slot_;
  }
  SlotReply& operator=(SlotReply&&) = delete;
  ~SlotReply() {
    if (slot_ != nullptr) {
      Fail(std::make_exception_ptr(StatusError(
          absl::UnavailableError("actor exited before replying"))));
    }
  }

  // Whether a caller still waits for the answer.
  bool wanted() const { return slot_ != nullptr; }

  template <typename... Args>
  void Set(Args&&... args) {
    if (slot_ == nullptr) return;
    slot_->value_.emplace(std::forward<Args>(args)...);
    Finish();
  }
  void Fail(std::exception_ptr error) {
    if (slot_ == nullptr) return;
    slot_->error_ = std::move(error);
    Finish();
  }

 private:
  void Finish() {
    ReplySlot<R>* slot = std::exchange(slot_, nullptr);
    slot->hook_ = nullptr;
    slot->done_ = true;
    slot->waiter_.Wake();
  }

  ReplySlot<R>* slot_;
};

}  // namespace evergreen::internal

#endif  // EVERGREEN_ACTORS_INTERNAL_REPLY_SLOT_H_
