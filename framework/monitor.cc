#include "framework/monitor.h"

#include <algorithm>
#include <condition_variable>
#include <cstdio>
#include <map>
#include <mutex>
#include <thread>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "framework/internal/frames.h"
#include "framework/internal/hub_registry.h"
#include "framework/internal/thread_sampler.h"

namespace evergreen {

std::string StallReport::ToString() const {
  std::string text = absl::StrCat(
      "evergreen: hub of thread ", thread_id,
      thread_name.empty() ? "" : absl::StrCat(" (", thread_name, ")"),
      " blocked for ", absl::FormatDuration(absl::Trunc(duration, absl::Milliseconds(1))),
      " by ", greenlet == "hub" || greenlet == "main greenlet" ||
                      greenlet == "unknown" || greenlet == "unnamed greenlet"
                  ? greenlet
                  : absl::StrCat("greenlet '", greenlet, "'"),
      "\n");
  for (std::size_t i = 0; i < stack.size(); ++i) {
    absl::StrAppend(&text, "  #", i, " ", stack[i], "\n");
  }
  return text;
}

namespace {

class Monitor {
 public:
  explicit Monitor(BlockingMonitorOptions options)
      : options_(std::move(options)) {
    if (options_.capture_stacks &&
        !internal::InstallSampler(options_.stack_signal)) {
      options_.capture_stacks = false;
    }
    thread_ = std::thread([this] { Loop(); });
  }

  ~Monitor() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopping_ = true;
    }
    wake_.notify_all();
    thread_.join();
    if (options_.capture_stacks) internal::UninstallSampler();
  }

 private:
  struct Track {
    std::uint64_t activity = 0;
    absl::Time since;
    bool reported = false;
    bool seen = false;
  };
  struct Stalled {
    pid_t thread_id;
    std::string thread_name;
    std::uint64_t activity;
    absl::Time since;
  };

  void Loop() {
    const absl::Duration period =
        std::max(options_.threshold / 4, absl::Milliseconds(5));
    std::unique_lock<std::mutex> lock(mu_);
    while (!wake_.wait_for(lock, absl::ToChronoNanoseconds(period),
                           [this] { return stopping_; })) {
      lock.unlock();
      for (const Stalled& stalled : Sample()) Report(stalled);
      lock.lock();
    }
  }

  // The hubs that have just passed the threshold, each once per stall.
  std::vector<Stalled> Sample() {
    std::vector<Stalled> stalled;
    const absl::Time now = absl::Now();
    for (auto& [serial, track] : tracks_) track.seen = false;
    internal::ForEachHub([&](internal::HubEntry& hub) {
      const std::uint64_t activity =
          hub.activity.load(std::memory_order_relaxed);
      auto [it, fresh] = tracks_.try_emplace(hub.serial);
      Track& track = it->second;
      track.seen = true;
      if (fresh || activity != track.activity) {
        track = Track{activity, now, false, true};
        return;
      }
      if ((activity & 1) == 0 || track.reported ||
          now - track.since < options_.threshold) {
        return;
      }
      track.reported = true;
      stalled.push_back({hub.thread_id, hub.thread_name, activity,
                         track.since});
    });
    std::erase_if(tracks_, [](const auto& entry) { return !entry.second.seen; });
    return stalled;
  }

  void Report(const Stalled& stalled) {
    StallReport report;
    report.thread_id = stalled.thread_id;
    report.thread_name = stalled.thread_name;
    report.greenlet = "unknown";
    internal::ThreadSample sample;
    if (options_.capture_stacks &&
        internal::SampleThread(stalled.thread_id, absl::Milliseconds(200),
                               &sample) &&
        sample.hub_activity == stalled.activity) {
      // Still the same stall: the sample shows who holds the hub.
      report.greenlet = sample.greenlet;
      report.stack = internal::SymbolizeFrames(sample.frames);
    }
    report.duration = absl::Now() - stalled.since;
    if (options_.sink) {
      options_.sink(report);
    } else {
      const std::string text = report.ToString();
      std::fwrite(text.data(), 1, text.size(), stderr);
    }
  }

  BlockingMonitorOptions options_;
  std::map<std::uint64_t, Track> tracks_;  // monitor thread only
  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;  // guarded by mu_
  std::thread thread_;
};

std::mutex monitor_mu;
Monitor* monitor = nullptr;  // guarded by monitor_mu

}  // namespace

void StartBlockingMonitor(BlockingMonitorOptions options) {
  std::lock_guard<std::mutex> lock(monitor_mu);
  delete monitor;
  monitor = new Monitor(std::move(options));
}

void StopBlockingMonitor() {
  std::lock_guard<std::mutex> lock(monitor_mu);
  delete monitor;
  monitor = nullptr;
}

bool BlockingMonitorRunning() {
  std::lock_guard<std::mutex> lock(monitor_mu);
  return monitor != nullptr;
}

}  // namespace evergreen
