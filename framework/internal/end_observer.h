// EndObserver: learns at once, exactly once, that a framework greenlet
// ended. Group membership and GreenletLocal values use it to clean up.
//
// OnEnd() runs inside the greenlet's Finish (on the dying greenlet's stack,
// or in its killer when it never started), before any link callback; it
// must not block or switch. Observing a dead greenlet calls OnEnd() at
// once. Destroying the observer first simply withdraws it.
//
// An observer does not collect the greenlet's outcome: a failure it sees
// is still reported through Hub::HandleError.
//
// Thread affinity: the observed greenlet's hub thread.
#ifndef EVERGREEN_FRAMEWORK_INTERNAL_END_OBSERVER_H_
#define EVERGREEN_FRAMEWORK_INTERNAL_END_OBSERVER_H_

#include "framework/greenlet_base.h"
#include "framework/internal/linkable.h"

namespace evergreen::internal {

class EndObserver : public LinkNode {
 public:
  void Observe(GreenletBase& greenlet) { greenlet.AddLink(this); }

 protected:
  EndObserver() = default;
  ~EndObserver() = default;

  virtual void OnEnd(GreenletBase& greenlet) = 0;

 private:
  bool collects() const final { return false; }
  void Notify(Linkable& source) final {
    OnEnd(static_cast<GreenletBase&>(source));
  }
};

}  // namespace evergreen::internal

#endif  // EVERGREEN_FRAMEWORK_INTERNAL_END_OBSERVER_H_
