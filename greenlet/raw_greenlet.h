// RawGreenlet: a stackful coroutine with explicit switches, the substrate
// under every Evergreen task.
//
// This is the C++ counterpart of Python's `greenlet.greenlet`. Users of
// Evergreen normally want `evergreen::Greenlet` (framework/greenlet.h), the
// hub-scheduled task; RawGreenlet is what it is built from, with no
// scheduler: control moves only where a Switch() sends it.
//
//   evergreen::RawGreenlet child([](void* arg) -> void* {
//     int* n = static_cast<int*>(arg);
//     *n += 1;
//     // Back to whoever switched here; the main greenlet receives `n`.
//     void* again = evergreen::RawGreenlet::Main()->Switch(n);
//     return again;  // returning switches to the parent
//   });
//   int n = 41;
//   child.Switch(&n);         // runs the body; returns n == 42's address
//   child.Switch(nullptr);    // body returns; child is dead
//
// Semantics (as Python's greenlet):
//  - A new greenlet is not started. The first Switch(value) calls the body
//    with `value`; later ones make the pending Switch() inside it return
//    `value`.
//  - Returning from the body makes the greenlet dead and switches to its
//    parent (the first parent in the chain that is not dead), which receives
//    the return value. An exception escaping the body is re-raised in that
//    parent at its switch point instead; a GreenletExit escaping the body
//    counts as returning nullptr.
//  - The parent is the greenlet current when this one was constructed,
//    unless given; the implicit main greenlet of each thread never dies.
//
// Thread affinity: a RawGreenlet belongs to the thread that constructed it.
// Switching to it, throwing into it and destroying it while suspended must
// happen there; another thread's attempt throws GreenletError. Greenlets
// must be destroyed before their thread exits.
//
// Lifetime: a greenlet must outlive every greenlet whose parent it is (or
// they must be re-parented first).
//
// Cost: a switch allocates nothing and makes no system call. A greenlet's
// stack is taken from the thread's StackPool when it starts and returned to
// it when it dies (ThisThreadStackPool(), below: its limits are settable).
#ifndef EVERGREEN_GREENLET_RAW_GREENLET_H_
#define EVERGREEN_GREENLET_RAW_GREENLET_H_

#include <cstddef>
#include <cstdint>
#include <exception>
#include <string>
#include <utility>

#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "greenlet/errors.h"
#include "greenlet/internal/context.h"
#include "greenlet/internal/exception_state.h"
#include "greenlet/internal/sanitizer.h"
#include "greenlet/internal/thread_state.h"
#include "greenlet/stack.h"
#include "greenlet/stack_pool.h"

namespace evergreen {
namespace internal {
class ThreadState;
}  // namespace internal

class RawGreenlet {
 public:
  // The body receives the value of the first Switch() and returns the value
  // its parent receives.
  using Body = absl::AnyInvocable<void*(void*)>;

  struct Options {
    // nullptr: the greenlet current at construction.
    RawGreenlet* parent = nullptr;
    // Usable stack bytes (rounded up to pages, at least kMinStackSize).
    std::size_t stack_size = kDefaultStackSize;
    // Shown in stack-overflow reports and debugging output.
    std::string name;
  };

  explicit RawGreenlet(Body body) : RawGreenlet(std::move(body), Options()) {}
  RawGreenlet(Body body, Options options);

  // A suspended greenlet is unwound first: GreenletExit is thrown at its
  // switch point (its destructors run) with the destroying greenlet as its
  // parent, so control comes straight back here. An exception other than
  // GreenletExit escaping that unwinding is reported on stderr and dropped
  // (destructors must not throw). A greenlet that survives the unwinding
  // (it switched away instead of dying) is reported and its stack is leaked
  // rather than reused while live.
  // REQUIRES: not the current greenlet; on the owning thread if suspended.
  ~RawGreenlet();

  RawGreenlet(const RawGreenlet&) = delete;
  RawGreenlet& operator=(const RawGreenlet&) = delete;

  // Suspends the current greenlet and runs this one, handing it `value`.
  // Returns the value of whichever switch resumes the caller, or re-raises
  // the exception a finishing child greenlet passed up.
  // Switching to the current greenlet returns `value` at once.
  // Throws GreenletError: this greenlet is dead, or belongs to another
  // thread; its stack could not be allocated (ResourceExhausted text).
  void* Switch(void* value = nullptr);

  // Raises `error` inside this greenlet at its switch point and runs it.
  // A greenlet that has not started dies without running its body (the
  // error then travels to its parent as if the body had thrown it).
  // Returns as Switch() does. Throws GreenletError as Switch() does.
  void* Throw(std::exception_ptr error);
  template <typename E>
  void* Throw(E error) {
    return Throw(std::make_exception_ptr(std::move(error)));
  }

  // Takes the stack of a greenlet that has not started, as its first
  // Switch() would, so that switching to it next cannot fail for want of
  // one; started() is true from then on. OK when already started.
  // Errors: ResourceExhausted (the stack pool's message) when no stack
  // could be had; FailedPrecondition on another thread.
  absl::Status Prepare();

  // Started: the body has begun running (or it died before starting).
  bool started() const { return started_; }
  // Dead: the body has finished, by returning or by an exception.
  bool dead() const { return dead_; }
  // Started and not dead: running, or suspended in a Switch().
  bool active() const { return started_ && !dead_; }
  bool is_main() const { return is_main_; }

  RawGreenlet* parent() const { return parent_; }
  // Errors: InvalidArgument when `parent` is null or would make the parent
  // chain cyclic; FailedPrecondition when it belongs to another thread.
  absl::Status SetParent(RawGreenlet* parent);

  const std::string& name() const { return name_; }
  void set_name(std::string name) { name_ = std::move(name); }

  // One pointer for the layer above (the framework's task owning this
  // greenlet); nullptr by default.
  void* user_data() const { return user_data_; }
  void set_user_data(void* data) { user_data_ = data; }

  // The framework's current deadline for code running in this greenlet
  // (framework/deadline.h); InfiniteFuture by default, including for a new
  // greenlet. The raw layer only stores it.
  absl::Time deadline() const { return deadline_; }
  void set_deadline(absl::Time deadline) { deadline_ = deadline; }
  // When the framework's last wait in this greenlet began (nanoseconds of
  // CLOCK_MONOTONIC_COARSE; the framework records the start of the slice
  // in which the wait began, see Hub::WaitStartNanos); 0 before any. The live dump says from it how
  // long a greenlet has waited. The raw layer only stores it.
  std::int64_t waiting_since() const { return waiting_since_; }
  void set_waiting_since(std::int64_t nanos) { waiting_since_ = nanos; }
  // Where a suspended greenlet's registers are saved (for debugging tools
  // that walk its stack, such as the live dump); meaningless otherwise.
  internal::MachineContext saved_context() const { return context_; }

  // The usable stack of a started, live greenlet, or nullptr.
  const Stack* stack() const { return stack_.valid() ? &stack_ : nullptr; }

  // The greenlet running on the calling thread (the thread's main greenlet
  // when no other runs). Creates the thread's greenlet state on first use.
  static RawGreenlet* Current() {
    return internal::ThreadState::Get()->current();
  }
  // The calling thread's implicit main greenlet.
  static RawGreenlet* Main() { return internal::ThreadState::Get()->main(); }

 private:
  friend class internal::ThreadState;
  struct MainTag {};
  RawGreenlet(MainTag, internal::ThreadState* thread);

  static void Entry(internal::ContextTransfer transfer);
  void RunBody();
  // Throws the GreenletError explaining why `what` is refused (cold path).
  [[noreturn, gnu::noinline, gnu::cold]] void FailSwitch(
      const char* what) const;
  void StartContext();
  absl::Status TryStartContext();
  // Suspends the running greenlet `self` and resumes this one.
  void* ResumeFrom(RawGreenlet* self);
  // Bookkeeping on the arriving side of a jump.
  void ArriveBookkeeping(internal::ContextTransfer transfer);
  // The rare arrivals: `from` just died, or an exception is pending here.
  [[gnu::noinline]] void ArriveSlow(RawGreenlet* from);
  // Returns the stack of this dead greenlet to the pool.
  void ReclaimStack();

  Body body_;
  internal::ThreadState* thread_;
  RawGreenlet* parent_;
  internal::MachineContext context_ = nullptr;
  Stack stack_;
  std::size_t stack_size_;
  std::exception_ptr pending_throw_;
  internal::ExceptionState exception_state_;
  internal::SanitizerState sanitizer_;
  std::string name_;
  void* user_data_ = nullptr;
  absl::Time deadline_ = absl::InfiniteFuture();
  std::int64_t waiting_since_ = 0;
  bool started_ = false;
  bool dead_ = false;
  bool is_main_ = false;
};

// The calling thread's stack pool, where its greenlets' stacks come from
// and go back to (created on the thread's first greenlet operation). Set
// its limits or Trim() it to bound the memory a burst leaves behind
// (greenlet/stack_pool.h). Thread affinity: the calling thread only.
StackPool& ThisThreadStackPool();

// The switch fast path is inline: one TLS load, two checks, the jump.
inline void* RawGreenlet::Switch(void* value) {
  internal::ThreadState* thread = internal::ThreadState::GetIfExists();
  if (thread != thread_ || dead_) [[unlikely]] FailSwitch("switch to");
  RawGreenlet* self = thread->current();
  if (self == this) [[unlikely]] return value;
  thread->transfer_value = value;
  return ResumeFrom(self);
}

inline void* RawGreenlet::ResumeFrom(RawGreenlet* self) {
  if (!started_) [[unlikely]] StartContext();
  internal::ExceptionState* globals = thread_->exception_globals();
  internal::SaveExceptionState(globals, &self->exception_state_);
  thread_->set_current(this);
  internal::BeforeSwitch(&self->sanitizer_, &sanitizer_,
                         /*leaving_for_good=*/false);
  internal::ContextTransfer transfer = internal::JumpContext(context_, self);
  // Resumed: `this` may be gone by now; only `self` is ours.
  auto* from = static_cast<RawGreenlet*>(transfer.data);
  from->context_ = transfer.fctx;
  internal::AfterSwitch(&self->sanitizer_, &from->sanitizer_);
  internal::RestoreExceptionState(self->exception_state_, globals);
  if (from->dead_ || self->pending_throw_ != nullptr) [[unlikely]] {
    self->ArriveSlow(from);
  }
  return self->thread_->transfer_value;
}

}  // namespace evergreen

#endif  // EVERGREEN_GREENLET_RAW_GREENLET_H_
