#include "greenlet/internal/thread_state.h"

#include <memory>

#include "greenlet/raw_greenlet.h"

namespace evergreen::internal {
namespace {

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
      stack_pool_(StackPoolLimits{}),
      main_(new RawGreenlet(RawGreenlet::MainTag(), this)) {
  current_ = main_.get();
}

ThreadState::~ThreadState() {
  current_thread_state = nullptr;
}

}  // namespace evergreen::internal

namespace evergreen {

StackPool& ThisThreadStackPool() {
  return internal::ThreadState::Get()->stack_pool();
}

}  // namespace evergreen
