// HubTracked: something the hub must shut down when it is destroyed (a live
// greenlet). Intrusive, so tracking allocates nothing.
#ifndef EVERGREEN_FRAMEWORK_INTERNAL_HUB_TRACKED_H_
#define EVERGREEN_FRAMEWORK_INTERNAL_HUB_TRACKED_H_

#include <cstddef>

namespace evergreen {
class GreenletBase;
}  // namespace evergreen

namespace evergreen::internal {

class HubTracked {
 public:
  HubTracked() = default;
  HubTracked(const HubTracked&) = delete;
  HubTracked& operator=(const HubTracked&) = delete;

  // Unwinds or discards the tracked thing; must untrack it.
  virtual void ShutdownForHub() = 0;

  // For the live dump (framework/dump.h): the greenlet this is, if any,
  // and the next tracked thing of the hub.
  virtual GreenletBase* AsGreenlet() { return nullptr; }
  HubTracked* next_tracked() const { return next_; }

 protected:
  ~HubTracked() { Untrack(); }

  // `count`, if given, counts the tracked things of its kind (the hub's
  // live greenlets, Hub::stats()) while this one is tracked.
  void Track(HubTracked** head, std::size_t* count = nullptr) {
    head_ = head;
    count_ = count;
    if (count_ != nullptr) ++*count_;
    next_ = *head;
    prev_ = nullptr;
    if (next_ != nullptr) next_->prev_ = this;
    *head = this;
  }
  void Untrack() {
    if (head_ == nullptr) return;
    if (count_ != nullptr) --*count_;
    count_ = nullptr;
    if (prev_ != nullptr) prev_->next_ = next_; else *head_ = next_;
    if (next_ != nullptr) next_->prev_ = prev_;
    head_ = nullptr;
    prev_ = next_ = nullptr;
  }

 private:
  HubTracked** head_ = nullptr;
  std::size_t* count_ = nullptr;
  HubTracked* prev_ = nullptr;
  HubTracked* next_ = nullptr;
};

}  // namespace evergreen::internal

#endif  // EVERGREEN_FRAMEWORK_INTERNAL_HUB_TRACKED_H_
