// Fair scheduling and timers that count from the call (docs/hub.md):
// B-G9's bound in time, MaybeYield at cooperative calls that do not block,
// and issue 14's "a timer of d never fires before d has passed".
#include <atomic>
#include <stdexcept>
#include <vector>

#include "absl/time/clock.h"
#include "framework/event.h"
#include "framework/greenlet.h"
#include "framework/hub.h"
#include "framework/queue.h"
#include "framework/timeout.h"
#include "framework/waiter.h"
#include "gtest/gtest.h"

namespace evergreen {
namespace {

class SchedulingTest : public ::testing::Test {
 protected:
  void TearDown() override { Hub::DestroyCurrent(); }
};

// Burns CPU for `d` without yielding.
void Burn(absl::Duration d) {
  const absl::Time until = absl::Now() + d;
  while (absl::Now() < until) {
  }
}

// How late a Sleep(10 ms) in its own greenlet wakes while `load` runs.
template <typename Load>
absl::Duration SleepLatenessUnder(Load load) {
  bool stop = false;
  std::vector<Greenlet<void>> workers = load(&stop);
  absl::Duration late;
  auto sleeper = Spawn([&] {
    Sleep(absl::Milliseconds(5));  // the load is in full swing
    const absl::Time start = absl::Now();
    Sleep(absl::Milliseconds(10));
    late = absl::Now() - start - absl::Milliseconds(10);
    stop = true;
  });
  EXPECT_TRUE(sleeper.Join(absl::Seconds(30)));
  for (auto& w : workers) EXPECT_TRUE(w.Join(absl::Seconds(30)));
  return late;
}

// B-G9 in time (issue 8 point 5): 100 greenlets each working 100 us between
// Sleep(0)s (a 10 ms batch) delayed a 10 ms sleep by 150 ms when the hub
// polled only every 16 batches; now the poll comes within about a budget.
TEST_F(SchedulingTest, BusyBatchesDoNotHoldOffTimers) {
  const absl::Duration late = SleepLatenessUnder([](bool* stop) {
    std::vector<Greenlet<void>> workers;
    for (int i = 0; i < 100; ++i) {
      workers.push_back(Spawn([stop] {
        for (int round = 0; round < 2000 && !*stop; ++round) {
          Burn(absl::Microseconds(100));
          Sleep(absl::ZeroDuration());
        }
      }));
    }
    return workers;
  });
  EXPECT_LT(late, absl::Milliseconds(40));
}

// A greenlet whose queue calls never block still yields once it has held
// the hub longer than the budget (MaybeYield).
TEST_F(SchedulingTest, QueueCallsThatNeverBlockStillYield) {
  const absl::Duration late = SleepLatenessUnder([](bool* stop) {
    std::vector<Greenlet<void>> workers;
    workers.push_back(Spawn([stop] {
      Queue<int> q;
      const absl::Time until = absl::Now() + absl::Seconds(10);
      while (!*stop && absl::Now() < until) {
        (void)q.Put(1);
        (void)q.Get();
      }
    }));
    return workers;
  });
  EXPECT_LT(late, absl::Milliseconds(40));
}

TEST_F(SchedulingTest, PollBudgetIsSettableAndMustBePositive) {
  Hub* hub = Hub::Current();
  EXPECT_EQ(hub->poll_budget(), absl::Milliseconds(1));
  hub->set_poll_budget(absl::Microseconds(500));
  EXPECT_EQ(hub->poll_budget(), absl::Microseconds(500));
  EXPECT_THROW(hub->set_poll_budget(absl::ZeroDuration()),
               std::invalid_argument);
}

TEST_F(SchedulingTest, MaybeYieldInsideTheHubNeverSwitches) {
  bool ran = false;
  Hub::Current()->CallSoon([&] {
    Burn(absl::Milliseconds(10));
    internal::MaybeYield();  // a callback must not switch: a no-op
    ran = true;
  });
  Hub::Current()->Join();
  EXPECT_TRUE(ran);
}

// Issue 14 point 5: libev's cached time is that of the last poll; a timer
// started after 30 ms of work without a poll must still count from the call.
TEST_F(SchedulingTest, TimersCountFromTheCallNotFromTheLastPoll) {
  Sleep(absl::Milliseconds(1));  // the loop's cached time is fresh here
  Burn(absl::Milliseconds(30));  // ...and 30 ms stale here
  absl::Time start = absl::Now();
  auto keeper = Spawn([] { Sleep(absl::Seconds(10)); });
  const absl::Status timed_out = WithTimeout(absl::Milliseconds(50), [] {
    Event never;
    never.Wait();
  });
  keeper.Kill();
  EXPECT_EQ(timed_out.code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_GE(absl::Now() - start, absl::Milliseconds(50));

  Sleep(absl::Milliseconds(1));
  Burn(absl::Milliseconds(30));
  start = absl::Now();
  Sleep(absl::Milliseconds(50));  // a timed wait (Waiter)
  EXPECT_GE(absl::Now() - start, absl::Milliseconds(50));

  Sleep(absl::Milliseconds(1));
  Burn(absl::Milliseconds(30));
  start = absl::Now();
  absl::Time fired;
  Hub::Current()->CallLater(absl::Milliseconds(50),
                            [&] { fired = absl::Now(); });
  Hub::Current()->Join();
  EXPECT_GE(fired - start, absl::Milliseconds(50));
}

}  // namespace
}  // namespace evergreen
