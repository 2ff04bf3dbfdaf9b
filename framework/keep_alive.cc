#include "framework/keep_alive.h"

#include <utility>

#include "framework/internal/hub_access.h"

namespace evergreen {

HubKeepAlive::HubKeepAlive() {
  Hub* hub = Hub::Current();
  internal::HubAccess::AddKeepAlive(hub);
  remote_ = internal::HubAccess::remote(hub);
  remote_->CountKeepAlive(1);
}

HubKeepAlive& HubKeepAlive::operator=(HubKeepAlive&& other) noexcept {
  if (this != &other) {
    Reset();
    remote_ = std::move(other.remote_);
  }
  return *this;
}

void HubKeepAlive::Reset() {
  if (remote_ == nullptr) return;
  std::shared_ptr<internal::HubRemote> remote = std::move(remote_);
  remote_ = nullptr;
  remote->CountKeepAlive(-1);
  // On the hub's own thread: released now, leaving nothing in flight.
  Hub* here = Hub::CurrentIfExists();
  if (here != nullptr && internal::HubAccess::remote(here) == remote &&
      !here->destroying()) {
    internal::HubAccess::ReleaseKeepAlive(here);
    return;
  }
  // Elsewhere it runs on the hub's thread, where the loop's reference count
  // lives.
  remote->Post([] {
    if (Hub* hub = Hub::CurrentIfExists())
      internal::HubAccess::ReleaseKeepAlive(hub);
  });
}

}  // namespace evergreen
