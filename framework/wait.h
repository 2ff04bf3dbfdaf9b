// Waiting on several things at once: Wait, IWait, JoinAll, KillAll.
//
//   evergreen::Event a, b;
//   std::vector<int> ready = evergreen::Wait({a, b}, /*count=*/1);
//   for (int i : evergreen::IWait({g1, g2, g3})) { ... }  // as they finish
//   // (compiled in tests/docs/header_examples_test.cc)
//
// Anything with a `linkable()` (Event, AsyncResult, Greenlet) converts to a
// WaitableRef. Results are indices into the list given, in the order the
// objects became ready (already-ready ones first, in list order).
//
// Thread affinity: the hub thread. All of these block the calling greenlet
// (what wakes it: an object becoming ready, or the timeout) and throw as
// Waiter::Wait.
//
// Blocks, under a deadline: every blocking call here waits at most until
// min(its own timeout, CurrentDeadline()) and then fails as its timeout
// does; with the deadline already passed, a call that would wait fails at
// once (framework/deadline.h, docs/deadlines.md).
#ifndef EVERGREEN_FRAMEWORK_WAIT_H_
#define EVERGREEN_FRAMEWORK_WAIT_H_

#include <cstddef>
#include <exception>
#include <initializer_list>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "framework/greenlet.h"
#include "framework/internal/linkable.h"

namespace evergreen {

class WaitableRef {
 public:
  template <typename W>
  WaitableRef(const W& waitable)  // NOLINT: implicit by design
      : linkable_(waitable.linkable()) {}
  WaitableRef(GreenletBase* greenlet) : linkable_(greenlet) {}  // NOLINT
  internal::Linkable* linkable() const { return linkable_; }

 private:
  internal::Linkable* linkable_;
};

// Blocks until `count` of `objects` are ready (all when count is 0 or
// larger than the list) or `timeout` passes. Returns the indices of the
// ready ones, at most `count`: min(count, ready) (B-E3).
std::vector<int> Wait(absl::Span<const WaitableRef> objects, int count = 0,
                      absl::Duration timeout = absl::InfiniteDuration());
inline std::vector<int> Wait(std::initializer_list<WaitableRef> objects,
                             int count = 0,
                             absl::Duration timeout = absl::InfiniteDuration()) {
  return Wait(absl::MakeConstSpan(objects.begin(), objects.size()), count,
              timeout);
}

// Yields indices of `objects` as they become ready, until all are or
// `timeout` (from the start) passes. Lazy: each Next() blocks.
class IWait {
 public:
  IWait(absl::Span<const WaitableRef> objects,
        absl::Duration timeout = absl::InfiniteDuration());
  IWait(std::initializer_list<WaitableRef> objects,
        absl::Duration timeout = absl::InfiniteDuration())
      : IWait(absl::MakeConstSpan(objects.begin(), objects.size()), timeout) {}
  ~IWait();
  IWait(const IWait&) = delete;
  IWait& operator=(const IWait&) = delete;

  // The next ready index, or -1 when all were returned or time ran out.
  int Next();

  // Range-for support.
  class iterator {
   public:
    explicit iterator(IWait* owner) : owner_(owner) { Advance(); }
    iterator() = default;
    int operator*() const { return current_; }
    iterator& operator++() {
      Advance();
      return *this;
    }
    bool operator!=(const iterator& other) const {
      return owner_ != other.owner_;
    }

   private:
    void Advance() {
      current_ = owner_->Next();
      if (current_ < 0) owner_ = nullptr;
    }
    IWait* owner_ = nullptr;
    int current_ = -1;
  };
  iterator begin() { return iterator(this); }
  iterator end() { return iterator(); }

 private:
  class Node;
  std::vector<Node> nodes_;
  std::vector<int> ready_;  // indices notified, not yet returned
  std::size_t returned_ = 0;
  absl::Time deadline_;
  Waiter* waiter_ = nullptr;
};

// Waits for greenlets to finish (B-G5). Returns the indices of those that
// finished (in finishing order), all of them unless `timeout` passed first
// or `count` (> 0) were enough. With `raise_error`, the first failure in
// time is rethrown as soon as it happens.
std::vector<int> JoinAll(absl::Span<GreenletBase* const> greenlets,
                         absl::Duration timeout = absl::InfiniteDuration(),
                         bool raise_error = false, int count = 0);
template <typename T>
std::vector<int> JoinAll(const std::vector<Greenlet<T>>& greenlets,
                         absl::Duration timeout = absl::InfiniteDuration(),
                         bool raise_error = false, int count = 0) {
  std::vector<GreenletBase*> bases;
  bases.reserve(greenlets.size());
  for (const auto& g : greenlets) bases.push_back(g.base());
  return JoinAll(bases, timeout, raise_error, count);
}

// Kills every greenlet (B-G4): the exception is raised in each on the hub's
// next turn; with `block`, waits until all are dead or `timeout` passes.
// The timed form returns OK, or DeadlineExceeded (saying how many) when
// `block` and some are still alive after `timeout`; those stay alive
// (B-D5). The untimed form cannot time out and returns nothing.
absl::Status KillAll(absl::Span<GreenletBase* const> greenlets,
                     std::exception_ptr error, bool block,
                     absl::Duration timeout);
inline void KillAll(absl::Span<GreenletBase* const> greenlets,
                    std::exception_ptr error = nullptr, bool block = true) {
  (void)KillAll(greenlets, std::move(error), block, absl::InfiniteDuration());
}
template <typename T>
absl::Status KillAll(const std::vector<Greenlet<T>>& greenlets,
                     std::exception_ptr error, bool block,
                     absl::Duration timeout) {
  std::vector<GreenletBase*> bases;
  bases.reserve(greenlets.size());
  for (const auto& g : greenlets) bases.push_back(g.base());
  return KillAll(bases, std::move(error), block, timeout);
}
template <typename T>
void KillAll(const std::vector<Greenlet<T>>& greenlets,
             std::exception_ptr error = nullptr, bool block = true) {
  (void)KillAll(greenlets, std::move(error), block, absl::InfiniteDuration());
}

}  // namespace evergreen

#endif  // EVERGREEN_FRAMEWORK_WAIT_H_
