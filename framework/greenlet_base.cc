#include "framework/greenlet_base.h"

#include <cstddef>
#include <utility>

#include "absl/strings/str_cat.h"
#include "framework/errors.h"
#include "framework/internal/hub_access.h"
#include "framework/internal/ref_ptr.h"

namespace evergreen {
namespace {

bool IsGreenletExit(const std::exception_ptr& error) {
  try {
    std::rethrow_exception(error);
  } catch (const GreenletExit&) {
    return true;
  } catch (...) {
    return false;
  }
}

}  // namespace

GreenletBase::GreenletBase(GreenletOptions&& options)
    : hub_(Hub::Current()),
      // The name is set below, and only if there is one: moving even an
      // empty string costs a memcpy call (spawn is a hot path).
      raw_([this](void*) -> void* { return Trampoline(); },
           RawGreenlet::Options{.parent = internal::HubAccess::greenlet(hub_),
                                .stack_size = options.stack_size}),
      start_node_(this),
      kill_node_(this),
      release_node_(this) {
  if (!options.name.empty()) raw_.set_name(std::move(options.name));
  raw_.set_user_data(this);
  start_timer_.owner = this;
  ev_timer_init(&start_timer_.watcher, &GreenletBase::OnStartTimer, 0.0, 0.0);
}

GreenletBase::~GreenletBase() {
  if (ev_is_active(&start_timer_.watcher)) {
    ev_timer_stop(hub_->loop(), &start_timer_.watcher);
    internal::HubAccess::CountWatcher(hub_, -1);
  }
  auto callbacks = std::move(callbacks_);
  callbacks_.clear();
  for (auto& [id, link] : callbacks) link->Cancel(*this);
}

void GreenletBase::Start() {
  hub_->CheckThread("Greenlet::Start");
  if (start_requested_ || dead_) return;
  start_requested_ = true;
  AddRef();
  holds_self_ref_ = true;
  Track(internal::HubAccess::tracked_head(hub_),
        internal::HubAccess::greenlet_count(hub_));
  internal::HubAccess::Schedule(hub_, &start_node_);
}

void GreenletBase::StartLater(absl::Duration delay) {
  hub_->CheckThread("Greenlet::StartLater");
  if (start_requested_ || dead_) return;
  start_requested_ = true;
  AddRef();
  holds_self_ref_ = true;
  Track(internal::HubAccess::tracked_head(hub_),
        internal::HubAccess::greenlet_count(hub_));
  ev_timer_set(&start_timer_.watcher,
               std::max(0.0, absl::ToDoubleSeconds(delay)), 0.0);
  hub_->RefreshLoopTime();  // count from the call, not the last poll
  ev_timer_start(hub_->loop(), &start_timer_.watcher);
  internal::HubAccess::CountWatcher(hub_, 1);
}

void GreenletBase::OnStartTimer(struct ev_loop*, ev_timer* timer, int) {
  GreenletBase* self = reinterpret_cast<StartTimer*>(timer)->owner;
  // A one-shot timer stops as it fires.
  internal::HubAccess::CountWatcher(self->hub_, -1);
  internal::HubAccess::Schedule(self->hub_, &self->start_node_);
}

void GreenletBase::RunStart(bool discard) {
  if (discard || dead_) return;
  raw_.Switch();
}

void GreenletBase::RunKill(bool discard) {
  if (discard || dead_) return;
  raw_.Throw(std::exchange(pending_kill_, nullptr));
}

void GreenletBase::RunRelease(bool) {
  if (holds_self_ref_) {
    holds_self_ref_ = false;
    Release();  // may delete this
  }
}

void GreenletBase::ReleaseLast() {
  if (refs_ == 0) {
    delete this;
  } else if (holds_self_ref_ && raw_.dead() && callbacks_.empty() &&
             RawGreenlet::Current() != &raw_) {
    // Only the greenlet's own reference is left, it is past its last
    // switch, and no link callback is still to run (a scheduled one would
    // be cancelled by the destructor): its release node need not wait for
    // its turn.
    holds_self_ref_ = false;
    delete this;  // unlinks the scheduled release node
  }
}

void* GreenletBase::Trampoline() {
  std::exception_ptr error;
  bool killed = false;
  try {
    RunBody();
  } catch (const GreenletExit&) {
    killed = true;
  } catch (...) {
    error = std::current_exception();
  }
  DropBody();
  Finish(std::move(error), killed);
  // Dying, this greenlet switches to its raw parent, the hub; or straight
  // to the greenlet the hub would resume next (a hand-off: its joiner).
  if (RawGreenlet* next = internal::HubAccess::HandOffAtExit(hub_)) {
    (void)raw_.SetParent(next);
  }
  return nullptr;
}

void GreenletBase::Finish(std::exception_ptr error, bool killed) {
  dead_ = true;
  killed_ = killed;
  error_ = std::move(error);
  Untrack();
  if (ev_is_active(&start_timer_.watcher)) {
    ev_timer_stop(hub_->loop(), &start_timer_.watcher);
    internal::HubAccess::CountWatcher(hub_, -1);
  }
  start_node_.Unlink();
  kill_node_.Unlink();
  // Someone is watching (a join, a link) when links exist: the error is
  // theirs to handle. Otherwise it is reported, once. (Asked only of a
  // failure: a walk of the links with a virtual call each.)
  const bool collected = error_ != nullptr && has_collecting_links();
  NotifyLinks();
  if (error_ != nullptr && !collected && !hub_->destroying()) {
    hub_->HandleError(
        name().empty() ? "greenlet" : "greenlet '" + name() + "'", error_);
  }
  if (!holds_self_ref_) {
    AddRef();
    holds_self_ref_ = true;
  }
  // After the links, after the last switch.
  internal::HubAccess::Schedule(hub_, &release_node_);
}

void GreenletBase::KillNotStarted(std::exception_ptr error) {
  DropBody();
  const bool killed = IsGreenletExit(error);
  Finish(killed ? nullptr : std::move(error), killed);
}

bool GreenletBase::Join(absl::Duration timeout) {
  hub_->CheckThread("Greenlet::Join");
  if (dead_) return true;
  if (RawGreenlet::Current() == &raw_) {
    throw GreenletError("a greenlet cannot join itself");
  }
  internal::WaitForLinkable(*this, timeout);
  return dead_;
}

absl::Status GreenletBase::Kill(std::exception_ptr error, bool block,
                                absl::Duration timeout) {
  hub_->CheckThread("Greenlet::Kill");
  if (dead_) return absl::OkStatus();
  if (error == nullptr) error = std::make_exception_ptr(GreenletExit());
  if (!raw_.started()) {
    KillNotStarted(std::move(error));
    return absl::OkStatus();
  }
  if (RawGreenlet::Current() == &raw_) std::rethrow_exception(error);
  pending_kill_ = std::move(error);
  if (!kill_node_.linked()) internal::HubAccess::Schedule(hub_, &kill_node_);
  if (block && !Join(timeout)) {
    return absl::DeadlineExceededError(absl::StrCat(
        "Kill: greenlet '", name(), "' still alive after ",
        absl::FormatDuration(timeout)));
  }
  return absl::OkStatus();
}

void GreenletBase::ShutdownForHub() {
  if (!raw_.started()) {
    Untrack();
    KillNotStarted(std::make_exception_ptr(GreenletExit()));
    return;
  }
  // Unwind it right here: blocking calls raise GreenletExit while the hub
  // is being destroyed, and its death returns control to us.
  (void)raw_.SetParent(RawGreenlet::Current());
  try {
    raw_.Throw(GreenletExit());
  } catch (...) {
    // Finish() already recorded whatever it died of.
  }
  Untrack();  // even if it refused to die
}

GreenletBase::LinkId GreenletBase::AddCallback(
    absl::AnyInvocable<void()> callback) {
  const LinkId id = next_link_id_++;
  // Forgets the link however it ends: run, discarded, or cancelled.
  struct Forget {
    GreenletBase* self;
    LinkId id;
    Forget(GreenletBase* self, LinkId id) : self(self), id(id) {}
    Forget(Forget&& other) noexcept
        : self(std::exchange(other.self, nullptr)), id(other.id) {}
    ~Forget() {
      if (self != nullptr) self->callbacks_.erase(id);
    }
  };
  auto* link = new internal::CallbackLink(
      hub_, [forget = Forget(this, id), callback = std::move(callback)]()
                mutable {
        // Forget the id first, and pin the greenlet: the callback may drop
        // the last reference, and the greenlet's destruction must neither
        // cancel this running link nor vanish under the callback.
        internal::RefPtr<GreenletBase> pin(forget.self);
        forget.self->callbacks_.erase(forget.id);
        forget.self = nullptr;
        callback();
      });
  callbacks_[id] = link;
  AddLink(link);
  return id;
}

GreenletBase::LinkId GreenletBase::Link(LinkCallback callback) {
  hub_->CheckThread("Greenlet::Link");
  return AddCallback(
      [this, callback = std::move(callback)]() mutable { callback(*this); });
}

GreenletBase::LinkId GreenletBase::LinkValue(LinkCallback callback) {
  hub_->CheckThread("Greenlet::LinkValue");
  return AddCallback([this, callback = std::move(callback)]() mutable {
    if (successful()) callback(*this);
  });
}

GreenletBase::LinkId GreenletBase::LinkException(LinkCallback callback) {
  hub_->CheckThread("Greenlet::LinkException");
  return AddCallback([this, callback = std::move(callback)]() mutable {
    if (!successful()) callback(*this);
  });
}

void GreenletBase::Unlink(LinkId id) {
  auto it = callbacks_.find(id);
  if (it == callbacks_.end()) return;
  internal::CallbackLink* link = it->second;
  callbacks_.erase(it);
  link->Cancel(*this);
}

}  // namespace evergreen
