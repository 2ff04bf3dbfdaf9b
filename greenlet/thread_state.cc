#include "greenlet/internal/thread_state.h"

#include <memory>

#include "greenlet/raw_greenlet.h"

namespace evergreen::internal {
namespace {

// Stacks kept per thread for reuse. Enough for the churn of a busy server;
// beyond it released stacks are unmapped.
constexpr std::size_t kMaxCachedStacks = 1024;

// Owns the thread's state; its destructor runs at thread exit.
thread_local std::unique_ptr<ThreadState> owned_thread_state;

}  // namespace

ThreadState* ThreadState::Create() {
  InstallStackOverflowHandler();
  owned_thread_state.reset(new ThreadState());
  current_thread_state = owned_thread_state.get();
  return current_thread_state;
}

ThreadState::ThreadState()
    : exception_globals_(ThreadExceptionGlobals()),
      stack_pool_(kMaxCachedStacks),
      main_(new RawGreenlet(RawGreenlet::MainTag(), this)) {
  current_ = main_.get();
}

ThreadState::~ThreadState() {
  current_thread_state = nullptr;
}

}  // namespace evergreen::internal
