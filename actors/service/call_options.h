// CallOptions: what a client sets per call.
//
//   auto reply = kv.Get(request, {.timeout = absl::Milliseconds(50),
//                                 .metadata = {{"tenant", "a"}}});
//
// The call's deadline is the earlier of `deadline` and now + `timeout`;
// both unset means no deadline. It travels on the wire as remaining time
// and becomes the handler's deadline (CallContext::deadline()).
//
// Thread affinity: a plain value.
#ifndef EVERGREEN_ACTORS_SERVICE_CALL_OPTIONS_H_
#define EVERGREEN_ACTORS_SERVICE_CALL_OPTIONS_H_

#include <map>
#include <string>

#include "absl/time/time.h"

namespace evergreen {

// Call metadata: ordered so that it prints and serialises stably.
using Metadata = std::map<std::string, std::string>;

struct CallOptions {
  absl::Duration timeout = absl::InfiniteDuration();
  absl::Time deadline = absl::InfiniteFuture();
  Metadata metadata;

  // min(deadline, now + timeout).
  absl::Time EffectiveDeadline() const {
    if (timeout == absl::InfiniteDuration()) return deadline;
    return std::min(deadline, absl::Now() + timeout);
  }
};

}  // namespace evergreen

#endif  // EVERGREEN_ACTORS_SERVICE_CALL_OPTIONS_H_
