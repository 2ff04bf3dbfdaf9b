// HubGroup: hubs on N threads, cross-hub results and waits
// (framework/hub_group.h, docs/hub.md "Several hubs").
#include "framework/hub_group.h"

#include <time.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "framework/async_result.h"
#include "framework/event.h"
#include "framework/greenlet.h"
#include "framework/hub.h"
#include "framework/waiter.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/leak_check.h"

namespace evergreen {
namespace {

using ::testing::HasSubstr;

class HubGroupTest : public ::testing::Test {
 protected:
  void TearDown() override { Hub::DestroyCurrent(); }
};

TEST_F(HubGroupTest, EachHubRunsOnAThreadOfItsOwn) {
  HubGroup hubs({.threads = 3});
  ASSERT_EQ(hubs.size(), 3);
  auto results = hubs.SpawnOnEach([&hubs](int index) {
    EXPECT_EQ(hubs.CurrentIndex(), index);
    EXPECT_EQ(Hub::Current(), hubs.hub(index));
    return std::this_thread::get_id();
  });
  std::vector<std::thread::id> ids;
  for (auto& result : results) ids.push_back(result.Get(absl::Seconds(30)));
  EXPECT_NE(ids[0], ids[1]);
  EXPECT_NE(ids[1], ids[2]);
  EXPECT_NE(ids[0], ids[2]);
  EXPECT_NE(ids[0], std::this_thread::get_id());
  EXPECT_EQ(hubs.CurrentIndex(), -1);
  hubs.Stop();
}

TEST_F(HubGroupTest, DefaultsToOneHubPerCore) {
  HubGroup hubs;
  EXPECT_EQ(hubs.size(),
            std::max(1, static_cast<int>(std::thread::hardware_concurrency())));
}

TEST_F(HubGroupTest, SpawnDeliversValueOrErrorToTheCallersHub) {
  HubGroup hubs({.threads = 2});
  EXPECT_EQ(hubs.Spawn(1, [] { return 42; }).Get(absl::Seconds(30)), 42);
  AsyncResult<int> failed =
      hubs.Spawn(0, []() -> int { throw std::runtime_error("boom"); });
  absl::StatusOr<int> r = failed.Result(absl::Seconds(30));
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("boom"));
  // Waiting for it never ran the hub dry: no LoopExit without a keep-alive.
  AsyncResult<void> slow = hubs.Spawn(1, [] { Sleep(absl::Milliseconds(5)); });
  EXPECT_TRUE(slow.Result().ok());
}

TEST_F(HubGroupTest, BadIndexAndStoppedGroupFailUnavailable) {
  HubGroup hubs({.threads = 1});
  absl::Status bad = hubs.Post(5, [] {});
  EXPECT_EQ(bad.code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(hubs.Spawn(7, [] { return 1; }).Result().status().code(),
            absl::StatusCode::kUnavailable);
  hubs.Stop();
  hubs.Stop();  // idempotent
  EXPECT_EQ(hubs.Post(0, [] {}).code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(hubs.Spawn(0, [] { return 1; }).Result().status().code(),
            absl::StatusCode::kUnavailable);
}

TEST_F(HubGroupTest, StopUnwindsGreenletsThatOutliveTheGraceAndFailsTheirResults) {
  leak_check::ExpectLeftovers(
      "the sleeper outlives the grace: Stop() kills it as it destroys hub 1");
  HubGroup hubs({.threads = 2, .stop_grace = absl::Milliseconds(10)});
  AsyncResult<void> forever =
      hubs.Spawn(1, [] { Sleep(absl::Hours(1)); });
  // The sleeper is running once a later spawn on the same hub has run.
  ASSERT_TRUE(hubs.Spawn(1, [] {}).Result().ok());
  hubs.Stop();
  absl::Status status = forever.Result(absl::Seconds(30));
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable) << status;
}

TEST_F(HubGroupTest, AtStopHooksRunOnTheirHubInReverseOrder) {
  HubGroup hubs({.threads = 2});
  std::vector<std::string> trace;  // written only on hub 1's thread
  ASSERT_TRUE(hubs.Spawn(1, [&] {
                    hubs.AtStop([&] { trace.push_back("first"); });
                    hubs.AtStop([&] {
                      Sleep(absl::Milliseconds(1));  // hooks may block
                      trace.push_back("second");
                    });
                  })
                  .Result()
                  .ok());
  EXPECT_THROW(hubs.AtStop([] {}), WrongThreadError);
  hubs.Stop();  // joins: trace is ours again
  EXPECT_EQ(trace, (std::vector<std::string>{"second", "first"}));
}

TEST_F(HubGroupTest, AnAsyncResultOfOneHubIsAwaitedFromAnother) {
  HubGroup hubs({.threads = 2});
  // A result made on hub 0, set later there; a greenlet on hub 1 waits.
  AsyncResult<AsyncResult<std::string>> made =
      hubs.Spawn(0, [] { return AsyncResult<std::string>(); });
  AsyncResult<std::string> on_zero = made.Get(absl::Seconds(30));
  AsyncResult<std::string> waited = hubs.Spawn(1, [on_zero] {
    return on_zero.Get(absl::Seconds(30));  // cross-hub wait
  });
  ASSERT_TRUE(hubs.Spawn(0, [on_zero]() mutable {
                    Sleep(absl::Milliseconds(1));
                    on_zero.Set("from hub 0");
                  })
                  .Result()
                  .ok());
  EXPECT_EQ(waited.Get(absl::Seconds(30)), "from hub 0");
  // Already ready: the wait returns at once, also from the main thread.
  EXPECT_EQ(on_zero.Get(absl::Seconds(30)), "from hub 0");
  // Not set in time: a cross-hub wait times out like a local one.
  AsyncResult<AsyncResult<int>> never =
      hubs.Spawn(0, [] { return AsyncResult<int>(); });
  AsyncResult<int> unset = never.Get(absl::Seconds(30));
  EXPECT_EQ(unset.Result(absl::Milliseconds(5)).status().code(),
            absl::StatusCode::kDeadlineExceeded);
  hubs.Stop();
}

// CPU time the calling thread has used so far.
std::int64_t ThreadCpuNanos() {
  timespec now;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return static_cast<std::int64_t>(now.tv_sec) * 1000000000 + now.tv_nsec;
}

// Round trips between hubs 0 and 1: a greenlet on hub 0 waits for values
// computed on hub 1, `n` times.
void PingPong(HubGroup& hubs, int n) {
  ASSERT_TRUE(hubs.Spawn(0, [&hubs, n] {
                    for (int i = 0; i < n; ++i) {
                      if (hubs.Spawn(1, [i] { return i; })
                              .Get(absl::Seconds(30)) != i) {
                        throw std::runtime_error("wrong value");
                      }
                    }
                  })
                  .Result(absl::Seconds(60))
                  .ok());
}

// B-M3: after cross-hub traffic a hub may spin a few microseconds for the
// next post before it sleeps; once the traffic stops it sleeps, using no
// CPU while idle.
TEST_F(HubGroupTest, HubsSleepOnceCrossHubTrafficStops) {
  HubGroup hubs({.threads = 2});
  PingPong(hubs, 2000);
  std::vector<std::int64_t> before;
  for (int i = 0; i < 2; ++i) {
    before.push_back(hubs.Spawn(i, [] { return ThreadCpuNanos(); })
                         .Get(absl::Seconds(30)));
  }
  // An idle stretch: a hub that kept spinning would use most of it.
  const absl::Duration idle = absl::Milliseconds(300);
  std::this_thread::sleep_for(absl::ToChronoNanoseconds(idle));
  for (int i = 0; i < 2; ++i) {
    const std::int64_t used =
        hubs.Spawn(i, [] { return ThreadCpuNanos(); }).Get(absl::Seconds(30)) -
        before[i];
    EXPECT_LT(used, absl::ToInt64Nanoseconds(idle) / 5) << "hub " << i;
  }
  hubs.Stop();
}

// B-M3: while two hubs keep each other busy with cross-hub round trips
// (each spinning for the other's posts instead of sleeping), their timers
// still fire: the spin polls I/O and timers once the poll budget passes.
TEST_F(HubGroupTest, TimersFireDuringSustainedCrossHubTraffic) {
  HubGroup hubs({.threads = 2});
  // On hub 0: a greenlet sleeps 20 ms while another does round trips with
  // hub 1 until the sleeper is done (bounded by count and time).
  AsyncResult<int> trips = hubs.Spawn(0, [&hubs] {
    bool slept = false;
    Greenlet<void> sleeper = Spawn([&slept] {
      Sleep(absl::Milliseconds(20));
      slept = true;
    });
    const absl::Time give_up = absl::Now() + absl::Seconds(20);
    int n = 0;
    while (!slept && n < 10'000'000 && absl::Now() < give_up) {
      if (hubs.Spawn(1, [n] { return n; }).Get(absl::Seconds(30)) != n) {
        throw std::runtime_error("wrong value");
      }
      ++n;
    }
    if (!slept) throw std::runtime_error("the timer never fired");
    return n;
  });
  absl::StatusOr<int> n = trips.Result(absl::Seconds(60));
  ASSERT_TRUE(n.ok()) << n.status();
  EXPECT_GT(*n, 0);
  hubs.Stop();
}

// Lost wake-ups: strict cross-hub round trips, with the spin off (every
// post to the sleeping peer must wake it through its eventfd) and on
// (posts caught by a spin, or by a yield when both hubs share a CPU, mixed
// with sleeps as spins back off). A post whose wake-up were lost would
// leave its waiter stuck: each round trip is waited for at most 30 s, the
// whole at most 60 s, so the test fails instead of hanging.
TEST_F(HubGroupTest, CrossHubRoundTripsLoseNoWakeUps) {
  for (const absl::Duration spin :
       {absl::ZeroDuration(), absl::Microseconds(20)}) {
    HubGroup hubs({.threads = 2});
    for (AsyncResult<void>& set : hubs.SpawnOnEach(
             [spin](int) { Hub::Current()->set_remote_spin(spin); })) {
      ASSERT_TRUE(set.Result(absl::Seconds(30)).ok());
    }
    PingPong(hubs, 20'000);
    hubs.Stop();
  }
}

// Lost wake-ups: several threads post to a hub that keeps falling asleep
// (no spin; the posters pause now and then), then stop posting. Every post
// must run without any later post to wake the hub: a lost wake-up leaves
// the last ones pending forever (bounded here by 30 s).
TEST_F(HubGroupTest, PostsFromManyThreadsToASleepingHubAllRun) {
  HubGroup hubs({.threads = 1});
  ASSERT_TRUE(hubs.Spawn(0, [] {
                    Hub::Current()->set_remote_spin(absl::ZeroDuration());
                  })
                  .Result(absl::Seconds(30))
                  .ok());
  Hub* hub = hubs.hub(0);
  constexpr int kThreads = 4;
  constexpr int kPosts = 5'000;
  std::atomic<int> ran{0};
  std::vector<std::thread> posters;
  for (int t = 0; t < kThreads; ++t) {
    posters.emplace_back([hub, &ran, t] {
      for (int i = 0; i < kPosts; ++i) {
        hub->Post([&ran] { ran.fetch_add(1, std::memory_order_relaxed); });
        // Now and then let the hub drain and fall asleep.
        if ((i + t) % 64 == 0) {
          std::this_thread::sleep_for(std::chrono::microseconds(50));
        }
      }
    });
  }
  for (std::thread& poster : posters) poster.join();
  const absl::Time give_up = absl::Now() + absl::Seconds(30);
  while (ran.load(std::memory_order_relaxed) < kThreads * kPosts &&
         absl::Now() < give_up) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  EXPECT_EQ(ran.load(std::memory_order_relaxed), kThreads * kPosts);
  hubs.Stop();
}

TEST_F(HubGroupTest, RemoteSpinIsAnOptionWithinBounds) {
  Hub* hub = Hub::Current();
  EXPECT_EQ(hub->remote_spin(), absl::Microseconds(20));
  hub->set_remote_spin(absl::ZeroDuration());
  EXPECT_EQ(hub->remote_spin(), absl::ZeroDuration());
  EXPECT_THROW(hub->set_remote_spin(absl::Milliseconds(2)),
               std::invalid_argument);
  EXPECT_THROW(hub->set_remote_spin(-absl::Microseconds(1)),
               std::invalid_argument);
  hub->set_remote_spin(absl::Microseconds(20));
}

}  // namespace
}  // namespace evergreen
