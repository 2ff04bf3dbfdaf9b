#include "framework/hub_group.h"

#include <algorithm>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>

#include "framework/internal/hub_access.h"

namespace evergreen {

HubGroup::HubGroup(HubGroupOptions options) : options_(options) {
  int n = options_.threads;
  if (n <= 0) n = static_cast<int>(std::thread::hardware_concurrency());
  n = std::max(n, 1);
  std::mutex mu;
  std::condition_variable ready;
  int started = 0;
  slots_.reserve(n);
  for (int i = 0; i < n; ++i) slots_.push_back(std::make_unique<Slot>());
  for (int i = 0; i < n; ++i) {
    Slot* slot = slots_[i].get();
    slot->thread = std::thread(
        [this, slot, &mu, &started, &ready] {
          ThreadMain(slot, &mu, &started, &ready);
        });
  }
  std::unique_lock<std::mutex> lock(mu);
  ready.wait(lock, [&] { return started == n; });
}

HubGroup::~HubGroup() { Stop(); }

int HubGroup::CurrentIndex() const {
  Hub* here = Hub::CurrentIfExists();
  if (here == nullptr) return -1;
  for (int i = 0; i < size(); ++i) {
    if (slots_[i]->hub == here) return i;
  }
  return -1;
}

absl::Status HubGroup::Post(int index, absl::AnyInvocable<void()> fn) {
  if (index < 0 || index >= size()) {
    return absl::OutOfRangeError(absl::StrCat(
        "HubGroup: hub index ", index, " is not in [0, ", size(), ")"));
  }
  if (!slots_[index]->remote->Post(std::move(fn))) {
    return absl::UnavailableError(
        absl::StrCat("HubGroup: hub ", index, " has stopped"));
  }
  return absl::OkStatus();
}

void HubGroup::AtStop(absl::AnyInvocable<void()> hook) {
  const int index = CurrentIndex();
  if (index < 0) {
    throw WrongThreadError(
        "HubGroup::AtStop must be called on one of the group's hub threads");
  }
  slots_[index]->hooks.push_back(std::move(hook));
}

void HubGroup::ThreadMain(Slot* slot, std::mutex* mu, int* started,
                          std::condition_variable* ready) {
  Hub* hub = Hub::Current();
  {
    HubKeepAlive alive;  // until Stop(): greenlets here wait for others
    {
      std::lock_guard<std::mutex> lock(*mu);
      slot->hub = hub;
      slot->remote = internal::HubAccess::remote(hub);
      slot->stop = std::make_unique<Event>();
      ++*started;
      // Under the lock: the constructor's condition variable dies as soon
      // as it sees the last thread started.
      ready->notify_one();
    }
    slot->stop->Wait();
    // The hooks may block (a server's graceful Stop); new ones may be
    // added while they run.
    while (!slot->hooks.empty()) {
      absl::AnyInvocable<void()> hook = std::move(slot->hooks.back());
      slot->hooks.pop_back();
      try {
        hook();
      } catch (const GreenletExit&) {
        throw;
      } catch (...) {
        hub->HandleError("HubGroup stop hook", std::current_exception());
      }
    }
  }
  hub->Join(options_.stop_grace);
  Hub::DestroyCurrent();
}

void HubGroup::Stop() {
  {
    std::lock_guard<std::mutex> lock(stop_mu_);
    if (stopped_) return;
    stopped_ = true;
  }
  if (CurrentIndex() >= 0) {
    std::fprintf(stderr,
                 "evergreen: HubGroup::Stop called on one of its own hubs\n");
    std::abort();
  }
  for (auto& slot : slots_) slot->stop->Set();
  for (auto& slot : slots_) slot->thread.join();
}

}  // namespace evergreen
