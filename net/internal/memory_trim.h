// TrimMemoryAfterBurst: gives back the memory a burst of connections left
// behind on this thread — the pages of the cached greenlet stacks
// (StackPool::Trim) and the allocator's free memory (malloc_trim).
//
// What a server calls when the last connection of a burst has ended
// (ServerOptions::trim_after_burst). It costs a system call per cached
// stack that is still resident and a walk of the heap: once per burst, not
// per connection.
//
// Thread affinity: the calling thread's stack pool; malloc_trim is
// process-wide and thread-safe.
#ifndef EVERGREEN_NET_INTERNAL_MEMORY_TRIM_H_
#define EVERGREEN_NET_INTERNAL_MEMORY_TRIM_H_

#include "framework/hub.h"

namespace evergreen::internal {

void TrimMemoryAfterBurst();

// TrimMemoryAfterBurst on `hub`'s next turn, or — when this thread trimmed
// less than a second ago — once that second has passed, so that a flood
// of short bursts (a DatagramServer's batches) costs at most one trim a
// second. At most one is pending per thread; a pending one does not keep
// the hub's loop alive (it is dropped if the loop ends first). Hub thread
// only.
void RequestTrimAfterBurst(Hub* hub);

}  // namespace evergreen::internal

#endif  // EVERGREEN_NET_INTERNAL_MEMORY_TRIM_H_
