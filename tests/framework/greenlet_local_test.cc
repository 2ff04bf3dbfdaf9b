// GreenletLocal<T>: one value per greenlet, destroyed with its greenlet.
#include "framework/greenlet_local.h"

#include <atomic>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "framework/event.h"
#include "framework/greenlet.h"
#include "framework/hub.h"
#include "framework/waiter.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/leak_check.h"
#include "tests/testing/wait_until.h"

namespace evergreen {
namespace {

using ::testing::ElementsAre;

class GreenletLocalTest : public ::testing::Test {
 protected:
  void TearDown() override { Hub::DestroyCurrent(); }
};

// Counts live instances, to see values being destroyed.
struct Tracked {
  static inline std::atomic<int> live{0};
  Tracked() { ++live; }
  Tracked(const Tracked&) = delete;
  ~Tracked() { --live; }
  int value = 0;
};

TEST_F(GreenletLocalTest, EachGreenletSeesItsOwnValue) {
  GreenletLocal<int> local;
  std::vector<Greenlet<int>> gs;
  for (int i = 1; i <= 3; ++i) {
    gs.push_back(Spawn([&, i] {
      *local = i;
      Sleep(absl::ZeroDuration());  // the others write in between
      return *local;
    }));
  }
  *local = 100;  // the main greenlet's own
  std::vector<int> seen;
  for (auto& g : gs) seen.push_back(g.Get());
  EXPECT_THAT(seen, ElementsAre(1, 2, 3));
  EXPECT_EQ(*local, 100);
}

TEST_F(GreenletLocalTest, FirstAccessDefaultConstructs) {
  GreenletLocal<std::string> local;
  EXPECT_FALSE(local.has_value());
  EXPECT_EQ(*local, "");
  EXPECT_TRUE(local.has_value());
  local->append("x");
  EXPECT_EQ(local.get(), "x");
  EXPECT_FALSE(Spawn([&] { return local.has_value(); }).Get());
}

TEST_F(GreenletLocalTest, InitializerRunsOncePerGreenlet) {
  int calls = 0;
  GreenletLocal<int> local([&calls] { return 40 + ++calls; });
  EXPECT_EQ(*local, 41);
  EXPECT_EQ(*local, 41);
  EXPECT_EQ(Spawn([&] { return *local; }).Get(), 42);
  EXPECT_EQ(calls, 2);
}

TEST_F(GreenletLocalTest, ValueIsDestroyedWhenItsGreenletEnds) {
  GreenletLocal<Tracked> local;
  const int before = Tracked::live;
  Event release;
  auto g = Spawn([&] {
    local->value = 7;
    release.Wait();
  });
  ASSERT_TRUE(WaitUntil([&] { return Tracked::live >= before + 1; },
                        "the greenlet made its value"));
  EXPECT_EQ(Tracked::live, before + 1);
  release.Set();
  g.Join();
  EXPECT_EQ(Tracked::live, before);  // gone as it ended
}

TEST_F(GreenletLocalTest, ValueIsDestroyedWhenItsGreenletIsKilled) {
  GreenletLocal<Tracked> local;
  const int before = Tracked::live;
  auto g = Spawn([&] {
    local.get();
    Sleep(absl::Hours(1));
  });
  ASSERT_TRUE(WaitUntil([&] { return Tracked::live >= before + 1; },
                        "the greenlet made its value"));
  EXPECT_EQ(Tracked::live, before + 1);
  g.Kill();
  EXPECT_EQ(Tracked::live, before);
}

TEST_F(GreenletLocalTest, ValueIsDestroyedWhenItsGreenletFails) {
  GreenletLocal<Tracked> local;
  const int before = Tracked::live;
  auto g = Spawn([&]() -> int {
    local.get();
    throw std::runtime_error("bad");
  });
  g.Join();
  EXPECT_EQ(Tracked::live, before);
  EXPECT_THROW(g.Get(), std::runtime_error);
}

TEST_F(GreenletLocalTest, DestroyingTheLocalDestroysEveryValue) {
  const int before = Tracked::live;
  Event release;
  Greenlet<void> g;
  {
    GreenletLocal<Tracked> local;
    local.get();  // main's
    g = Spawn([&] {
      local.get();
      release.Wait();  // still alive when `local` goes
    });
    ASSERT_TRUE(WaitUntil([&] { return Tracked::live >= before + 2; },
                          "the greenlet made its value"));
    EXPECT_EQ(Tracked::live, before + 2);
  }
  EXPECT_EQ(Tracked::live, before);
  release.Set();
  g.Join();  // ends without touching the destroyed local
  EXPECT_TRUE(g.successful());
}

TEST_F(GreenletLocalTest, ResetDestroysTheCallersValueOnly) {
  GreenletLocal<Tracked> local;
  const int before = Tracked::live;
  local->value = 5;
  Event release;
  auto g = Spawn([&] {
    local->value = 9;
    release.Wait();
    return local->value;
  });
  ASSERT_TRUE(WaitUntil([&] { return Tracked::live >= before + 2; },
                        "the greenlet made its value"));
  local.reset();
  EXPECT_FALSE(local.has_value());
  EXPECT_EQ(Tracked::live, before + 1);  // only the greenlet's is left
  EXPECT_EQ(local->value, 0);            // a fresh one
  release.Set();
  EXPECT_EQ(g.Get(), 9);
}

TEST_F(GreenletLocalTest, HubShutdownDestroysValuesOfLiveGreenlets) {
  leak_check::ExpectLeftovers("destroying the hub with live greenlets is the point");
  GreenletLocal<Tracked> local;
  const int before = Tracked::live;
  for (int i = 0; i < 3; ++i) {
    Spawn([&] {
      local.get();
      Sleep(absl::Hours(1));
    });
  }
  ASSERT_TRUE(WaitUntil([&] { return Tracked::live >= before + 3; },
                        "the greenlets made their values"));
  EXPECT_EQ(Tracked::live, before + 3);
  Hub::DestroyCurrent();  // unwinds the sleepers
  EXPECT_EQ(Tracked::live, before);
}

TEST_F(GreenletLocalTest, ThreadsSeeTheirOwnValuesAndFreeThemOnExit) {
  auto local = std::make_unique<GreenletLocal<Tracked>>();
  (*local)->value = 1;
  const int before = Tracked::live;
  std::vector<int> seen(2);
  std::vector<std::thread> threads;
  for (int t = 0; t < 2; ++t) {
    threads.emplace_back([&, t] {
      (*local)->value = 10 + t;  // the thread's main greenlet
      seen[t] = Spawn([&] { return (*local)->value; }).Get() + (*local)->value;
      Hub::DestroyCurrent();
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_THAT(seen, ElementsAre(10, 11));  // each spawned greenlet saw 0
  EXPECT_EQ(Tracked::live, before);        // the threads' values went
  EXPECT_EQ((*local)->value, 1);
}

}  // namespace
}  // namespace evergreen
