// Non-throwing results (B-D1) and kills that report a timeout (B-D5).
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "framework/async_result.h"
#include "framework/errors.h"
#include "framework/event.h"
#include "framework/greenlet.h"
#include "framework/group.h"
#include "framework/hub.h"
#include "framework/timeout.h"
#include "framework/wait.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/wait_until.h"
#include "framework/keep_alive.h"

namespace evergreen {
namespace {

using ::testing::HasSubstr;

class ResultsTest : public ::testing::Test {
 protected:
  void TearDown() override { Hub::DestroyCurrent(); }
};

// B-D1
TEST_F(ResultsTest, AsyncResultResultReturnsTheValue) {
  AsyncResult<std::string> result;
  Spawn([result]() mutable { result.Set("hello"); });
  absl::StatusOr<std::string> got = result.Result(absl::Seconds(10));
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(*got, "hello");
  AsyncResult<> done;
  Spawn([done]() mutable { done.Set(); });
  EXPECT_TRUE(done.Result().ok());
}

// B-D1, B-D4: a StatusError comes back as its own status.
TEST_F(ResultsTest, AsyncResultResultReturnsTheStoredErrorAsItsStatus) {
  AsyncResult<int> result;
  result.SetException(std::make_exception_ptr(
      StatusError(absl::PermissionDeniedError("not yours"))));
  EXPECT_EQ(result.Result().status(),
            absl::PermissionDeniedError("not yours"));
  AsyncResult<> failed;
  failed.SetException(std::make_exception_ptr(std::runtime_error("broke")));
  EXPECT_EQ(failed.Result(), absl::UnknownError("broke"));
  // Get() keeps gevent's throwing shape.
  EXPECT_THROW(result.Get(), StatusError);
}

// B-D1, B-W3
TEST_F(ResultsTest, AsyncResultResultTimesOutWithDeadlineExceeded) {
  HubKeepAlive keep_alive;  // keeps the loop alive until the test ends
  AsyncResult<int> never;
  const absl::Status status = never.Result(absl::Milliseconds(10)).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_THAT(std::string(status.message()), HasSubstr("AsyncResult"));
  EXPECT_THAT(std::string(status.message()), HasSubstr("10ms"));
}

// B-D1: the non-blocking twin never throws and never switches.
TEST_F(ResultsTest, AsyncResultTryGetNeverThrows) {
  AsyncResult<int> result;
  const unsigned long long turns = Hub::Current()->turns();
  EXPECT_EQ(result.TryGet().status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(Hub::Current()->turns(), turns);
  result.Set(7);
  EXPECT_EQ(*result.TryGet(), 7);
  AsyncResult<> failed;
  failed.SetException(std::make_exception_ptr(TimeoutError(absl::Seconds(1))));
  EXPECT_EQ(failed.TryGet().code(), absl::StatusCode::kDeadlineExceeded);
}

// B-D1: an enclosing Timeout still unwinds the waiter; only the result's
// own outcome is turned into a value.
TEST_F(ResultsTest, AnEnclosingTimeoutStillPropagatesThroughResult) {
  HubKeepAlive keep_alive;  // keeps the loop alive until the test ends
  AsyncResult<int> never;
  absl::StatusOr<absl::StatusOr<int>> outcome =
      WithTimeout(absl::Milliseconds(10), [&] { return never.Result(); });
  EXPECT_EQ(outcome.status().code(), absl::StatusCode::kDeadlineExceeded);
}

// B-D1
TEST_F(ResultsTest, GreenletResultCoversEveryOutcome) {
  EXPECT_EQ(*Spawn([] { return 5; }).Result(), 5);
  auto failing = Spawn([]() -> int {
    throw StatusError(absl::InvalidArgumentError("bad input"));
  });
  EXPECT_EQ(failing.Result().status(), absl::InvalidArgumentError("bad input"));
  Event never;
  auto sleeper = SpawnWith({.name = "sleeper"}, [never]() mutable {
    never.Wait();
  });
  const absl::Status timed_out = sleeper.Result(absl::Milliseconds(5));
  EXPECT_EQ(timed_out.code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_THAT(std::string(timed_out.message()), HasSubstr("'sleeper'"));
  EXPECT_EQ(sleeper.TryGet().code(), absl::StatusCode::kUnavailable);
  sleeper.Kill();
  EXPECT_EQ(sleeper.Result().code(), absl::StatusCode::kCancelled);
  EXPECT_EQ(sleeper.TryGet().code(), absl::StatusCode::kCancelled);
}

// A greenlet that shrugs off kills while `*stubborn` holds.
Greenlet<void> SpawnStubborn(const bool* stubborn, int* kills) {
  return Spawn([stubborn, kills] {
    for (;;) {
      try {
        Sleep(absl::Hours(1));
      } catch (const GreenletExit&) {
        ++*kills;
        if (!*stubborn) throw;
      }
    }
  });
}

// B-D5
TEST_F(ResultsTest, TimedKillOfAGreenletThatRefusesToDieReportsIt) {
  bool stubborn = true;
  int kills = 0;
  Greenlet<void> g = SpawnStubborn(&stubborn, &kills);
  ASSERT_TRUE(WaitUntilAllBlocked());
  const absl::Status status = g.Kill(nullptr, true, absl::Milliseconds(20));
  EXPECT_EQ(status.code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(kills, 1);
  EXPECT_FALSE(g.dead());  // left alive
  stubborn = false;
  EXPECT_TRUE(g.Kill(nullptr, true, absl::Seconds(10)).ok());
  EXPECT_TRUE(g.dead());
}

// B-D5
TEST_F(ResultsTest, TimedKillAllReportsHowManyRefusedAndLeavesThemAlive) {
  bool stubborn = true;
  int kills = 0;
  std::vector<Greenlet<void>> all = {
      SpawnStubborn(&stubborn, &kills), Spawn([] { Sleep(absl::Hours(1)); }),
      SpawnStubborn(&stubborn, &kills)};
  ASSERT_TRUE(WaitUntilAllBlocked());
  const absl::Status status =
      KillAll(all, nullptr, true, absl::Milliseconds(20));
  EXPECT_EQ(status.code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_THAT(std::string(status.message()), HasSubstr("2 of 3"));
  EXPECT_FALSE(all[0].dead());
  EXPECT_TRUE(all[1].dead());
  EXPECT_FALSE(all[2].dead());
  stubborn = false;
  EXPECT_TRUE(KillAll(all, nullptr, true, absl::Seconds(10)).ok());
  EXPECT_TRUE(all[0].dead() && all[2].dead());
}

// B-D5
TEST_F(ResultsTest, TimedGroupKillReportsMembersStillAlive) {
  bool stubborn = true;
  int kills = 0;
  Group group;
  ASSERT_TRUE(group.Add(SpawnStubborn(&stubborn, &kills)).ok());
  group.Spawn([] { Sleep(absl::Hours(1)); });
  ASSERT_TRUE(WaitUntilAllBlocked());
  const absl::Status status = group.Kill(nullptr, true, absl::Milliseconds(20));
  EXPECT_EQ(status.code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(group.size(), 1);  // the stubborn one stays, and stays a member
  stubborn = false;
  EXPECT_TRUE(group.Kill(nullptr, true, absl::Seconds(10)).ok());
  EXPECT_EQ(group.size(), 0);
}

}  // namespace
}  // namespace evergreen
