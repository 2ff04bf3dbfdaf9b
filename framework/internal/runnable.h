// Runnable: an intrusive node the hub runs once, and the list that holds them.
//
// Everything that makes a greenlet run again (a wake-up, a start, a kill) or
// runs a callback in the hub goes through the hub's ready list as a Runnable.
// Nodes live inside their owners (a Waiter on a waiting greenlet's stack, a
// greenlet's state), so scheduling allocates nothing, and an owner that goes
// away first unlinks itself in O(1).
//
// Hand-off nodes. A node made with a target function does nothing when run
// but switch into one greenlet (a wake-up, a yield, a start), or something
// that never blocks, switches or throws (releasing a dead greenlet). Such a
// node may be run by any greenlet of the hub, not only by the hub: a
// greenlet about to wait runs the next one itself and so switches straight
// to the greenlet it resumes (Hub::HandOff, docs/hub.md). Every other node
// (callbacks, kills, timeouts) runs in the hub.
#ifndef EVERGREEN_FRAMEWORK_INTERNAL_RUNNABLE_H_
#define EVERGREEN_FRAMEWORK_INTERNAL_RUNNABLE_H_

#include <cstddef>

namespace evergreen {
class RawGreenlet;
}  // namespace evergreen

namespace evergreen::internal {

class Runnable {
 public:
  // Runs the node, or, with `discard`, only releases it: the hub discards
  // what is still scheduled when it is destroyed.
  using RunFunction = void (*)(Runnable*, bool discard);
  // For a hand-off node: the greenlet that running the node now would
  // switch to, or nullptr when running it would not switch.
  using TargetFunction = RawGreenlet* (*)(Runnable*);

  explicit Runnable(RunFunction run, TargetFunction target = nullptr)
      : run_(run), target_(target) {}
  Runnable(const Runnable&) = delete;
  Runnable& operator=(const Runnable&) = delete;
  ~Runnable() { Unlink(); }

  bool linked() const { return next_ != nullptr; }

  // Removes the node from whatever list holds it; harmless when unlinked.
  void Unlink() {
    if (next_ == nullptr) return;
    prev_->next_ = next_;
    next_->prev_ = prev_;
    prev_ = next_ = nullptr;
  }

  void Run() { run_(this, false); }
  void Discard() { run_(this, true); }

  // A hand-off node (above): any greenlet of the hub may run it.
  bool hands_off() const { return target_ != nullptr; }
  // REQUIRES: hands_off().
  RawGreenlet* Target() { return target_(this); }

 private:
  friend class RunnableList;
  Runnable() : run_(nullptr), target_(nullptr) {}  // list sentinel

  RunFunction run_;
  TargetFunction target_;
  Runnable* prev_ = nullptr;
  Runnable* next_ = nullptr;
};

// A FIFO of Runnables: circular, doubly linked, around a sentinel.
class RunnableList {
 public:
  RunnableList() { head_.prev_ = head_.next_ = &head_; }
  RunnableList(const RunnableList&) = delete;
  RunnableList& operator=(const RunnableList&) = delete;
  ~RunnableList() {
    while (!empty()) head_.next_->Unlink();
    head_.prev_ = head_.next_ = nullptr;
  }

  bool empty() const { return head_.next_ == &head_; }

  // The number of nodes, by walking the list: O(size). For introspection.
  std::size_t size() const {
    std::size_t n = 0;
    for (const Runnable* node = head_.next_; node != &head_;
         node = node->next_) {
      ++n;
    }
    return n;
  }

  // REQUIRES: `node` is not linked.
  void PushBack(Runnable* node) {
    node->prev_ = head_.prev_;
    node->next_ = &head_;
    head_.prev_->next_ = node;
    head_.prev_ = node;
  }

  // REQUIRES: `node` is not linked.
  void PushFront(Runnable* node) {
    node->prev_ = &head_;
    node->next_ = head_.next_;
    head_.next_->prev_ = node;
    head_.next_ = node;
  }

  // The first node, still linked; nullptr when empty.
  Runnable* front() const { return empty() ? nullptr : head_.next_; }

  // The first node, unlinked; nullptr when empty.
  Runnable* PopFront() {
    if (empty()) return nullptr;
    Runnable* node = head_.next_;
    node->Unlink();
    return node;
  }

  // Moves every node of this list to the back of `into`, in order.
  void SpliceInto(RunnableList* into) {
    if (empty()) return;
    Runnable* first = head_.next_;
    Runnable* last = head_.prev_;
    first->prev_ = into->head_.prev_;
    last->next_ = &into->head_;
    into->head_.prev_->next_ = first;
    into->head_.prev_ = last;
    head_.prev_ = head_.next_ = &head_;
  }

 private:
  Runnable head_;
};

// A Runnable that calls `(owner->*Method)(discard)`: for owners that are
// not standard-layout (polymorphic ones), where the node cannot find its
// owner by offset.
template <typename Owner, void (Owner::*Method)(bool discard)>
class BoundRunnable : public Runnable {
 public:
  explicit BoundRunnable(Owner* owner) : Runnable(&Invoke), owner_(owner) {}

 protected:
  BoundRunnable(Owner* owner, TargetFunction target)
      : Runnable(&Invoke, target), owner_(owner) {}
  Owner* owner() const { return owner_; }

 private:
  static void Invoke(Runnable* node, bool discard) {
    Owner* owner = static_cast<BoundRunnable*>(node)->owner_;
    (owner->*Method)(discard);
  }

  Owner* owner_;
};

// A BoundRunnable that is a hand-off node: `(owner->*Target)()` is its
// target (see Runnable).
template <typename Owner, void (Owner::*Method)(bool discard),
          RawGreenlet* (Owner::*TargetMethod)()>
class BoundHandOff : public BoundRunnable<Owner, Method> {
 public:
  explicit BoundHandOff(Owner* owner)
      : BoundRunnable<Owner, Method>(owner, &GetTarget) {}

 private:
  static RawGreenlet* GetTarget(Runnable* node) {
    return (static_cast<BoundHandOff*>(node)->owner()->*TargetMethod)();
  }
};

}  // namespace evergreen::internal

#endif  // EVERGREEN_FRAMEWORK_INTERNAL_RUNNABLE_H_
