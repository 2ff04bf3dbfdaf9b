// Deadlines that flow (docs/deadlines.md): B-D3 for the framework's
// blocking calls, and the rules around them (narrowing, no inheritance by
// Spawn, delays not shortened, a passed deadline failing at once).
#include "framework/deadline.h"

#include <atomic>
#include <latch>

#include "absl/time/clock.h"
#include "framework/async_result.h"
#include "framework/event.h"
#include "framework/greenlet.h"
#include "framework/group.h"
#include "framework/hub.h"
#include "framework/lock.h"
#include "framework/queue.h"
#include "framework/semaphore.h"
#include "framework/thread_pool.h"
#include "framework/timeout.h"
#include "framework/keep_alive.h"
#include "framework/waiter.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace evergreen {
namespace {

using ::absl::StatusCode;
using ::testing::HasSubstr;

constexpr absl::Duration kDeadline = absl::Milliseconds(50);
// Far beyond the deadline: a call that waited its own timeout would hang
// the test; a generous bound still catches it.
constexpr absl::Duration kLong = absl::Hours(1);
constexpr absl::Duration kGenerous = absl::Seconds(5);

absl::Status StatusOf(absl::Status status) { return status; }
template <typename T>
absl::Status StatusOf(const absl::StatusOr<T>& result) {
  return result.status();
}

class DeadlineTest : public ::testing::Test {
 protected:
  void TearDown() override { Hub::DestroyCurrent(); }

  // Runs `fn` under WithDeadline(kDeadline) and checks that it ended by
  // the deadline (not before it, and long before its own timeout) with
  // DeadlineExceeded.
  template <typename F>
  void ExpectCutByDeadline(F&& fn) {
    const absl::Time start = absl::Now();
    const absl::Status status = StatusOf(WithDeadline(kDeadline, fn));
    const absl::Duration took = absl::Now() - start;
    EXPECT_EQ(status.code(), StatusCode::kDeadlineExceeded) << status;
    EXPECT_GE(took, kDeadline - absl::Milliseconds(1));
    EXPECT_LT(took, kGenerous);
  }
};

// Keeps the hub from running dry while the main greenlet waits on
// something only a deadline ends; released at the end of the test's scope
// (a sleeper greenlet left behind would trip the leak check).
using Keeper = HubKeepAlive;

TEST_F(DeadlineTest, NoDeadlineByDefault) {
  EXPECT_EQ(CurrentDeadline(), absl::InfiniteFuture());
  EXPECT_EQ(TimeUntilDeadline(), absl::InfiniteDuration());
}

TEST_F(DeadlineTest, ScopeOnlyNarrowsAndRestores) {
  const absl::Time near = absl::Now() + absl::Seconds(10);
  {
    DeadlineScope outer(near);
    EXPECT_EQ(CurrentDeadline(), near);
    {
      DeadlineScope wider(near + absl::Hours(1));  // cannot extend
      EXPECT_EQ(CurrentDeadline(), near);
      DeadlineScope nearer(near - absl::Seconds(5));
      EXPECT_EQ(CurrentDeadline(), near - absl::Seconds(5));
    }
    EXPECT_EQ(CurrentDeadline(), near);
    EXPECT_LE(TimeUntilDeadline(), absl::Seconds(10));
  }
  EXPECT_EQ(CurrentDeadline(), absl::InfiniteFuture());
}

// B-D3
TEST_F(DeadlineTest, QueueGetPutPeekFailByTheDeadline) {
  Keeper keeper;
  Queue<int> empty;
  ExpectCutByDeadline([&] { return empty.Get(kLong).status(); });
  ExpectCutByDeadline([&] { return empty.Peek().status(); });
  Queue<int> full(1);
  ASSERT_TRUE(full.Put(1).ok());
  ExpectCutByDeadline([&] { return full.Put(2, kLong); });
  const absl::Status message = WithDeadline(
      absl::Milliseconds(5), [&] { return empty.Get().status(); });
  EXPECT_THAT(message.message(), HasSubstr("deadline exceeded"));
}

// B-D3
TEST_F(DeadlineTest, EventAndAsyncResultWaitsEndAtTheDeadline) {
  Keeper keeper;
  Event never;
  ExpectCutByDeadline([&] {
    return never.Wait(kLong) ? absl::OkStatus()
                             : absl::DeadlineExceededError("event");
  });
  AsyncResult<int> unset;
  ExpectCutByDeadline([&] {
    return unset.Wait() ? absl::OkStatus()
                        : absl::DeadlineExceededError("result");
  });
  // The throwing Get: its TimeoutError comes back as DeadlineExceeded.
  ExpectCutByDeadline([&] { return absl::StatusOr<int>(unset.Get(kLong)); });
}

// B-D3
TEST_F(DeadlineTest, GreenletAndGroupJoinsEndAtTheDeadline) {
  auto sleeper = Spawn([] { Sleep(absl::Hours(1)); });
  ExpectCutByDeadline([&] {
    return sleeper.Join(kLong) ? absl::OkStatus()
                               : absl::DeadlineExceededError("join");
  });
  Group group;
  group.Spawn([] { Sleep(absl::Hours(1)); });
  ExpectCutByDeadline([&] {
    return group.Join(kLong) ? absl::OkStatus()
                             : absl::DeadlineExceededError("group");
  });
  group.Kill();
  sleeper.Kill();
}

// B-D3
TEST_F(DeadlineTest, LocksGiveUpAtTheDeadline) {
  Keeper keeper;
  Semaphore none(0);
  ExpectCutByDeadline([&] {
    return none.Acquire(kLong) ? absl::OkStatus()
                               : absl::DeadlineExceededError("semaphore");
  });
  Lock lock;
  ASSERT_TRUE(lock.Acquire());
  ExpectCutByDeadline([&] {
    return lock.Acquire() ? absl::OkStatus()
                          : absl::DeadlineExceededError("lock");
  });
  lock.Release();
  EXPECT_EQ(none.value(), 0);
}

// B-D3
TEST_F(DeadlineTest, ThreadPoolWaitEndsAtTheDeadline) {
  ThreadPool pool({.max_threads = 1});
  std::latch release(1);
  AsyncResult<int> busy = pool.Spawn([&] {
    release.wait();
    return 7;
  });
  ExpectCutByDeadline([&] { return absl::StatusOr<int>(busy.Get(kLong)); });
  release.count_down();
  EXPECT_EQ(busy.Get(), 7);  // outside the deadline: waits as usual
}

TEST_F(DeadlineTest, PassedDeadlineFailsAtOnceWithoutWaiting) {
  Keeper keeper;
  Queue<int> q;
  DeadlineScope passed(absl::Now() - absl::Seconds(1));
  const unsigned long long turns = Hub::Current()->turns();
  EXPECT_EQ(q.Get().status().code(), StatusCode::kDeadlineExceeded);
  Event never;
  EXPECT_FALSE(never.Wait());
  EXPECT_EQ(Hub::Current()->turns(), turns);  // never switched
  // What completes without waiting still completes.
  ASSERT_TRUE(q.Put(3).ok());
  EXPECT_EQ(*q.Get(), 3);
}

TEST_F(DeadlineTest, WithDeadlineAlreadyPassedDoesNotRunTheCall) {
  bool ran = false;
  const absl::Status status =
      WithDeadline(absl::Now() - absl::Milliseconds(1), [&] { ran = true; });
  EXPECT_EQ(status.code(), StatusCode::kDeadlineExceeded);
  EXPECT_FALSE(ran);
}

TEST_F(DeadlineTest, WithDeadlineReturnsTheCallsResult) {
  absl::StatusOr<int> value = WithDeadline(kDeadline, [] { return 5; });
  EXPECT_EQ(*value, 5);
  absl::StatusOr<int> passed_through = WithDeadline(
      kDeadline, [] { return absl::StatusOr<int>(absl::NotFoundError("x")); });
  EXPECT_EQ(passed_through.status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(WithDeadline(kDeadline, [] {}).ok());
  // A scoped Timeout's own error is not the deadline's: it propagates.
  EXPECT_THROW(WithDeadline(absl::Seconds(10),
                            [] {
                              Timeout timeout(absl::Milliseconds(1));
                              Sleep(absl::Seconds(1));
                            }),
               TimeoutError);
}

TEST_F(DeadlineTest, SpawnDoesNotInheritTheDeadline) {
  absl::Time seen = absl::Now();
  Greenlet<void> child;
  {
    DeadlineScope scope(absl::Milliseconds(10));
    child = Spawn([&] { seen = CurrentDeadline(); });
  }
  ASSERT_TRUE(child.Join(kGenerous));
  EXPECT_EQ(seen, absl::InfiniteFuture());
}

TEST_F(DeadlineTest, SleepIsADelayNotShortenedByTheDeadline) {
  const absl::Time start = absl::Now();
  const absl::Status status = WithDeadline(absl::Milliseconds(5), [] {
    Sleep(absl::Milliseconds(40));
  });
  EXPECT_TRUE(status.ok());
  EXPECT_GE(absl::Now() - start, absl::Milliseconds(40));
}

TEST_F(DeadlineTest, EachGreenletHasItsOwnDeadline) {
  Event go;
  absl::Duration other_left = absl::ZeroDuration();
  auto other = Spawn([&] {
    go.Wait();
    other_left = TimeUntilDeadline();
  });
  DeadlineScope mine(absl::Milliseconds(100));
  go.Set();
  ASSERT_TRUE(other.Join(absl::Seconds(1)));
  EXPECT_EQ(other_left, absl::InfiniteDuration());
}

}  // namespace
}  // namespace evergreen
