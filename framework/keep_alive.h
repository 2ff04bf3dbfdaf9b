// HubKeepAlive: tells a hub that something outside it (another thread)
// may still wake one of its greenlets.
//
// A hub raises LoopExit when the main greenlet waits and nothing inside the
// hub can ever wake it. Work done by other threads is invisible to it; a
// HubKeepAlive makes it visible, like libev's ev_ref:
//
//   evergreen::AsyncResult<int> result;
//   evergreen::HubKeepAlive alive;              // on the hub's thread
//   std::thread worker([result, alive = std::move(alive)]() mutable {
//     result.Set(Compute());
//     alive.Reset();                            // any thread
//   });
//   result.Get();                               // no LoopExit meanwhile
//
// Construct on the hub's thread; Reset() or destroy from any thread.
#ifndef EVERGREEN_FRAMEWORK_KEEP_ALIVE_H_
#define EVERGREEN_FRAMEWORK_KEEP_ALIVE_H_

#include <memory>

#include "framework/hub.h"
#include "framework/internal/hub_remote.h"

namespace evergreen {

class HubKeepAlive {
 public:
  // Keeps the calling thread's hub alive until Reset().
  HubKeepAlive();
  HubKeepAlive(HubKeepAlive&& other) noexcept = default;
  HubKeepAlive& operator=(HubKeepAlive&& other) noexcept;
  ~HubKeepAlive() { Reset(); }

  // Releases the hold (through Hub::Post when called from another thread).
  // Idempotent.
  void Reset();

 private:
  std::shared_ptr<internal::HubRemote> remote_;
};

}  // namespace evergreen

#endif  // EVERGREEN_FRAMEWORK_KEEP_ALIVE_H_
