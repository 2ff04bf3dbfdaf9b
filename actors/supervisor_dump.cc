#include "actors/supervisor_dump.h"

#include <algorithm>
#include <cstdint>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "actors/internal/supervisor_actor.h"
#include "framework/dump_section.h"

namespace evergreen {
namespace {

using internal::ChildRecord;
using internal::SupervisorActor;

char trees_section_key;

// A tree is deeper than this only by a cycle a program built on purpose.
constexpr int kMaxDepth = 32;

// The supervisors of one hub, by their actor cell.
using Local = absl::flat_hash_map<const internal::ActorCell*, SupervisorActor*>;

// "(one_for_one, 1 of 5 restarts in the last 1s)"
std::string Flags(const SupervisorActor& sup) {
  const internal::RestartWindow& window = sup.window();
  return absl::StrCat("(", ToString(sup.strategy()), ", ",
                      window.CountAt(internal::MonotonicNow()), " of ",
                      window.intensity(), " restarts in the last ",
                      absl::FormatDuration(window.period()), ")");
}

const char* State(const ChildRecord& record) {
  if (record.running()) return record.child.alive() ? "running" : "exited";
  return record.restarting ? "restarting" : "down";
}

const char* Kind(const ChildRecord& record) {
  if (record.spec->type == ChildType::kSupervisor) return "supervisor";
  return record.child.is_greenlet() ? "greenlet" : "actor";
}

void DescribeChildren(const Hub& hub, const SupervisorActor& sup,
                      const Local& local, const std::string& indent, int depth,
                      std::string* out) {
  for (const ChildRecord& record : sup.children()) {
    absl::StrAppend(out, indent, record.id(), ": ", State(record));
    if (record.running()) {
      absl::StrAppend(out, " ", Kind(record), " '", record.child.name(), "'");
    }
    const std::uint64_t starts = record.generation;
    absl::StrAppend(out, ", restarts ", starts > 0 ? starts - 1 : 0);
    const SupervisorActor* child_sup = nullptr;
    if (record.running() && record.child.is_actor()) {
      const internal::ActorCell* cell = record.child.actor().cell().get();
      if (cell->hub() != &hub) {
        // Another hub's state is read there, never from here.
        absl::StrAppend(out, ", on ", HubTitle(cell->hub()),
                        record.spec->type == ChildType::kSupervisor
                            ? " (its tree is listed there)"
                            : "");
      } else if (auto it = local.find(cell); it != local.end()) {
        child_sup = it->second;
      }
    }
    if (child_sup == nullptr) {
      absl::StrAppend(out, "\n");
      continue;
    }
    absl::StrAppend(out, " ", Flags(*child_sup), "\n");
    if (depth < kMaxDepth) {
      DescribeChildren(hub, *child_sup, local, indent + "  ", depth + 1, out);
    }
  }
}

}  // namespace

std::string DescribeSupervisionTrees(Hub& hub) {
  hub.CheckThread("DescribeSupervisionTrees");
  if (hub.destroying()) return "";
  std::vector<SupervisorActor*> all;
  Local local;
  internal::HubRoster<SupervisorActor>::Of(&hub)->ForEach(
      [&](SupervisorActor& sup) {
        all.push_back(&sup);
        local.emplace(sup.self().cell().get(), &sup);
      });
  if (all.empty()) return "";
  // Supervisors run by a supervisor of this hub appear under it.
  absl::flat_hash_set<const internal::ActorCell*> supervised;
  for (SupervisorActor* sup : all) {
    for (const ChildRecord& record : sup->children()) {
      if (record.running() && record.child.is_actor()) {
        supervised.insert(record.child.actor().cell().get());
      }
    }
  }
  std::string text = "  supervision trees:\n";
  for (SupervisorActor* sup : all) {
    if (supervised.contains(sup->self().cell().get())) continue;
    absl::StrAppend(&text, "    supervisor '", sup->name(), "' ", Flags(*sup),
                    "\n");
    DescribeChildren(hub, *sup, local, "      ", 1, &text);
  }
  return text;
}

void EnableSupervisorDump() {
  static const bool added = [] {
    AddDumpSection({.key = &trees_section_key,
                    .order = 200,
                    .describe = &DescribeSupervisionTrees});
    return true;
  }();
  (void)added;
}

}  // namespace evergreen
