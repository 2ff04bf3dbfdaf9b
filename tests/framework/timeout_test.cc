// Timeout and the wait contract: B-T1 ... B-T5, B-W1, B-W2.
#include "framework/timeout.h"

#include <stdexcept>

#include "framework/event.h"
#include "framework/greenlet.h"
#include "framework/hub.h"
#include "framework/waiter.h"
#include "gtest/gtest.h"
#include "tests/testing/wait_until.h"

namespace evergreen {
namespace {

class TimeoutTest : public ::testing::Test {
 protected:
  void TearDown() override { Hub::DestroyCurrent(); }
  // Keeps the loop alive so waits in the main greenlet are not LoopExits.
  void KeepBusy() {
    keeper_ = Spawn([] { Sleep(absl::Hours(1)); });
  }
  void StopKeeper() {
    if (keeper_) keeper_.Kill();
  }
  Greenlet<void> keeper_;
};

// B-T1
TEST_F(TimeoutTest, StartedTimeoutRaisesItselfOnExpiry) {
  Timeout timeout(absl::Milliseconds(10));
  EXPECT_TRUE(timeout.pending());
  try {
    Sleep(absl::Seconds(10));
    FAIL() << "slept through the timeout";
  } catch (const TimeoutError& e) {
    EXPECT_EQ(e.source(), &timeout);
  }
  EXPECT_FALSE(timeout.pending());
}

// B-T1
TEST_F(TimeoutTest, CancelledTimeoutIsNotPendingAndNeverFires) {
  Timeout timeout(absl::Milliseconds(5));
  timeout.Cancel();
  EXPECT_FALSE(timeout.pending());
  Sleep(absl::Milliseconds(20));  // no exception
}

// B-T1
TEST_F(TimeoutTest, TimeoutCanBeRestartedAfterFiring) {
  Timeout timeout(absl::Milliseconds(5));
  EXPECT_THROW(Sleep(absl::Seconds(10)), TimeoutError);
  timeout.Start();
  EXPECT_TRUE(timeout.pending());
  EXPECT_THROW(Sleep(absl::Seconds(10)), TimeoutError);
}

// B-T2
TEST_F(TimeoutTest, InfiniteTimeoutNeverFires) {
  Timeout timeout(absl::InfiniteDuration());
  EXPECT_FALSE(timeout.pending());
  Sleep(absl::Milliseconds(5));
}

// B-T3
TEST_F(TimeoutTest, SilentFormEndsWithoutAnError) {
  absl::Status status =
      WithTimeout(absl::Milliseconds(5), [] { Sleep(absl::Seconds(10)); });
  EXPECT_EQ(status.code(), absl::StatusCode::kDeadlineExceeded);
}

// B-T3
TEST_F(TimeoutTest, CustomExceptionIsRaisedInstead) {
  Timeout timeout(absl::Milliseconds(5),
                  std::make_exception_ptr(std::out_of_range("custom")));
  EXPECT_THROW(Sleep(absl::Seconds(10)), std::out_of_range);
}

// B-T4
TEST_F(TimeoutTest, NestedTimeoutsTheShorterFiresTheLongerStaysPending) {
  Timeout outer(absl::Seconds(10));
  {
    Timeout inner(absl::Milliseconds(5));
    try {
      Sleep(absl::Seconds(20));
      FAIL();
    } catch (const TimeoutError& e) {
      EXPECT_EQ(e.source(), &inner);
    }
    EXPECT_TRUE(outer.pending());
    EXPECT_FALSE(inner.pending());
  }
  outer.Cancel();
  EXPECT_FALSE(outer.pending());
}

// B-T4
TEST_F(TimeoutTest, NestedTimeoutsTheOuterShorterOnePropagatesThroughInner) {
  Timeout outer(absl::Milliseconds(5));
  try {
    absl::Status inner =
        WithTimeout(absl::Seconds(10), [] { Sleep(absl::Seconds(20)); });
    FAIL() << "inner scope swallowed the outer timeout: " << inner;
  } catch (const TimeoutError& e) {
    EXPECT_EQ(e.source(), &outer);
  }
}

// B-T5
TEST_F(TimeoutTest, WithTimeoutReturnsTheDefaultOnExpiry) {
  int v = WithTimeout(
      absl::Milliseconds(5),
      [] {
        Sleep(absl::Seconds(10));
        return 1;
      },
      -1);
  EXPECT_EQ(v, -1);
}

// B-T5
TEST_F(TimeoutTest, WithTimeoutWithoutDefaultFails) {
  absl::StatusOr<int> v = WithTimeout(absl::Milliseconds(5), [] {
    Sleep(absl::Seconds(10));
    return 1;
  });
  EXPECT_EQ(v.status().code(), absl::StatusCode::kDeadlineExceeded);
}

// B-T5
TEST_F(TimeoutTest, WithTimeoutReturnsTheResultWhenFnFinishesFirst) {
  EXPECT_EQ(WithTimeout(absl::Seconds(10), [] { return 7; }, -1), 7);
  absl::StatusOr<int> v = WithTimeout(absl::Seconds(10), [] {
    Sleep(absl::Milliseconds(1));
    return 8;
  });
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(*v, 8);
}

// B-W1
TEST_F(TimeoutTest, WaitReturnsNotReadyAfterAboutTheTimeout) {
  KeepBusy();
  Event never;
  const absl::Time start = absl::Now();
  EXPECT_FALSE(never.Wait(absl::Milliseconds(50)));
  const absl::Duration waited = absl::Now() - start;
  EXPECT_GE(waited, absl::Milliseconds(50));  // counted from the call
  EXPECT_LT(waited, absl::Seconds(10));
  StopKeeper();
}

// B-W2
TEST_F(TimeoutTest, ScopedTimeoutDuringALongerWaitPropagatesAsThatTimeout) {
  KeepBusy();
  Event never;
  Timeout timeout(absl::Milliseconds(5));
  try {
    never.Wait(absl::Seconds(10));
    FAIL();
  } catch (const TimeoutError& e) {
    EXPECT_EQ(e.source(), &timeout);
  }
  StopKeeper();
}

TEST_F(TimeoutTest, TimeoutOnAnotherGreenletOnlyAffectsThatGreenlet) {
  auto g = Spawn([] {
    Timeout t(absl::Milliseconds(5));
    Sleep(absl::Seconds(10));
  });
  Sleep(absl::Milliseconds(20));  // not interrupted
  EXPECT_TRUE(g.Join());
  EXPECT_THROW(g.Get(), TimeoutError);
}

TEST_F(TimeoutTest, ExpiryAfterAWakeUpInTheSameTurnIsNotLost) {
  // The wait is woken and the timeout fires before the greenlet runs: it
  // must see exactly one of them (which one depends on whether the hub
  // polled between the two), and leaving the scope cancels the other, so
  // a later wait in the same greenlet is not cut short by it.
  Event event;
  const Timeout* source = nullptr;
  bool waiting = false;
  auto g = Spawn([event, &source, &waiting]() mutable {
    int outcome = 0;
    {
      Timeout t(absl::ZeroDuration());
      try {
        waiting = true;
        event.Wait();
        outcome = 1;
      } catch (const TimeoutError& e) {
        if (e.source() == &t) outcome = 2;  // else stays 0
        source = e.source();
      }
    }
    const absl::Time start = absl::Now();
    Sleep(absl::Milliseconds(20));  // a stale expiry would throw in here
    if (absl::Now() - start < absl::Milliseconds(20)) outcome = 4;
    return outcome;
  });
  // g now waits, its timer due at once.
  ASSERT_TRUE(WaitForFlag(waiting, "g waits on the event"));
  event.Set();
  int outcome = -1;
  ASSERT_NO_THROW(outcome = g.Get());
  EXPECT_TRUE(outcome == 1 || outcome == 2)
      << "outcome " << outcome << " (source " << source << ")";
}

}  // namespace
}  // namespace evergreen
