// The supervision trees' part of the live dump (framework/dump.h, B-OS4):
// under each hub, every supervision tree rooted there, with each child's
// state and restart count and each supervisor's restart intensity used.
//
//   supervision trees:
//     supervisor 'root' (one_for_one, 0 of 5 restarts in the last 1s)
//       sessions: running actor 'Sessions#4', restarts 0
//       storage: running supervisor 'storage', restarts 0 (rest_for_one,
//           1 of 5 restarts in the last 1s)       [one line in the dump]
//         journal: running actor 'journal', restarts 1
//       remote: running supervisor 'hub1_sup', restarts 0, on hub of
//           thread 4712 (its tree is listed there)
//
// A child's state is "running", "exited" (its exit notice is still on its
// way to the supervisor), "restarting" (a failed restart to be retried) or
// "down"; its restarts are its starts less one, whatever caused them (its
// own exit, a sibling's under one_for_all/rest_for_one, RestartChild). A
// supervisor is a root on its hub when no supervisor there runs it; a
// child supervisor on another hub is listed under that hub, each hub's
// part read on its own thread.
//
// The section is added to the dump the first time a supervisor starts;
// nothing to call. A program may also print the trees itself
// (samples/supervision_tree).
#ifndef EVERGREEN_ACTORS_SUPERVISOR_DUMP_H_
#define EVERGREEN_ACTORS_SUPERVISOR_DUMP_H_

#include <string>

#include "framework/hub.h"

namespace evergreen {

// The section's text for `hub`: "" when no supervisor runs there. Trees
// in start order of their roots, children in start order. Never blocks.
// Hub thread (of `hub`).
std::string DescribeSupervisionTrees(Hub& hub);

// Adds the section to the dump (idempotent; starting a supervisor does
// it). Any thread.
void EnableSupervisorDump();

}  // namespace evergreen

#endif  // EVERGREEN_ACTORS_SUPERVISOR_DUMP_H_
