#include "framework/internal/hub_registry.h"

#include <sys/prctl.h>
#include <unistd.h>

#include <algorithm>
#include <mutex>
#include <utility>
#include <vector>

namespace evergreen::internal {
namespace {

struct Registry {
  std::mutex mu;
  std::vector<HubEntry*> hubs;  // guarded by mu
  std::uint64_t next_serial = 1;  // guarded by mu
};

Registry& TheRegistry() {
  static Registry* registry = new Registry();  // outlives every thread's hub
  return *registry;
}

}  // namespace

HubEntry* RegisterHub(Hub* hub, std::shared_ptr<HubRemote> remote) {
  auto* entry = new HubEntry();
  entry->hub = hub;
  entry->remote = std::move(remote);
  entry->thread_id = gettid();
  char name[17] = {};
  if (prctl(PR_GET_NAME, name) == 0) entry->thread_name = name;
  Registry& registry = TheRegistry();
  std::lock_guard<std::mutex> lock(registry.mu);
  entry->serial = registry.next_serial++;
  registry.hubs.push_back(entry);
  return entry;
}

void UnregisterHub(HubEntry* entry) {
  Registry& registry = TheRegistry();
  {
    std::lock_guard<std::mutex> lock(registry.mu);
    std::erase(registry.hubs, entry);
  }
  delete entry;
}

void ForEachHub(absl::FunctionRef<void(HubEntry&)> fn) {
  Registry& registry = TheRegistry();
  std::lock_guard<std::mutex> lock(registry.mu);
  for (HubEntry* entry : registry.hubs) fn(*entry);
}

}  // namespace evergreen::internal
