#include "actors/actor_dump.h"

#include <algorithm>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "actors/internal/actor_cell.h"
#include "framework/dump_section.h"

namespace evergreen {
namespace {

char actors_section_key;

// "['a', 'b']", sorted: the dump reads the same however the maps hash.
std::string QuotedList(std::vector<std::string> names) {
  std::sort(names.begin(), names.end());
  return absl::StrCat(
      "[",
      absl::StrJoin(names, ", ",
                    [](std::string* out, const std::string& name) {
                      absl::StrAppend(out, "'", name, "'");
                    }),
      "]");
}

}  // namespace

std::string DescribeActors(Hub& hub) {
  hub.CheckThread("DescribeActors");
  if (hub.destroying()) return "";
  std::vector<std::string> lines;
  internal::HubRoster<internal::ActorCell>::Of(&hub)->ForEach(
      [&](internal::ActorCell& cell) {
        if (!cell.alive()) return;  // only refs are left of it
        std::string line = absl::StrCat(
            "    '", cell.name(), "' (", cell.type_name(), "): mailbox ",
            cell.mailbox_size(), ", links ", QuotedList(cell.LinkedNames()),
            ", monitored by ", QuotedList(cell.MonitorNames()));
        if (const std::size_t inbox = cell.inbox_size(); inbox > 0) {
          absl::StrAppend(&line, ", ", inbox, " queued from other hubs");
        }
        if (cell.trap_exit()) absl::StrAppend(&line, ", traps exits");
        if (cell.hibernating()) absl::StrAppend(&line, ", hibernating");
        lines.push_back(std::move(line));
      });
  if (lines.empty()) return "";
  return absl::StrCat("  actors (", lines.size(), "):\n",
                      absl::StrJoin(lines, "\n"), "\n");
}

void EnableActorDump() {
  static const bool added = [] {
    AddDumpSection(
        {.key = &actors_section_key, .order = 100, .describe = &DescribeActors});
    return true;
  }();
  (void)added;
}

}  // namespace evergreen
