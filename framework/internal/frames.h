// Stack frames for the debugging tools (blocking monitor, live dump):
// a checked frame-pointer walk and symbolisation.
#ifndef EVERGREEN_FRAMEWORK_INTERNAL_FRAMES_H_
#define EVERGREEN_FRAMEWORK_INTERNAL_FRAMES_H_

#include <cstdint>
#include <string>
#include <vector>

namespace evergreen {
class RawGreenlet;

namespace internal {

// Writes `pc`, then the return addresses along the frame-pointer chain
// starting at `fp`, into frames[0..max); returns the count. Every frame
// must lie at or above `low` (the stack pointer) and above the previous
// one; each read is checked for readability first, so a bogus chain ends
// the walk rather than faulting. Async-signal-safe.
int WalkFramePointers(std::uintptr_t pc, std::uintptr_t fp, std::uintptr_t low,
                      void** frames, int max_frames);

// The frames of a suspended greenlet (not the running one), innermost
// first, read from where its switch saved its registers. Empty where the
// saved-register layout is unknown (non-x86-64). Its thread only.
std::vector<void*> SuspendedFrames(const RawGreenlet& greenlet);

// "function" names for `frames` (the address when unknown). Frames past
// the first are taken as return addresses (the call is looked up). Any
// thread (calls are serialised).
std::vector<std::string> SymbolizeFrames(const std::vector<void*>& frames);

}  // namespace internal
}  // namespace evergreen

#endif  // EVERGREEN_FRAMEWORK_INTERNAL_FRAMES_H_
