// The waiting side of the queue family: wait nodes and their FIFO list.
//
// A blocked Put, Get, Peek or Join puts one node, on its own stack, at the
// back of a list of its queue and waits on the node's Waiter. Whoever
// completes the operation (a Get making room, a Put handing over an item,
// Shutdown, the last TaskDone) pops the node from the front, records the
// outcome, moves the item in or out, and wakes it. So nodes are served
// strictly in arrival order, the outcome is decided by the waker (the woken
// greenlet never re-checks or races anyone), a node that leaves early
// (timeout, kill) unlinks itself in O(1), and waiting allocates nothing.
//
// Thread affinity: the owning hub's thread.
#ifndef EVERGREEN_FRAMEWORK_INTERNAL_QUEUE_WAITERS_H_
#define EVERGREEN_FRAMEWORK_INTERNAL_QUEUE_WAITERS_H_

#include <cstddef>
#include <optional>

#include "absl/time/time.h"
#include "framework/waiter.h"

namespace evergreen::internal {

class QueueWaitList;

class QueueWaitNode {
 public:
  enum class Outcome { kWaiting, kDone, kShutDown };

  QueueWaitNode() = default;
  QueueWaitNode(const QueueWaitNode&) = delete;
  QueueWaitNode& operator=(const QueueWaitNode&) = delete;
  ~QueueWaitNode();  // Unlinks: a node never outlives its wait.

  bool linked() const { return list_ != nullptr; }
  Outcome outcome() const { return outcome_; }

  // Appends the node to `list` and blocks until Finish() or `timeout`.
  // Returns true when finished. Throws as Waiter::Wait; the node stays
  // linked until destroyed, so it can still be finished meanwhile.
  bool Await(QueueWaitList* list, absl::Duration timeout);

  // Records how the wait ended and wakes the waiting greenlet on the hub's
  // next turn. Never switches. REQUIRES: popped from its list.
  void Finish(Outcome outcome) {
    outcome_ = outcome;
    waiter_.Wake();
  }

 private:
  friend class QueueWaitList;
  Waiter waiter_;
  Outcome outcome_ = Outcome::kWaiting;
  QueueWaitList* list_ = nullptr;
  QueueWaitNode* prev_ = nullptr;
  QueueWaitNode* next_ = nullptr;
};

// A node that carries an item: a putter's item until it is accepted, or
// the item handed to a getter (a copy for a peeker).
template <typename T>
class QueueItemNode : public QueueWaitNode {
 public:
  std::optional<T> item;
  // Set by peekers only: stores a copy of `value`. A function pointer, so
  // that copying is compiled only where Peek is used (T may be move-only,
  // or claim a copy constructor that does not compile).
  void (*copy_in)(QueueItemNode* node, const T& value) = nullptr;
};

// Intrusive FIFO of wait nodes.
class QueueWaitList {
 public:
  QueueWaitList() = default;
  QueueWaitList(const QueueWaitList&) = delete;
  QueueWaitList& operator=(const QueueWaitList&) = delete;
  ~QueueWaitList() {
    while (head_ != nullptr) Remove(head_);
  }

  bool empty() const { return head_ == nullptr; }
  std::size_t size() const { return size_; }

  // REQUIRES: `node` is not linked.
  void PushBack(QueueWaitNode* node) {
    node->list_ = this;
    node->prev_ = tail_;
    node->next_ = nullptr;
    if (tail_ != nullptr) {
      tail_->next_ = node;
    } else {
      head_ = node;
    }
    tail_ = node;
    ++size_;
  }

  // The oldest node, unlinked; nullptr when empty.
  QueueWaitNode* PopFront() {
    QueueWaitNode* node = head_;
    if (node != nullptr) Remove(node);
    return node;
  }

  // Unlinks `node`; harmless if it is in no list. REQUIRES: not in another.
  void Remove(QueueWaitNode* node) {
    if (node->list_ != this) return;
    if (node->prev_ != nullptr) {
      node->prev_->next_ = node->next_;
    } else {
      head_ = node->next_;
    }
    if (node->next_ != nullptr) {
      node->next_->prev_ = node->prev_;
    } else {
      tail_ = node->prev_;
    }
    node->list_ = nullptr;
    node->prev_ = node->next_ = nullptr;
    --size_;
  }

  // Pops and finishes every node with `outcome`, oldest first.
  void FinishAll(QueueWaitNode::Outcome outcome) {
    while (QueueWaitNode* node = PopFront()) node->Finish(outcome);
  }

 private:
  QueueWaitNode* head_ = nullptr;
  QueueWaitNode* tail_ = nullptr;
  std::size_t size_ = 0;
};

inline QueueWaitNode::~QueueWaitNode() {
  if (list_ != nullptr) list_->Remove(this);
}

inline bool QueueWaitNode::Await(QueueWaitList* list, absl::Duration timeout) {
  list->PushBack(this);
  return waiter_.Wait(timeout);
}

}  // namespace evergreen::internal

#endif  // EVERGREEN_FRAMEWORK_INTERNAL_QUEUE_WAITERS_H_
