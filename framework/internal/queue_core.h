// QueueCore: the one implementation under Queue, LifoQueue, PriorityQueue,
// JoinableQueue and Channel; only the item order (Buffer, see
// queue_buffers.h) and the capacity differ.
//
// Invariants, which make every wake-up final:
//  - Items go to waiting getters first, oldest getter first: a Put while a
//    getter waits hands the item straight to that getter, so a greenlet
//    that never waited cannot take it (no stealing, no re-check loop).
//  - A freed slot goes to the oldest waiting putter: Get moves that
//    putter's item into the buffer before returning, so each Get completes
//    exactly one blocked Put.
//  - Getters wait only while the buffer is empty; putters only while it is
//    full (a Channel's buffer is always "full": capacity 0).
//  - An item handed to a getter that is then unwound before it resumes (a
//    kill, a scoped Timeout, the hub's destruction) is given back: to the
//    next waiting getter, else to the head of the buffer (which may then
//    briefly hold one more than its capacity). Items are never lost, except
//    on purpose by Shutdown(true).
//
// Thread affinity: every call on the owning hub's thread (WrongThreadError
// otherwise). Owned through std::shared_ptr (the handle classes, made by
// MakeQueueCore), whose count stays atomic: handles may be copied and
// dropped on any thread (a lambda posted to the hub). A blocked call takes
// no reference (no atomic per wait): it counts itself in `blocked_`, a
// hub-thread counter, and when the last handle goes while calls are
// blocked, the core lives on until the last of them leaves. The last
// handle dropped on another thread hands the core to its hub's thread
// (a post) to decide there; a hub already gone has no blocked calls left.
#ifndef EVERGREEN_FRAMEWORK_INTERNAL_QUEUE_CORE_H_
#define EVERGREEN_FRAMEWORK_INTERNAL_QUEUE_CORE_H_

#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <type_traits>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "framework/deadline.h"
#include "framework/hub.h"
#include "framework/internal/hub_access.h"
#include "framework/internal/hub_remote.h"
#include "framework/internal/queue_waiters.h"

namespace evergreen::internal {

template <typename Buffer>
class QueueCore {
 public:
  using T = typename Buffer::value_type;
  using Outcome = QueueWaitNode::Outcome;
  static constexpr std::size_t kUnbounded =
      std::numeric_limits<std::size_t>::max();

  // `capacity` 0 makes a rendezvous channel; kUnbounded, no limit.
  template <typename... BufferArgs>
  explicit QueueCore(std::size_t capacity, BufferArgs&&... buffer_args)
      : hub_(Hub::Current()),
        remote_(HubAccess::remote(hub_)),
        capacity_(capacity),
        buffer_(std::forward<BufferArgs>(buffer_args)...) {}
  QueueCore(const QueueCore&) = delete;
  QueueCore& operator=(const QueueCore&) = delete;
  virtual ~QueueCore() = default;

  // The deleter of the handles' shared_ptr (MakeQueueCore): the last handle
  // is gone. On the hub's thread the core goes now, or, while calls are
  // blocked in it, when the last of them leaves. From another thread the
  // decision is posted to the hub's thread; if the hub is gone (the post is
  // refused, or dropped as the hub is destroyed), nothing can be blocked
  // any more and the core goes at once.
  static void ReleaseHandles(QueueCore* core) {
    if (Hub::CurrentIfExists() == core->hub_) {
      core->ReleaseHandlesOnHub();
      return;
    }
    struct Owner {
      QueueCore* core;
      explicit Owner(QueueCore* core) : core(core) {}
      Owner(Owner&& other) noexcept : core(std::exchange(other.core, nullptr)) {}
      ~Owner() { delete core; }  // dropped unrun: the hub is gone
    };
    std::shared_ptr<HubRemote> remote = core->remote_;
    remote->Post([owner = Owner(core)]() mutable {
      std::exchange(owner.core, nullptr)->ReleaseHandlesOnHub();
    });
  }

  // `blocking` false is the Try twin: it never waits, and fails with
  // FullError/EmptyError where the blocking form would wait. A blocking
  // call with a timeout <= 0 fails with DeadlineExceeded instead.
  absl::Status Put(T item, absl::Duration timeout, bool blocking) {
    CheckThread("Put");
    // The ping-pong path, inline: a getter waits (so the buffer is empty
    // and the queue is not shut down) and no peeker does. The item goes
    // straight to the oldest getter, without a clock read (see below).
    if (!getters_.empty() && peekers_.empty() && !shut_down_) [[likely]] {
      ++unfinished_tasks_;
      ItemNode* getter = PopItemNode(getters_);
      getter->item.emplace(std::move(item));
      getter->Finish(Outcome::kDone);
      return absl::OkStatus();
    }
    return PutSlow(std::move(item), timeout, blocking);
  }

 private:
  absl::Status PutSlow(T item, absl::Duration timeout, bool blocking) {
    // A Put that never waits still yields once the slice is spent; one
    // about to wait does not (waiting yields), so a greenlet that starts
    // and blocks at once keeps its place in line however late it started.
    // Nor does one that hands its item to a waiting getter (no clock read
    // on the ping-pong path): that wakes the getter, and a run of such Puts
    // is bounded by the getters waiting; the next Put that fills the
    // buffer checks.
    if (blocking && getters_.empty() && buffer_.size() < capacity_) {
      MaybeYield();
    }
    if (shut_down_) return ShutDownError();
    if (!getters_.empty() || buffer_.size() < capacity_) {
      Accept(std::move(item));
      return absl::OkStatus();
    }
    if (!blocking) return FullError();
    if (timeout <= absl::ZeroDuration()) return TimedOut("Put", timeout);
    BlockedCall blocked(this);
    ItemNode node;
    node.item.emplace(std::move(item));
    if (!node.Await(&putters_, timeout)) return TimedOut("Put", timeout);
    return node.outcome() == Outcome::kDone ? absl::OkStatus()
                                            : ShutDownError();
  }

 public:
  absl::StatusOr<T> Get(absl::Duration timeout, bool blocking) {
    CheckThread("Get");
    // As in Put: a Get that never waits still yields, one about to wait
    // does not.
    if (blocking && (!buffer_.empty() || !putters_.empty())) MaybeYield();
    if (!buffer_.empty()) {
      T item = buffer_.Pop();
      while (buffer_.size() < capacity_ && !putters_.empty()) {
        ItemNode* putter = PopItemNode(putters_);
        Accept(std::move(*putter->item));
        putter->Finish(Outcome::kDone);
      }
      return item;
    }
    if (!putters_.empty()) {  // a channel: take straight from the putter
      ItemNode* putter = PopItemNode(putters_);
      T item = std::move(*putter->item);
      putter->item.reset();
      ++unfinished_tasks_;
      putter->Finish(Outcome::kDone);
      return item;
    }
    if (shut_down_) return ShutDownError();
    if (!blocking) return EmptyError();
    if (timeout <= absl::ZeroDuration()) return TimedOut("Get", timeout);
    BlockedCall blocked(this);
    ItemNode node;
    // Declared after `node`, so it runs first on the way out: an item
    // handed over but never returned (the wait was unwound) goes back.
    struct GiveBack {
      QueueCore* core;
      ItemNode* node;
      ~GiveBack() {
        if (node->item.has_value()) core->GiveBackItem(std::move(*node->item));
      }
    } give_back{this, &node};
    if (!node.Await(&getters_, timeout)) return TimedOut("Get", timeout);
    if (node.outcome() != Outcome::kDone) return ShutDownError();
    T item = std::move(*node.item);
    node.item.reset();
    return item;
  }

  absl::StatusOr<T> Peek(absl::Duration timeout, bool blocking) requires
      std::is_copy_constructible_v<T> {
    CheckThread("Peek");
    if (!buffer_.empty()) return T(buffer_.Next());
    if (shut_down_) return ShutDownError();
    if (!blocking) return EmptyError();
    if (timeout <= absl::ZeroDuration()) return TimedOut("Peek", timeout);
    BlockedCall blocked(this);
    ItemNode node;
    node.copy_in = [](ItemNode* peeker, const T& value) {
      peeker->item.emplace(value);
    };
    if (!node.Await(&peekers_, timeout)) return TimedOut("Peek", timeout);
    if (node.outcome() != Outcome::kDone) return ShutDownError();
    return std::move(*node.item);
  }

  // Stops admitting items. Waiting putters fail at once (their items are
  // dropped); waiting getters and peekers fail once the buffer is empty.
  // `immediate` also drops the buffered items. Idempotent; an immediate
  // shutdown stays immediate.
  void Shutdown(bool immediate) {
    CheckThread("Shutdown");
    shut_down_ = true;
    if (immediate && !immediate_) {
      immediate_ = true;
      for (std::size_t n = buffer_.size(); n > 0; --n) DropTask();
      buffer_.Clear();
    }
    putters_.FinishAll(Outcome::kShutDown);
    if (buffer_.empty()) {
      getters_.FinishAll(Outcome::kShutDown);
      peekers_.FinishAll(Outcome::kShutDown);
    }
  }

  std::size_t size() const { return buffer_.size(); }
  std::size_t capacity() const { return capacity_; }
  bool full() const { return buffer_.size() >= capacity_; }
  bool shut_down() const { return shut_down_; }
  bool shut_down_immediately() const { return immediate_; }
  std::size_t waiting_getters() const {
    return getters_.size() + peekers_.size();
  }
  std::size_t waiting_putters() const { return putters_.size(); }

  // Task accounting, reported by JoinableQueue only: every accepted item is
  // a task until marked done or dropped by Shutdown(true).
  std::uint64_t unfinished_tasks() const { return unfinished_tasks_; }
  void MarkTaskDone() { --unfinished_tasks_; }  // REQUIRES: > 0

  void CheckThread(const char* op) const {
    if (Hub::CurrentIfExists() != hub_) {
      hub_->CheckThread(absl::StrCat(kind(), " ", op).c_str());
    }
  }

 protected:
  // Counts a call blocked in this core for its whole wait; declared before
  // anything of the wait, so that it goes last: the core may then be
  // deleted (its handles are all gone and this was the last blocked call).
  class BlockedCall {
   public:
    explicit BlockedCall(QueueCore* core) : core_(core) { ++core_->blocked_; }
    BlockedCall(const BlockedCall&) = delete;
    BlockedCall& operator=(const BlockedCall&) = delete;
    ~BlockedCall() {
      if (--core_->blocked_ == 0 && core_->orphaned_) delete core_;
    }

   private:
    QueueCore* core_;
  };

 private:
  using ItemNode = QueueItemNode<T>;

  void ReleaseHandlesOnHub() {
    if (blocked_ == 0) {
      delete this;
    } else {
      orphaned_ = true;  // the last BlockedCall deletes it
    }
  }

  static ItemNode* PopItemNode(QueueWaitList& list) {
    return static_cast<ItemNode*>(list.PopFront());
  }

  const char* kind() const { return capacity_ == 0 ? "channel" : "queue"; }

  void Accept(T item) {
    ++unfinished_tasks_;
    Deliver(std::move(item), /*next=*/false);
  }

  // Peekers get copies; the oldest getter gets the item; else the buffer.
  void Deliver(T item, bool next) {
    while (!peekers_.empty()) {
      ItemNode* peeker = PopItemNode(peekers_);
      peeker->copy_in(peeker, item);
      peeker->Finish(Outcome::kDone);
    }
    if (!getters_.empty()) {
      ItemNode* getter = PopItemNode(getters_);
      getter->item.emplace(std::move(item));
      getter->Finish(Outcome::kDone);
    } else if (next) {
      buffer_.PushNext(std::move(item));
    } else {
      buffer_.Push(std::move(item));
    }
  }

  void GiveBackItem(T item) {
    if (immediate_) {
      DropTask();
      return;
    }
    Deliver(std::move(item), /*next=*/true);
  }

  void DropTask() {
    if (unfinished_tasks_ > 0) --unfinished_tasks_;
  }

  absl::Status FullError() const {
    return absl::ResourceExhaustedError(
        capacity_ == 0 ? "channel full: no getter is waiting" : "queue full");
  }
  absl::Status EmptyError() const {
    return absl::UnavailableError(
        capacity_ == 0 ? "channel empty: no putter is waiting" : "queue empty");
  }
  absl::Status ShutDownError() const {
    return absl::FailedPreconditionError(absl::StrCat(kind(), " shut down"));
  }
  absl::Status TimedOut(const char* op, absl::Duration timeout) const {
    return absl::DeadlineExceededError(
        absl::StrCat(kind(), " ", op, " ", DescribeTimeout(timeout)));
  }

  Hub* const hub_;
  // For the last handle dropped on another thread (ReleaseHandles).
  const std::shared_ptr<HubRemote> remote_;
  const std::size_t capacity_;
  Buffer buffer_;
  QueueWaitList getters_;
  QueueWaitList peekers_;
  QueueWaitList putters_;
  std::uint64_t unfinished_tasks_ = 0;
  // Calls blocked in this core now (BlockedCall); with `orphaned_` (no
  // handle left) the last of them deletes it. Hub thread only.
  std::size_t blocked_ = 0;
  bool orphaned_ = false;
  bool shut_down_ = false;
  bool immediate_ = false;
};

// A new core of type `Core` (a QueueCore or derived) for the handle
// classes: shared, with ReleaseHandles as the deleter.
template <typename Core, typename... Args>
std::shared_ptr<Core> MakeQueueCore(Args&&... args) {
  return std::shared_ptr<Core>(new Core(std::forward<Args>(args)...),
                               [](Core* core) { Core::ReleaseHandles(core); });
}

}  // namespace evergreen::internal

#endif  // EVERGREEN_FRAMEWORK_INTERNAL_QUEUE_CORE_H_
