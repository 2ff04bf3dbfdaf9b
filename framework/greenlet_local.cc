#include "framework/greenlet_local.h"

#include <algorithm>
#include <mutex>
#include <vector>

namespace evergreen::internal {
namespace {

// Values of greenlets that are not framework greenlets (the main greenlet,
// the hub, raw greenlets) have no end to observe; they go when their
// thread exits, so a later thread's main greenlet at the same address
// never inherits them. Weak: the GreenletLocal may go first.
class ThreadExitCleanup {
 public:
  ~ThreadExitCleanup() {
    for (auto& [core, key] : entries_) {
      if (auto alive = core.lock()) alive->Erase(key);
    }
  }

  void Add(std::weak_ptr<GreenletLocalCore> core, RawGreenlet* key) {
    // Keeps the list as short as the live locals it refers to.
    entries_.erase(
        std::remove_if(entries_.begin(), entries_.end(),
                       [](const auto& e) { return e.first.expired(); }),
        entries_.end());
    entries_.emplace_back(std::move(core), key);
  }

 private:
  std::vector<std::pair<std::weak_ptr<GreenletLocalCore>, RawGreenlet*>>
      entries_;
};

ThreadExitCleanup& ThisThreadCleanup() {
  thread_local ThreadExitCleanup cleanup;
  return cleanup;
}

}  // namespace

GreenletLocalCore::~GreenletLocalCore() {
  absl::flat_hash_map<RawGreenlet*, std::unique_ptr<Slot>> slots;
  {
    std::lock_guard<std::mutex> lock(mu_);
    slots.swap(slots_);
  }
  // Each slot withdraws its observer from its (live) greenlet.
}

void* GreenletLocalCore::Find() {
  RawGreenlet* key = RawGreenlet::Current();
  std::lock_guard<std::mutex> lock(mu_);
  auto it = slots_.find(key);
  return it == slots_.end() ? nullptr : it->second->value();
}

void* GreenletLocalCore::Insert(std::unique_ptr<Slot> slot) {
  RawGreenlet* key = RawGreenlet::Current();
  slot->core_ = this;
  slot->key_ = key;
  Slot* kept;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto [it, inserted] = slots_.try_emplace(key, nullptr);
    if (!inserted) return it->second->value();  // `slot` dies unused
    it->second = std::move(slot);
    kept = it->second.get();
  }
  // A greenlet that has already ended (a value touched by a destructor
  // running as it ends) is kept like the main greenlet's.
  GreenletBase* greenlet = GreenletBase::Current();
  if (greenlet != nullptr && !greenlet->dead()) {
    kept->Observe(*greenlet);
  } else {
    ThisThreadCleanup().Add(weak_from_this(), key);
  }
  return kept->value();
}

void GreenletLocalCore::Erase(RawGreenlet* key) {
  std::unique_ptr<Slot> slot;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = slots_.find(key);
    if (it == slots_.end()) return;
    slot = std::move(it->second);
    slots_.erase(it);
  }
  // T's destructor runs unlocked: it may use other GreenletLocals.
}

}  // namespace evergreen::internal
