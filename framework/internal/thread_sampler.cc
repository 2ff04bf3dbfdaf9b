#include "framework/internal/thread_sampler.h"

#include <execinfo.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cerrno>
#include <atomic>
#include <cstdint>
#include <thread>

#include "absl/time/clock.h"
#include "framework/hub.h"
#include "framework/internal/frames.h"
#include "framework/internal/hub_access.h"
#include "framework/internal/hub_registry.h"
#include "greenlet/internal/thread_state.h"
#include "greenlet/raw_greenlet.h"

namespace evergreen::internal {
namespace {

enum SlotState : int { kIdle, kRequested, kWriting, kDone };

constexpr int kMaxFrames = 48;
constexpr std::size_t kMaxName = 128;

// Written by the handler on the sampled thread, read by the sampler once
// `state` says kDone (release/acquire).
struct Slot {
  std::atomic<int> state{kIdle};
  std::atomic<pid_t> target{0};
  void* frames[kMaxFrames];
  int depth = 0;
  char greenlet[kMaxName];
  std::uint64_t activity = 0;
};

Slot slot;
int installed_signal = 0;
struct sigaction previous_action;

void CopyName(const char* name, std::size_t size) {
  size = std::min(size, kMaxName - 1);
  memcpy(slot.greenlet, name, size);
  slot.greenlet[size] = '\0';
}

// The interrupted thread's frames, innermost first. backtrace() (libgcc's
// DWARF unwinder, which steps through the signal frame and through code
// without frame pointers, such as libc and Debian's abseil) from this
// handler, trimmed to start at the interrupted pc. libgcc is loaded by
// InstallSampler, so the unwinder does not allocate here.
int CaptureFrames(const ucontext_t* context) {
#if defined(__x86_64__)
  void* raw[kMaxFrames + 8];
  const int n = backtrace(raw, kMaxFrames + 8);
  void* const pc = reinterpret_cast<void*>(context->uc_mcontext.gregs[REG_RIP]);
  for (int i = 0; i < n; ++i) {
    if (raw[i] != pc) continue;
    const int depth = std::min(n - i, kMaxFrames);
    memcpy(slot.frames, raw + i, depth * sizeof(void*));
    return depth;
  }
  // The fallback when the unwinder cannot find the interrupted frame: the
  // frame-pointer chain from the interrupted registers.
  const auto* regs = context->uc_mcontext.gregs;
  return WalkFramePointers(regs[REG_RIP], regs[REG_RBP], regs[REG_RSP],
                           slot.frames, kMaxFrames);
#else
  return 0;
#endif
}

void OnSample(int, siginfo_t*, void* context) {
  const int saved = errno;
  int expected = kRequested;
  if (slot.target.load(std::memory_order_relaxed) !=
          static_cast<pid_t>(syscall(SYS_gettid)) ||
      !slot.state.compare_exchange_strong(expected, kWriting,
                                          std::memory_order_acquire)) {
    errno = saved;
    return;
  }
  slot.depth = CaptureFrames(static_cast<const ucontext_t*>(context));
  ThreadState* thread = ThreadState::GetIfExists();
  RawGreenlet* current = thread != nullptr ? thread->current() : nullptr;
  Hub* hub = Hub::CurrentIfExists();
  if (current == nullptr) {
    CopyName("unknown", 7);
  } else if (current->is_main()) {
    CopyName("main greenlet", 13);
  } else if (hub != nullptr && current == HubAccess::greenlet(hub)) {
    CopyName("hub", 3);
  } else if (current->name().empty()) {
    CopyName("unnamed greenlet", 16);
  } else {
    CopyName(current->name().data(), current->name().size());
  }
  slot.activity = hub != nullptr && HubAccess::registry_entry(hub) != nullptr
                      ? HubAccess::registry_entry(hub)->activity.load(
                            std::memory_order_relaxed)
                      : 0;
  slot.state.store(kDone, std::memory_order_release);
  errno = saved;
}

}  // namespace

bool InstallSampler(int signal) {
  UninstallSampler();
  void* warm_up[1];
  backtrace(warm_up, 1);  // loads libgcc's unwinder outside signal context
  struct sigaction action = {};
  action.sa_sigaction = &OnSample;
  action.sa_flags = SA_SIGINFO | SA_RESTART;
  sigfillset(&action.sa_mask);
  if (sigaction(signal, &action, &previous_action) != 0) return false;
  installed_signal = signal;
  return true;
}

void UninstallSampler() {
  if (installed_signal == 0) return;
  sigaction(installed_signal, &previous_action, nullptr);
  installed_signal = 0;
}

bool SampleThread(pid_t thread_id, absl::Duration timeout,
                  ThreadSample* sample) {
  if (installed_signal == 0) return false;
  slot.target.store(thread_id, std::memory_order_relaxed);
  slot.state.store(kRequested, std::memory_order_release);
  if (syscall(SYS_tgkill, getpid(), thread_id, installed_signal) != 0) {
    slot.state.store(kIdle, std::memory_order_relaxed);
    return false;
  }
  const absl::Time deadline = absl::Now() + timeout;
  for (;;) {
    const int state = slot.state.load(std::memory_order_acquire);
    if (state == kDone) break;
    if (state == kRequested && absl::Now() >= deadline) {
      int expected = kRequested;
      // Withdraw the request; if the handler just took it, let it finish.
      if (slot.state.compare_exchange_strong(expected, kIdle)) return false;
    }
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  sample->greenlet = slot.greenlet;
  sample->hub_activity = slot.activity;
  sample->frames.assign(slot.frames, slot.frames + slot.depth);
  slot.state.store(kIdle, std::memory_order_relaxed);
  return true;
}

}  // namespace evergreen::internal
