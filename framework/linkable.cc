#include "framework/internal/linkable.h"

#include <cstddef>

namespace evergreen::internal {

LinkNode::~LinkNode() {
  if (owner_ != nullptr) owner_->RemoveLink(this);
}

Linkable::~Linkable() {
  while (head_ != nullptr) RemoveLink(head_);
}

void Linkable::AddLink(LinkNode* node) {
  if (ready()) {
    node->Notify(*this);
    return;
  }
  node->owner_ = this;
  node->prev_ = tail_;
  node->next_ = nullptr;
  if (tail_ != nullptr) tail_->next_ = node; else head_ = node;
  tail_ = node;
}

void Linkable::RemoveLink(LinkNode* node) {
  if (node->owner_ != this) return;
  if (node->prev_ != nullptr) node->prev_->next_ = node->next_; else head_ = node->next_;
  if (node->next_ != nullptr) node->next_->prev_ = node->prev_; else tail_ = node->prev_;
  node->owner_ = nullptr;
  node->prev_ = node->next_ = nullptr;
}

bool Linkable::has_collecting_links() const {
  for (LinkNode* node = head_; node != nullptr; node = node->next_) {
    if (node->collects()) return true;
  }
  return false;
}

void Linkable::NotifyLinks() {
  while (LinkNode* node = head_) {
    RemoveLink(node);
    node->Notify(*this);
  }
}

bool WaitForLinkable(Linkable& linkable, absl::Duration timeout) {
  if (linkable.ready()) return true;
  Waiter waiter;
  WaiterLink link(&waiter);
  linkable.AddLink(&link);
  return waiter.Wait(timeout);  // `link` unlinks itself on the way out
}

void CallbackLink::Run(bool discard) {
  // Deleted even if the callback throws (the hub reports the error).
  struct Deleter {
    CallbackLink* link;
    ~Deleter() { delete link; }
  } deleter{this};
  if (!discard) callback_();
}

}  // namespace evergreen::internal
