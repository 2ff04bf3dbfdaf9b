// Event and AsyncResult: B-E1 ... B-E4, B-W3.
#include "framework/event.h"

#include <sys/types.h>
#include <unistd.h>

#include <atomic>
#include <latch>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "absl/time/clock.h"

#include "framework/async_result.h"
#include "framework/greenlet.h"
#include "framework/hub.h"
#include "framework/keep_alive.h"
#include "framework/wait.h"
#include "framework/waiter.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/thread_state.h"
#include "tests/testing/wait_until.h"

namespace evergreen {
namespace {

using ::testing::ElementsAre;

class EventTest : public ::testing::TestWithParam<int> {
 protected:
  void TearDown() override { Hub::DestroyCurrent(); }
};

// B-E1
TEST_P(EventTest, SetWakesAllWaiters) {
  const int n = GetParam();
  Event event;
  int woken = 0;
  int waiting = 0;
  for (int i = 0; i < n; ++i) {
    Spawn([&, event]() mutable {
      ++waiting;
      if (event.Wait()) ++woken;
    });
  }
  ASSERT_TRUE(WaitUntil([&] { return waiting == n; }, "every waiter blocked"));
  EXPECT_EQ(woken, 0);
  event.Set();
  Hub::Current()->Join();
  EXPECT_EQ(woken, n);
}
INSTANTIATE_TEST_SUITE_P(Waiters, EventTest, ::testing::Values(1, 100, 1000));

class EventBasicsTest : public ::testing::Test {
 protected:
  void TearDown() override { Hub::DestroyCurrent(); }
};

// B-E1
TEST_F(EventBasicsTest, SetThenClearStillReleasesEveryWaiter) {
  Event event;
  int woken = 0;
  int waiting = 0;
  for (int i = 0; i < 10; ++i) {
    Spawn([&, event]() mutable {
      ++waiting;
      if (event.Wait()) ++woken;
    });
  }
  ASSERT_TRUE(WaitUntil([&] { return waiting == 10; }, "every waiter blocked"));
  event.Set();
  event.Clear();
  Hub::Current()->Join();
  EXPECT_EQ(woken, 10);
  EXPECT_FALSE(event.is_set());
}

// B-E3
TEST_F(EventBasicsTest, WaitOnAnAlreadySetEventReturnsItEveryTime) {
  Event event;
  event.Set();
  EXPECT_THAT(Wait({event}), ElementsAre(0));
  EXPECT_THAT(Wait({event}), ElementsAre(0));
}

// B-E3
TEST_F(EventBasicsTest, WaitWithCountReturnsMinOfCountAndReady) {
  HubKeepAlive keep_alive;  // keeps the loop alive until the test ends
  Event a, b, c;
  a.Set();
  c.Set();
  EXPECT_EQ(Wait({a, b, c}, /*count=*/1, absl::Milliseconds(10)).size(), 1u);
  EXPECT_THAT(Wait({a, b, c}, /*count=*/3, absl::Milliseconds(10)),
              ElementsAre(0, 2));
  Spawn([b]() mutable { b.Set(); });
  EXPECT_THAT(Wait({b}, 1, absl::Seconds(10)), ElementsAre(0));
}

TEST_F(EventBasicsTest, IWaitYieldsInCompletionOrder) {
  Event a, b, c;
  Spawn([=]() mutable {
    c.Set();
    Sleep(absl::Milliseconds(1));
    a.Set();
    Sleep(absl::Milliseconds(1));
    b.Set();
  });
  std::vector<int> order;
  for (int i : IWait({a, b, c})) order.push_back(i);
  EXPECT_THAT(order, ElementsAre(2, 0, 1));
}

// Makes sure a cross-thread Set finds the waiter already parked: returns
// once the calling (hub) thread's main greenlet has blocked and the hub
// thread sleeps in its poll. Call Park() on the hub thread right before
// the wait, and AwaitParked() on the other thread before it Sets.
class ParkedWaiter {
 public:
  void Park() {
    hub_tid_.store(gettid());
    // Runs only once the caller has blocked and handed the hub the thread.
    Spawn([this] { blocked_.count_down(); });
  }
  // Other thread: true once the waiter blocked and the hub went to sleep.
  bool AwaitParked() {
    blocked_.wait();
    return AwaitThreadAsleep(hub_tid_.load());
  }

 private:
  std::latch blocked_{1};
  std::atomic<pid_t> hub_tid_{0};
};

// B-E4: the waiter is blocked and the hub asleep in its poll before the
// other thread's Set, so the wake-up crosses threads (not a flag already
// set when Wait() began).
TEST_F(EventBasicsTest, SetFromAnotherThreadWakesAnUntimedWaiter) {
  Event event;
  ParkedWaiter parked;
  HubKeepAlive alive;
  std::atomic<bool> was_parked{false};
  absl::Time set_at = absl::InfiniteFuture();  // read after join()
  std::thread other([&, event, alive = std::move(alive)]() mutable {
    was_parked.store(parked.AwaitParked());
    set_at = absl::Now();
    event.Set();
    alive.Reset();
  });
  parked.Park();
  EXPECT_TRUE(event.Wait());
  const absl::Time woken = absl::Now();
  other.join();
  // Woken by the Set itself, not by whatever the loop did next.
  EXPECT_LT(woken - set_at, absl::Seconds(10));
  EXPECT_TRUE(was_parked.load());
}

// B-E4
TEST_F(EventBasicsTest, SetFromAnotherThreadWakesATimedWaiter) {
  Event event;
  ParkedWaiter parked;
  std::atomic<bool> was_parked{false};
  absl::Time set_at = absl::InfiniteFuture();  // read after join()
  std::thread other([&, event]() mutable {
    was_parked.store(parked.AwaitParked());
    set_at = absl::Now();
    event.Set();
  });
  parked.Park();
  // Woken by the Set itself (well before the wait's own 40 s timer).
  EXPECT_TRUE(event.Wait(absl::Seconds(40)));
  const absl::Time woken = absl::Now();
  other.join();
  EXPECT_LT(woken - set_at, absl::Seconds(10));
  EXPECT_TRUE(was_parked.load());
}

// B-E2
TEST_F(EventBasicsTest, AsyncResultGetRaisesTheExactError) {
  AsyncResult<int> result;
  EXPECT_EQ(result.exception(), nullptr);
  auto error = std::make_exception_ptr(std::domain_error("exact"));
  Spawn([result, error]() mutable { result.SetException(error); });
  try {
    result.Get();
    FAIL();
  } catch (const std::domain_error& e) {
    EXPECT_STREQ(e.what(), "exact");
  }
  EXPECT_EQ(result.exception(), error);
  EXPECT_FALSE(result.successful());
}

TEST_F(EventBasicsTest, AsyncResultFirstSetWins) {
  AsyncResult<std::string> result;
  EXPECT_TRUE(result.Set("one"));
  EXPECT_FALSE(result.Set("two"));
  EXPECT_FALSE(result.SetException(std::make_exception_ptr(std::exception())));
  EXPECT_EQ(result.Get(), "one");
  EXPECT_TRUE(result.successful());
}

TEST_F(EventBasicsTest, AsyncResultOfVoidAndMoveOnly) {
  AsyncResult<> done;
  AsyncResult<std::unique_ptr<int>> boxed;
  Spawn([=]() mutable {
    boxed.Set(std::make_unique<int>(4));
    done.Set();
  });
  done.Get();
  EXPECT_EQ(*boxed.Take(), 4);
}

// B-W3
TEST_F(EventBasicsTest, AsyncResultGetWithTimeoutOnNeverSetFails) {
  HubKeepAlive keep_alive;  // keeps the loop alive until the test ends
  AsyncResult<int> never;
  EXPECT_THROW(never.Get(absl::Milliseconds(10)), TimeoutError);
  // The non-blocking twin never throws: Unavailable while unset.
  EXPECT_EQ(never.TryGet().status().code(), absl::StatusCode::kUnavailable);
  EXPECT_FALSE(never.Wait(absl::Milliseconds(1)));
}

// B-E4
TEST_F(EventBasicsTest, AsyncResultSetFromAnotherThread) {
  AsyncResult<int> result;
  HubKeepAlive alive;
  std::thread other([result, alive = std::move(alive)]() mutable {
    result.Set(99);
    alive.Reset();
  });
  EXPECT_EQ(result.Get(), 99);
  other.join();
  AsyncResult<int> failed;
  std::thread other2([failed]() mutable {
    failed.SetException(std::make_exception_ptr(std::runtime_error("far")));
  });
  EXPECT_THROW(failed.Get(absl::Seconds(30)), std::runtime_error);
  other2.join();
}

}  // namespace
}  // namespace evergreen
