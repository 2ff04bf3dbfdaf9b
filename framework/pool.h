// Pool: a Group that runs at most `capacity` members at once
// (gevent.pool.Pool).
//
//   evergreen::Pool pool(10);                  // 10 concurrent fetches
//   for (const auto& url : urls) pool.Spawn(Fetch, url);  // blocks when full
//   pool.Join();
//
//   if (absl::Status s = pool.Add(g, absl::Milliseconds(50)); !s.ok()) {
//     // ResourceExhausted: no slot freed up in time
//   }
//   // (compiled in tests/docs/header_examples_test.cc)
//
// Every member holds one slot from Add() until it ends or is discarded; a
// member that crashes frees its slot like any other (B-P4). Slots go to
// waiters first come, first served: blocked Spawn/Add/Start calls and
// queued ApplyAsync greenlets share one FIFO. Pool(0) is always full
// (B-P3): Spawn on it blocks forever, Add with a timeout fails.
//
// Everything else (Spawn, Apply, Map, Join, Kill, ...) is Group's; see
// group.h for what blocks and what wakes it.
//
// Errors: a negative capacity throws std::invalid_argument (a contract
// violation, B-P3). A full pool is absl ResourceExhausted from Add/TryAdd.
//
// Thread affinity: the hub thread that constructs it.
#ifndef EVERGREEN_FRAMEWORK_POOL_H_
#define EVERGREEN_FRAMEWORK_POOL_H_

#include "framework/group.h"

namespace evergreen {

class Pool : public Group {
 public:
  // REQUIRES: capacity >= 0, else throws std::invalid_argument.
  explicit Pool(int capacity);

  // The most members that run at once.
  int capacity() const { return Group::capacity(); }
  // Slots free now: how many Spawn/Add calls would not block (B-P1).
  int FreeCount() const { return slots()->value(); }
};

}  // namespace evergreen

#endif  // EVERGREEN_FRAMEWORK_POOL_H_
