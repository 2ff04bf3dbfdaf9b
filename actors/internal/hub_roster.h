// HubRoster<T>: the live objects of one kind on one hub, in the order they
// joined — what the live dump walks to list a hub's actors and
// supervisors (actors/dump.h).
//
//   class Thing {
//     HubRoster<Thing>::Entry roster_entry_{this};
//     Thing() { roster_entry_.Join(Hub::Current()); }   // on its hub
//   };
//   HubRoster<Thing>::Of(hub)->ForEach([](Thing& t) { ... });
//
// Internal. O(1) join and leave, no allocation (an intrusive list).
// Thread affinity: the hub's thread. The roster is a hub extension,
// destroyed first thing when the hub is; it then detaches its entries, so
// an object that outlives its hub (its last reference dropped on another
// thread once the hub is gone) leaves nothing behind to touch.
#ifndef EVERGREEN_ACTORS_INTERNAL_HUB_ROSTER_H_
#define EVERGREEN_ACTORS_INTERNAL_HUB_ROSTER_H_

#include <memory>

#include "framework/hub.h"

namespace evergreen::internal {

template <typename T>
class HubRoster {
 public:
  class Entry {
   public:
    explicit Entry(T* owner) : owner_(owner) {}
    ~Entry() { Leave(); }
    Entry(const Entry&) = delete;
    Entry& operator=(const Entry&) = delete;

    // Joins `hub`'s roster (last). Hub thread. REQUIRES: not joined.
    void Join(Hub* hub) { Of(hub)->Append(this); }
    // Leaves it; a no-op when not joined or when the hub is gone.
    void Leave() {
      if (roster_ != nullptr) roster_->Remove(this);
    }

   private:
    friend class HubRoster;
    T* owner_;
    HubRoster* roster_ = nullptr;
    Entry* prev_ = nullptr;
    Entry* next_ = nullptr;
  };

  // `hub`'s roster of T, made on first use. Hub thread.
  static HubRoster* Of(Hub* hub) {
    static const char key = 0;
    return hub->Extension<HubRoster>(&key,
                                     [] { return std::make_shared<HubRoster>(); });
  }

  HubRoster() = default;
  ~HubRoster() {
    for (Entry* entry = head_; entry != nullptr;) {
      Entry* next = entry->next_;
      entry->roster_ = nullptr;
      entry->prev_ = entry->next_ = nullptr;
      entry = next;
    }
  }
  HubRoster(const HubRoster&) = delete;
  HubRoster& operator=(const HubRoster&) = delete;

  // Calls fn(T&) for each member, oldest first. fn must not make members
  // join or leave.
  template <typename Fn>
  void ForEach(Fn&& fn) const {
    for (Entry* entry = head_; entry != nullptr; entry = entry->next_) {
      fn(*entry->owner_);
    }
  }

 private:
  void Append(Entry* entry) {
    entry->roster_ = this;
    entry->prev_ = tail_;
    entry->next_ = nullptr;
    (tail_ != nullptr ? tail_->next_ : head_) = entry;
    tail_ = entry;
  }
  void Remove(Entry* entry) {
    (entry->prev_ != nullptr ? entry->prev_->next_ : head_) = entry->next_;
    (entry->next_ != nullptr ? entry->next_->prev_ : tail_) = entry->prev_;
    entry->roster_ = nullptr;
    entry->prev_ = entry->next_ = nullptr;
  }

  Entry* head_ = nullptr;
  Entry* tail_ = nullptr;
};

}  // namespace evergreen::internal

#endif  // EVERGREEN_ACTORS_INTERNAL_HUB_ROSTER_H_
