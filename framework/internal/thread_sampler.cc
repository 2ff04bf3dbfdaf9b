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

#include "absl/debugging/internal/address_is_readable.h"
#include "absl/debugging/symbolize.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "framework/hub.h"
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

// The fallback when the unwinder cannot find the interrupted frame: the
// interrupted pc, then the return addresses along the frame-pointer chain
// from the interrupted rbp (Evergreen is built with frame pointers). Every
// read is checked first: a bogus rbp ends the walk, it never faults.
int WalkFrames(const ucontext_t* context, void** frames, int max_frames) {
#if defined(__x86_64__)
  const auto* regs = context->uc_mcontext.gregs;
  const auto sp = static_cast<std::uintptr_t>(regs[REG_RSP]);
  auto fp = static_cast<std::uintptr_t>(regs[REG_RBP]);
  int depth = 0;
  frames[depth++] = reinterpret_cast<void*>(regs[REG_RIP]);
  constexpr std::uintptr_t kMaxFrameBytes = 1 << 20;
  while (depth < max_frames) {
    if (fp < sp || (fp & (sizeof(void*) - 1)) != 0) break;
    auto* words = reinterpret_cast<std::uintptr_t*>(fp);
    if (!absl::debugging_internal::AddressIsReadable(words) ||
        !absl::debugging_internal::AddressIsReadable(words + 1)) {
      break;
    }
    const std::uintptr_t next = words[0];
    const std::uintptr_t ret = words[1];
    if (ret == 0) break;
    frames[depth++] = reinterpret_cast<void*>(ret);
    if (next <= fp || next - fp > kMaxFrameBytes) break;
    fp = next;
  }
  return depth;
#else
  (void)context;
  (void)frames;
  (void)max_frames;
  return 0;
#endif
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
#endif
  return WalkFrames(context, slot.frames, kMaxFrames);
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
  } else if (hub != nullptr && current == hub->greenlet()) {
    CopyName("hub", 3);
  } else if (current->name().empty()) {
    CopyName("unnamed greenlet", 16);
  } else {
    CopyName(current->name().data(), current->name().size());
  }
  slot.activity =
      hub != nullptr && hub->registry_entry() != nullptr
          ? hub->registry_entry()->activity.load(std::memory_order_relaxed)
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

std::vector<std::string> SymbolizeFrames(const std::vector<void*>& frames) {
  std::vector<std::string> out;
  out.reserve(frames.size());
  char name[1024];
  for (std::size_t i = 0; i < frames.size(); ++i) {
    // Frames past the first are return addresses: look up the call.
    char* pc = static_cast<char*>(frames[i]) - (i == 0 ? 0 : 1);
    if (absl::Symbolize(pc, name, sizeof name)) {
      out.push_back(name);
    } else {
      out.push_back(absl::StrFormat("%p", frames[i]));
    }
  }
  return out;
}

}  // namespace evergreen::internal
