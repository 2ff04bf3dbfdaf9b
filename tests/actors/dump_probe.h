// A small actor for the live-dump tests (actor_dump_test and the program
// it signals, dump_on_signal_main): it holds, links, monitors and crashes
// on request, and records each start where any thread may wait for it.
#ifndef EVERGREEN_TESTS_ACTORS_DUMP_PROBE_H_
#define EVERGREEN_TESTS_ACTORS_DUMP_PROBE_H_

#include <cstddef>
#include <mutex>
#include <stdexcept>
#include <tuple>
#include <vector>

#include "actors/actor.h"
#include "framework/async_result.h"
#include "framework/event.h"

namespace evergreen::testing {

// Starts of probes, in order: refs[i] is the i-th started, started[i] is
// set then (AsyncResult::Set is safe from any hub). Made on the waiting
// thread, with room for `expected` starts.
struct StartLog {
  explicit StartLog(std::size_t expected) : started(expected) {}
  void Add(AnyActorRef ref) {
    std::lock_guard<std::mutex> lock(mu);
    refs.push_back(std::move(ref));
    if (refs.size() <= started.size()) started[refs.size() - 1].Set();
  }
  AnyActorRef Ref(std::size_t i) {
    std::lock_guard<std::mutex> lock(mu);
    return refs.at(i);
  }
  std::mutex mu;
  std::vector<AnyActorRef> refs;  // guarded by mu
  std::vector<AsyncResult<void>> started;
};

struct Hold {};  // waits for `release`, after setting `entered`
struct Ping {};
struct LinkTo {
  AnyActorRef other;
};
struct Watch {
  AnyActorRef other;
};
struct Crash {};

class Probe : public ActorBase {
 public:
  using Messages = std::tuple<Hold, Ping, LinkTo, Watch, Crash>;
  explicit Probe(StartLog* log = nullptr, Event* entered = nullptr,
                 Event* release = nullptr)
      : log_(log), entered_(entered), release_(release) {}

  void Handle(Hold) {
    entered_->Set();
    release_->Wait();
  }
  void Handle(Ping) {}
  void Handle(LinkTo m) { Link(m.other); }
  void Handle(Watch m) { Monitor(m.other); }
  void Handle(Crash) { throw std::runtime_error("crash on purpose"); }

 protected:
  void OnStart() override {
    if (log_ != nullptr) log_->Add(self());
  }

 private:
  StartLog* log_;
  Event* entered_;
  Event* release_;
};

}  // namespace evergreen::testing

#endif  // EVERGREEN_TESTS_ACTORS_DUMP_PROBE_H_
