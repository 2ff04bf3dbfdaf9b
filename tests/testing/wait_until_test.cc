// WaitUntil and its predicates (wait_until.h): they return as soon as the
// condition holds, however many turns that takes, and fail the test, naming
// the condition, when it never does.
#include "tests/testing/wait_until.h"

#include <vector>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "framework/event.h"
#include "framework/greenlet.h"
#include "framework/hub.h"
#include "framework/queue.h"
#include "framework/waiter.h"
#include "gtest/gtest-spi.h"
#include "gtest/gtest.h"

namespace evergreen {
namespace {

TEST(WaitUntilTest, ReturnsAtOnceWithoutATurnWhenTheConditionHolds) {
  const unsigned long long turns = Hub::Current()->turns();
  EXPECT_TRUE(WaitUntil([] { return true; }, "true"));
  EXPECT_EQ(Hub::Current()->turns(), turns);
}

TEST(WaitUntilTest, WaitsForAConditionThatTakesManyTurns) {
  int steps = 0;
  auto stepper = Spawn([&] {
    for (int i = 0; i < 50; ++i) {
      ++steps;
      Sleep(absl::ZeroDuration());
    }
  });
  EXPECT_TRUE(WaitUntil([&] { return steps == 50; }, "50 steps"));
  EXPECT_TRUE(stepper.Join(absl::Seconds(30)));
}

TEST(WaitUntilTest, WaitsForATimerBeyondItsSingleTurns) {
  bool fired = false;
  Hub::Current()->CallLater(absl::Milliseconds(300), [&] { fired = true; });
  const absl::Time start = absl::Now();
  EXPECT_TRUE(WaitUntil([&] { return fired; }, "the timer fired"));
  EXPECT_GE(absl::Now() - start, absl::Milliseconds(300));
}

TEST(WaitUntilTest, FailsNamingTheConditionAfterTheLimit) {
  bool result = true;
  const absl::Time start = absl::Now();
  EXPECT_NONFATAL_FAILURE(
      result = WaitUntil([] { return false; }, "the impossible",
                         absl::Milliseconds(50)),
      "still not true after 50ms: the impossible");
  EXPECT_FALSE(result);
  EXPECT_GE(absl::Now() - start, absl::Milliseconds(50));
}

TEST(WaitUntilTest, WaitForGettersAndPuttersCountBlockedGreenlets) {
  Queue<int> empty;
  Queue<int> full(1);
  ASSERT_TRUE(full.TryPut(0).ok());
  auto getter = Spawn([&] { return *empty.Get(); });
  auto putter = Spawn([&] { return full.Put(1).ok(); });
  EXPECT_TRUE(WaitForGetters(empty, 1));
  EXPECT_TRUE(WaitForPutters(full, 1));
  EXPECT_EQ(empty.waiting_getters(), 1u);
  EXPECT_EQ(full.waiting_putters(), 1u);
  EXPECT_NONFATAL_FAILURE(
      (void)WaitForGetters(empty, 2, absl::Milliseconds(20)),
      "2 getter(s) waiting");
  ASSERT_TRUE(empty.TryPut(7).ok());
  EXPECT_EQ(*full.TryGet(), 0);
  EXPECT_EQ(getter.Get(), 7);
  EXPECT_TRUE(putter.Get());
}

TEST(WaitUntilTest, WaitUntilAllBlockedRunsEveryReadyGreenletToItsWait) {
  Event release;
  int blocked = 0;
  std::vector<Greenlet<void>> all;
  for (int i = 0; i < 5; ++i) {
    all.push_back(Spawn([&, i] {
      for (int turn = 0; turn < i * 10; ++turn) Sleep(absl::ZeroDuration());
      ++blocked;
      release.Wait();
    }));
  }
  EXPECT_TRUE(WaitUntilAllBlocked());
  EXPECT_EQ(blocked, 5);
  release.Set();
  for (auto& g : all) EXPECT_TRUE(g.Join(absl::Seconds(30)));
}

TEST(WaitUntilTest, WaitUntilAllBlockedFailsWhileAGreenletNeverBlocks) {
  bool stop = false;
  auto spinner = Spawn([&] {
    while (!stop) Sleep(absl::ZeroDuration());
  });
  EXPECT_NONFATAL_FAILURE((void)WaitUntilAllBlocked(absl::Milliseconds(20)),
                          "still has work ready");
  stop = true;
  EXPECT_TRUE(spinner.Join(absl::Seconds(30)));
}

}  // namespace
}  // namespace evergreen
