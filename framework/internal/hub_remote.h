// The part of a hub that other threads may touch: a mutex-guarded list of
// posted functions and the ev_async that wakes the loop. It is shared
// (std::shared_ptr) so that a poster holding it after the hub is gone finds
// it closed instead of touching freed memory.
#ifndef EVERGREEN_FRAMEWORK_INTERNAL_HUB_REMOTE_H_
#define EVERGREEN_FRAMEWORK_INTERNAL_HUB_REMOTE_H_

#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/functional/any_invocable.h"
#include "absl/synchronization/mutex.h"

struct ev_loop;
struct ev_async;

namespace evergreen::internal {

class HubRemote {
 public:
  HubRemote(struct ev_loop* loop, struct ev_async* async)
      : loop_(loop), async_(async) {}

  // Queues `fn` and wakes the loop. Returns false (dropping `fn`) once the
  // hub is closed. Any thread.
  bool Post(absl::AnyInvocable<void()> fn);

  // Wakes the loop without posting. Any thread.
  void Wake();

  // Takes everything posted so far. Hub thread.
  std::vector<absl::AnyInvocable<void()>> Take();

  // Refuses further posts. Hub thread, on destruction.
  void Close();

 private:
  absl::Mutex mu_;
  struct ev_loop* loop_ ABSL_GUARDED_BY(mu_);
  struct ev_async* async_ ABSL_GUARDED_BY(mu_);
  std::vector<absl::AnyInvocable<void()>> posted_ ABSL_GUARDED_BY(mu_);
};

}  // namespace evergreen::internal

#endif  // EVERGREEN_FRAMEWORK_INTERNAL_HUB_REMOTE_H_
