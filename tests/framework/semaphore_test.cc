// Semaphore and BoundedSemaphore: B-L1 ... B-L3 of docs/behaviours.md.
#include "framework/semaphore.h"

#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "framework/errors.h"
#include "framework/event.h"
#include "framework/greenlet.h"
#include "framework/hub.h"
#include "framework/lock_guard.h"
#include "framework/timeout.h"
#include "framework/waiter.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/wait_until.h"

namespace evergreen {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

class SemaphoreTest : public ::testing::Test {
 protected:
  void TearDown() override { Hub::DestroyCurrent(); }
};

// One switch: the other ready greenlets run once.
void Turn() { Sleep(absl::ZeroDuration()); }

// B-L1
TEST_F(SemaphoreTest, AcquireOnZeroSemaphoreTimesOut) {
  Semaphore sem(0);
  const absl::Time start = absl::Now();
  EXPECT_FALSE(sem.Acquire(absl::Milliseconds(20)));
  EXPECT_GE(absl::Now() - start, absl::Milliseconds(10));
  EXPECT_FALSE(sem.TryAcquire());
  EXPECT_EQ(sem.value(), 0);
  EXPECT_FALSE(sem.has_waiters());  // the timed-out waiter left the line
}

// B-L1
TEST_F(SemaphoreTest, WaitOnUnlockedSemaphoreReturnsAtOnce) {
  Semaphore sem(1);
  const unsigned long long turns = Hub::Current()->turns();
  EXPECT_TRUE(sem.Wait());
  EXPECT_TRUE(sem.Wait(absl::ZeroDuration()));
  EXPECT_EQ(Hub::Current()->turns(), turns);  // never switched
  EXPECT_EQ(sem.value(), 1);                  // and took nothing
}

TEST_F(SemaphoreTest, WaitOnLockedSemaphoreTimesOutThenSucceedsOnRelease) {
  Semaphore sem(0);
  EXPECT_FALSE(sem.Wait(absl::Milliseconds(5)));
  EXPECT_FALSE(sem.Wait(absl::ZeroDuration()));
  auto waiter = Spawn([&] { return sem.Wait(); });
  ASSERT_TRUE(WaitUntilAllBlocked());
  EXPECT_FALSE(waiter.ready());
  sem.Release();
  EXPECT_TRUE(waiter.Get());
  EXPECT_EQ(sem.value(), 1);  // Wait does not take the slot
}

TEST_F(SemaphoreTest, ReleaseWakesEveryWaitOnlyWaiterWithoutTakingTheSlot) {
  Semaphore sem(0);
  std::vector<Greenlet<bool>> waiters;
  for (int i = 0; i < 3; ++i)
    waiters.push_back(Spawn([&] { return sem.Wait(); }));
  ASSERT_TRUE(WaitUntilAllBlocked());
  sem.Release();
  for (auto& w : waiters) EXPECT_TRUE(w.Get());
  EXPECT_EQ(sem.value(), 1);
}

TEST_F(SemaphoreTest, AcquireBlocksUntilRelease) {
  Semaphore sem(1);
  ASSERT_TRUE(sem.Acquire());
  EXPECT_TRUE(sem.locked());
  bool acquired = false;
  auto g = Spawn([&] {
    sem.Acquire();
    acquired = true;
    sem.Release();
  });
  ASSERT_TRUE(WaitUntilAllBlocked());
  EXPECT_FALSE(acquired);
  EXPECT_TRUE(sem.has_waiters());
  sem.Release();
  g.Get();
  EXPECT_TRUE(acquired);
  EXPECT_EQ(sem.value(), 1);
}

// B-L2: waiters are served in arrival order.
TEST_F(SemaphoreTest, ReleasesGrantWaitersInArrivalOrder) {
  Semaphore sem(0);
  std::vector<std::string> order;
  std::vector<Greenlet<void>> gs;
  for (std::string name : {"a", "b", "c"}) {
    gs.push_back(Spawn([&, name] {
      sem.Acquire();
      order.push_back(name);
    }));
  }
  ASSERT_TRUE(WaitUntilAllBlocked());
  for (int i = 0; i < 3; ++i) sem.Release();
  for (auto& g : gs) g.Get();
  EXPECT_THAT(order, ElementsAre("a", "b", "c"));
}

// B-L2: a releaser that acquires again at once queues behind the waiter.
TEST_F(SemaphoreTest, ReleaserCannotJumpTheQueue) {
  Semaphore sem(1);
  ASSERT_TRUE(sem.Acquire());
  auto waiter = Spawn([&] {
    sem.Acquire();
    sem.Release();
  });
  ASSERT_TRUE(WaitUntilAllBlocked());
  sem.Release();
  EXPECT_FALSE(sem.TryAcquire());  // the slot already belongs to `waiter`
  EXPECT_EQ(sem.value(), 0);
  EXPECT_TRUE(sem.Acquire());  // after it is done
  EXPECT_TRUE(waiter.dead());
  sem.Release();
}

// B-L2: three greenlets looping on one slot take strict turns; the third
// is not starved by the other two.
TEST_F(SemaphoreTest, ThirdContenderIsNotStarved) {
  Semaphore sem(1);
  std::string log;
  std::vector<Greenlet<void>> gs;
  for (char id : {'A', 'B', 'C'}) {
    gs.push_back(Spawn([&, id] {
      for (int i = 0; i < 5; ++i) {
        LockGuard guard(sem);
        log.push_back(id);
        Turn();  // hold it across a switch
      }
    }));
  }
  for (auto& g : gs) g.Get();
  EXPECT_EQ(log, "ABCABCABCABCABC");
}

TEST_F(SemaphoreTest, KilledWaiterLeavesTheLineAndTheCountConsistent) {
  Semaphore sem(1);
  ASSERT_TRUE(sem.Acquire());
  bool b_acquired = false;
  auto a = Spawn([&] { sem.Acquire(); });
  auto b = Spawn([&] {
    sem.Acquire();
    b_acquired = true;
    sem.Release();
  });
  ASSERT_TRUE(WaitUntilAllBlocked());
  a.Kill();
  EXPECT_TRUE(a.killed());
  sem.Release();
  b.Get();
  EXPECT_TRUE(b_acquired);
  EXPECT_EQ(sem.value(), 1);
  EXPECT_FALSE(sem.has_waiters());
}

// A slot granted to a greenlet that is killed before it runs again is
// passed on, not lost.
TEST_F(SemaphoreTest, SlotGrantedToAKilledWaiterPassesToTheNext) {
  Semaphore sem(1);
  ASSERT_TRUE(sem.Acquire());
  bool a_acquired = false;
  bool b_acquired = false;
  auto a = Spawn([&] {
    sem.Acquire();
    a_acquired = true;
  });
  auto b = Spawn([&] {
    sem.Acquire();
    b_acquired = true;
    sem.Release();
  });
  ASSERT_TRUE(WaitUntilAllBlocked());
  a.Kill(nullptr, /*block=*/false);  // delivered before the wake-up below
  sem.Release();                     // grants `a`, which is being killed
  b.Get();
  EXPECT_TRUE(a.killed());
  EXPECT_FALSE(a_acquired);
  EXPECT_TRUE(b_acquired);
  EXPECT_EQ(sem.value(), 1);
}

TEST_F(SemaphoreTest, ScopedTimeoutInterruptsAcquireAndLeavesNoWaiter) {
  Semaphore sem(0);
  auto g = Spawn([&] {
    Timeout timeout(absl::Milliseconds(5));
    sem.Acquire();
  });
  EXPECT_THROW(g.Get(), TimeoutError);
  EXPECT_FALSE(sem.has_waiters());
  sem.Release();
  EXPECT_EQ(sem.value(), 1);
}

// B-W2: a scoped Timeout that fires during a longer timed Acquire comes
// out as that very Timeout, not as the Acquire's own false.
TEST_F(SemaphoreTest, ScopedTimeoutDuringALongerAcquireIsThatTimeout) {
  Semaphore sem(0);
  auto g = Spawn([&] {
    Timeout timeout(absl::Milliseconds(5));
    try {
      (void)sem.Acquire(absl::Seconds(30));
    } catch (const TimeoutError& e) {
      return e.source() == &timeout;
    }
    return false;
  });
  EXPECT_TRUE(g.Get(absl::Seconds(30)));
  EXPECT_FALSE(sem.has_waiters());
  EXPECT_EQ(sem.value(), 0);
}

TEST_F(SemaphoreTest, BlockingAcquireInTheHubIsRefused) {
  Semaphore sem(0);
  Semaphore free_sem(1);
  bool refused = false;
  bool try_worked = false;
  auto g = Spawn([] {});
  g.Link([&](GreenletBase&) {  // runs in the hub
    try_worked = free_sem.TryAcquire();
    try {
      sem.Acquire();
    } catch (const BlockingInHubError&) {
      refused = true;
    }
  });
  Hub::Current()->Join();
  EXPECT_TRUE(try_worked);
  EXPECT_TRUE(refused);
  EXPECT_FALSE(sem.has_waiters());
}

TEST_F(SemaphoreTest, AcquireThatNothingCanEverSatisfyRaisesLoopExit) {
  Semaphore sem(0);
  EXPECT_THROW(sem.Acquire(), LoopExit);
  EXPECT_FALSE(sem.has_waiters());
}

TEST_F(SemaphoreTest, NegativeValueIsRefused) {
  EXPECT_THROW(Semaphore(-1), std::invalid_argument);
}

TEST_F(SemaphoreTest, UseFromAnotherThreadIsRefused) {
  Semaphore sem(1);
  bool refused = false;
  std::thread([&] {
    try {
      sem.TryAcquire();
    } catch (const WrongThreadError&) {
      refused = true;
    }
    Hub::DestroyCurrent();
  }).join();
  EXPECT_TRUE(refused);
  EXPECT_EQ(sem.value(), 1);
}

TEST_F(SemaphoreTest, UnboundedSemaphoreMayBeReleasedAboveItsStart) {
  Semaphore sem(0);
  sem.Release();
  sem.Release();
  EXPECT_EQ(sem.value(), 2);
}

// B-L3
TEST_F(SemaphoreTest, BoundedSemaphoreRefusesReleaseAboveItsStart) {
  BoundedSemaphore sem(2);
  ASSERT_TRUE(sem.Acquire());
  sem.Release();
  try {
    sem.Release();
    FAIL() << "expected LockError";
  } catch (const LockError& e) {
    EXPECT_THAT(e.what(), HasSubstr("released too many times"));
  }
  EXPECT_EQ(sem.value(), 2);  // unchanged
  EXPECT_TRUE(sem.Acquire());
  EXPECT_TRUE(sem.Acquire());
  EXPECT_FALSE(sem.TryAcquire());
}

TEST_F(SemaphoreTest, LockGuardReleasesWhenUnwound) {
  BoundedSemaphore sem(1);
  EXPECT_THROW(
      {
        LockGuard guard(sem);
        EXPECT_TRUE(sem.locked());
        throw std::runtime_error("boom");
      },
      std::runtime_error);
  EXPECT_EQ(sem.value(), 1);
}

}  // namespace
}  // namespace evergreen
