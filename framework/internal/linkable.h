// Linkable: the notification side shared by everything one can wait on
// (Event, AsyncResult, Greenlet).
//
// A Linkable keeps an intrusive list of LinkNodes; when it becomes ready it
// notifies each node exactly once and drops it. A node either wakes a
// waiting greenlet (WaiterLink) or runs a callback in the hub on its next
// turn (CallbackLink), as gevent's rawlink does. Notify() never switches.
//
// Thread affinity: the owning hub's thread.
#ifndef EVERGREEN_FRAMEWORK_INTERNAL_LINKABLE_H_
#define EVERGREEN_FRAMEWORK_INTERNAL_LINKABLE_H_

#include "absl/functional/any_invocable.h"
#include "framework/hub.h"
#include "framework/internal/hub_access.h"
#include "framework/internal/runnable.h"
#include "framework/waiter.h"

namespace evergreen::internal {

class Linkable;

class LinkNode {
 public:
  LinkNode() = default;
  LinkNode(const LinkNode&) = delete;
  LinkNode& operator=(const LinkNode&) = delete;

  bool linked() const { return owner_ != nullptr; }

  // Called once, when the Linkable is ready; the node is already unlinked.
  // Must not block or switch.
  virtual void Notify(Linkable& source) = 0;

  // Whether this link takes charge of the outcome (a join, a user
  // callback). Bookkeeping links (group membership, locals) do not, so a
  // failure they see is still reported as uncollected.
  virtual bool collects() const { return true; }

 protected:
  ~LinkNode();

 private:
  friend class Linkable;
  Linkable* owner_ = nullptr;
  LinkNode* prev_ = nullptr;
  LinkNode* next_ = nullptr;
};

class Linkable {
 public:
  Linkable() = default;
  Linkable(const Linkable&) = delete;
  Linkable& operator=(const Linkable&) = delete;

  virtual bool ready() const = 0;

  // Adds `node`; when already ready, it is notified at once.
  void AddLink(LinkNode* node);
  // Removes `node` if still linked.
  void RemoveLink(LinkNode* node);
  bool has_links() const { return head_ != nullptr; }
  // True when some linked node collects() the outcome.
  bool has_collecting_links() const;

 protected:
  ~Linkable();
  // Notifies and drops every node, in the order they were added.
  void NotifyLinks();

 private:
  LinkNode* head_ = nullptr;
  LinkNode* tail_ = nullptr;
};

// Wakes a waiter when its Linkable is ready.
class WaiterLink final : public LinkNode {
 public:
  explicit WaiterLink(Waiter* waiter) : waiter_(waiter) {}
  ~WaiterLink() = default;
  void Notify(Linkable&) override { waiter_->Wake(); }

 private:
  Waiter* waiter_;
};

// Runs a callback in the hub, on the turn after the Linkable became ready.
// Owns itself: deleted after running, when discarded, or by Cancel().
class CallbackLink final : public LinkNode {
 public:
  CallbackLink(Hub* hub, absl::AnyInvocable<void()> callback)
      : run_node_(this), hub_(hub), callback_(std::move(callback)) {}

  void Notify(Linkable&) override { HubAccess::Schedule(hub_, &run_node_); }

  // Withdraws the callback whether it is still linked or already scheduled.
  void Cancel(Linkable& source) {
    source.RemoveLink(this);
    delete this;
  }

 private:
  ~CallbackLink() = default;
  void Run(bool discard);

  BoundRunnable<CallbackLink, &CallbackLink::Run> run_node_;
  Hub* hub_;
  absl::AnyInvocable<void()> callback_;
};

// Blocks the calling greenlet until `linkable` notifies or `timeout`
// passes; true when notified (or already ready). Throws as Waiter::Wait.
bool WaitForLinkable(Linkable& linkable, absl::Duration timeout);

}  // namespace evergreen::internal

#endif  // EVERGREEN_FRAMEWORK_INTERNAL_LINKABLE_H_
