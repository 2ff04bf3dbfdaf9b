#include "framework/hub_stats.h"

#include <atomic>

#include "absl/strings/str_cat.h"

namespace evergreen {
namespace {

std::atomic<std::int64_t> owned_fds{0};
std::atomic<std::int64_t> process_wide_fds{0};
std::atomic<std::uint64_t> left_greenlets{0};
std::atomic<std::uint64_t> left_calls{0};
std::atomic<std::uint64_t> left_callbacks{0};
std::atomic<std::uint64_t> left_watchers{0};

}  // namespace

std::string HubStats::ToString() const {
  return absl::StrCat("greenlets=", greenlets, " callbacks=", callbacks,
                      " pending_calls=", pending_calls, " posted=", posted,
                      " active_watchers=", active_watchers, " ready=", ready);
}

std::string HubLeftovers::ToString() const {
  return absl::StrCat("greenlets_killed=", greenlets_killed,
                      " calls_dropped=", calls_dropped,
                      " callbacks_discarded=", callbacks_discarded,
                      " watchers_left=", watchers_left);
}

HubLeftovers HubLeftoversSoFar() {
  return HubLeftovers{
      .greenlets_killed = left_greenlets.load(std::memory_order_relaxed),
      .calls_dropped = left_calls.load(std::memory_order_relaxed),
      .callbacks_discarded = left_callbacks.load(std::memory_order_relaxed),
      .watchers_left = left_watchers.load(std::memory_order_relaxed)};
}

std::int64_t OpenEvergreenFds() {
  return owned_fds.load(std::memory_order_relaxed);
}

std::int64_t ProcessWideEvergreenFds() {
  return process_wide_fds.load(std::memory_order_relaxed);
}

void internal::CountProcessWideFd(int delta) {
  process_wide_fds.fetch_add(delta, std::memory_order_relaxed);
}

void internal::CountOwnedFd(int delta) {
  owned_fds.fetch_add(delta, std::memory_order_relaxed);
}

void internal::AddHubLeftovers(const HubLeftovers& leftovers) {
  left_greenlets.fetch_add(leftovers.greenlets_killed,
                           std::memory_order_relaxed);
  left_calls.fetch_add(leftovers.calls_dropped, std::memory_order_relaxed);
  left_callbacks.fetch_add(leftovers.callbacks_discarded,
                           std::memory_order_relaxed);
  left_watchers.fetch_add(leftovers.watchers_left, std::memory_order_relaxed);
}

}  // namespace evergreen
