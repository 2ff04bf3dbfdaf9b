// The hub: B-H1, B-H2 and the loop's life cycle.
#include "framework/hub.h"

#include <atomic>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "framework/event.h"
#include "framework/greenlet.h"
#include "framework/keep_alive.h"
#include "framework/waiter.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/wait_until.h"
#include "tests/testing/leak_check.h"

namespace evergreen {
namespace {

using ::testing::HasSubstr;

class HubTest : public ::testing::Test {
 protected:
  void TearDown() override { Hub::DestroyCurrent(); }
};

TEST_F(HubTest, OneHubPerThreadCreatedOnFirstUse) {
  Hub* here = Hub::Current();
  EXPECT_EQ(Hub::Current(), here);
  Hub* there = nullptr;
  std::thread other([&] { there = Hub::Current(); });
  other.join();
  EXPECT_NE(there, nullptr);
  EXPECT_NE(there, here);
}

TEST_F(HubTest, JoinRunsUntilNothingIsLeft) {
  int done = 0;
  for (int i = 0; i < 10; ++i) {
    Spawn([&done, i] {
      Sleep(absl::Milliseconds(i));
      ++done;
    });
  }
  EXPECT_TRUE(Hub::Current()->Join());
  EXPECT_EQ(done, 10);
}

// B-H2
TEST_F(HubTest, HubCanBeJoinedRepeatedlyAndStaysUsable) {
  for (int round = 0; round < 5; ++round) {
    int ran = 0;
    Spawn([&] { ++ran; });
    EXPECT_TRUE(Hub::Current()->Join());
    EXPECT_EQ(ran, 1);
  }
  EXPECT_TRUE(Hub::Current()->Join());  // nothing at all: returns at once
}

TEST_F(HubTest, JoinWithTimeoutReturnsFalseWhileWorkRemains) {
  leak_check::ExpectLeftovers("a 30 s sleeper outlives the timed Join on purpose");
  Spawn([] { Sleep(absl::Seconds(30)); });
  EXPECT_FALSE(Hub::Current()->Join(absl::Milliseconds(20)));
}

// B-H2
TEST_F(HubTest, CreatingAndDestroyingHubsPerThreadManyTimes) {
  // Each thread leaves suspended greenlets, pending timers and posts
  // behind; the hub's destruction must release them all (ASan's leak
  // checker holds us to it).
  leak_check::ExpectLeftovers("each thread's hub is destroyed full, on purpose");
  const HubLeftovers before = HubLeftoversSoFar();
  for (int i = 0; i < 50; ++i) {
    std::thread t([] {
      Event never;
      for (int j = 0; j < 5; ++j) Spawn([never]() mutable { never.Wait(); });
      Spawn([] { Sleep(absl::Hours(1)); });
      Hub::Current()->CallLater(absl::Hours(1), [] {});
      Hub::Current()->Join(absl::Milliseconds(1));
    });
    t.join();
  }
  // What each destruction shut down is counted, and nothing outlives it:
  // 6 greenlets and 1 CallLater per thread; every watcher (the sleepers'
  // timers) stopped as the greenlets unwound.
  const HubLeftovers after = HubLeftoversSoFar();
  EXPECT_EQ(after.greenlets_killed - before.greenlets_killed, 50u * 6);
  EXPECT_EQ(after.calls_dropped - before.calls_dropped, 50u);
  EXPECT_EQ(after.callbacks_discarded - before.callbacks_discarded, 0u);
  EXPECT_EQ(after.watchers_left - before.watchers_left, 0u);
}

TEST_F(HubTest, DestroyCurrentUnwindsSuspendedGreenlets) {
  leak_check::ExpectLeftovers("destroying the hub with sleepers is the point");
  int unwound = 0;
  for (int i = 0; i < 3; ++i) {
    Spawn([&unwound] {
      struct Count {
        int* n;
        ~Count() { ++*n; }
      } count{&unwound};
      Sleep(absl::Hours(1));
    });
  }
  ASSERT_TRUE(WaitUntilAllBlocked());
  Hub::DestroyCurrent();
  EXPECT_EQ(unwound, 3);
  // A fresh hub works.
  EXPECT_EQ(Spawn([] { return 3; }).Get(), 3);
}

// B-H1
TEST_F(HubTest, ExceptionInATimerCallbackGoesToTheErrorHandlerOnce) {
  std::vector<std::string> errors;
  Hub::Current()->SetErrorHandler(
      [&](absl::string_view where, std::exception_ptr e) {
        try {
          std::rethrow_exception(e);
        } catch (const std::exception& ex) {
          errors.push_back(std::string(where) + ": " + ex.what());
        }
      });
  Hub::Current()->CallLater(absl::Milliseconds(1),
                            [] { throw std::runtime_error("tick failed"); });
  bool later_ran = false;
  Hub::Current()->CallLater(absl::Milliseconds(5), [&] { later_ran = true; });
  EXPECT_TRUE(Hub::Current()->Join());
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_THAT(errors[0], HasSubstr("tick failed"));
  EXPECT_TRUE(later_ran);
  const absl::Time start = absl::Now();
  Sleep(absl::Milliseconds(10));
  EXPECT_GE(absl::Now() - start, absl::Milliseconds(10));  // from the call
}

TEST_F(HubTest, PostFromAnotherThreadRunsInTheHub) {
  Hub* hub = Hub::Current();
  std::thread::id ran_on;
  Event done;
  HubKeepAlive alive;
  std::thread other([&, alive = std::move(alive)]() mutable {
    hub->Post([&] {
      ran_on = std::this_thread::get_id();
      done.Set();
    });
    alive.Reset();
  });
  EXPECT_TRUE(done.Wait());
  other.join();
  EXPECT_EQ(ran_on, std::this_thread::get_id());
}

TEST_F(HubTest, ManyPostsFromManyThreadsAllRun) {
  Hub* hub = Hub::Current();
  constexpr int kThreads = 4;
  constexpr int kPosts = 1000;
  int count = 0;
  Event all_done;
  std::vector<std::thread> threads;
  std::vector<HubKeepAlive> alive(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, a = std::move(alive[t])]() mutable {
      for (int i = 0; i < kPosts; ++i) {
        hub->Post([&] {
          if (++count == kThreads * kPosts) all_done.Set();
        });
      }
      a.Reset();
    });
  }
  EXPECT_TRUE(all_done.Wait(absl::Seconds(30)));
  for (auto& t : threads) t.join();
  EXPECT_EQ(count, kThreads * kPosts);
}

TEST_F(HubTest, WaitFromAnotherThreadsObjectIsRefused) {
  Event event;
  std::string message;
  std::thread other([&] {
    try {
      event.Wait(absl::Milliseconds(1));
    } catch (const WrongThreadError& e) {
      message = e.what();
    }
  });
  other.join();
  EXPECT_THAT(message, HasSubstr("another thread"));
}

TEST_F(HubTest, IdleRunsWhenNothingElseIsPending) {
  std::vector<std::string> trace;
  Spawn([&] {
    Idle();
    trace.push_back("idle");
  });
  Spawn([&] { trace.push_back("busy"); });
  Hub::Current()->Join();
  EXPECT_EQ(trace, (std::vector<std::string>{"busy", "idle"}));
}

// A poll between batches (the time budget spent by a greenlet that works
// without yielding) is not idleness: greenlets still ready run before
// Idle() returns.
TEST_F(HubTest, IdleWaitsForReadyWorkWhenThePollBudgetIsSpent) {
  Hub::Current()->set_poll_budget(absl::Microseconds(100));
  std::vector<std::string> trace;
  Spawn([&] {
    Idle();
    trace.push_back("idle");
  });
  Spawn([&] {
    // Longer than the budget and the coarse clock's resolution.
    const absl::Time until = absl::Now() + absl::Milliseconds(20);
    while (absl::Now() < until) {
    }
    trace.push_back("worker");
  });
  Spawn([&] { trace.push_back("next"); });
  Hub::Current()->Join();
  EXPECT_EQ(trace, (std::vector<std::string>{"worker", "next", "idle"}));
}

}  // namespace
}  // namespace evergreen
