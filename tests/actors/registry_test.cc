// Registry: register, look up, release on exit, unregister, typed lookup.
#include "actors/registry.h"

#include <string>
#include <tuple>
#include <vector>

#include "actors/actor.h"
#include "actors/actor_ref.h"
#include "actors/dead_letters.h"
#include "framework/event.h"
#include "framework/hub.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/leak_check.h"
#include "tests/testing/stop_actors.h"

namespace evergreen {
namespace {

using ::testing::HasSubstr;

struct Increment {
  int by = 1;
};
struct GetCount {};

class Counter : public ActorBase {
 public:
  using Messages = std::tuple<Increment, GetCount>;
  void Handle(Increment m) { count_ += m.by; }
  int Handle(GetCount) { return count_; }

 private:
  int count_ = 0;
};

class Echo : public ActorBase {
 public:
  std::string Handle(std::string s) { return s; }
};

class RegistryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SetDeadLetterHandler([](const DeadLetter&) {});
  }
  void TearDown() override { Hub::DestroyCurrent(); }

  // Set once the exit observers `actor` has when it exits (the
  // registry's among them) have run: the observers of one exit are queued
  // on the hub together, and the Set wakes a waiter behind all of them.
  static Event ExitObserved(const AnyActorRef& actor) {
    Event observed;
    actor.cell()->AddExitObserver(
        [observed](const Exit&) mutable { observed.Set(); });
    return observed;
  }

  // Stops `actor` (if it still runs) and returns once its exit observers
  // have run.
  static void StopAndAwaitObservers(const AnyActorRef& actor) {
    Event observed = ExitObserved(actor);
    actor.Stop();
    ASSERT_TRUE(observed.Wait(absl::Seconds(5)));
  }

  Registry& registry_ = Registry::Current();
};

TEST_F(RegistryTest, LookupFindsTheRegisteredActor) {
  ActorRef<Counter> counter = SpawnActor<Counter>();
  ASSERT_TRUE(registry_.Register("counter", counter).ok());
  absl::StatusOr<AnyActorRef> found = registry_.Lookup("counter");
  ASSERT_TRUE(found.ok()) << found.status();
  EXPECT_TRUE(*found == counter);
  ASSERT_TRUE(found->TellAny(Increment{3}).ok());
  EXPECT_EQ(counter.Ask(GetCount{}).Get(), 3);
  leak_check::StopActors({counter});
}

TEST_F(RegistryTest, LookupOfAnUnknownNameIsNotFound) {
  absl::StatusOr<AnyActorRef> found = registry_.Lookup("nobody");
  EXPECT_EQ(found.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(found.status().message(), HasSubstr("nobody"));
}

TEST_F(RegistryTest, RegistryIsOnePerHub) {
  EXPECT_EQ(&Registry::Current(), &registry_);
}

TEST_F(RegistryTest, ANameHeldByALiveActorCannotBeTaken) {
  ActorRef<Counter> first = SpawnActor<Counter>({.name = "first"});
  ActorRef<Counter> second = SpawnActor<Counter>();
  ASSERT_TRUE(registry_.Register("svc", first).ok());
  absl::Status taken = registry_.Register("svc", second);
  EXPECT_EQ(taken.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_THAT(taken.message(), HasSubstr("first"));
  EXPECT_TRUE(*registry_.Lookup("svc") == first);
  // The holder registering again is harmless.
  EXPECT_TRUE(registry_.Register("svc", first).ok());
  EXPECT_EQ(registry_.size(), 1u);
  leak_check::StopActors({first, second});
}

TEST_F(RegistryTest, EmptyNamesNullRefsAndDeadActorsAreRefused) {
  ActorRef<Counter> counter = SpawnActor<Counter>();
  EXPECT_EQ(registry_.Register("", counter).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(registry_.Register("null", AnyActorRef()).code(),
            absl::StatusCode::kInvalidArgument);
  ActorRef<Counter> dead = SpawnActor<Counter>({.name = "dead"});
  dead.Kill();
  dead.Join();
  absl::Status refused = registry_.Register("dead", dead);
  EXPECT_EQ(refused.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(refused.message(), HasSubstr("exited"));
  EXPECT_EQ(registry_.size(), 0u);
  leak_check::StopActors({counter});
}

TEST_F(RegistryTest, TheNameIsReleasedWhenTheActorExits) {
  ActorRef<Counter> counter = SpawnActor<Counter>();
  ASSERT_TRUE(registry_.Register("counter", counter).ok());
  StopAndAwaitObservers(counter);
  EXPECT_EQ(registry_.Lookup("counter").status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(registry_.size(), 0u);
}

TEST_F(RegistryTest, AFailedActorReleasesItsNameToo) {
  ActorRef<Counter> counter = SpawnActor<Counter>();
  ASSERT_TRUE(registry_.Register("counter", counter).ok());
  Event observed = ExitObserved(counter);
  counter.Kill();
  ASSERT_TRUE(observed.Wait(absl::Seconds(5)));
  EXPECT_EQ(registry_.size(), 0u);
}

TEST_F(RegistryTest, ADeadActorsNameIsNotFoundEvenBeforeItsRelease) {
  ActorRef<Counter> counter = SpawnActor<Counter>();
  ASSERT_TRUE(registry_.Register("counter", counter).ok());
  Event observed = ExitObserved(counter);
  counter.Kill();
  counter.Join();
  EXPECT_EQ(registry_.Lookup("counter").status().code(),
            absl::StatusCode::kNotFound);
  ASSERT_TRUE(observed.Wait(absl::Seconds(5)));  // the release, then
  EXPECT_EQ(registry_.size(), 0u);
}

TEST_F(RegistryTest, ANameCanBeRegisteredAgainAfterItsActorExits) {
  ActorRef<Counter> old_one = SpawnActor<Counter>();
  ASSERT_TRUE(registry_.Register("svc", old_one).ok());
  StopAndAwaitObservers(old_one);
  ActorRef<Counter> new_one = SpawnActor<Counter>();
  ASSERT_TRUE(registry_.Register("svc", new_one).ok());
  EXPECT_TRUE(*registry_.Lookup("svc") == new_one);
  leak_check::StopActors({new_one});
}

TEST_F(RegistryTest, TakeOverBeforeTheReleaseKeepsTheNewHolder) {
  ActorRef<Counter> old_one = SpawnActor<Counter>();
  ASSERT_TRUE(registry_.Register("svc", old_one).ok());
  Event observed = ExitObserved(old_one);
  old_one.Kill();
  old_one.Join();
  // The old holder's release is still pending: it must not evict this one.
  ActorRef<Counter> new_one = SpawnActor<Counter>();
  ASSERT_TRUE(registry_.Register("svc", new_one).ok());
  ASSERT_TRUE(observed.Wait(absl::Seconds(5)));
  absl::StatusOr<AnyActorRef> found = registry_.Lookup("svc");
  ASSERT_TRUE(found.ok()) << found.status();
  EXPECT_TRUE(*found == new_one);
  EXPECT_EQ(registry_.size(), 1u);
  leak_check::StopActors({new_one});
}

TEST_F(RegistryTest, UnregisterReleasesTheNameAndLeavesTheActorRunning) {
  ActorRef<Counter> counter = SpawnActor<Counter>();
  ASSERT_TRUE(registry_.Register("counter", counter).ok());
  ASSERT_TRUE(registry_.Unregister("counter").ok());
  EXPECT_EQ(registry_.Lookup("counter").status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(registry_.Unregister("counter").code(),
            absl::StatusCode::kNotFound);
  EXPECT_TRUE(counter.alive());
  // Its exit no longer concerns the name, now held by another actor.
  ActorRef<Counter> other = SpawnActor<Counter>();
  ASSERT_TRUE(registry_.Register("counter", other).ok());
  StopAndAwaitObservers(counter);
  EXPECT_TRUE(*registry_.Lookup("counter") == other);
  leak_check::StopActors({other});
}

TEST_F(RegistryTest, AnActorMayHoldSeveralNames) {
  ActorRef<Counter> counter = SpawnActor<Counter>();
  ASSERT_TRUE(registry_.Register("a", counter).ok());
  ASSERT_TRUE(registry_.Register("b", counter).ok());
  EXPECT_TRUE(*registry_.Lookup("a") == *registry_.Lookup("b"));
  StopAndAwaitObservers(counter);
  EXPECT_EQ(registry_.size(), 0u);
}

TEST_F(RegistryTest, LookupAsReturnsATypedRefForTheRightType) {
  ActorRef<Counter> counter = SpawnActor<Counter>();
  ASSERT_TRUE(registry_.Register("counter", counter).ok());
  absl::StatusOr<ActorRef<Counter>> typed =
      registry_.LookupAs<Counter>("counter");
  ASSERT_TRUE(typed.ok()) << typed.status();
  ASSERT_TRUE(typed->Tell(Increment{4}).ok());
  EXPECT_EQ(typed->Ask(GetCount{}).Get(), 4);
  leak_check::StopActors({counter});
}

TEST_F(RegistryTest, LookupAsRefusesAnActorOfAnotherType) {
  ActorRef<Echo> echo = SpawnActor<Echo>();
  ASSERT_TRUE(registry_.Register("echo", echo).ok());
  absl::StatusOr<ActorRef<Counter>> wrong = registry_.LookupAs<Counter>("echo");
  EXPECT_EQ(wrong.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(wrong.status().message(), HasSubstr("Echo"));
  EXPECT_EQ(registry_.LookupAs<Counter>("nobody").status().code(),
            absl::StatusCode::kNotFound);
  absl::StatusOr<ActorRef<Echo>> right = registry_.LookupAs<Echo>("echo");
  ASSERT_TRUE(right.ok()) << right.status();
  EXPECT_EQ(right->Ask(std::string("hi")).Get(), "hi");
  leak_check::StopActors({echo});
}

TEST_F(RegistryTest, ManyNamesAreHeldAndReleasedIndependently) {
  constexpr int kActors = 1000;
  std::vector<ActorRef<Counter>> counters;
  for (int i = 0; i < kActors; ++i) {
    counters.push_back(SpawnActor<Counter>());
    ASSERT_TRUE(
        registry_.Register("counter-" + std::to_string(i), counters[i]).ok());
  }
  EXPECT_EQ(registry_.size(), static_cast<std::size_t>(kActors));
  for (int i = 0; i < kActors; ++i) {
    absl::StatusOr<ActorRef<Counter>> found =
        registry_.LookupAs<Counter>("counter-" + std::to_string(i));
    ASSERT_TRUE(found.ok()) << found.status();
    EXPECT_TRUE(*found == counters[i]);
    ASSERT_TRUE(found->Tell(Increment{i}).ok());
  }
  // Stop the even ones: only their names go.
  for (int i = 0; i < kActors; i += 2) counters[i].Stop();
  for (int i = 0; i < kActors; i += 2) counters[i].Join();
  StopAndAwaitObservers(counters[kActors - 2]);  // the last to exit
  EXPECT_EQ(registry_.size(), static_cast<std::size_t>(kActors / 2));
  for (int i = 1; i < kActors; i += 2) {
    absl::StatusOr<ActorRef<Counter>> found =
        registry_.LookupAs<Counter>("counter-" + std::to_string(i));
    ASSERT_TRUE(found.ok()) << found.status();
    EXPECT_EQ(found->Ask(GetCount{}).Get(), i);
  }
  leak_check::StopActors(counters);
}

TEST_F(RegistryTest, DestroyingTheHubWithNamesHeldIsSafe) {
  leak_check::ExpectLeftovers(
      "the hub is destroyed under a registered actor: the behaviour under "
      "test");
  ActorRef<Counter> counter = SpawnActor<Counter>();
  ASSERT_TRUE(registry_.Register("counter", counter).ok());
  Hub::DestroyCurrent();  // kills the actor after dropping the registry
  EXPECT_FALSE(counter.alive());
  EXPECT_EQ(Registry::Current().size(), 0u);  // a fresh hub's registry
}

}  // namespace
}  // namespace evergreen
