// The example at the top of actors/actor.h, compiled with that header alone
// (plus gtest): actor.h is the actor model's front door.
#include "actors/actor.h"

#include <tuple>

#include "gtest/gtest.h"

namespace {

struct Increment { int by = 1; };
struct GetCount {};

class Counter : public evergreen::ActorBase {
 public:
  using Messages = std::tuple<Increment, GetCount>;  // for untyped refs
  void Handle(Increment m) { count_ += m.by; }
  int Handle(GetCount) { return count_; }          // the reply to Ask
 private:
  int count_ = 0;
};

TEST(ActorExampleTest, TheExampleOfActorHRuns) {
  evergreen::ActorRef<Counter> counter = evergreen::SpawnActor<Counter>();
  absl::Status sent = counter.Tell(Increment{2});    // fire and forget
  int n = counter.Ask(GetCount{}).Get();             // 2, or throws
  absl::StatusOr<int> m =
      counter.Ask(GetCount{}, absl::Seconds(1)).Result();  // never throws
  counter.Stop();                                    // after the queue
  counter.Join();                                    // until it exits
  EXPECT_TRUE(sent.ok());
  EXPECT_EQ(n, 2);
  EXPECT_EQ(*m, 2);
  evergreen::Hub::DestroyCurrent();
}

}  // namespace
