// Pool: B-P1 ... B-P5 of docs/behaviours.md.
#include "framework/pool.h"

#include <algorithm>
#include <stdexcept>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "framework/event.h"
#include "framework/greenlet.h"
#include "framework/hub.h"
#include "framework/timeout.h"
#include "framework/waiter.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/wait_until.h"
#include "tests/testing/leak_check.h"

namespace evergreen {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

class PoolTest : public ::testing::Test {
 protected:
  void TearDown() override { Hub::DestroyCurrent(); }
};

// B-P1
TEST_F(PoolTest, FreeCountFollowsSpawnAndCompletion) {
  Pool pool(2);
  EXPECT_EQ(pool.capacity(), 2);
  EXPECT_EQ(pool.FreeCount(), 2);
  Event release;
  auto g = pool.Spawn([&] { release.Wait(); });
  EXPECT_EQ(pool.FreeCount(), 1);
  EXPECT_FALSE(pool.Full());
  release.Set();
  g.Join();
  EXPECT_EQ(pool.FreeCount(), 2);  // freed as the member ended
}

// B-P1
TEST_F(PoolTest, ApplyAsyncNeverRunsSynchronously) {
  Pool pool(2);
  bool ran = false;
  auto g = pool.ApplyAsync([&] { ran = true; });
  EXPECT_FALSE(ran);
  EXPECT_EQ(pool.FreeCount(), 1);
  g.Join();
  EXPECT_TRUE(ran);
}

// B-P1, on a full pool: queued, not blocking, not run.
TEST_F(PoolTest, ApplyAsyncOnAFullPoolQueuesWithoutBlocking) {
  Pool pool(1);
  Event release;
  pool.Spawn([&] { release.Wait(); });
  bool ran = false;
  const unsigned long long turns = Hub::Current()->turns();
  auto queued = pool.ApplyAsync([&] {
    ran = true;
    return 7;
  });
  EXPECT_EQ(Hub::Current()->turns(), turns);  // did not block
  EXPECT_TRUE(pool.Contains(queued));
  EXPECT_EQ(pool.size(), 2);
  ASSERT_TRUE(WaitUntilAllBlocked());
  EXPECT_FALSE(queued.started());
  EXPECT_FALSE(ran);
  release.Set();
  EXPECT_EQ(queued.Get(), 7);
  EXPECT_TRUE(pool.Join());
}

// B-P2
TEST_F(PoolTest, SecondSpawnBlocksUntilASlotFrees) {
  Pool pool(1);
  Event release;
  auto first = pool.Spawn([&] { release.Wait(); });
  bool spawned = false;
  auto spawner = Spawn([&] {
    pool.Spawn([] {});
    spawned = true;
  });
  ASSERT_TRUE(WaitUntilAllBlocked());
  EXPECT_FALSE(spawned);
  EXPECT_TRUE(pool.Full());
  release.Set();
  spawner.Get();
  EXPECT_TRUE(spawned);
  EXPECT_TRUE(first.dead());
  EXPECT_TRUE(pool.Join());
}

// B-P2
TEST_F(PoolTest, AddWithTimeoutOnAFullPoolFailsResourceExhausted) {
  Pool pool(1);
  Event release;
  pool.Spawn([&] { release.Wait(); });
  auto g = Greenlet<void>::Create([] {});
  absl::Status timed = pool.Add(g, absl::Milliseconds(5));
  EXPECT_EQ(timed.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(timed.message(), HasSubstr("full"));
  EXPECT_EQ(pool.TryAdd(g.base()).code(), absl::StatusCode::kResourceExhausted);
  EXPECT_FALSE(pool.Contains(g));
  release.Set();
  EXPECT_TRUE(pool.Join());
  EXPECT_TRUE(pool.TryAdd(g.base()).ok());
  EXPECT_EQ(pool.FreeCount(), 0);
  pool.Discard(g);
}

// B-P2
TEST_F(PoolTest, DiscardFreesASlot) {
  Pool pool(1);
  Event release;
  auto g = pool.Spawn([&] { release.Wait(); });
  EXPECT_EQ(pool.FreeCount(), 0);
  pool.Discard(g);
  EXPECT_EQ(pool.FreeCount(), 1);
  EXPECT_FALSE(g.dead());  // it keeps running, outside the pool
  release.Set();
  g.Join();
  EXPECT_EQ(pool.FreeCount(), 1);
}

// B-P3
TEST_F(PoolTest, ZeroSizedPoolIsAlwaysFull) {
  Pool pool(0);
  EXPECT_TRUE(pool.Full());
  EXPECT_EQ(pool.FreeCount(), 0);
  EXPECT_FALSE(pool.WaitAvailable(absl::Milliseconds(5)));
  auto g = Greenlet<void>::Create([] {});
  EXPECT_EQ(pool.Add(g, absl::Milliseconds(5)).code(),
            absl::StatusCode::kResourceExhausted);
  EXPECT_TRUE(pool.Full());
}

// B-P3
TEST_F(PoolTest, NegativeSizeIsRefused) {
  EXPECT_THROW(Pool(-1), std::invalid_argument);
}

// B-P3
TEST_F(PoolTest, JoinWithTimeoutOnABusyPoolReturnsFalse) {
  Pool pool(2);
  Event release;
  pool.Spawn([&] { release.Wait(); });
  EXPECT_FALSE(pool.Join(absl::Milliseconds(5)));
  release.Set();
  EXPECT_TRUE(pool.Join());
}

// B-P3
TEST_F(PoolTest, JoinOnAnEmptyPoolReturnsAtOnce) {
  Pool pool(2);
  const unsigned long long turns = Hub::Current()->turns();
  EXPECT_TRUE(pool.Join());
  EXPECT_EQ(Hub::Current()->turns(), turns);
}

// B-P4
TEST_F(PoolTest, ApplyReturnsOrReraises) {
  Pool pool(1);
  EXPECT_EQ(pool.Apply([](int x) { return x + 1; }, 41), 42);
  EXPECT_THROW(pool.Apply([]() -> int { throw std::runtime_error("bad"); }),
               std::runtime_error);
  EXPECT_EQ(pool.FreeCount(), 1);
}

// B-P4
TEST_F(PoolTest, ReentrantApplyOnAPoolOfOneDoesNotDeadlock) {
  Pool pool(1);
  const int result = pool.Apply([&] {
    return pool.Apply([&] { return pool.Apply([] { return 3; }) * 2; }) + 1;
  });
  EXPECT_EQ(result, 7);
  EXPECT_EQ(pool.FreeCount(), 1);
}

// B-P4
TEST_F(PoolTest, CrashingWorkerFreesItsSlot) {
  Pool pool(1);
  auto crash = pool.Spawn([]() -> int { throw std::runtime_error("crash"); });
  crash.Join();
  EXPECT_FALSE(crash.successful());
  EXPECT_EQ(pool.FreeCount(), 1);
  EXPECT_EQ(pool.Spawn([] { return 1; }).Get(), 1);
}

// B-P5, with concurrency bounded by the pool.
TEST_F(PoolTest, MapKeepsInputOrderAndRespectsTheSize) {
  Pool pool(2);
  int running = 0;
  int most = 0;
  const std::vector<int> inputs = {6, 5, 4, 3, 2, 1};
  auto results = pool.Map(
      [&](int x) {
        most = std::max(most, ++running);
        Sleep(absl::Milliseconds(x));
        --running;
        return x * x;
      },
      inputs);
  EXPECT_THAT(results, ElementsAre(36, 25, 16, 9, 4, 1));
  EXPECT_EQ(most, 2);
  EXPECT_EQ(pool.FreeCount(), 2);
}

// B-P5
TEST_F(PoolTest, IMapContinuesPastAFailedElement) {
  Pool pool(2);
  std::vector<std::string> seen;
  for (auto r : pool.IMap(
           [](int x) {
             if (x == 1) throw std::runtime_error("one");
             return x;
           },
           std::vector<int>{0, 1, 2, 3})) {
    seen.push_back(r.ok() ? std::to_string(*r)
                          : std::string(r.status().message()));
  }
  EXPECT_THAT(seen, ElementsAre("0", "one", "2", "3"));
}

// B-P5
TEST_F(PoolTest, IMapUnorderedYieldsAsReady) {
  Pool pool(3);
  std::vector<Event> go(3);
  auto results = pool.IMapUnordered(
      [&](int i) {
        go[i].Wait();
        return i;
      },
      std::vector<int>{0, 1, 2});
  std::vector<int> seen;
  for (int i : {1, 2, 0}) {
    go[i].Set();
    seen.push_back(**results.Next());
  }
  EXPECT_THAT(seen, ElementsAre(1, 2, 0));
}

TEST_F(PoolTest, WaitAvailableBlocksUntilASlotFrees) {
  Pool pool(1);
  Event release;
  pool.Spawn([&] { release.Wait(); });
  auto waiter = Spawn([&] { return pool.WaitAvailable(); });
  ASSERT_TRUE(WaitUntilAllBlocked());
  EXPECT_FALSE(waiter.ready());
  release.Set();
  EXPECT_TRUE(waiter.Get());
  EXPECT_EQ(pool.FreeCount(), 1);  // waiting took nothing
}

// Blocked Spawn calls and queued ApplyAsync greenlets share one FIFO.
TEST_F(PoolTest, SlotsGoToWaitersInArrivalOrder) {
  Pool pool(1);
  Event release;
  pool.Spawn([&] { release.Wait(); });
  std::vector<std::string> order;
  pool.ApplyAsync([&] { order.push_back("async-1"); });
  auto spawner =
      Spawn([&] { pool.Spawn([&] { order.push_back("spawned"); }); });
  ASSERT_TRUE(WaitUntilAllBlocked());
  pool.ApplyAsync([&] { order.push_back("async-2"); });
  release.Set();
  EXPECT_TRUE(pool.Join());
  spawner.Get();
  EXPECT_THAT(order, ElementsAre("async-1", "spawned", "async-2"));
}

TEST_F(PoolTest, KillAlsoKillsQueuedGreenletsWhichNeverRun) {
  Pool pool(1);
  bool queued_ran = false;
  auto running = pool.Spawn([] { Sleep(absl::Hours(1)); });
  auto queued = pool.ApplyAsync([&] { queued_ran = true; });
  ASSERT_TRUE(WaitUntilAllBlocked());
  pool.Kill();
  EXPECT_TRUE(running.killed());
  EXPECT_TRUE(queued.killed());
  EXPECT_FALSE(queued_ran);
  EXPECT_EQ(pool.size(), 0);
  EXPECT_EQ(pool.FreeCount(), 1);
}

TEST_F(PoolTest, KilledBlockedSpawnerLeavesThePoolConsistent) {
  Pool pool(1);
  Event release;
  pool.Spawn([&] { release.Wait(); });
  bool extra_ran = false;
  auto spawner = Spawn([&] { pool.Spawn([&] { extra_ran = true; }); });
  ASSERT_TRUE(WaitUntilAllBlocked());
  spawner.Kill();
  release.Set();
  EXPECT_TRUE(pool.Join());
  EXPECT_FALSE(extra_ran);
  EXPECT_EQ(pool.FreeCount(), 1);
}

TEST_F(PoolTest, ScopedTimeoutInterruptsABlockedSpawn) {
  Pool pool(1);
  Event release;
  pool.Spawn([&] { release.Wait(); });
  auto g = Spawn([&] {
    Timeout timeout(absl::Milliseconds(5));
    pool.Spawn([] {});
  });
  EXPECT_THROW(g.Get(), TimeoutError);
  release.Set();
  EXPECT_TRUE(pool.Join());
  EXPECT_EQ(pool.FreeCount(), 1);
}

// B-W2: a scoped Timeout that fires during a longer timed Add or
// WaitAvailable comes out as that very Timeout.
TEST_F(PoolTest, ScopedTimeoutDuringALongerWaitForASlotIsThatTimeout) {
  Pool pool(1);
  Event release;
  pool.Spawn([&] { release.Wait(); });
  auto adder = Spawn([&] {
    Timeout timeout(absl::Milliseconds(5));
    auto extra = Greenlet<void>::Create([] {});
    try {
      (void)pool.Add(extra, absl::Seconds(30));
    } catch (const TimeoutError& e) {
      return e.source() == &timeout;
    }
    return false;
  });
  auto waiter = Spawn([&] {
    Timeout timeout(absl::Milliseconds(5));
    try {
      (void)pool.WaitAvailable(absl::Seconds(30));
    } catch (const TimeoutError& e) {
      return e.source() == &timeout;
    }
    return false;
  });
  EXPECT_TRUE(adder.Get(absl::Seconds(30)));
  EXPECT_TRUE(waiter.Get(absl::Seconds(30)));
  EXPECT_EQ(pool.FreeCount(), 0);
  release.Set();
  EXPECT_TRUE(pool.Join(absl::Seconds(30)));
  EXPECT_EQ(pool.FreeCount(), 1);
}

TEST_F(PoolTest, JoinWaitsForQueuedGreenletsToo) {
  Pool pool(1);
  std::vector<int> done;
  for (int i = 0; i < 3; ++i) pool.ApplyAsync([&, i] { done.push_back(i); });
  EXPECT_TRUE(pool.Join());
  EXPECT_THAT(done, ElementsAre(0, 1, 2));
}

TEST_F(PoolTest, HubShutdownUnwindsMembersOfALivePool) {
  leak_check::ExpectLeftovers("destroying the hub with live members is the point");
  Pool pool(2);
  std::vector<Greenlet<void>> members;
  for (int i = 0; i < 2; ++i) {
    members.push_back(pool.Spawn([] { Sleep(absl::Hours(1)); }));
  }
  auto queued = pool.ApplyAsync([] {});
  ASSERT_TRUE(WaitUntilAllBlocked());
  Hub::DestroyCurrent();  // the pool outlives its hub
  for (const auto& g : members) EXPECT_TRUE(g.killed());
  // Admitted as a slot freed, then unwound before it ever ran.
  EXPECT_TRUE(queued.killed());
  EXPECT_EQ(pool.size(), 0);
  EXPECT_EQ(pool.FreeCount(), 2);
}

}  // namespace
}  // namespace evergreen
