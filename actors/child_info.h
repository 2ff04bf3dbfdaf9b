// ChildInfo and ChildCounts: what Supervisor::WhichChildren and
// CountChildren report (OTP's which_children/1 and count_children/1).
//
//   for (const ChildInfo& c : *sup.WhichChildren()) {
//     std::cout << c.id << (c.child ? " running" : " stopped") << "\n";
//   }
//
// Thread affinity: plain values.
#ifndef EVERGREEN_ACTORS_CHILD_INFO_H_
#define EVERGREEN_ACTORS_CHILD_INFO_H_

#include <string>

#include "actors/child.h"
#include "actors/child_spec.h"

namespace evergreen {

struct ChildInfo {
  // The spec's id; for a simple_one_for_one child, the template's id
  // (OTP reports `undefined`).
  std::string id;
  // The running child, or no child (terminated, or its start returned
  // no child, or it is restarting).
  Child child;
  ChildType type = ChildType::kWorker;
  // A restart failed and will be retried (OTP's `restarting`).
  bool restarting = false;
};

struct ChildCounts {
  // Child specs, running or not; 1 for a simple_one_for_one supervisor
  // (its template).
  int specs = 0;
  // Children running now.
  int active = 0;
  // Children (running or not) of each type; for simple_one_for_one, the
  // dynamic children.
  int supervisors = 0;
  int workers = 0;
};

}  // namespace evergreen

#endif  // EVERGREEN_ACTORS_CHILD_INFO_H_
