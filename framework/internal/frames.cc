#include "framework/internal/frames.h"

#include <mutex>

#include "absl/debugging/internal/address_is_readable.h"
#include "absl/debugging/symbolize.h"
#include "absl/strings/str_format.h"
#include "greenlet/raw_greenlet.h"

namespace evergreen::internal {

int WalkFramePointers(std::uintptr_t pc, std::uintptr_t fp, std::uintptr_t low,
                      void** frames, int max_frames) {
  if (max_frames <= 0) return 0;
  int depth = 0;
  frames[depth++] = reinterpret_cast<void*>(pc);
  constexpr std::uintptr_t kMaxFrameBytes = 1 << 20;
  while (depth < max_frames) {
    if (fp < low || (fp & (sizeof(void*) - 1)) != 0) break;
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
}

std::vector<void*> SuspendedFrames(const RawGreenlet& greenlet) {
  std::vector<void*> frames;
#if defined(__x86_64__)
  if (!greenlet.active() || greenlet.saved_context() == nullptr ||
      &greenlet == RawGreenlet::Current()) {
    return frames;
  }
  // Boost.Context's jump_fcontext (x86-64 SysV) saves, at the context
  // pointer: mxcsr/x87 control words, r12, r13, r14, r15, rbx, rbp, and
  // above them the return address of the call into jump_fcontext.
  const auto* saved = static_cast<const std::uintptr_t*>(
      static_cast<const void*>(greenlet.saved_context()));
  if (!absl::debugging_internal::AddressIsReadable(saved + 7)) return frames;
  constexpr int kMaxFrames = 32;
  frames.resize(kMaxFrames);
  frames.resize(WalkFramePointers(saved[7], saved[6],
                                  reinterpret_cast<std::uintptr_t>(saved),
                                  frames.data(), kMaxFrames));
#endif
  return frames;
}

std::vector<std::string> SymbolizeFrames(const std::vector<void*>& frames) {
  // Hubs dump themselves in parallel, and the monitor thread symbolises
  // too. absl::Symbolize shares its caches process-wide, and whatever
  // guards them inside Debian's uninstrumented library, ThreadSanitizer
  // reported two hubs' dumps as a race there: the calls are rare, so
  // they are serialised.
  static std::mutex* const symbolize_mu = new std::mutex();
  std::lock_guard<std::mutex> lock(*symbolize_mu);
  std::vector<std::string> out;
  out.reserve(frames.size());
  char name[1024];
  for (std::size_t i = 0; i < frames.size(); ++i) {
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
