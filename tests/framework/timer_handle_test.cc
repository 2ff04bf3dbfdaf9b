// Hub::CallLater's TimerHandle: cancellable timers that stop holding the
// loop (B-D2).
#include "framework/timer_handle.h"

#include <memory>
#include <thread>
#include <utility>

#include "framework/greenlet.h"
#include "framework/hub.h"
#include "gtest/gtest.h"
#include "tests/testing/leak_check.h"

namespace evergreen {
namespace {

class TimerHandleTest : public ::testing::Test {
 protected:
  void TearDown() override { Hub::DestroyCurrent(); }
};

// B-D2: a cancelled call never runs, frees its callable at once and no
// longer keeps the loop alive.
TEST_F(TimerHandleTest, CancelStopsTheTimerAndFreesTheCallable) {
  Hub* hub = Hub::Current();
  auto captured = std::make_shared<int>(0);
  bool ran = false;
  TimerHandle timer =
      hub->CallLater(absl::Hours(1), [captured, &ran] { ran = true; });
  EXPECT_TRUE(timer.pending());
  EXPECT_EQ(hub->pending_calls(), 1u);
  EXPECT_EQ(captured.use_count(), 2);
  timer.Cancel();
  EXPECT_FALSE(timer.pending());
  EXPECT_EQ(captured.use_count(), 1);  // the callable is gone already
  EXPECT_EQ(hub->pending_calls(), 0u);
  const absl::Time start = absl::Now();
  EXPECT_TRUE(hub->Join(absl::Seconds(30)));  // nothing holds the loop
  EXPECT_LT(absl::Now() - start, absl::Seconds(1));
  EXPECT_FALSE(ran);
  timer.Cancel();  // idempotent
}

// Dropping the handle is not cancelling: CallLater stays fire-and-forget.
TEST_F(TimerHandleTest, DroppingTheHandleDoesNotCancel) {
  bool ran = false;
  { (void)Hub::Current()->CallLater(absl::Milliseconds(1), [&] { ran = true; }); }
  EXPECT_EQ(Hub::Current()->pending_calls(), 1u);
  EXPECT_TRUE(Hub::Current()->Join());
  EXPECT_TRUE(ran);
  EXPECT_EQ(Hub::Current()->pending_calls(), 0u);
}

TEST_F(TimerHandleTest, CancelAfterTheCallRanDoesNothing) {
  int runs = 0;
  TimerHandle timer =
      Hub::Current()->CallLater(absl::Milliseconds(1), [&] { ++runs; });
  EXPECT_TRUE(Hub::Current()->Join());
  EXPECT_EQ(runs, 1);
  EXPECT_FALSE(timer.pending());
  timer.Cancel();
  EXPECT_EQ(runs, 1);
}

// The callable may cancel, or drop, its own handle while it runs.
TEST_F(TimerHandleTest, ACallMayCancelAndDropItsOwnHandle) {
  auto timer = std::make_unique<TimerHandle>();
  int runs = 0;
  *timer = Hub::Current()->CallLater(absl::Milliseconds(1), [&] {
    ++runs;
    timer->Cancel();  // already running: nothing to cancel
    timer.reset();    // the last handle goes while the call runs
  });
  EXPECT_TRUE(Hub::Current()->Join());
  EXPECT_EQ(runs, 1);
  EXPECT_EQ(timer, nullptr);
}

TEST_F(TimerHandleTest, ScopedTimerCancelsWhenItGoesOutOfScope) {
  bool ran = false;
  {
    ScopedTimer timer(
        Hub::Current()->CallLater(absl::Milliseconds(1), [&] { ran = true; }));
    EXPECT_TRUE(timer.pending());
  }
  EXPECT_EQ(Hub::Current()->pending_calls(), 0u);
  EXPECT_TRUE(Hub::Current()->Join());
  EXPECT_FALSE(ran);
}

TEST_F(TimerHandleTest, HandlesAreMovable) {
  bool ran = false;
  TimerHandle first =
      Hub::Current()->CallLater(absl::Hours(1), [&] { ran = true; });
  TimerHandle second = std::move(first);
  EXPECT_FALSE(first.pending());  // NOLINT(bugprone-use-after-move)
  EXPECT_TRUE(second.pending());
  first.Cancel();  // an empty handle: nothing happens
  EXPECT_TRUE(second.pending());
  second.Cancel();
  EXPECT_TRUE(Hub::Current()->Join(absl::Seconds(30)));
  EXPECT_FALSE(ran);
}

// A handle may outlive its hub (B-H2: no leak, no use after free).
TEST_F(TimerHandleTest, AHandleMayOutliveItsHub) {
  leak_check::ExpectLeftovers("the hub is destroyed with the call pending on purpose");
  std::thread([] {
    auto captured = std::make_shared<int>(0);
    TimerHandle timer =
        Hub::Current()->CallLater(absl::Hours(1), [captured] {});
    Hub::DestroyCurrent();
    EXPECT_EQ(captured.use_count(), 1);  // the hub dropped the callable
    EXPECT_FALSE(timer.pending());
    timer.Cancel();
  }).join();
}

}  // namespace
}  // namespace evergreen
