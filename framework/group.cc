#include "framework/group.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "framework/internal/end_observer.h"
#include "framework/internal/hub_access.h"
#include "framework/wait.h"

namespace evergreen {
namespace {

absl::Time DeadlineAfter(absl::Duration timeout) {
  return timeout == absl::InfiniteDuration() ? absl::InfiniteFuture()
                                             : absl::Now() + timeout;
}

absl::Duration Remaining(absl::Time deadline) {
  if (deadline == absl::InfiniteFuture()) return absl::InfiniteDuration();
  return std::max(deadline - absl::Now(), absl::ZeroDuration());
}

std::vector<GreenletBase*> Pointers(
    const std::vector<internal::RefPtr<GreenletBase>>& refs) {
  std::vector<GreenletBase*> pointers;
  pointers.reserve(refs.size());
  for (const auto& ref : refs) pointers.push_back(ref.get());
  return pointers;
}

}  // namespace

// One tracked greenlet. It observes the greenlet's end and, while queued
// by ApplyAsync, holds the greenlet's place in line for a slot.
class Group::Entry final : public internal::EndObserver,
                           public internal::SemaphoreTicket {
 public:
  Entry(Group* group, GreenletBase* greenlet)
      : SemaphoreTicket(&Entry::OnGranted, /*takes_slot=*/true),
        group_(group),
        greenlet_(greenlet),
        reference_(greenlet) {}
  // Withdraws the observer while the greenlet is surely alive.
  ~Entry() { greenlet_->RemoveLink(this); }

  GreenletBase* greenlet() const { return greenlet_; }
  internal::RefPtr<GreenletBase> TakeReference() {
    return std::move(reference_);
  }

  // Holds a slot (in a Pool) and has been started by the group, or was
  // started by whoever added it.
  bool admitted = false;

 private:
  void OnEnd(GreenletBase& greenlet) override { group_->Remove(&greenlet); }
  static void OnGranted(internal::Runnable* node, bool) {
    auto* entry = static_cast<Entry*>(static_cast<SemaphoreTicket*>(node));
    entry->group_->Admit(entry);
  }

  Group* group_;
  GreenletBase* greenlet_;
  internal::RefPtr<GreenletBase> reference_;
};

Group::Group(int slots)
    : hub_(Hub::Current()),
      capacity_(slots),
      slots_(slots >= 0 ? std::make_unique<BoundedSemaphore>(slots) : nullptr),
      reap_node_(this) {
  empty_.Set();
}

Group::~Group() = default;  // entries withdraw before the slots go

Group::Entry* Group::Track(GreenletBase* greenlet) {
  auto owned = std::make_unique<Entry>(this, greenlet);
  Entry* entry = owned.get();
  entries_.emplace(greenlet, std::move(owned));
  empty_.Clear();
  entry->Observe(*greenlet);
  return entry;
}

void Group::Admit(Entry* entry) {
  entry->admitted = true;
  entry->greenlet()->Start();
}

absl::Status Group::Add(GreenletBase* greenlet, absl::Duration timeout) {
  hub_->CheckThread("Group::Add");
  if (greenlet->dead() || Contains(greenlet)) return absl::OkStatus();
  if (slots_ != nullptr) {
    if (!slots_->Acquire(timeout)) {
      return absl::ResourceExhaustedError(absl::StrCat(
          "pool is full: all ", capacity_, " slots are busy",
          timeout > absl::ZeroDuration()
              ? absl::StrCat(" after waiting ", absl::FormatDuration(timeout))
              : ""));
    }
    // While this waited, the greenlet may have ended or been added.
    if (greenlet->dead() || Contains(greenlet)) {
      slots_->Release();
      return absl::OkStatus();
    }
  }
  Track(greenlet)->admitted = true;
  return absl::OkStatus();
}

void Group::Start(GreenletBase* greenlet) {
  Add(greenlet).IgnoreError();  // without a timeout it only fails by throwing
  greenlet->Start();
}

void Group::Submit(GreenletBase* greenlet) {
  hub_->CheckThread("Group::ApplyAsync");
  Entry* entry = Track(greenlet);
  if (slots_ == nullptr || slots_->AcquireOrEnqueue(entry)) Admit(entry);
}

void Group::Discard(GreenletBase* greenlet) {
  hub_->CheckThread("Group::Discard");
  Remove(greenlet);
}

bool Group::Contains(const GreenletBase* greenlet) const {
  return entries_.contains(greenlet);
}

void Group::Remove(GreenletBase* greenlet) {
  auto it = entries_.find(greenlet);
  if (it == entries_.end()) return;
  std::unique_ptr<Entry> entry = std::move(it->second);
  entries_.erase(it);
  departed_.push_back(entry->TakeReference());
  if (!reap_node_.linked()) internal::HubAccess::Schedule(hub_, &reap_node_);
  const bool held_slot = entry->admitted && slots_ != nullptr;
  entry.reset();  // withdraws the observer; leaves the queue if queued
  if (held_slot) slots_->Release();  // may admit the next in line
  if (entries_.empty()) empty_.Set();
}

void Group::Reap(bool) {
  // Dropping a reference may destroy a greenlet: do it off the list.
  std::vector<internal::RefPtr<GreenletBase>> departed;
  departed.swap(departed_);
}

std::vector<internal::RefPtr<GreenletBase>> Group::Snapshot() const {
  std::vector<internal::RefPtr<GreenletBase>> snapshot;
  snapshot.reserve(entries_.size());
  for (const auto& [greenlet, entry] : entries_) {
    snapshot.emplace_back(entry->greenlet());
  }
  return snapshot;
}

bool Group::WaitAvailable(absl::Duration timeout) {
  hub_->CheckThread("Group::WaitAvailable");
  return slots_ == nullptr || slots_->Wait(timeout);
}

bool Group::Join(absl::Duration timeout, bool raise_error) {
  hub_->CheckThread("Group::Join");
  if (!raise_error) return empty_.Wait(timeout);
  const absl::Time deadline = DeadlineAfter(timeout);
  const auto snapshot = Snapshot();
  const std::vector<GreenletBase*> greenlets = Pointers(snapshot);
  // Finishing order, so the error raised is the first in time.
  const std::vector<int> finished = JoinAll(greenlets, timeout);
  const bool empty = empty_.Wait(Remaining(deadline));
  for (int i : finished) {
    if (!greenlets[i]->successful()) {
      std::rethrow_exception(greenlets[i]->exception());
    }
  }
  return empty;
}

absl::Status Group::Kill(std::exception_ptr error, bool block,
                         absl::Duration timeout) {
  hub_->CheckThread("Group::Kill");
  if (error == nullptr) error = std::make_exception_ptr(GreenletExit());
  const absl::Time deadline = DeadlineAfter(timeout);
  // Members added while waiting are killed on the next round.
  while (!entries_.empty()) {
    const auto snapshot = Snapshot();
    std::vector<GreenletBase*> greenlets = Pointers(snapshot);
    // A member killing its own group dies last: killing oneself throws.
    std::stable_partition(
        greenlets.begin(), greenlets.end(),
        [](GreenletBase* g) { return g != GreenletBase::Current(); });
    KillAll(greenlets, error, /*block=*/false);
    if (!block) return absl::OkStatus();
    JoinAll(greenlets, Remaining(deadline));
    if (absl::Now() >= deadline) break;
  }
  if (entries_.empty()) return absl::OkStatus();
  return absl::DeadlineExceededError(
      absl::StrCat("Group::Kill: ", entries_.size(),
                   " members still alive after ", absl::FormatDuration(timeout)));
}

absl::Status Group::KillOne(GreenletBase* greenlet, std::exception_ptr error,
                            bool block, absl::Duration timeout) {
  hub_->CheckThread("Group::KillOne");
  if (!Contains(greenlet)) return absl::OkStatus();
  internal::RefPtr<GreenletBase> keep(greenlet);
  return greenlet->Kill(std::move(error), block, timeout);
}

}  // namespace evergreen
