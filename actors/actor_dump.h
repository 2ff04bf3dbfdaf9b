// The actors' part of the live dump (framework/dump.h, B-OS4): under each
// hub, every live actor on it with its mailbox depth, links and monitors.
//
//   actors (2):
//     'journal' (Journal): mailbox 0, links [], monitored by []
//     'shard-0' (Shard): mailbox 3, links ['journal'], monitored by
//         ['watcher'], 1 queued from other hubs, traps exits
//     'session-7' (Session): mailbox 0, links [], monitored by [],
//         hibernating
//
// The section is added to the dump (framework/dump_section.h) the first
// time any actor is spawned, so every program with actors has it; nothing
// to call. Supervision trees are a section of their own
// (actors/supervisor_dump.h).
#ifndef EVERGREEN_ACTORS_ACTOR_DUMP_H_
#define EVERGREEN_ACTORS_ACTOR_DUMP_H_

#include <string>

#include "framework/hub.h"

namespace evergreen {

// The section's text for `hub`: "" when it has no live actor. Oldest
// actor first; link and monitor names sorted. Never blocks. Hub thread
// (of `hub`).
std::string DescribeActors(Hub& hub);

// Adds the section to the dump (idempotent; spawning an actor does it).
// Any thread.
void EnableActorDump();

}  // namespace evergreen

#endif  // EVERGREEN_ACTORS_ACTOR_DUMP_H_
