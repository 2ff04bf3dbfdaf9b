// Group: B-P1, B-P4 ... B-P6 of docs/behaviours.md, for an unbounded group.
#include "framework/group.h"

#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "framework/event.h"
#include "framework/greenlet.h"
#include "framework/hub.h"
#include "framework/waiter.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/wait_until.h"

namespace evergreen {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

class GroupTest : public ::testing::Test {
 protected:
  void TearDown() override { Hub::DestroyCurrent(); }
};

TEST_F(GroupTest, FailedMemberIsStillReportedOnce) {
  // Membership is bookkeeping, not collection: the hub still reports it.
  int reported = 0;
  Hub::Current()->SetErrorHandler(
      [&](absl::string_view, std::exception_ptr) { ++reported; });
  Group group;
  group.Spawn([] { throw std::runtime_error("member failed"); });
  group.Join();
  EXPECT_EQ(reported, 1);
  Hub::Current()->SetErrorHandler(nullptr);
}

TEST_F(GroupTest, SpawnedGreenletsAreMembersUntilTheyEnd) {
  Group group;
  Event release;
  auto a = group.Spawn([&] { release.Wait(); });
  auto b = group.Spawn([](int x) { return x * 2; }, 21);
  EXPECT_EQ(group.size(), 2);
  EXPECT_TRUE(group.Contains(a));
  EXPECT_EQ(b.Get(), 42);
  EXPECT_FALSE(group.Contains(b));  // left as it ended
  EXPECT_EQ(group.size(), 1);
  release.Set();
  EXPECT_TRUE(group.Join());
  EXPECT_EQ(group.size(), 0);
  EXPECT_FALSE(group.Full());
}

// B-P3 (for a group)
TEST_F(GroupTest, JoinOnAnEmptyGroupReturnsAtOnce) {
  Group group;
  const unsigned long long turns = Hub::Current()->turns();
  EXPECT_TRUE(group.Join());
  EXPECT_TRUE(group.Join(absl::ZeroDuration()));
  EXPECT_EQ(Hub::Current()->turns(), turns);
  EXPECT_TRUE(group.WaitAvailable(absl::ZeroDuration()));
}

TEST_F(GroupTest, JoinWithTimeoutOnABusyGroupReturnsFalse) {
  Group group;
  Event release;
  group.Spawn([&] { release.Wait(); });
  EXPECT_FALSE(group.Join(absl::Milliseconds(5)));
  release.Set();
  EXPECT_TRUE(group.Join());
}

TEST_F(GroupTest, AddAndStartTrackAGreenletMadeElsewhere) {
  Group group;
  auto g = Greenlet<int>::Create([] { return 3; });
  EXPECT_TRUE(group.Add(g).ok());
  EXPECT_TRUE(group.Contains(g));
  EXPECT_TRUE(group.Add(g).ok());  // already a member: nothing changes
  EXPECT_EQ(group.size(), 1);
  group.Start(g);
  EXPECT_EQ(g.Get(), 3);
  EXPECT_EQ(group.size(), 0);
  EXPECT_TRUE(group.Add(g).ok());  // dead: not tracked
  EXPECT_FALSE(group.Contains(g));
}

TEST_F(GroupTest, DiscardForgetsAGreenletThatKeepsRunning) {
  Group group;
  Event release;
  auto g = group.Spawn([&] {
    release.Wait();
    return 1;
  });
  group.Discard(g);
  EXPECT_FALSE(group.Contains(g));
  EXPECT_TRUE(group.Join(absl::ZeroDuration()));
  release.Set();
  EXPECT_EQ(g.Get(), 1);
}

TEST_F(GroupTest, JoinRaiseErrorRethrowsTheFirstFailureInTime) {
  Group group;
  Event first;
  Event second;
  group.Spawn([&] {
    second.Wait();
    throw std::runtime_error("second");
  });
  auto failing_first = group.Spawn([&] {
    first.Wait();
    throw std::logic_error("first");
  });
  group.Spawn([] {});
  auto trigger = Spawn([&] {
    first.Set();
    EXPECT_TRUE(WaitUntil([&] { return failing_first.dead(); },
                          "the first failure happened"));
    second.Set();
  });
  try {
    group.Join(absl::InfiniteDuration(), /*raise_error=*/true);
    FAIL() << "expected the first failure";
  } catch (const std::logic_error& e) {
    EXPECT_STREQ(e.what(), "first");
  }
  EXPECT_EQ(group.size(), 0);
  trigger.Join();
}

TEST_F(GroupTest, JoinRaiseErrorWithoutFailuresReturnsTrue) {
  Group group;
  for (int i = 0; i < 3; ++i) group.Spawn([] {});
  EXPECT_TRUE(group.Join(absl::InfiniteDuration(), /*raise_error=*/true));
}

// B-P6
TEST_F(GroupTest, KillOfManySleepersReturnsPromptlyAndAllAreDead) {
  Group group;
  std::vector<Greenlet<void>> sleepers;
  for (int i = 0; i < 200; ++i) {
    sleepers.push_back(group.Spawn([] { Sleep(absl::Hours(1)); }));
  }
  ASSERT_TRUE(WaitUntilAllBlocked());  // all are asleep
  const absl::Time start = absl::Now();
  group.Kill();
  EXPECT_LT(absl::Now() - start, absl::Seconds(5));
  for (const auto& g : sleepers) {
    EXPECT_TRUE(g.dead());
    EXPECT_TRUE(g.killed());
  }
  EXPECT_EQ(group.size(), 0);
}

// B-P6
TEST_F(GroupTest, KillAlsoKillsMembersAddedWhileKilling) {
  Group group;
  Greenlet<void> late;
  group.Spawn([&] {
    try {
      Sleep(absl::Hours(1));
    } catch (const GreenletExit&) {
      late = group.Spawn([] { Sleep(absl::Hours(1)); });
      throw;
    }
  });
  ASSERT_TRUE(WaitUntilAllBlocked());
  group.Kill();
  ASSERT_TRUE(late);
  EXPECT_TRUE(late.dead());
  EXPECT_EQ(group.size(), 0);
}

TEST_F(GroupTest, KillWithACustomExceptionIsStoredInEachMember) {
  Group group;
  auto g = group.Spawn([] { Sleep(absl::Hours(1)); });
  ASSERT_TRUE(WaitUntilAllBlocked());
  group.Kill(std::make_exception_ptr(std::runtime_error("stop")));
  EXPECT_FALSE(g.successful());
  EXPECT_THROW(g.Get(), std::runtime_error);
}

TEST_F(GroupTest, NonBlockingKillTakesEffectOnTheNextTurn) {
  Group group;
  auto g = group.Spawn([] { Sleep(absl::Hours(1)); });
  ASSERT_TRUE(WaitUntilAllBlocked());
  group.Kill(nullptr, /*block=*/false);
  EXPECT_FALSE(g.dead());
  EXPECT_TRUE(group.Join());
  EXPECT_TRUE(g.killed());
}

TEST_F(GroupTest, AMemberKillingItsGroupKillsTheOthersThenItself) {
  Group group;
  auto other = group.Spawn([] { Sleep(absl::Hours(1)); });
  auto killer = group.Spawn([&] {
    EXPECT_TRUE(WaitUntilAllBlocked());  // `other` sleeps
    group.Kill();
  });
  EXPECT_TRUE(group.Join());
  EXPECT_TRUE(other.killed());
  EXPECT_TRUE(killer.killed());
}

TEST_F(GroupTest, KillOneKillsOnlyAMember) {
  Group group;
  auto member = group.Spawn([] { Sleep(absl::Hours(1)); });
  auto outsider = Spawn([] { Sleep(absl::Hours(1)); });
  ASSERT_TRUE(WaitUntilAllBlocked());
  group.KillOne(outsider.base());
  group.KillOne(member.base());
  EXPECT_TRUE(member.killed());
  EXPECT_FALSE(outsider.dead());
  outsider.Kill();
}

// B-P4 (for a group)
TEST_F(GroupTest, ApplyReturnsTheValueOrRethrows) {
  Group group;
  EXPECT_EQ(group.Apply([](int a, int b) { return a + b; }, 2, 3), 5);
  EXPECT_THROW(group.Apply([]() -> int { throw std::runtime_error("x"); }),
               std::runtime_error);
  EXPECT_EQ(group.size(), 0);
}

TEST_F(GroupTest, ApplyFromAMemberRunsInline) {
  Group group;
  auto outer = group.Spawn([&] {
    RawGreenlet* self = RawGreenlet::Current();
    return group.Apply([&] { return RawGreenlet::Current() == self; });
  });
  EXPECT_TRUE(outer.Get());
}

// B-P1 (for a group)
TEST_F(GroupTest, ApplyAsyncNeverRunsSynchronously) {
  Group group;
  bool ran = false;
  auto g = group.ApplyAsync([&] {
    ran = true;
    return 1;
  });
  EXPECT_FALSE(ran);
  EXPECT_TRUE(group.Contains(g));
  EXPECT_EQ(g.Get(), 1);
  EXPECT_TRUE(ran);
}

// B-P5
TEST_F(GroupTest, MapKeepsInputOrder) {
  Group group;
  const std::vector<int> inputs = {5, 4, 3, 2, 1};
  // Larger inputs sleep longer, so they finish in reverse.
  auto results = group.Map(
      [](int x) {
        Sleep(absl::Milliseconds(x));
        return x * 10;
      },
      inputs);
  EXPECT_THAT(results, ElementsAre(50, 40, 30, 20, 10));
}

TEST_F(GroupTest, MapRethrowsTheFirstFailureInInputOrder) {
  Group group;
  const std::vector<int> inputs = {1, 2, 3};
  try {
    group.Map(
        [](int x) -> int {
          if (x >= 2) throw std::runtime_error("bad " + std::to_string(x));
          return x;
        },
        inputs);
    FAIL() << "expected a failure";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "bad 2");
  }
}

TEST_F(GroupTest, MapOfAVoidFunctionRunsEachInput) {
  Group group;
  std::vector<int> seen;
  group.Map([&](int x) { seen.push_back(x); }, std::vector<int>{1, 2, 3});
  EXPECT_THAT(seen, ElementsAre(1, 2, 3));
}

// B-P5
TEST_F(GroupTest, IMapKeepsOrderAndYieldsAFailureInItsPlace) {
  Group group;
  const std::vector<int> inputs = {3, 2, 1, 0};
  std::vector<std::string> seen;
  for (absl::StatusOr<int> r : group.IMap(
           [](int x) {
             Sleep(absl::Milliseconds(x));
             if (x == 2) throw std::runtime_error("two");
             return x;
           },
           inputs)) {
    seen.push_back(r.ok() ? std::to_string(*r)
                          : std::string(r.status().message()));
  }
  EXPECT_THAT(seen, ElementsAre("3", "two", "1", "0"));
}

TEST_F(GroupTest, IMapReportsAKilledElementAsCancelled) {
  Group group;
  auto results = group.IMap(
      [](int) {
        Sleep(absl::Hours(1));
        return 0;
      },
      std::vector<int>{1});
  ASSERT_TRUE(WaitUntilAllBlocked());
  group.Kill();
  auto r = results.Next();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status().code(), absl::StatusCode::kCancelled);
  EXPECT_FALSE(results.Next().has_value());
}

// B-P5
TEST_F(GroupTest, IMapUnorderedYieldsAsReady) {
  Group group;
  std::vector<Event> go(3);
  auto results = group.IMapUnordered(
      [&](int i) {
        go[i].Wait();
        return i;
      },
      std::vector<int>{0, 1, 2});
  std::vector<int> seen;
  for (int i : {2, 0, 1}) {
    go[i].Set();
    auto r = results.Next();
    ASSERT_TRUE(r.has_value());
    seen.push_back(**r);
  }
  EXPECT_FALSE(results.Next().has_value());
  EXPECT_THAT(seen, ElementsAre(2, 0, 1));
}

TEST_F(GroupTest, DestroyingAGroupLeavesItsMembersRunning) {
  Event release;
  Greenlet<int> g;
  {
    Group group;
    g = group.Spawn([&] {
      release.Wait();
      return 5;
    });
    ASSERT_TRUE(WaitUntilAllBlocked());
  }
  release.Set();
  EXPECT_EQ(g.Get(), 5);
}

TEST_F(GroupTest, UseFromAnotherThreadIsRefused) {
  Group group;
  auto g = Greenlet<void>::Create([] {});
  bool refused = false;
  std::thread([&] {
    try {
      group.Add(g.base()).IgnoreError();
    } catch (const WrongThreadError&) {
      refused = true;
    }
  }).join();
  EXPECT_TRUE(refused);
  EXPECT_EQ(group.size(), 0);
}

}  // namespace
}  // namespace evergreen
