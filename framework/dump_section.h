// Sections of the live dump (framework/dump.h) contributed by higher
// layers: the actors layer adds each hub's actors and supervision trees
// without framework/ knowing of them.
//
//   std::string MyThings(Hub& hub) {            // on `hub`'s own thread
//     return absl::StrCat("  my things: ", Things(hub).size(), "\n");
//   }
//   evergreen::AddDumpSection({.key = &my_key, .order = 50,
//                              .describe = &MyThings});
//
// Safe point: a section is called on the hub it describes — from a
// callback of that hub's loop, or, for the hub of the greenlet asking for
// the dump, from that greenlet — so it reads that hub's state exactly as
// the hub's own code does, without locks or races, while every other
// greenlet of the hub is suspended at a switch point. It must
// not block, and must read only its own hub's state (or what is safe from
// any thread: atomics, immutable fields, a mutex-guarded queue).
#ifndef EVERGREEN_FRAMEWORK_DUMP_SECTION_H_
#define EVERGREEN_FRAMEWORK_DUMP_SECTION_H_

#include <string>
#include <vector>

#include "framework/hub.h"

namespace evergreen {

struct DumpSection {
  // Identifies the section: adding one key twice keeps the first.
  const void* key = nullptr;
  // Sections appear in increasing order (the greenlets come first);
  // the actors layer uses 100 (actors) and 200 (supervision trees).
  int order = 0;
  // The section's lines for `hub` (each ending in '\n', indented by two
  // spaces), or "" to show nothing. Hub thread; must not block.
  std::string (*describe)(Hub& hub) = nullptr;
};

// Adds `section` to every hub's part of every dump from now on (for the
// process's life). Any thread. REQUIRES: key and describe non-null.
void AddDumpSection(DumpSection section);

// The sections added so far, in order. Any thread.
std::vector<DumpSection> DumpSections();

// "hub of thread 4711 (server)": how the dump names `hub`, or "a hub that
// has stopped" when it is gone. Any thread; `hub` is only compared, never
// dereferenced.
std::string HubTitle(const Hub* hub);

namespace internal {
struct HubEntry;
// HubTitle of a registered hub, from its registry entry.
std::string HubEntryTitle(const HubEntry& entry);
}  // namespace internal

}  // namespace evergreen

#endif  // EVERGREEN_FRAMEWORK_DUMP_SECTION_H_
