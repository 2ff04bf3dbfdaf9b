#include "framework/dump.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "framework/async_result.h"
#include "framework/dump_section.h"
#include "framework/greenlet_base.h"
#include "framework/internal/coarse_clock.h"
#include "framework/internal/frames.h"
#include "framework/internal/hub_access.h"
#include "framework/internal/hub_registry.h"
#include "framework/internal/hub_remote.h"
#include "framework/keep_alive.h"

namespace evergreen {
namespace {

// Frames of the switch itself and of every greenlet's entry: what all
// waiting greenlets have in common. A greenlet that handed off (docs/hub.md)
// waits under the node it ran: the resume of another greenlet.
bool IsPlumbing(const std::string& frame) {
  static constexpr const char* kPlumbing[] = {
      "jump_fcontext",
      "evergreen::RawGreenlet::",
      "evergreen::Hub::Suspend",
      "evergreen::Hub::Yield",
      "evergreen::Hub::HandOff",
      "evergreen::Waiter::Wait",
      "evergreen::Waiter::Resume",
      "evergreen::GreenletBase::RunStart",
      "evergreen::internal::BoundRunnable<",
      "evergreen::GreenletBase::Trampoline",
      "make_fcontext",
  };
  for (const char* prefix : kPlumbing) {
    if (absl::StartsWith(frame, prefix)) return true;
  }
  return false;
}

// " for 1.52s": how long since the greenlet's last wait began, to the
// millisecond (the coarse clock's jiffy is the real resolution); "" when
// it never waited.
std::string WaitingFor(const RawGreenlet& greenlet) {
  const std::int64_t since = greenlet.waiting_since();
  if (since == 0) return "";
  const absl::Duration waited = absl::Nanoseconds(
      std::max<std::int64_t>(0, internal::CoarseNanos() - since));
  return absl::StrCat(
      " for ", absl::FormatDuration(absl::Trunc(waited, absl::Milliseconds(1))));
}

// "waiting in A() for 1.52s <- B() <- C()": the first frames that are not
// plumbing, and since when.
std::string WaitingIn(const RawGreenlet& greenlet) {
  std::vector<std::string> frames =
      internal::SymbolizeFrames(internal::SuspendedFrames(greenlet));
  std::vector<std::string> shown;
  for (const std::string& frame : frames) {
    if (IsPlumbing(frame)) continue;
    shown.push_back(frame);
    if (shown.size() == 3) break;
  }
  if (shown.empty()) return absl::StrCat("waiting", WaitingFor(greenlet));
  shown.front() += WaitingFor(greenlet);
  return absl::StrCat("waiting in ", absl::StrJoin(shown, "\n        <- "));
}

std::string GreenletState(const GreenletBase& greenlet) {
  const RawGreenlet& raw = greenlet.raw();
  if (greenlet.dead()) return "dead";
  if (!greenlet.started()) return "not started";
  if (&raw == RawGreenlet::Current()) return "running (this dump)";
  if (!raw.started()) return "started, not yet run";
  return WaitingIn(raw);
}

}  // namespace

std::string DescribeHub(Hub* hub) {
  hub->CheckThread("DescribeHub");
  std::vector<std::string> lines;
  RawGreenlet* main = RawGreenlet::Main();
  lines.push_back(absl::StrCat("  main greenlet: ",
                               main == RawGreenlet::Current()
                                   ? "running (this dump)"
                                   : WaitingIn(*main)));
  int count = 0;
  for (internal::HubTracked* tracked = *internal::HubAccess::tracked_head(hub);
       tracked != nullptr; tracked = tracked->next_tracked()) {
    GreenletBase* greenlet = tracked->AsGreenlet();
    if (greenlet == nullptr) continue;  // a timer callback
    ++count;
    const std::string& name = greenlet->name();
    lines.push_back(absl::StrCat("  greenlet '",
                                 name.empty() ? "(unnamed)" : name, "': ",
                                 GreenletState(*greenlet)));
  }
  std::string text = absl::StrCat(
      internal::HubEntryTitle(*internal::HubAccess::registry_entry(hub)), ", ", count,
      " greenlet", count == 1 ? "" : "s", ":\n", absl::StrJoin(lines, "\n"),
      "\n");
  for (const DumpSection& section : DumpSections()) {
    absl::StrAppend(&text, section.describe(*hub));
  }
  return text;
}

std::string DumpHubs(absl::Duration timeout) {
  Hub* here = Hub::Current();
  struct Asked {
    std::string title;
    AsyncResult<std::string> answer;
  };
  std::vector<Asked> asked;
  internal::ForEachHub([&](internal::HubEntry& entry) {
    if (entry.hub == here) return;
    Asked& ask = asked.emplace_back(Asked{internal::HubEntryTitle(entry), {}});
    Hub* hub = entry.hub;
    entry.remote->Post(
        [hub, answer = ask.answer]() mutable { answer.Set(DescribeHub(hub)); });
  });
  std::string text = DescribeHub(here);
  const absl::Time deadline = absl::Now() + timeout;
  HubKeepAlive alive;  // the answers come from other threads
  for (Asked& ask : asked) {
    if (ask.answer.Wait(deadline - absl::Now())) {
      absl::StrAppend(&text, ask.answer.Get());
    } else {
      absl::StrAppend(&text, ask.title,
                      ": did not answer (stalled, or busy for longer than ",
                      absl::FormatDuration(timeout), ")\n");
    }
  }
  return text;
}

absl::StatusOr<SignalWatch> DumpOnSignal(int signal, absl::Duration timeout) {
  return OnSignal({signal}, [timeout](int) {
    const std::string text = DumpHubs(timeout);
    std::fwrite(text.data(), 1, text.size(), stderr);
  });
}

}  // namespace evergreen
