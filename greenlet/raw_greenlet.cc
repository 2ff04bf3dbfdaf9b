#include "greenlet/raw_greenlet.h"

#include <cstdio>
#include <utility>

#include "absl/strings/str_cat.h"
#include "greenlet/internal/thread_state.h"

namespace evergreen {

using internal::ThreadState;

RawGreenlet::RawGreenlet(Body body, Options options)
    : body_(std::move(body)),
      thread_(ThreadState::Get()),
      parent_(options.parent != nullptr ? options.parent : thread_->current()),
      stack_size_(options.stack_size) {
  // Moving even an empty short string calls memcpy: most greenlets have no
  // name, and spawning is a hot path.
  if (!options.name.empty()) name_ = std::move(options.name);
}

RawGreenlet::RawGreenlet(MainTag, ThreadState* thread)
    : thread_(thread),
      parent_(nullptr),
      stack_size_(0),
      name_("main"),
      started_(true),
      is_main_(true) {
  internal::OnMainContext(&sanitizer_);
}

RawGreenlet::~RawGreenlet() {
  if (active() && !is_main_) {
    if (ThreadState::GetIfExists() != thread_) {
      std::fprintf(stderr,
                   "evergreen: RawGreenlet '%s' destroyed on another thread "
                   "while suspended; it cannot be unwound\n",
                   name_.c_str());
      std::abort();
    }
    if (thread_->current() == this) {
      std::fprintf(stderr,
                   "evergreen: RawGreenlet '%s' destroyed while running\n",
                   name_.c_str());
      std::abort();
    }
    parent_ = thread_->current();
    try {
      Throw(GreenletExit());
    } catch (const std::exception& e) {
      std::fprintf(stderr,
                   "evergreen: RawGreenlet '%s' raised while being unwound: "
                   "%s\n",
                   name_.c_str(), e.what());
    } catch (...) {
      std::fprintf(stderr,
                   "evergreen: RawGreenlet '%s' raised a non-standard "
                   "exception while being unwound\n",
                   name_.c_str());
    }
    if (!dead_) {
      std::fprintf(stderr,
                   "evergreen: RawGreenlet '%s' survived its unwinding; its "
                   "stack is leaked\n",
                   name_.c_str());
      (void)new Stack(std::move(stack_));
      return;
    }
  }
  internal::OnContextRetired(&sanitizer_);
}

absl::Status RawGreenlet::SetParent(RawGreenlet* parent) {
  if (parent == nullptr) {
    return absl::InvalidArgumentError("greenlet parent must not be null");
  }
  if (parent->thread_ != thread_) {
    return absl::FailedPreconditionError(absl::StrCat(
        "greenlet '", name_, "': parent '", parent->name_,
        "' belongs to another thread"));
  }
  for (RawGreenlet* p = parent; p != nullptr; p = p->parent_) {
    if (p == this) {
      return absl::InvalidArgumentError(absl::StrCat(
          "greenlet '", name_, "': parent '", parent->name_,
          "' would make the parent chain cyclic"));
    }
  }
  parent_ = parent;
  return absl::OkStatus();
}

void RawGreenlet::FailSwitch(const char* what) const {
  if (ThreadState::GetIfExists() != thread_) {
    throw GreenletError(absl::StrCat("cannot ", what, " greenlet '", name_,
                                     "': it belongs to another thread"));
  }
  throw GreenletError(
      absl::StrCat("cannot ", what, " greenlet '", name_, "': it is dead"));
}

void* RawGreenlet::Throw(std::exception_ptr error) {
  if (ThreadState::GetIfExists() != thread_ || dead_) FailSwitch("throw into");
  pending_throw_ = std::move(error);
  RawGreenlet* self = thread_->current();
  if (self == this) {
    std::exception_ptr e = std::exchange(pending_throw_, nullptr);
    std::rethrow_exception(e);
  }
  thread_->transfer_value = nullptr;
  return ResumeFrom(self);
}

absl::Status RawGreenlet::Prepare() {
  if (ThreadState::GetIfExists() != thread_) {
    return absl::FailedPreconditionError(absl::StrCat(
        "cannot prepare greenlet '", name_, "': it belongs to another thread"));
  }
  if (started_) return absl::OkStatus();
  return TryStartContext();
}

void RawGreenlet::StartContext() {
  absl::Status started = TryStartContext();
  if (!started.ok()) {
    throw GreenletError(absl::StrCat("cannot start greenlet '", name_,
                                     "': ", started.message()));
  }
}

absl::Status RawGreenlet::TryStartContext() {
  absl::StatusOr<Stack> stack = thread_->stack_pool().Acquire(stack_size_);
  if (!stack.ok()) return stack.status();
  stack_ = *std::move(stack);
  internal::OnStackAssigned(&sanitizer_, stack_.bottom(), stack_.size());
  context_ = internal::MakeContext(stack_.top(), stack_.size(), &Entry);
  exception_state_ = internal::ExceptionState();
  started_ = true;
  return absl::OkStatus();
}

void RawGreenlet::ArriveBookkeeping(internal::ContextTransfer transfer) {
  auto* from = static_cast<RawGreenlet*>(transfer.data);
  from->context_ = transfer.fctx;
  internal::AfterSwitch(&sanitizer_, &from->sanitizer_);
  internal::RestoreExceptionState(exception_state_,
                                  thread_->exception_globals());
  if (from->dead_ && from->stack_.valid()) from->ReclaimStack();
}

void RawGreenlet::ReclaimStack() {
  // Its last jump has left the stack for good; reuse it.
  context_ = nullptr;
  internal::OnContextRetired(&sanitizer_);
  thread_->stack_pool().Release(std::move(stack_));
}

void RawGreenlet::ArriveSlow(RawGreenlet* from) {
  if (from->dead_ && from->stack_.valid()) from->ReclaimStack();
  if (pending_throw_ != nullptr) {
    std::rethrow_exception(std::exchange(pending_throw_, nullptr));
  }
}

void RawGreenlet::RunBody() {
  void* result = nullptr;
  std::exception_ptr error;
  try {
    if (pending_throw_ != nullptr) {
      std::rethrow_exception(std::exchange(pending_throw_, nullptr));
    }
    result = body_(thread_->transfer_value);
  } catch (const GreenletExit&) {
    result = nullptr;
  } catch (...) {
    error = std::current_exception();
  }
  try {
    body_ = nullptr;  // Captures die on this stack, while it still runs.
  } catch (...) {
    if (error == nullptr) error = std::current_exception();
  }
  dead_ = true;
  // Control goes to the first live parent; one that never started starts
  // now with our result as its first value.
  RawGreenlet* parent = parent_;
  while (parent->dead_ || !parent->started_) {
    if (!parent->dead_) {
      try {
        parent->StartContext();
        break;
      } catch (...) {
        error = std::current_exception();
      }
    }
    parent = parent->parent_;
  }
  parent->pending_throw_ = std::move(error);
  thread_->transfer_value = result;
  thread_->set_current(parent);
}

void RawGreenlet::Entry(internal::ContextTransfer transfer) {
  RawGreenlet* self = ThreadState::GetIfExists()->current();
  self->ArriveBookkeeping(transfer);
  self->RunBody();
  // Only trivially destructible locals from here: this frame is abandoned.
  RawGreenlet* parent = self->thread_->current();
  internal::BeforeSwitch(&self->sanitizer_, &parent->sanitizer_,
                         /*leaving_for_good=*/true);
  internal::JumpContext(parent->context_, self);
  __builtin_unreachable();
}

}  // namespace evergreen
