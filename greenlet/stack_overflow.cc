#include "greenlet/stack_overflow.h"

#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <mutex>

#include "greenlet/internal/thread_state.h"
#include "greenlet/raw_greenlet.h"

namespace evergreen::internal {
namespace {

struct sigaction previous_segv_action;

void WriteAll(const char* text, std::size_t n) {
  while (n > 0) {
    const ssize_t w = write(STDERR_FILENO, text, n);
    if (w <= 0) return;
    text += w;
    n -= static_cast<std::size_t>(w);
  }
}

void WriteString(const char* text) { WriteAll(text, std::strlen(text)); }

void WriteNumber(std::size_t n) {
  char digits[32];
  int i = 0;
  do {
    digits[i++] = static_cast<char>('0' + n % 10);
    n /= 10;
  } while (n != 0);
  char out[32];
  for (int j = 0; j < i; ++j) out[j] = digits[i - 1 - j];
  WriteAll(out, static_cast<std::size_t>(i));
}

// Hands a fault that is not ours to whoever handled SIGSEGV before us.
void Forward(int sig, siginfo_t* info, void* context) {
  const struct sigaction& prev = previous_segv_action;
  if ((prev.sa_flags & SA_SIGINFO) != 0 && prev.sa_sigaction != nullptr) {
    prev.sa_sigaction(sig, info, context);
    return;
  }
  if (prev.sa_handler != SIG_DFL && prev.sa_handler != SIG_IGN) {
    prev.sa_handler(sig);
    return;
  }
  // Default action: return with SIG_DFL in place, so that the faulting
  // instruction runs again and the kernel delivers the real crash.
  signal(SIGSEGV, SIG_DFL);
}

void OnSegv(int sig, siginfo_t* info, void* context) {
  ThreadState* state = ThreadState::GetIfExists();
  const RawGreenlet* current =
      state != nullptr ? state->current() : nullptr;
  const Stack* stack = current != nullptr ? current->stack() : nullptr;
  const auto address = reinterpret_cast<std::uintptr_t>(info->si_addr);
  if (stack == nullptr || !stack->IsOverflowAddress(address)) {
    Forward(sig, info, context);
    return;
  }
  WriteString("evergreen: greenlet stack overflow in greenlet '");
  WriteString(current->name().empty() ? "<unnamed>" : current->name().c_str());
  WriteString("' (stack of ");
  WriteNumber(stack->size());
  WriteString(" bytes; give it a larger RawGreenlet::Options::stack_size)\n");
  signal(SIGSEGV, SIG_DFL);  // the retried access now kills the process
}

}  // namespace

void InstallStackOverflowHandler() {
  static std::once_flag once;
  std::call_once(once, [] {
    struct sigaction action;
    std::memset(&action, 0, sizeof(action));
    action.sa_sigaction = OnSegv;
    action.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigemptyset(&action.sa_mask);
    sigaction(SIGSEGV, &action, &previous_segv_action);
  });
}

SignalStack::SignalStack() {
  stack_t current;
  if (sigaltstack(nullptr, &current) == 0 && (current.ss_flags & SS_DISABLE) == 0 &&
      current.ss_size >= static_cast<std::size_t>(SIGSTKSZ)) {
    return;  // The thread already has one (a sanitizer's, say): keep it.
  }
  size_ = 64 * 1024;
  memory_ = mmap(nullptr, size_, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (memory_ == MAP_FAILED) {
    memory_ = nullptr;
    return;
  }
  stack_t alt;
  alt.ss_sp = memory_;
  alt.ss_size = size_;
  alt.ss_flags = 0;
  installed_ = sigaltstack(&alt, nullptr) == 0;
}

SignalStack::~SignalStack() {
  if (installed_) {
    stack_t disable;
    std::memset(&disable, 0, sizeof(disable));
    disable.ss_flags = SS_DISABLE;
    sigaltstack(&disable, nullptr);
  }
  if (memory_ != nullptr) munmap(memory_, size_);
}

}  // namespace evergreen::internal
