#include "framework/dump_section.h"

#include <algorithm>
#include <mutex>
#include <utility>

#include "absl/strings/str_cat.h"
#include "framework/internal/hub_registry.h"

namespace evergreen {
namespace {

struct Sections {
  std::mutex mu;
  std::vector<DumpSection> sorted;  // guarded by mu
};

Sections& TheSections() {
  static Sections* sections = new Sections();  // outlives every hub
  return *sections;
}

}  // namespace

void AddDumpSection(DumpSection section) {
  Sections& sections = TheSections();
  std::lock_guard<std::mutex> lock(sections.mu);
  for (const DumpSection& added : sections.sorted) {
    if (added.key == section.key) return;
  }
  auto at = std::upper_bound(
      sections.sorted.begin(), sections.sorted.end(), section,
      [](const DumpSection& a, const DumpSection& b) { return a.order < b.order; });
  sections.sorted.insert(at, section);
}

std::vector<DumpSection> DumpSections() {
  Sections& sections = TheSections();
  std::lock_guard<std::mutex> lock(sections.mu);
  return sections.sorted;
}

std::string HubTitle(const Hub* hub) {
  std::string title = "a hub that has stopped";
  internal::ForEachHub([&](internal::HubEntry& entry) {
    if (entry.hub == hub) title = internal::HubEntryTitle(entry);
  });
  return title;
}

namespace internal {

std::string HubEntryTitle(const HubEntry& entry) {
  return absl::StrCat(
      "hub of thread ", entry.thread_id,
      entry.thread_name.empty() ? "" : absl::StrCat(" (", entry.thread_name, ")"));
}

}  // namespace internal

}  // namespace evergreen
