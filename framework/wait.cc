#include "framework/wait.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"

namespace evergreen {

class IWait::Node final : public internal::LinkNode {
 public:
  Node(IWait* owner, int index) : owner_(owner), index_(index) {}
  Node(Node&& other) noexcept : owner_(other.owner_), index_(other.index_) {}
  ~Node() = default;

  void Notify(internal::Linkable&) override {
    owner_->ready_.push_back(index_);
    if (owner_->waiter_ != nullptr) owner_->waiter_->Wake();
  }

 private:
  IWait* owner_;
  int index_;
};

IWait::IWait(absl::Span<const WaitableRef> objects, absl::Duration timeout)
    : deadline_(timeout == absl::InfiniteDuration() ? absl::InfiniteFuture()
                                                    : absl::Now() + timeout) {
  nodes_.reserve(objects.size());  // nodes never move once linked
  for (std::size_t i = 0; i < objects.size(); ++i) {
    nodes_.emplace_back(this, static_cast<int>(i));
  }
  for (std::size_t i = 0; i < objects.size(); ++i) {
    objects[i].linkable()->AddLink(&nodes_[i]);  // ready ones notify now
  }
}

IWait::~IWait() = default;  // each Node unlinks itself

int IWait::Next() {
  if (returned_ == nodes_.size()) return -1;
  while (returned_ >= ready_.size()) {
    const absl::Duration left = deadline_ - absl::Now();
    if (left <= absl::ZeroDuration()) return -1;
    Waiter waiter;
    waiter_ = &waiter;
    struct Reset {
      Waiter** slot;
      ~Reset() { *slot = nullptr; }
    } reset{&waiter_};
    if (!waiter.Wait(left)) return -1;
  }
  return ready_[returned_++];
}

std::vector<int> Wait(absl::Span<const WaitableRef> objects, int count,
                      absl::Duration timeout) {
  const int want = count <= 0 ? static_cast<int>(objects.size())
                              : std::min<int>(count, objects.size());
  std::vector<int> ready;
  IWait waits(objects, timeout);
  while (static_cast<int>(ready.size()) < want) {
    const int i = waits.Next();
    if (i < 0) break;
    ready.push_back(i);
  }
  return ready;
}

std::vector<int> JoinAll(absl::Span<GreenletBase* const> greenlets,
                         absl::Duration timeout, bool raise_error, int count) {
  std::vector<WaitableRef> refs(greenlets.begin(), greenlets.end());
  const int want = count <= 0 ? static_cast<int>(greenlets.size())
                              : std::min<int>(count, greenlets.size());
  std::vector<int> done;
  IWait waits(refs, timeout);
  while (static_cast<int>(done.size()) < want) {
    const int i = waits.Next();
    if (i < 0) break;
    done.push_back(i);
    if (raise_error && !greenlets[i]->successful()) {
      std::rethrow_exception(greenlets[i]->exception());
    }
  }
  return done;
}

absl::Status KillAll(absl::Span<GreenletBase* const> greenlets,
                     std::exception_ptr error, bool block,
                     absl::Duration timeout) {
  if (error == nullptr) error = std::make_exception_ptr(GreenletExit());
  for (GreenletBase* g : greenlets) g->Kill(error, /*block=*/false);
  if (!block) return absl::OkStatus();
  const std::size_t dead = JoinAll(greenlets, timeout).size();
  if (dead == greenlets.size()) return absl::OkStatus();
  return absl::DeadlineExceededError(
      absl::StrCat("KillAll: ", greenlets.size() - dead, " of ",
                   greenlets.size(), " greenlets still alive after ",
                   absl::FormatDuration(timeout)));
}

}  // namespace evergreen
