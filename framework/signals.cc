#include "framework/signals.h"

#include <string.h>

#include <stdexcept>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "framework/greenlet.h"
#include "framework/internal/signal_dispatch.h"
#include "framework/waiter.h"

namespace evergreen {
namespace {

// "SIGTERM", or the number for signals without a name (real-time ones).
std::string SignalName(int signal) {
  const char* abbrev = sigabbrev_np(signal);
  return abbrev != nullptr ? absl::StrCat("SIG", abbrev)
                           : absl::StrCat("signal ", signal);
}

}  // namespace

SignalWatch::SignalWatch(SignalWatch&& other) noexcept
    : sink_(std::move(other.sink_)),
      ids_(std::move(other.ids_)),
      keep_alive_(std::move(other.keep_alive_)) {
  other.ids_.clear();
}

SignalWatch& SignalWatch::operator=(SignalWatch&& other) noexcept {
  if (this != &other) {
    Cancel();
    sink_ = std::move(other.sink_);
    ids_ = std::move(other.ids_);
    keep_alive_ = std::move(other.keep_alive_);
    other.ids_.clear();
  }
  return *this;
}

SignalWatch::~SignalWatch() { Cancel(); }

void SignalWatch::Cancel() {
  // Deliveries already posted to the hub see the sink inactive.
  if (sink_ != nullptr) sink_->active = false;
  for (std::uint64_t id : ids_) internal::UnsubscribeSignal(id);
  ids_.clear();
  keep_alive_.reset();
}

absl::StatusOr<SignalWatch> SignalWatch::Watch(
    absl::Span<const int> signals, std::shared_ptr<internal::SignalSink> sink) {
  if (signals.empty()) {
    return absl::InvalidArgumentError("no signal to watch");
  }
  Hub* hub = Hub::Current();
  SignalWatch watch;
  watch.sink_ = sink;
  for (int signal : signals) {
    absl::StatusOr<std::uint64_t> id =
        internal::SubscribeSignal(signal, hub, sink);
    if (!id.ok()) return id.status();  // `watch` unsubscribes the others
    watch.ids_.push_back(*id);
  }
  return watch;
}

absl::StatusOr<SignalWatch> OnSignal(absl::Span<const int> signals,
                                     absl::AnyInvocable<void(int)> handler,
                                     bool keep_alive) {
  auto sink = std::make_shared<internal::SignalSink>();
  auto shared_handler =
      std::make_shared<absl::AnyInvocable<void(int)>>(std::move(handler));
  sink->on_signal = [shared_handler](int signal) {
    SpawnWith(GreenletOptions{.name = absl::StrCat("signal handler (",
                                                   SignalName(signal), ")")},
              [shared_handler, signal] { (*shared_handler)(signal); });
  };
  absl::StatusOr<SignalWatch> watch = SignalWatch::Watch(signals, sink);
  if (watch.ok() && keep_alive) {
    watch->keep_alive_ = std::make_unique<HubKeepAlive>();
  }
  return watch;
}

absl::StatusOr<int> WaitSignal(absl::Span<const int> signals,
                               absl::Duration timeout) {
  Waiter waiter;
  int received = 0;
  auto sink = std::make_shared<internal::SignalSink>();
  sink->on_signal = [&waiter, &received](int signal) {
    if (received != 0) return;
    received = signal;
    waiter.Wake();
  };
  absl::StatusOr<SignalWatch> watch = SignalWatch::Watch(signals, sink);
  if (!watch.ok()) return watch.status();
  HubKeepAlive alive;
  if (!waiter.Wait(timeout)) {
    return absl::DeadlineExceededError(absl::StrCat(
        "no signal arrived within ", absl::FormatDuration(timeout)));
  }
  return received;
}

SignalWatch StopOnSignals(absl::AnyInvocable<void()> stop,
                          std::vector<int> signals) {
  auto once = std::make_shared<absl::AnyInvocable<void()>>(std::move(stop));
  absl::StatusOr<SignalWatch> watch =
      OnSignal(signals, [once](int) {
        if (*once == nullptr) return;
        absl::AnyInvocable<void()> run = std::move(*once);
        *once = nullptr;
        run();
      });
  if (!watch.ok()) {
    // Only a caller's bad signal list can fail; that is a programming error.
    throw std::invalid_argument(std::string(watch.status().message()));
  }
  return *std::move(watch);
}

}  // namespace evergreen
