// GreenletBase: the type-independent part of a hub-scheduled greenlet.
//
// Users hold Greenlet<T> handles (framework/greenlet.h); link callbacks and
// heterogeneous collections (Group, JoinAll) see GreenletBase.
//
// States (B-G1): created → not started, not ready; Start()ed → started (it
// runs on the hub's next turn); finished → ready (dead), and successful
// unless its body threw. A greenlet killed with the default GreenletExit is
// successful and killed(); killed with another exception it stores that
// exception and is not successful.
//
// Thread affinity: everything here belongs to the hub thread that created
// the greenlet; other threads get WrongThreadError where checked.
//
// Blocks, under a deadline: every blocking call here waits at most until
// min(its own timeout, CurrentDeadline()) and then fails as its timeout
// does; with the deadline already passed, a call that would wait fails at
// once (framework/deadline.h, docs/deadlines.md).
#ifndef EVERGREEN_FRAMEWORK_GREENLET_BASE_H_
#define EVERGREEN_FRAMEWORK_GREENLET_BASE_H_

#include <ev.h>

#include <cstdint>
#include <exception>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/time/time.h"
#include "framework/hub.h"
#include "framework/internal/hub_tracked.h"
#include "framework/internal/linkable.h"
#include "greenlet/raw_greenlet.h"

namespace evergreen {

struct GreenletOptions {
  // Shown by HandleError reports and stack-overflow reports.
  std::string name;
  std::size_t stack_size = kDefaultStackSize;
};

class GreenletBase : public internal::Linkable, private internal::HubTracked {
 public:
  using LinkCallback = absl::AnyInvocable<void(GreenletBase&)>;
  using LinkId = std::uint64_t;

  // The framework greenlet running now, or nullptr (main greenlet, hub).
  static GreenletBase* Current() {
    return static_cast<GreenletBase*>(RawGreenlet::Current()->user_data());
  }

  const std::string& name() const { return raw_.name(); }
  // The underlying raw greenlet (for debugging tools such as the dump).
  const RawGreenlet& raw() const { return raw_; }
  Hub* hub() const { return hub_; }

  bool started() const { return start_requested_; }
  bool ready() const override { return dead_; }
  bool dead() const { return dead_; }
  bool successful() const { return dead_ && error_ == nullptr; }
  // Ended by GreenletExit (a kill, or the body throwing it).
  bool killed() const { return killed_; }
  // The exception the body raised (or the kill exception), or nullptr.
  const std::exception_ptr& exception() const { return error_; }

  // Schedules the greenlet to run on the hub's next turn. Does nothing if
  // it was already started or is dead (B-G7).
  void Start();
  // Starts it `delay` from now (a timer; it counts as started at once).
  void StartLater(absl::Duration delay);

  // Blocks until the greenlet is dead or `timeout` passes; returns dead().
  // What wakes it: the greenlet finishing. Throws as Waiter::Wait, and
  // GreenletError when a greenlet joins itself.
  bool Join(absl::Duration timeout = absl::InfiniteDuration());

  // Raises `error` (default GreenletExit) in the greenlet at its current or
  // next switch point, on the hub's next turn. A greenlet that never ran
  // dies at once without running; its links still fire. Killing oneself
  // throws at once. With `block`, then waits as Join(timeout).
  // Killing a dead greenlet does nothing.
  void Kill(std::exception_ptr error = nullptr, bool block = true) {
    (void)Kill(std::move(error), block, absl::InfiniteDuration());
  }
  // The timed form reports whether the kill worked: OK, or DeadlineExceeded
  // when `block` and the greenlet is still alive after `timeout` (it caught
  // the exception and went on; it stays alive, B-D5).
  absl::Status Kill(std::exception_ptr error, bool block,
                    absl::Duration timeout);

  // `callback` runs in the hub (it must not block) once the greenlet is
  // dead: Link always, LinkValue on success, LinkException on failure.
  // Each fires exactly once; linking a dead greenlet fires on the next turn.
  LinkId Link(LinkCallback callback);
  LinkId LinkValue(LinkCallback callback);
  LinkId LinkException(LinkCallback callback);
  // Withdraws a callback that has not run yet. Unknown ids are ignored.
  void Unlink(LinkId id);

  // Reference counting for handles (hub thread, non-atomic).
  void AddRef() { ++refs_; }
  // The greenlet's own reference (holds_self_ref_) is dropped by its
  // release node, scheduled as it dies; when that is the only reference
  // left and the greenlet has made its last switch (dead at the raw level,
  // and not the running greenlet), it goes at once instead, the node
  // unlinking itself (spawn+join: no node to run after the join).
  void Release() {
    if (--refs_ <= 1) [[unlikely]] ReleaseLast();
  }

 protected:
  explicit GreenletBase(GreenletOptions&& options);
  virtual ~GreenletBase();

  // Runs the user's callable and stores its value. Throws what it throws.
  virtual void RunBody() = 0;
  // Destroys the callable (captures die on the greenlet's own stack).
  virtual void DropBody() noexcept = 0;

 private:
  void* Trampoline();
  void Finish(std::exception_ptr error, bool killed);
  void KillNotStarted(std::exception_ptr error);
  void ShutdownForHub() override;
  GreenletBase* AsGreenlet() override { return this; }
  LinkId AddCallback(absl::AnyInvocable<void()> callback);
  void RunStart(bool discard);
  void RunKill(bool discard);
  void RunRelease(bool discard);
  // Release() down to the last reference (or none).
  void ReleaseLast();
  RawGreenlet* StartTarget() { return dead_ ? nullptr : &raw_; }
  // Releasing never switches: any greenlet may run the node (a hand-off).
  RawGreenlet* ReleaseTarget() { return nullptr; }
  static void OnStartTimer(struct ev_loop* loop, ev_timer* timer, int revents);

  struct StartTimer {
    ev_timer watcher;  // first: the callback casts back
    GreenletBase* owner;
  };

  Hub* hub_;
  RawGreenlet raw_;
  internal::BoundHandOff<GreenletBase, &GreenletBase::RunStart,
                         &GreenletBase::StartTarget>
      start_node_;
  internal::BoundRunnable<GreenletBase, &GreenletBase::RunKill> kill_node_;
  internal::BoundHandOff<GreenletBase, &GreenletBase::RunRelease,
                         &GreenletBase::ReleaseTarget>
      release_node_;
  StartTimer start_timer_;
  std::exception_ptr error_;
  std::exception_ptr pending_kill_;
  absl::flat_hash_map<LinkId, internal::CallbackLink*> callbacks_;
  LinkId next_link_id_ = 1;
  int refs_ = 1;
  bool start_requested_ = false;
  bool dead_ = false;
  bool killed_ = false;
  // A reference the greenlet holds on itself from Start() (or death) until
  // the hub has switched away from it for the last time.
  bool holds_self_ref_ = false;
};

}  // namespace evergreen

#endif  // EVERGREEN_FRAMEWORK_GREENLET_BASE_H_
