// The blocking monitor: B-H3.
#include "framework/monitor.h"

#include <unistd.h>

#include <cstdio>

#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "framework/greenlet.h"
#include "framework/hub.h"
#include "framework/waiter.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/leak_check.h"

namespace evergreen {
namespace {

using ::testing::HasSubstr;

// Reports gathered by a sink, on the monitor thread.
class Reports {
 public:
  std::function<void(const StallReport&)> Sink() {
    return [this](const StallReport& report) {
      std::lock_guard<std::mutex> lock(mu_);
      reports_.push_back(report);
      changed_.notify_all();
    };
  }
  // Waits until at least `n` reports came (true) or 10 s passed (false).
  bool WaitFor(std::size_t n) {
    std::unique_lock<std::mutex> lock(mu_);
    return changed_.wait_for(lock, std::chrono::seconds(10),
                             [&] { return reports_.size() >= n; });
  }
  std::vector<StallReport> Get() {
    std::lock_guard<std::mutex> lock(mu_);
    return reports_;
  }

 private:
  std::mutex mu_;
  std::condition_variable changed_;
  std::vector<StallReport> reports_;
};

// A blocking C-library call inside a greenlet: the hub is held meanwhile.
[[gnu::noinline]] void HoldTheHubFor(absl::Duration duration) {
  absl::SleepFor(duration);  // resumes after EINTR
  asm volatile("");          // keeps this frame out of tail calls
}

class MonitorTest : public ::testing::Test {
 protected:
  void TearDown() override {
    StopBlockingMonitor();
    Hub::DestroyCurrent();
  }
};

// B-H3
TEST_F(MonitorTest, ReportsTheGreenletHoldingTheHubOncePerStall) {
  leak_check::ExpectFdsOpened(
      8, "symbolizing frames caches open ELF files process-wide");
  Reports reports;
  StartBlockingMonitor(
      {.threshold = absl::Milliseconds(50), .sink = reports.Sink()});
  SpawnWith({.name = "sleepy"}, [] { HoldTheHubFor(absl::Milliseconds(400)); })
      .Join();
  ASSERT_TRUE(reports.WaitFor(1));
  SpawnWith({.name = "sleepy again"},
            [] { HoldTheHubFor(absl::Milliseconds(300)); })
      .Join();
  ASSERT_TRUE(reports.WaitFor(2));
  StopBlockingMonitor();
  std::vector<StallReport> got = reports.Get();
  ASSERT_EQ(got.size(), 2u);  // once per stall, not once per sample
  std::fputs(got[0].ToString().c_str(), stderr);  // for the test log
  EXPECT_EQ(got[0].greenlet, "sleepy");
  EXPECT_EQ(got[1].greenlet, "sleepy again");
  EXPECT_EQ(got[0].thread_id, gettid());
  EXPECT_GE(got[0].duration, absl::Milliseconds(50));
  EXPECT_THAT(absl::StrJoin(got[0].stack, "\n"), HasSubstr("HoldTheHubFor"));
  EXPECT_THAT(got[0].ToString(), HasSubstr("by greenlet 'sleepy'"));
}

// B-H3: waiting (the hub idles in its poll) and yielding are not stalls.
TEST_F(MonitorTest, IdleAndYieldingHubsAreNotReported) {
  Reports reports;
  StartBlockingMonitor(
      {.threshold = absl::Milliseconds(200), .sink = reports.Sink()});
  Sleep(absl::Milliseconds(300));
  const absl::Time end = absl::Now() + absl::Milliseconds(300);
  auto a = Spawn([&] { while (absl::Now() < end) Sleep(absl::ZeroDuration()); });
  auto b = Spawn([&] { while (absl::Now() < end) Sleep(absl::ZeroDuration()); });
  a.Join();
  b.Join();
  StopBlockingMonitor();
  EXPECT_TRUE(reports.Get().empty());
}

TEST_F(MonitorTest, WithoutStackCaptureTheStallIsStillReported) {
  Reports reports;
  StartBlockingMonitor({.threshold = absl::Milliseconds(50),
                        .capture_stacks = false,
                        .sink = reports.Sink()});
  Spawn([] { HoldTheHubFor(absl::Milliseconds(300)); }).Join();
  ASSERT_TRUE(reports.WaitFor(1));
  StallReport report = reports.Get()[0];
  EXPECT_EQ(report.thread_id, gettid());
  EXPECT_EQ(report.greenlet, "unknown");
  EXPECT_TRUE(report.stack.empty());
}

TEST_F(MonitorTest, StoppedMonitorReportsNothing) {
  Reports reports;
  StartBlockingMonitor(
      {.threshold = absl::Milliseconds(20), .sink = reports.Sink()});
  EXPECT_TRUE(BlockingMonitorRunning());
  StopBlockingMonitor();
  EXPECT_FALSE(BlockingMonitorRunning());
  Spawn([] { HoldTheHubFor(absl::Milliseconds(100)); }).Join();
  EXPECT_TRUE(reports.Get().empty());
}

// Hubs on other threads are watched too.
TEST_F(MonitorTest, ReportsAHubOfAnotherThread) {
  Reports reports;
  StartBlockingMonitor(
      {.threshold = absl::Milliseconds(50), .sink = reports.Sink()});
  pid_t other_id = 0;
  std::thread other([&] {
    other_id = gettid();
    SpawnWith({.name = "worker stall"},
              [] { HoldTheHubFor(absl::Milliseconds(300)); })
        .Join();
    Hub::DestroyCurrent();
  });
  other.join();
  ASSERT_TRUE(reports.WaitFor(1));
  StallReport report = reports.Get()[0];
  EXPECT_EQ(report.thread_id, other_id);
  EXPECT_EQ(report.greenlet, "worker stall");
}

}  // namespace
}  // namespace evergreen
