// The live dump (B-OS4): what every hub of the process is running and
// waiting on, on demand.
//
//   std::string text = evergreen::DumpHubs();      // from any greenlet
//   absl::StatusOr<evergreen::SignalWatch> on_usr1 =
//       evergreen::DumpOnSignal(SIGUSR1);            // `kill -USR1 <pid>`
//
// Sample output:
//   hub of thread 4711 (server), 3 greenlets:
//     main greenlet: running (this dump)
//     greenlet 'acceptor': waiting in evergreen::IoWatcher::Wait() for 2.31s
//         <- evergreen::StreamServer::TakeOne()
//     greenlet 'worker 2': started, not yet run
//     actors (1):                                   <- added by actors/
//       'cache' (Cache): mailbox 2, links [], monitored by []
//     supervision trees:                            <- added by actors/
//       supervisor 'root' (one_for_one, 1 of 3 restarts in the last 5s)
//         cache: running actor 'cache', restarts 1
//
// Each greenlet is listed with its name, its state (not started, started
// but not yet run, running, waiting, dead) and, for a waiting one, the
// innermost frames of its suspended stack above the hub's own switching
// plumbing: what it waits in, and for how long (since its wait began, to
// the resolution of the coarse clock, a few ms). Actors run in named
// greenlets and appear under their names. Higher layers add sections after
// the greenlets (framework/dump_section.h): in a program with actors, each
// hub's actors (actors/actor_dump.h) and supervision trees
// (actors/supervisor_dump.h). Each hub describes itself, sections
// included, on its own thread (a Post), so nothing reads another thread's
// state and a hub that is stalled shows as "did not answer".
#ifndef EVERGREEN_FRAMEWORK_DUMP_H_
#define EVERGREEN_FRAMEWORK_DUMP_H_

#include <signal.h>

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "framework/hub.h"
#include "framework/signals.h"

namespace evergreen {

// The calling thread's hub alone. Never blocks. Hub thread.
std::string DescribeHub(Hub* hub);

// Every hub of the process: the caller's directly, the others by asking
// each on its thread. Blocks the calling greenlet (what wakes it: the
// other hubs' answers) for at most `timeout` in all. Hub thread.
std::string DumpHubs(absl::Duration timeout = absl::Seconds(1));

// On each arrival of `signal`, writes DumpHubs(timeout) to stderr (from a
// greenlet of the calling thread's hub). Errors as OnSignal.
absl::StatusOr<SignalWatch> DumpOnSignal(
    int signal = SIGUSR1, absl::Duration timeout = absl::Seconds(1));

}  // namespace evergreen

#endif  // EVERGREEN_FRAMEWORK_DUMP_H_
