// The process's list of live hubs, for the tools that look at every hub
// from outside its thread: the blocking monitor (framework/monitor.h) and
// the live dump (framework/dump.h).
//
// Each hub counts its activity: the count is odd while the hub runs a
// greenlet or a callback (a ready-list node) and even while it runs its own
// loop or waits for I/O. The hub thread alone writes it (a relaxed load and
// store: no locked instruction on the switch path); anyone may read it. A
// count that stays odd and unchanged means one greenlet holds the hub.
#ifndef EVERGREEN_FRAMEWORK_INTERNAL_HUB_REGISTRY_H_
#define EVERGREEN_FRAMEWORK_INTERNAL_HUB_REGISTRY_H_

#include <sys/types.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/functional/function_ref.h"

namespace evergreen {
class Hub;

namespace internal {
class HubRemote;

struct HubEntry {
  Hub* hub;
  std::shared_ptr<HubRemote> remote;
  pid_t thread_id;           // the kernel's id of the hub's thread
  std::string thread_name;   // as set with pthread_setname_np, at creation
  std::uint64_t serial;      // unique per hub over the process's life
  std::atomic<std::uint64_t> activity{0};
};

// Marks a ready-list node running: activity odd for the scope's life.
class HubBusyScope {
 public:
  explicit HubBusyScope(HubEntry* entry) : activity_(&entry->activity) {
    Bump();
  }
  ~HubBusyScope() { Bump(); }
  HubBusyScope(const HubBusyScope&) = delete;
  HubBusyScope& operator=(const HubBusyScope&) = delete;

 private:
  void Bump() {
    activity_->store(activity_->load(std::memory_order_relaxed) + 1,
                     std::memory_order_relaxed);
  }
  std::atomic<std::uint64_t>* activity_;
};

// Called by the hub on its own thread as it is made and destroyed.
HubEntry* RegisterHub(Hub* hub, std::shared_ptr<HubRemote> remote);
void UnregisterHub(HubEntry* entry);

// Calls fn for every live hub, under the registry's lock: a hub cannot be
// destroyed meanwhile. fn must not block on a hub. Any thread.
void ForEachHub(absl::FunctionRef<void(HubEntry&)> fn);

}  // namespace internal
}  // namespace evergreen

#endif  // EVERGREEN_FRAMEWORK_INTERNAL_HUB_REGISTRY_H_
