// Group: a set of greenlets handled as one (gevent.pool.Group). Pool
// (pool.h) is a Group with a bound on how many run at once.
//
//   evergreen::Group group;
//   for (const auto& url : urls) group.Spawn(Fetch, url);
//   group.Join();                                  // all done
//
//   std::vector<int> squares = group.Map([](int x) { return x * x; }, xs);
//   group.Kill();                                  // unwind whatever is left
//   // (compiled in tests/docs/header_examples_test.cc)
//
// A greenlet is a member from Add() (or Spawn/Start/ApplyAsync) until it
// ends or is Discard()ed; it leaves at the moment it ends (before any link
// callback runs). The group holds a reference to each member. Destroying a
// group detaches its members; they keep running. REQUIRES: no greenlet is
// blocked in the group's Spawn, Start, Add, Apply or WaitAvailable when it
// is destroyed, and no greenlet Joins a group it is a member of.
//
// Errors: contract violations throw (see Pool for a negative size); a
// member's failure stays in its greenlet (Get() rethrows it) and is
// re-raised by Join(raise_error), Apply and Map. Membership does not count
// as collecting it: a member's uncollected error is reported once through
// Hub::HandleError like any greenlet's (B-G8).
//
// Thread affinity: bound to the hub of the thread that constructs it;
// every call belongs to that thread (WrongThreadError where checked).
//
// Blocks, under a deadline: every blocking call here waits at most until
// min(its own timeout, CurrentDeadline()) and then fails as its timeout
// does; with the deadline already passed, a call that would wait fails at
// once (framework/deadline.h, docs/deadlines.md).
#ifndef EVERGREEN_FRAMEWORK_GROUP_H_
#define EVERGREEN_FRAMEWORK_GROUP_H_

#include <exception>
#include <memory>
#include <type_traits>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/time/time.h"
#include "framework/event.h"
#include "framework/greenlet.h"
#include "framework/hub.h"
#include "framework/internal/ref_ptr.h"
#include "framework/internal/runnable.h"
#include "framework/map_results.h"
#include "framework/semaphore.h"

namespace evergreen {

class Group {
 public:
  Group() : Group(/*slots=*/-1) {}
  virtual ~Group();
  Group(const Group&) = delete;
  Group& operator=(const Group&) = delete;

  // Creates a greenlet running fn(args...), adds it and starts it (it runs
  // on the hub's next turn); returns its handle. In a Pool, blocks until a
  // slot is free (what wakes it: a member ending or being discarded), with
  // no timeout, and throws as Semaphore::Acquire (the greenlet then never
  // starts). In a Group, never blocks.
  template <typename F, typename... Args>
  auto Spawn(F&& fn, Args&&... args) {
    auto g = Greenlet<internal::SpawnResult<F, Args...>>::Create(
        internal::BindBody(std::forward<F>(fn), std::forward<Args>(args)...));
    Start(g.base());
    return g;
  }

  // Add(greenlet) with no timeout, then greenlet->Start(). Blocks as Spawn.
  void Start(GreenletBase* greenlet);
  template <typename T>
  void Start(const Greenlet<T>& greenlet) {
    Start(greenlet.base());
  }

  // Makes `greenlet` a member. A Pool first takes a slot: blocks while
  // none is free, until one frees up or `timeout` passes, and then returns
  // ResourceExhausted (a zero timeout fails at once when full). Adding a
  // member or a dead greenlet does nothing. Throws as Semaphore::Acquire.
  // A Group never blocks and always returns OK.
  absl::Status Add(GreenletBase* greenlet,
                   absl::Duration timeout = absl::InfiniteDuration());
  template <typename T>
  absl::Status Add(const Greenlet<T>& greenlet,
                   absl::Duration timeout = absl::InfiniteDuration()) {
    return Add(greenlet.base(), timeout);
  }
  // Non-blocking twin of Add().
  absl::Status TryAdd(GreenletBase* greenlet) {
    return Add(greenlet, absl::ZeroDuration());
  }

  // Stops tracking `greenlet` (it keeps running) and frees its slot; a
  // queued ApplyAsync greenlet leaves the queue unstarted. Unknown
  // greenlets are ignored. Never blocks.
  void Discard(GreenletBase* greenlet);
  template <typename T>
  void Discard(const Greenlet<T>& greenlet) {
    Discard(greenlet.base());
  }

  // Whether `greenlet` is tracked: a member, or queued by ApplyAsync.
  bool Contains(const GreenletBase* greenlet) const;
  template <typename T>
  bool Contains(const Greenlet<T>& greenlet) const {
    return Contains(greenlet.base());
  }
  // Tracked greenlets, queued ones included.
  int size() const { return static_cast<int>(entries_.size()); }

  // Whether Spawn/Add would block now. A Group is never full.
  bool Full() const { return slots_ != nullptr && slots_->locked(); }
  // Blocks until Spawn/Add would not block, or `timeout` passes; what
  // wakes it: a slot freeing up. Returns false on timeout. A Group returns
  // true at once. Throws as Semaphore::Wait. Non-blocking twin: !Full().
  bool WaitAvailable(absl::Duration timeout = absl::InfiniteDuration());

  // Blocks until the group is empty (returns true; at once if it is) or
  // `timeout` passes (false); what wakes it: the last member ending.
  // With `raise_error`, then rethrows the error of the first greenlet (in
  // time) that failed among those tracked when Join began. Throws as
  // Waiter::Wait.
  bool Join(absl::Duration timeout = absl::InfiniteDuration(),
            bool raise_error = false);

  // Kills every tracked greenlet with `error` (default GreenletExit), also
  // those added meanwhile (B-P6). With `block`, waits until all are dead or
  // `timeout` passes; what wakes it: the members dying. The timed form
  // returns OK, or DeadlineExceeded when `block` and members are still
  // alive after `timeout` (they stay alive and in the group, B-D5). Throws
  // as Waiter::Wait.
  void Kill(std::exception_ptr error = nullptr, bool block = true) {
    (void)Kill(std::move(error), block, absl::InfiniteDuration());
  }
  absl::Status Kill(std::exception_ptr error, bool block,
                    absl::Duration timeout);
  // Kills `greenlet` if it is tracked, as GreenletBase::Kill (the timed
  // form: OK when it is not tracked).
  void KillOne(GreenletBase* greenlet, std::exception_ptr error = nullptr,
               bool block = true) {
    (void)KillOne(greenlet, std::move(error), block,
                  absl::InfiniteDuration());
  }
  absl::Status KillOne(GreenletBase* greenlet, std::exception_ptr error,
                       bool block, absl::Duration timeout);

  // Runs fn(args...) in a new member and returns its result or rethrows
  // its exception (B-P4); blocks as Spawn and then until it finishes. When
  // the caller is itself a member, runs fn inline instead: a member of a
  // full Pool waiting for a slot it holds would deadlock.
  template <typename F, typename... Args>
  internal::SpawnResult<F, Args...> Apply(F&& fn, Args&&... args) {
    const GreenletBase* current = GreenletBase::Current();
    if (current != nullptr && Contains(current)) {
      return internal::BindBody(std::forward<F>(fn),
                                std::forward<Args>(args)...)();
    }
    return Spawn(std::forward<F>(fn), std::forward<Args>(args)...).Get();
  }

  // Creates a greenlet running fn(args...) and returns its handle at once:
  // never blocks and never runs fn before returning (B-P1). In a full
  // Pool the greenlet is tracked but queued, in FIFO order with blocked
  // Spawn calls, and starts when it gets a slot.
  template <typename F, typename... Args>
  auto ApplyAsync(F&& fn, Args&&... args) {
    auto g = Greenlet<internal::SpawnResult<F, Args...>>::Create(
        internal::BindBody(std::forward<F>(fn), std::forward<Args>(args)...));
    Submit(g.base());
    return g;
  }

  // fn(x) for each x of `inputs`, run in members; returns the results in
  // input order (B-P5), or rethrows the first failure in input order
  // (the other members keep running). Blocks until done; throws as
  // Waiter::Wait. For a void fn, returns nothing. Unlike Apply, never runs
  // inline: called from a member of a full Pool, it waits for slots that
  // may never free up.
  template <typename F, typename Range>
  auto Map(const F& fn, const Range& inputs) {
    auto greenlets = SubmitEach(fn, inputs);
    using R = decltype(greenlets.front().Get());
    if constexpr (std::is_void_v<R>) {
      for (const auto& g : greenlets) g.Get();
    } else {
      std::vector<R> results;
      results.reserve(greenlets.size());
      for (const auto& g : greenlets) results.push_back(g.Get());
      return results;
    }
  }

  // As Map, but lazy and never throwing for an element: yields each
  // element's absl::StatusOr in input order (B-P5). Submitting never
  // blocks; iterating does (see map_results.h).
  template <typename F, typename Range>
  auto IMap(const F& fn, const Range& inputs) {
    return MakeResults(SubmitEach(fn, inputs), /*ordered=*/true);
  }
  // As IMap, yielding results in the order they are ready.
  template <typename F, typename Range>
  auto IMapUnordered(const F& fn, const Range& inputs) {
    return MakeResults(SubmitEach(fn, inputs), /*ordered=*/false);
  }

 protected:
  // `slots` < 0: unbounded (a Group); otherwise at most that many members
  // run at once (a Pool).
  explicit Group(int slots);
  int capacity() const { return capacity_; }
  const Semaphore* slots() const { return slots_.get(); }

 private:
  class Entry;

  // Tracks a not-started greenlet and starts it once it has a slot.
  void Submit(GreenletBase* greenlet);
  Entry* Track(GreenletBase* greenlet);
  void Admit(Entry* entry);
  // Forgets `greenlet`, freeing its slot; its reference is dropped later.
  void Remove(GreenletBase* greenlet);
  void Reap(bool discard);
  std::vector<internal::RefPtr<GreenletBase>> Snapshot() const;

  template <typename F, typename Range>
  auto SubmitEach(const F& fn, const Range& inputs) {
    std::vector<decltype(ApplyAsync(fn, *std::begin(inputs)))> greenlets;
    for (const auto& input : inputs) greenlets.push_back(ApplyAsync(fn, input));
    return greenlets;
  }
  template <typename R>
  static MapResults<R> MakeResults(std::vector<Greenlet<R>> greenlets,
                                   bool ordered) {
    return MapResults<R>(std::move(greenlets), ordered);
  }

  Hub* hub_;
  const int capacity_;                       // < 0: unbounded
  std::unique_ptr<BoundedSemaphore> slots_;  // null: unbounded
  // Declared after slots_: entries leave its queue before it goes.
  absl::flat_hash_map<const GreenletBase*, std::unique_ptr<Entry>> entries_;
  Event empty_;
  // References of greenlets that left, dropped on the next hub turn: a
  // greenlet leaves from inside its own Finish, where the last reference
  // must not go.
  std::vector<internal::RefPtr<GreenletBase>> departed_;
  internal::BoundRunnable<Group, &Group::Reap> reap_node_;
};

}  // namespace evergreen

#endif  // EVERGREEN_FRAMEWORK_GROUP_H_
