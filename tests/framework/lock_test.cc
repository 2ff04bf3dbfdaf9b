// Lock and RLock: B-L2, B-L3 of docs/behaviours.md.
#include "framework/lock.h"

#include <algorithm>
#include <string>
#include <vector>

#include "framework/greenlet.h"
#include "framework/hub.h"
#include "framework/lock_guard.h"
#include "framework/waiter.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/wait_until.h"

namespace evergreen {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

class LockTest : public ::testing::Test {
 protected:
  void TearDown() override { Hub::DestroyCurrent(); }
};

void Turn() { Sleep(absl::ZeroDuration()); }

TEST_F(LockTest, LockExcludesAcrossSwitches) {
  Lock lock;
  int inside = 0;
  int most_inside = 0;
  std::vector<Greenlet<void>> gs;
  for (int i = 0; i < 4; ++i) {
    gs.push_back(Spawn([&] {
      for (int j = 0; j < 3; ++j) {
        LockGuard guard(lock);
        most_inside = std::max(most_inside, ++inside);
        Turn();
        --inside;
      }
    }));
  }
  for (auto& g : gs) g.Get();
  EXPECT_EQ(most_inside, 1);
  EXPECT_FALSE(lock.locked());
}

// B-L3: a Lock is a BoundedSemaphore(1).
TEST_F(LockTest, ReleasingAnUnlockedLockIsAnError) {
  Lock lock;
  EXPECT_THROW(lock.Release(), LockError);
  EXPECT_EQ(lock.value(), 1);
}

TEST_F(LockTest, LockHasNoOwnerAnyGreenletMayRelease) {
  Lock lock;
  ASSERT_TRUE(lock.Acquire());
  Spawn([&] { lock.Release(); }).Get();
  EXPECT_FALSE(lock.locked());
}

// B-L3: re-entrant for its owner.
TEST_F(LockTest, RLockIsReentrantForItsOwner) {
  RLock rlock;
  ASSERT_TRUE(rlock.Acquire());
  ASSERT_TRUE(rlock.Acquire(absl::ZeroDuration()));  // no blocking needed
  EXPECT_EQ(rlock.count(), 2);
  EXPECT_TRUE(rlock.OwnedByCurrent());
  EXPECT_FALSE(Spawn([&] { return rlock.TryAcquire(); }).Get());
  rlock.Release();
  EXPECT_TRUE(rlock.locked());
  rlock.Release();
  EXPECT_FALSE(rlock.locked());
  EXPECT_TRUE(Spawn([&] {
                bool got = rlock.TryAcquire();
                rlock.Release();
                return got;
              }).Get());
}

// B-L3: release by a greenlet that does not own it is refused.
TEST_F(LockTest, RLockRefusesReleaseByAnotherGreenlet) {
  RLock rlock;
  ASSERT_TRUE(rlock.Acquire());
  auto intruder = Spawn([&] { rlock.Release(); });
  try {
    intruder.Get();
    FAIL() << "expected LockError";
  } catch (const LockError& e) {
    EXPECT_THAT(e.what(), HasSubstr("does not own"));
  }
  EXPECT_TRUE(rlock.OwnedByCurrent());
  EXPECT_EQ(rlock.count(), 1);
  rlock.Release();
}

TEST_F(LockTest, RLockReleaseWhenFreeIsRefused) {
  RLock rlock;
  EXPECT_THROW(rlock.Release(), LockError);
  EXPECT_FALSE(rlock.locked());
}

TEST_F(LockTest, RLockPassesToTheFirstWaiterOnTheLastRelease) {
  RLock rlock;
  std::vector<std::string> order;
  ASSERT_TRUE(rlock.Acquire());
  ASSERT_TRUE(rlock.Acquire());
  auto make = [&](std::string name) {
    return Spawn([&, name] {
      LockGuard guard(rlock);
      order.push_back(name);
      EXPECT_TRUE(rlock.OwnedByCurrent());
    });
  };
  auto a = make("a");
  auto b = make("b");
  ASSERT_TRUE(WaitUntilAllBlocked());
  rlock.Release();
  ASSERT_TRUE(WaitUntilAllBlocked());  // a wrongly freed lock would be taken
  EXPECT_TRUE(order.empty());  // still held once
  rlock.Release();
  a.Get();
  b.Get();
  EXPECT_THAT(order, ElementsAre("a", "b"));
  EXPECT_FALSE(rlock.locked());
}

TEST_F(LockTest, RLockAcquireTimesOut) {
  RLock rlock;
  ASSERT_TRUE(rlock.Acquire());
  EXPECT_FALSE(
      Spawn([&] { return rlock.Acquire(absl::Milliseconds(5)); }).Get());
  EXPECT_EQ(rlock.count(), 1);
  rlock.Release();
}

TEST_F(LockTest, NestedGuardsOnAnRLock) {
  RLock rlock;
  {
    LockGuard outer(rlock);
    {
      LockGuard inner(rlock);
      EXPECT_EQ(rlock.count(), 2);
    }
    EXPECT_EQ(rlock.count(), 1);
  }
  EXPECT_FALSE(rlock.locked());
}

}  // namespace
}  // namespace evergreen
