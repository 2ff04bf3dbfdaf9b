// ThreadPool: B-H4, and the pool's life cycle.
#include "framework/thread_pool.h"

#include <sys/types.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "framework/greenlet.h"
#include "framework/hub.h"
#include "framework/waiter.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/thread_state.h"
#include "tests/testing/wait_until.h"

namespace evergreen {
namespace {

class ThreadPoolTest : public ::testing::Test {
 protected:
  void TearDown() override { Hub::DestroyCurrent(); }
};

// Blocks the calling OS thread (a pool thread) until `flag` is set, or 30 s
// pass so that a broken test cannot hang the suite.
void AwaitOnThisThread(const std::atomic<bool>& flag) {
  const absl::Time give_up = absl::Now() + absl::Seconds(30);
  while (!flag.load() && absl::Now() < give_up) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

// Sets `flag` when it goes, whatever way the test ends.
struct SetOnExit {
  std::atomic<bool>* flag;
  ~SetOnExit() { flag->store(true); }
};

TEST_F(ThreadPoolTest, WorkRunsOnAnotherThread) {
  ThreadPool pool;
  const std::thread::id here = std::this_thread::get_id();
  std::thread::id there = pool.Apply([] { return std::this_thread::get_id(); });
  EXPECT_NE(there, here);
}

// B-H4
TEST_F(ThreadPoolTest, ExceptionOfTheFunctionIsRaisedByGet) {
  ThreadPool pool;
  auto result = pool.Spawn([]() -> int { throw std::overflow_error("deep"); });
  EXPECT_THROW(result.Get(), std::overflow_error);
  EXPECT_THROW(pool.Apply([] { throw std::invalid_argument("x"); }),
               std::invalid_argument);
}

// B-H4
TEST_F(ThreadPoolTest, SizeIsAdjustableWithinItsBounds) {
  ThreadPool pool({.min_threads = 0, .max_threads = 2});
  EXPECT_TRUE(pool.Resize(1, 8).ok());
  EXPECT_EQ(pool.max_threads(), 8);
  EXPECT_EQ(pool.min_threads(), 1);
  EXPECT_EQ(pool.Resize(3, 2).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(pool.Resize(0, 0).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(pool.Resize(-1, 2).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THROW(ThreadPool({.min_threads = 0, .max_threads = 0}),
               std::invalid_argument);
}

// B-H4: growing the pool runs work that was queued behind a busy thread
// at once, next to it.
TEST_F(ThreadPoolTest, GrowingThePoolRunsQueuedWorkAlongsideTheBusyThread) {
  ThreadPool pool({.max_threads = 1});
  std::atomic<bool> started{false};
  std::atomic<bool> release{false};
  SetOnExit releaser{&release};  // declared after `pool`: runs before ~pool
  auto busy = pool.Spawn([&] {
    started.store(true);
    AwaitOnThisThread(release);
    return 1;
  });
  auto queued = pool.Spawn([] { return 2; });
  ASSERT_TRUE(WaitUntil([&] { return started.load(); }, "the first job runs"));
  EXPECT_EQ(pool.queued(), 1u);  // one thread, and it is busy
  ASSERT_TRUE(pool.Resize(1, 2).ok());
  // The first thread is still held: only a second thread can run it.
  EXPECT_TRUE(queued.Wait(absl::Seconds(30)));
  EXPECT_FALSE(busy.ready());
  EXPECT_EQ(pool.size(), 2);
  release.store(true);
  EXPECT_EQ(busy.Get(), 1);
  EXPECT_EQ(queued.Get(), 2);
}

TEST_F(ThreadPoolTest, NeverMoreThreadsThanTheMaximum) {
  ThreadPool pool({.max_threads = 3});
  std::atomic<int> running{0};
  std::atomic<int> peak{0};
  std::vector<AsyncResult<void>> results;
  for (int i = 0; i < 30; ++i) {
    results.push_back(pool.Spawn([&] {
      const int now = ++running;
      int seen = peak.load();
      while (now > seen && !peak.compare_exchange_weak(seen, now)) {
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
      --running;
    }));
  }
  for (auto& r : results) r.Get();
  EXPECT_LE(peak.load(), 3);
  EXPECT_LE(pool.size(), 3);
}

// B-H4
TEST_F(ThreadPoolTest, ManyConcurrentSubmissionsAllComplete) {
  ThreadPool pool({.max_threads = 4});
  constexpr int kGreenlets = 50;
  constexpr int kEach = 20;
  std::atomic<int> ran{0};
  std::vector<Greenlet<int>> submitters;
  for (int g = 0; g < kGreenlets; ++g) {
    submitters.push_back(Spawn([&pool, &ran, g] {
      int sum = 0;
      for (int i = 0; i < kEach; ++i) {
        sum += pool.Apply([&ran, g, i] {
          ++ran;
          return g * i;
        });
      }
      return sum;
    }));
  }
  long total = 0;
  for (auto& s : submitters) total += s.Get();
  EXPECT_EQ(ran.load(), kGreenlets * kEach);
  long expected = 0;
  for (int g = 0; g < kGreenlets; ++g) {
    for (int i = 0; i < kEach; ++i) expected += g * i;
  }
  EXPECT_EQ(total, expected);
}

// B-H4
TEST_F(ThreadPoolTest, HubKeepsServingGreenletsWhilePoolWorkRuns) {
  ThreadPool pool({.max_threads = 1});
  std::atomic<bool> release{false};
  auto blocked = pool.Spawn([&] {
    while (!release.load()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    return 1;
  });
  int ticks = 0;
  auto ticker = Spawn([&] {
    for (int i = 0; i < 20; ++i) {
      Sleep(absl::Milliseconds(1));
      ++ticks;
    }
    release.store(true);
  });
  EXPECT_EQ(blocked.Get(), 1);
  ticker.Join();
  EXPECT_EQ(ticks, 20);  // all ran while the pool thread was busy
}

TEST_F(ThreadPoolTest, UsingAPoolFromAThreadThatDoesNotOwnItIsRefused) {
  ThreadPool pool;
  std::string message;
  std::thread other([&] {
    try {
      pool.Spawn([] { return 1; });
    } catch (const WrongThreadError& e) {
      message = e.what();
    }
  });
  other.join();
  EXPECT_THAT(message, ::testing::HasSubstr("another thread"));
}

TEST_F(ThreadPoolTest, QueuedWorkFailsWhenThePoolIsDestroyed) {
  AsyncResult<int> queued;
  std::atomic<bool> started{false};
  std::atomic<bool> release{false};
  std::atomic<bool> destroying{false};
  const pid_t main_tid = gettid();
  std::thread releaser;
  {
    ThreadPool pool({.max_threads = 1});
    pool.Spawn([&] {
      started.store(true);
      while (!release.load()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    });
    queued = pool.Spawn([] { return 2; });
    // The first function must be running, not queued, when the pool goes:
    // a queued one would be cancelled too, and nothing would wait for the
    // releaser.
    const absl::Time give_up = absl::Now() + absl::Seconds(30);
    while (!started.load() && absl::Now() < give_up) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    ASSERT_TRUE(started.load());
    // Released only once the destructor has taken the queue: nothing holds
    // the pool's lock meanwhile, so the main thread asleep after
    // `destroying` is the destructor waiting for its worker. Released
    // earlier, the worker would run the queued function.
    releaser = std::thread([&] {
      while (!destroying.load()) {
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      }
      EXPECT_TRUE(AwaitThreadAsleep(main_tid));
      release.store(true);
    });
    destroying.store(true);
  }  // blocks until the running work ends; the queued one is cancelled
  releaser.join();
  EXPECT_THROW(queued.Get(), std::runtime_error);
}

TEST_F(ThreadPoolTest, IdleThreadsRetire) {
  ThreadPool pool({.min_threads = 0, .max_threads = 2,
                   .idle_timeout = absl::Milliseconds(10)});
  pool.Apply([] {});
  EXPECT_LE(pool.size(), 1);  // one thread, which may already have retired
  EXPECT_TRUE(WaitUntil([&] { return pool.size() == 0; },
                        "the idle thread retired"));
}

TEST_F(ThreadPoolTest, MapKeepsInputOrder) {
  ThreadPool pool({.max_threads = 3});
  std::vector<int> in = {5, 1, 4, 2, 3};
  std::vector<int> out = pool.Map([](int v) {
    std::this_thread::sleep_for(std::chrono::milliseconds(v));
    return v * 10;
  }, in);
  EXPECT_EQ(out, (std::vector<int>{50, 10, 40, 20, 30}));
}

TEST_F(ThreadPoolTest, IMapKeepsOrderAndContinuesPastAFailure) {
  ThreadPool pool({.max_threads = 3});
  std::vector<int> in = {3, 0, 1};
  std::vector<std::string> out;
  for (absl::StatusOr<int> r : pool.IMap(
           [](int v) {
             if (v == 0) throw std::domain_error("zero");
             std::this_thread::sleep_for(std::chrono::milliseconds(v));
             return 12 / v;
           },
           in)) {
    out.push_back(r.ok() ? std::to_string(*r) : std::string(r.status().message()));
  }
  EXPECT_EQ(out, (std::vector<std::string>{"4", "zero", "12"}));
}

TEST_F(ThreadPoolTest, IMapUnorderedYieldsAsReady) {
  ThreadPool pool({.max_threads = 2});
  // The first input cannot finish before the second has been yielded: a
  // latch, not durations, orders them.
  std::atomic<bool> second_seen{false};
  SetOnExit releaser{&second_seen};
  std::vector<int> in = {1, 2};
  std::vector<int> out;
  for (absl::StatusOr<int> r : pool.IMapUnordered(
           [&second_seen](int v) {
             if (v == 1) AwaitOnThisThread(second_seen);
             return v;
           },
           in)) {
    ASSERT_TRUE(r.ok());
    out.push_back(*r);
    second_seen.store(true);
  }
  EXPECT_EQ(out, (std::vector<int>{2, 1}));
}

TEST_F(ThreadPoolTest, DefaultPoolIsPerHubAndSizedByEnvironment) {
  ThreadPool* a = ThreadPool::Default();
  EXPECT_EQ(a, ThreadPool::Default());
  EXPECT_GE(a->max_threads(), 1);
  int size_there = 0;
  std::thread other([&] {
    setenv("EVERGREEN_THREADPOOL_SIZE", "7", 1);
    size_there = ThreadPool::Default()->max_threads();
    unsetenv("EVERGREEN_THREADPOOL_SIZE");
  });
  other.join();
  EXPECT_EQ(size_there, 7);
}

}  // namespace
}  // namespace evergreen
