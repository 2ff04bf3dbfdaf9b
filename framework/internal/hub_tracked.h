// HubTracked: something the hub must shut down when it is destroyed (a live
// greenlet). Intrusive, so tracking allocates nothing.
#ifndef EVERGREEN_FRAMEWORK_INTERNAL_HUB_TRACKED_H_
#define EVERGREEN_FRAMEWORK_INTERNAL_HUB_TRACKED_H_

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

  void Track(HubTracked** head) {
    head_ = head;
    next_ = *head;
    prev_ = nullptr;
    if (next_ != nullptr) next_->prev_ = this;
    *head = this;
  }
  void Untrack() {
    if (head_ == nullptr) return;
    if (prev_ != nullptr) prev_->next_ = next_; else *head_ = next_;
    if (next_ != nullptr) next_->prev_ = prev_;
    head_ = nullptr;
    prev_ = next_ = nullptr;
  }

 private:
  HubTracked** head_ = nullptr;
  HubTracked* prev_ = nullptr;
  HubTracked* next_ = nullptr;
};

}  // namespace evergreen::internal

#endif  // EVERGREEN_FRAMEWORK_INTERNAL_HUB_TRACKED_H_
