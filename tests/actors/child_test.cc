// Child (actor or greenlet, and how each exits), ChildSpec and
// SupervisorFlags validation, and the restart-intensity window.
#include "actors/child.h"

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "actors/child_spec.h"
#include "actors/internal/restart_window.h"
#include "actors/supervisor_flags.h"
#include "framework/event.h"
#include "framework/greenlet.h"
#include "framework/hub.h"
#include "framework/waiter.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/actors/supervisor_test_util.h"
#include "tests/testing/wait_until.h"

namespace evergreen {
namespace {

using ::evergreen::testing::Journal;
using ::evergreen::testing::Worker;
using ::testing::HasSubstr;

class ChildTest : public ::testing::Test {
 protected:
  void TearDown() override { Hub::DestroyCurrent(); }
  std::shared_ptr<Journal> journal_ = std::make_shared<Journal>();
};

TEST_F(ChildTest, NoChildIsEmpty) {
  Child none;
  EXPECT_FALSE(none);
  EXPECT_EQ(none.kind(), Child::Kind::kNone);
  EXPECT_FALSE(none.alive());
  EXPECT_TRUE(none.Join(absl::ZeroDuration()));
  EXPECT_EQ(none.identity(), nullptr);
  EXPECT_EQ(Child(AnyActorRef()), none);
}

TEST_F(ChildTest, ActorChildStopsGracefullyOrIsKilled) {
  ActorRef<Worker> actor = SpawnActor<Worker>({.name = "w"}, "w", journal_);
  Child child = actor;
  Child copy = child;
  EXPECT_TRUE(child.is_actor());
  EXPECT_EQ(child.name(), "w");
  EXPECT_EQ(copy, child);
  EXPECT_EQ(child.actor(), actor);
  EXPECT_TRUE(child.alive());
  child.RequestShutdown();
  EXPECT_TRUE(child.Join(absl::Seconds(10)));
  EXPECT_EQ(child.exit().reason, ExitReason::kShutdown);

  Child other = SpawnActor<Worker>({}, "x", journal_);
  EXPECT_NE(other, child);
  other.Kill();
  EXPECT_TRUE(other.Join(absl::Seconds(10)));
  EXPECT_EQ(other.exit().reason, ExitReason::kKilled);
}

TEST_F(ChildTest, GreenletChildExitsAreClassified) {
  Child returned = Spawn([] {});
  Child threw = Spawn([] { throw std::runtime_error("bad input"); });
  Child shut = SpawnWith({.name = "sleeper"}, [] { Sleep(absl::Hours(1)); });
  Child killed = Spawn([] { Sleep(absl::Hours(1)); });
  Child killed_after_asking = Spawn([] {
    try {
      Sleep(absl::Hours(1));
    } catch (const GreenletExit&) {
      Sleep(absl::Hours(1));  // ignores the request
    }
  });
  EXPECT_TRUE(shut.is_greenlet());
  EXPECT_EQ(shut.name(), "sleeper");
  ASSERT_TRUE(WaitUntilAllBlocked());  // all reach their first wait
  shut.RequestShutdown();
  killed.Kill();
  killed_after_asking.RequestShutdown();
  EXPECT_FALSE(killed_after_asking.Join(absl::Milliseconds(20)));
  killed_after_asking.Kill();
  for (const Child& c :
       {returned, threw, shut, killed, killed_after_asking}) {
    ASSERT_TRUE(c.Join(absl::Seconds(10)));
    EXPECT_FALSE(c.alive());
  }
  EXPECT_EQ(returned.exit().reason, ExitReason::kNormal);
  EXPECT_EQ(threw.exit().reason, ExitReason::kFailed);
  EXPECT_THAT(threw.exit().ToString(), HasSubstr("bad input"));
  EXPECT_EQ(shut.exit().reason, ExitReason::kShutdown);
  EXPECT_EQ(killed.exit().reason, ExitReason::kKilled);
  EXPECT_EQ(killed_after_asking.exit().reason, ExitReason::kKilled);
}

TEST_F(ChildTest, GreenletKilledByOthersReadsAsKilled) {
  Greenlet<void> g = Spawn([] { Sleep(absl::Hours(1)); });
  Child child = g;
  g.Kill();  // not through the Child: no shutdown was requested
  EXPECT_EQ(child.exit().reason, ExitReason::kKilled);
}

TEST_F(ChildTest, ExitObserversSeeTheClassifiedExit) {
  std::vector<std::string> seen;
  Child greenlet = Spawn([] { Sleep(absl::Hours(1)); });
  Child actor = SpawnActor<Worker>({}, "a", journal_);
  greenlet.AddExitObserver(
      [&seen](const Exit& e) { seen.push_back("g:" + e.ToString()); });
  actor.AddExitObserver(
      [&seen](const Exit& e) { seen.push_back("a:" + e.ToString()); });
  const std::uint64_t withdrawn = greenlet.AddExitObserver(
      [&seen](const Exit&) { seen.push_back("withdrawn"); });
  greenlet.RemoveExitObserver(withdrawn);
  greenlet.RequestShutdown();
  actor.RequestShutdown();
  ASSERT_TRUE(greenlet.Join(absl::Seconds(10)));
  ASSERT_TRUE(actor.Join(absl::Seconds(10)));
  // Observers run in the hub before the joiner resumes (both FIFO).
  EXPECT_THAT(seen, ::testing::UnorderedElementsAre("g:shutdown", "a:shutdown"));
}

TEST_F(ChildTest, ExitObserverOfADeadChildRunsOnTheNextTurn) {
  Greenlet<void> g = Spawn([] {});
  g.Join();
  bool ran = false;
  Child(g).AddExitObserver([&ran](const Exit& e) {
    ran = e.reason == ExitReason::kNormal;
  });
  EXPECT_FALSE(ran);
  Sleep(absl::ZeroDuration());
  EXPECT_TRUE(ran);
}

// --- ChildSpec ----------------------------------------------------------

TEST(ChildSpecTest, ShutdownDefaultsFollowTheChildType) {
  ChildSpec worker{.id = "w", .start = [] { return Child(); }};
  EXPECT_EQ(EffectiveShutdown(worker).kind(), ChildShutdown::Kind::kTimeout);
  EXPECT_EQ(EffectiveShutdown(worker).timeout(), absl::Seconds(5));
  ChildSpec supervisor = worker;
  supervisor.type = ChildType::kSupervisor;
  EXPECT_EQ(EffectiveShutdown(supervisor).kind(),
            ChildShutdown::Kind::kInfinity);
  EXPECT_EQ(ChildShutdown::Timeout(absl::InfiniteDuration()).kind(),
            ChildShutdown::Kind::kInfinity);
  EXPECT_EQ(ChildShutdown::Timeout(absl::Milliseconds(5)).ToString(),
            "timeout(5ms)");
  EXPECT_EQ(ChildShutdown::BrutalKill().ToString(), "brutal_kill");
}

TEST(ChildSpecTest, StartFunctionsWithAndWithoutArgs) {
  StartFunction none;
  EXPECT_FALSE(none);
  StartFunction plain = [] { return Child(); };
  EXPECT_TRUE(plain);
  EXPECT_FALSE(plain.takes_args());
  StartFunction with_args = [](const ChildArgs& args) -> absl::StatusOr<Child> {
    if (!args.has_value()) return absl::InvalidArgumentError("no args");
    return Child();
  };
  EXPECT_TRUE(with_args.takes_args());
  EXPECT_FALSE(with_args(ChildArgs()).ok());
  EXPECT_TRUE(with_args(ChildArgs(1)).ok());
}

TEST(ChildSpecTest, ValidationNamesTheProblem) {
  ChildSpec ok{.id = "a", .start = [] { return Child(); }};
  EXPECT_TRUE(ValidateChildSpec(ok).ok());
  ChildSpec zero = ok;
  zero.shutdown = ChildShutdown::Timeout(absl::ZeroDuration());  // OTP: valid
  EXPECT_TRUE(ValidateChildSpec(zero).ok());
  ChildSpec negative = ok;
  negative.shutdown = ChildShutdown::Timeout(absl::Seconds(-2));
  EXPECT_EQ(ValidateChildSpec(negative).message(),
            "child spec 'a': negative shutdown timeout -2s");
  ChildSpec bad_restart = ok;
  bad_restart.restart = static_cast<RestartType>(9);
  EXPECT_EQ(ValidateChildSpec(bad_restart).message(),
            "child spec 'a': invalid restart type 9");
  EXPECT_EQ(ValidateChildSpec(ChildSpec{}).message(),
            "child spec: the id is empty");
}

TEST(SupervisorFlagsTest, ValidationNamesTheFlag) {
  EXPECT_TRUE(ValidateSupervisorFlags({}).ok());
  EXPECT_TRUE(ValidateSupervisorFlags({.intensity = 0}).ok());
  EXPECT_TRUE(
      ValidateSupervisorFlags({.period = absl::InfiniteDuration()}).ok());
  EXPECT_EQ(ValidateSupervisorFlags({.intensity = -3}).message(),
            "supervisor flags: intensity must be >= 0, got -3");
  EXPECT_EQ(ValidateSupervisorFlags({.period = absl::ZeroDuration()}).message(),
            "supervisor flags: period must be positive, got 0");
  EXPECT_EQ(ValidateSupervisorFlags({.strategy = static_cast<Strategy>(7)})
                .code(),
            absl::StatusCode::kInvalidArgument);
}

// --- RestartWindow (B-U6's arithmetic, without a clock) -----------------

TEST(RestartWindowTest, MoreThanIntensityWithinThePeriodGivesUp) {
  // B-U6
  internal::RestartWindow window(2, absl::Seconds(1));
  const absl::Time t = absl::UnixEpoch();
  EXPECT_TRUE(window.Add(t));
  EXPECT_TRUE(window.Add(t + absl::Milliseconds(100)));
  EXPECT_FALSE(window.Add(t + absl::Milliseconds(200)));
}

TEST(RestartWindowTest, TheWindowSlides) {
  // B-U6: restarts spaced wider than period/intensity never give up.
  internal::RestartWindow window(2, absl::Seconds(1));
  const absl::Time t = absl::UnixEpoch();
  for (int i = 0; i < 100; ++i) {
    EXPECT_TRUE(window.Add(t + i * absl::Milliseconds(600))) << i;
    EXPECT_LE(window.size(), 2u);
  }
}

TEST(RestartWindowTest, TheWindowEndsAtEachRestartNotAtFixedBoundaries) {
  // B-U6: three restarts within 300 ms that straddle the 1 s mark give up.
  // A fixed window ([0, 1 s), [1 s, 2 s), ... from the first restart) sees
  // two in each and would not.
  internal::RestartWindow window(2, absl::Seconds(1));
  const absl::Time t = absl::UnixEpoch();
  EXPECT_TRUE(window.Add(t));
  EXPECT_TRUE(window.Add(t + absl::Milliseconds(900)));
  EXPECT_TRUE(window.Add(t + absl::Milliseconds(1100)));  // t slid out
  EXPECT_EQ(window.size(), 2u);
  EXPECT_FALSE(window.Add(t + absl::Milliseconds(1200)));
}

TEST(RestartWindowTest, BoundaryCountsAndZeroIntensityAllowsNone) {
  internal::RestartWindow one(1, absl::Seconds(1));
  const absl::Time t = absl::UnixEpoch();
  EXPECT_TRUE(one.Add(t));
  EXPECT_FALSE(one.Add(t + absl::Seconds(1)));  // OTP: >= now - period
  internal::RestartWindow zero(0, absl::Seconds(1));
  EXPECT_FALSE(zero.Add(t));
  internal::RestartWindow forever(3, absl::InfiniteDuration());
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(forever.Add(t + absl::Hours(i)));
  EXPECT_FALSE(forever.Add(t + absl::Hours(1000)));
}

}  // namespace
}  // namespace evergreen
