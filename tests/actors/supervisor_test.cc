// Supervisor: start and validation (B-U1), shutdown (B-U2) and child
// administration (B-U3).
#include "actors/supervisor.h"

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/clock.h"
#include "actors/actor_ref.h"
#include "framework/event.h"
#include "framework/greenlet.h"
#include "framework/hub.h"
#include "framework/waiter.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/actors/supervisor_test_util.h"
#include "tests/testing/stop_actors.h"

namespace evergreen {
namespace {

using ::evergreen::testing::ChildOf;
using ::evergreen::testing::Worker;
using ::evergreen::testing::WorkerOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

using SupervisorTest = testing::SupervisorTestBase;

// --- B-U1: start failures and validation ----------------------------------

TEST_F(SupervisorTest, ChildStartErrorFailsTheStartAndStopsStartedChildren) {
  // B-U1
  ChildSpec broken{.id = "b", .start = []() -> absl::StatusOr<Child> {
                     return absl::UnavailableError("db is down");
                   }};
  absl::StatusOr<Supervisor> sup =
      Supervisor::Start({}, {Spec("a"), broken, Spec("c")});
  ASSERT_FALSE(sup.ok());
  EXPECT_EQ(sup.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(sup.status().message(), HasSubstr("child 'b' failed to start"));
  EXPECT_THAT(sup.status().message(), HasSubstr("db is down"));
  // 'a' was started and then shut down; 'c' never started.
  EXPECT_THAT(journal_->events, ElementsAre("start:a", "stop:a:shutdown"));
}

TEST_F(SupervisorTest, StartFunctionThatThrowsFailsTheStart) {
  // B-U1
  ChildSpec thrower{.id = "t", .start = []() -> absl::StatusOr<Child> {
                      throw std::runtime_error("no config");
                    }};
  absl::StatusOr<Supervisor> sup = Supervisor::Start({}, {thrower});
  ASSERT_FALSE(sup.ok());
  EXPECT_EQ(sup.status().code(), absl::StatusCode::kUnknown);
  EXPECT_THAT(sup.status().message(), HasSubstr("no config"));
}

TEST_F(SupervisorTest, NestedSupervisorStartErrorFailsTheParentStart) {
  // B-U1
  ChildSpec broken{.id = "x", .start = []() -> absl::StatusOr<Child> {
                     return absl::PermissionDeniedError("no access");
                   }};
  absl::StatusOr<Supervisor> sup = Supervisor::Start(
      {}, {Spec("a"), Supervisor::Spec("inner", {}, {Spec("b"), broken})});
  ASSERT_FALSE(sup.ok());
  EXPECT_EQ(sup.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(sup.status().message(), HasSubstr("no access"));
  EXPECT_THAT(journal_->events, ElementsAre("start:a", "start:b",
                                            "stop:b:shutdown",
                                            "stop:a:shutdown"));
}

TEST_F(SupervisorTest, InvalidFlagsAreRefused) {
  // B-U1
  absl::Status negative =
      Supervisor::Start({.intensity = -1}, {Spec("a")}).status();
  EXPECT_EQ(negative.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(negative.message(), HasSubstr("intensity must be >= 0, got -1"));

  absl::Status zero =
      Supervisor::Start({.period = absl::ZeroDuration()}, {Spec("a")}).status();
  EXPECT_EQ(zero.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(zero.message(), HasSubstr("period must be positive, got 0"));

  absl::Status below =
      Supervisor::Start({.period = absl::Seconds(-1)}, {Spec("a")}).status();
  EXPECT_THAT(below.message(), HasSubstr("period must be positive, got -1s"));
  EXPECT_TRUE(journal_->events.empty());  // nothing was started
}

TEST_F(SupervisorTest, InvalidSpecsAreRefused) {
  // B-U1
  absl::Status duplicate =
      Supervisor::Start({}, {Spec("a"), Spec("b"), Spec("a")}).status();
  EXPECT_EQ(duplicate.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(duplicate.message(), "child spec 'a': duplicate id");

  absl::Status negative =
      Supervisor::Start(
          {}, {Spec("a", RestartType::kPermanent,
                    ChildShutdown::Timeout(absl::Milliseconds(-5)))})
          .status();
  EXPECT_EQ(negative.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(negative.message(),
            "child spec 'a': negative shutdown timeout -5ms");

  ChildSpec no_start{.id = "n"};
  EXPECT_THAT(Supervisor::Start({}, {no_start}).status().message(),
              HasSubstr("child spec 'n': no start function"));
  ChildSpec no_id = Spec("");
  EXPECT_EQ(Supervisor::Start({}, {no_id}).status().code(),
            absl::StatusCode::kInvalidArgument);

  absl::Status two_templates =
      Supervisor::Start({.strategy = Strategy::kSimpleOneForOne},
                        {Spec("a"), Spec("b")})
          .status();
  EXPECT_EQ(two_templates.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(two_templates.message(), HasSubstr("exactly one child spec"));
  EXPECT_TRUE(journal_->events.empty());
}

TEST_F(SupervisorTest, StartChildRefusesAnInvalidSpec) {
  // B-U1
  absl::StatusOr<Supervisor> sup = Supervisor::Start({}, {});
  ASSERT_TRUE(sup.ok()) << sup.status();
  absl::StatusOr<Child> bad = sup->StartChild(
      Spec("a", RestartType::kPermanent, ChildShutdown::Timeout(-absl::Seconds(1))));
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(bad.status().message(), HasSubstr("negative shutdown timeout"));
  EXPECT_EQ(sup->CountChildren()->specs, 0);
  leak_check::StopActors({sup->ref()});
}

// --- B-U2: shutdown -----------------------------------------------------

TEST_F(SupervisorTest, ChildrenStopInReverseStartOrder) {
  // B-U2
  absl::StatusOr<Supervisor> sup =
      Supervisor::Start({}, {Spec("a"), Spec("b"), Spec("c")});
  ASSERT_TRUE(sup.ok()) << sup.status();
  sup->Stop();
  ASSERT_TRUE(sup->Join(absl::Seconds(10)));
  EXPECT_EQ(sup->exit().reason, ExitReason::kShutdown);
  EXPECT_THAT(journal_->events,
              ElementsAre("start:a", "start:b", "start:c", "stop:c:shutdown",
                          "stop:b:shutdown", "stop:a:shutdown"));
}

TEST_F(SupervisorTest, ChildIgnoringShutdownIsKilledAfterItsTimeout) {
  // B-U2
  absl::StatusOr<Supervisor> sup = Supervisor::Start(
      {}, {Spec("a"), Spec("stubborn", RestartType::kPermanent,
                           ChildShutdown::Timeout(absl::Milliseconds(50)))});
  ASSERT_TRUE(sup.ok()) << sup.status();
  ActorRef<Worker> stubborn = WorkerOf(*sup, "stubborn");
  // Busy for an hour: the Stop queued behind it is never reached.
  ASSERT_TRUE(stubborn.Tell(testing::Busy{absl::Hours(1)}).ok());
  const absl::Time begin = absl::Now();
  sup->Stop();
  ASSERT_TRUE(sup->Join(absl::Seconds(10)));
  EXPECT_GE(absl::Now() - begin, absl::Milliseconds(50));
  EXPECT_EQ(stubborn.exit().reason, ExitReason::kKilled);
  EXPECT_EQ(sup->exit().reason, ExitReason::kShutdown);
  // Killed, so no OnStop for it; the others still stop in order after it.
  EXPECT_THAT(journal_->events,
              ElementsAre("start:a", "start:stubborn", "stop:a:shutdown"));
}

TEST_F(SupervisorTest, BrutalKillChildIsKilledAtOnce) {
  // B-U2
  absl::StatusOr<Supervisor> sup = Supervisor::Start(
      {}, {Spec("a"),
           Spec("b", RestartType::kPermanent, ChildShutdown::BrutalKill())});
  ASSERT_TRUE(sup.ok()) << sup.status();
  ActorRef<Worker> b = WorkerOf(*sup, "b");
  sup->Stop();
  ASSERT_TRUE(sup->Join(absl::Seconds(10)));
  // Idle, yet killed rather than asked: no OnStop ran.
  EXPECT_EQ(b.exit().reason, ExitReason::kKilled);
  EXPECT_THAT(journal_->events,
              ElementsAre("start:a", "start:b", "stop:a:shutdown"));
}

TEST_F(SupervisorTest, InfiniteShutdownWaitsForTheChild) {
  // B-U2
  absl::StatusOr<Supervisor> sup = Supervisor::Start(
      {}, {Spec("slow", RestartType::kPermanent, ChildShutdown::Infinity())});
  ASSERT_TRUE(sup.ok()) << sup.status();
  ActorRef<Worker> slow = WorkerOf(*sup, "slow");
  // Busy past a worker's default grace period (5 s, child_spec.h): only an
  // infinite shutdown still waits for it rather than killing it.
  ASSERT_TRUE(slow.Tell(testing::Busy{absl::Milliseconds(5500)}).ok());
  const absl::Time begin = absl::Now();
  sup->Stop();
  ASSERT_TRUE(sup->Join(absl::Seconds(60)));
  EXPECT_GE(absl::Now() - begin, absl::Milliseconds(5500));
  // It finished its work, then stopped as asked: it was never killed.
  EXPECT_EQ(slow.exit().reason, ExitReason::kShutdown);
  EXPECT_THAT(journal_->events, ElementsAre("start:slow", "stop:slow:shutdown"));
}

TEST_F(SupervisorTest, GreenletChildrenStopInOrderWithActors) {
  // B-U2: a supervisor supervises actors and plain greenlets alike.
  auto journal = journal_;
  ChildSpec greenlet{
      .id = "g", .start = [journal]() -> absl::StatusOr<Child> {
        return SpawnWith({.name = "g"}, [journal] {
          journal->events.push_back("start:g");
          try {
            Sleep(absl::Hours(1));
          } catch (const GreenletExit&) {
            journal->events.push_back("stop:g");
            throw;
          }
        });
      }};
  absl::StatusOr<Supervisor> sup =
      Supervisor::Start({}, {Spec("a"), greenlet, Spec("c")});
  ASSERT_TRUE(sup.ok()) << sup.status();
  Child g = ChildOf(*sup, "g");
  ASSERT_TRUE(g.is_greenlet());
  sup->Stop();
  ASSERT_TRUE(sup->Join(absl::Seconds(10)));
  EXPECT_EQ(g.exit().reason, ExitReason::kShutdown);
  EXPECT_THAT(journal_->events,
              ElementsAre("start:a", "start:g", "start:c", "stop:c:shutdown",
                          "stop:g", "stop:a:shutdown"));
}

TEST_F(SupervisorTest, GreenletIgnoringShutdownIsKilledAfterItsTimeout) {
  // B-U2
  ChildSpec stubborn{
      .id = "g",
      .start = []() -> absl::StatusOr<Child> {
        return Spawn([] {
          try {
            Sleep(absl::Hours(1));
          } catch (const GreenletExit&) {
            Sleep(absl::Hours(1));  // ignores the shutdown
          }
        });
      },
      .shutdown = ChildShutdown::Timeout(absl::Milliseconds(30))};
  absl::StatusOr<Supervisor> sup = Supervisor::Start({}, {stubborn});
  ASSERT_TRUE(sup.ok()) << sup.status();
  Child g = ChildOf(*sup, "g");
  sup->Stop();
  ASSERT_TRUE(sup->Join(absl::Seconds(10)));
  EXPECT_FALSE(g.alive());
  EXPECT_EQ(g.exit().reason, ExitReason::kKilled);
}

// --- B-U3: child administration -------------------------------------------

TEST_F(SupervisorTest, StartingARunningChildIsAlreadyStarted) {
  // B-U3
  absl::StatusOr<Supervisor> sup = Supervisor::Start({}, {Spec("a")});
  ASSERT_TRUE(sup.ok()) << sup.status();
  absl::StatusOr<Child> again = sup->StartChild(Spec("a"));
  EXPECT_EQ(again.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(again.status().message(), "child 'a' already started");
  ASSERT_TRUE(sup->TerminateChild("a").ok());
  absl::StatusOr<Child> present = sup->StartChild(Spec("a"));
  EXPECT_EQ(present.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(present.status().message(), "child 'a' already present");
  EXPECT_THAT(journal_->events, ElementsAre("start:a", "stop:a:shutdown"));
  leak_check::StopActors({sup->ref()});
}

TEST_F(SupervisorTest, StartChildAddsADynamicChildLast) {
  // B-U3
  absl::StatusOr<Supervisor> sup = Supervisor::Start({}, {Spec("a")});
  ASSERT_TRUE(sup.ok()) << sup.status();
  absl::StatusOr<Child> b = sup->StartChild(Spec("b"));
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_TRUE(b->alive());
  EXPECT_EQ(ChildOf(*sup, "b"), *b);
  sup->Stop();
  ASSERT_TRUE(sup->Join(absl::Seconds(10)));
  EXPECT_THAT(journal_->Since(2),
              ElementsAre("stop:b:shutdown", "stop:a:shutdown"));
}

TEST_F(SupervisorTest, TerminateIsIdempotentAndKeepsTheSpec) {
  // B-U3
  absl::StatusOr<Supervisor> sup = Supervisor::Start({}, {Spec("a")});
  ASSERT_TRUE(sup.ok()) << sup.status();
  Child a = ChildOf(*sup, "a");
  EXPECT_TRUE(sup->TerminateChild("a").ok());
  EXPECT_FALSE(a.alive());
  EXPECT_EQ(a.exit().reason, ExitReason::kShutdown);
  EXPECT_TRUE(sup->TerminateChild("a").ok());
  EXPECT_TRUE(sup->TerminateChild(a).ok());  // by ref: gone counts as done
  absl::StatusOr<ChildCounts> counts = sup->CountChildren();
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(counts->specs, 1);
  EXPECT_EQ(counts->active, 0);
  EXPECT_FALSE(ChildOf(*sup, "a"));
  EXPECT_THAT(journal_->events, ElementsAre("start:a", "stop:a:shutdown"));
  leak_check::StopActors({sup->ref()});
}

TEST_F(SupervisorTest, RestartGivesANewIdentity) {
  // B-U3
  absl::StatusOr<Supervisor> sup = Supervisor::Start({}, {Spec("a")});
  ASSERT_TRUE(sup.ok()) << sup.status();
  ActorRef<Worker> before = WorkerOf(*sup, "a");
  ASSERT_TRUE(sup->TerminateChild("a").ok());
  absl::StatusOr<Child> after = sup->RestartChild("a");
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_TRUE(after->alive());
  EXPECT_NE(*after, Child(before));
  EXPECT_NE(after->actor().id(), before.id());
  EXPECT_EQ(ChildOf(*sup, "a"), *after);
  leak_check::StopActors({sup->ref()});
}

TEST_F(SupervisorTest, RestartAndDeleteRefuseARunningChild) {
  // B-U3
  absl::StatusOr<Supervisor> sup = Supervisor::Start({}, {Spec("a")});
  ASSERT_TRUE(sup.ok()) << sup.status();
  absl::StatusOr<Child> restart = sup->RestartChild("a");
  EXPECT_EQ(restart.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(restart.status().message(), "child 'a' is running");
  absl::Status del = sup->DeleteChild("a");
  EXPECT_EQ(del.code(), absl::StatusCode::kFailedPrecondition);
  ASSERT_TRUE(sup->TerminateChild("a").ok());
  EXPECT_TRUE(sup->DeleteChild("a").ok());
  EXPECT_EQ(sup->CountChildren()->specs, 0);
  EXPECT_EQ(sup->RestartChild("a").status().code(),
            absl::StatusCode::kNotFound);
  leak_check::StopActors({sup->ref()});
}

TEST_F(SupervisorTest, UnknownIdIsNotFound) {
  // B-U3
  absl::StatusOr<Supervisor> sup =
      Supervisor::Start({}, {Spec("a")}, {.name = "top"});
  ASSERT_TRUE(sup.ok()) << sup.status();
  absl::Status terminate = sup->TerminateChild("nope");
  EXPECT_EQ(terminate.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(terminate.message(), "supervisor 'top' has no child 'nope'");
  EXPECT_EQ(sup->RestartChild("nope").status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(sup->DeleteChild("nope").code(), absl::StatusCode::kNotFound);
  // A live actor that is not its child.
  ActorRef<Worker> stranger =
      SpawnActor<Worker>({.name = "stranger"}, "stranger", journal_);
  absl::Status foreign = sup->TerminateChild(Child(stranger));
  EXPECT_EQ(foreign.code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(stranger.alive());
  leak_check::StopActors({sup->ref(), stranger});
}

TEST_F(SupervisorTest, WhichAndCountChildrenDescribeTheChildren) {
  // B-U3
  absl::StatusOr<Supervisor> sup = Supervisor::Start(
      {}, {Spec("a"), Supervisor::Spec("inner", {}, {Spec("x")}), Spec("b")});
  ASSERT_TRUE(sup.ok()) << sup.status();
  ASSERT_TRUE(sup->TerminateChild("b").ok());
  absl::StatusOr<std::vector<ChildInfo>> which = sup->WhichChildren();
  ASSERT_TRUE(which.ok());
  ASSERT_EQ(which->size(), 3u);
  EXPECT_EQ((*which)[0].id, "a");
  EXPECT_TRUE((*which)[0].child.alive());
  EXPECT_EQ((*which)[0].type, ChildType::kWorker);
  EXPECT_EQ((*which)[1].id, "inner");
  EXPECT_EQ((*which)[1].type, ChildType::kSupervisor);
  EXPECT_TRUE(Supervisor::FromChild((*which)[1].child).has_value());
  EXPECT_FALSE(Supervisor::FromChild((*which)[0].child).has_value());
  EXPECT_EQ((*which)[2].id, "b");
  EXPECT_FALSE((*which)[2].child);
  absl::StatusOr<ChildCounts> counts = sup->CountChildren();
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(counts->specs, 3);
  EXPECT_EQ(counts->active, 2);
  EXPECT_EQ(counts->supervisors, 1);
  EXPECT_EQ(counts->workers, 2);
  leak_check::StopActors({sup->ref()});
}

TEST_F(SupervisorTest, StartFunctionReturningNoChildIsIgnored) {
  // B-U3: OTP's `ignore` keeps the spec (unless temporary) without a child.
  ChildSpec ignored{.id = "i",
                    .start = []() -> absl::StatusOr<Child> { return Child(); }};
  ChildSpec ignored_temp = ignored;
  ignored_temp.id = "t";
  ignored_temp.restart = RestartType::kTemporary;
  absl::StatusOr<Supervisor> sup =
      Supervisor::Start({}, {ignored, ignored_temp});
  ASSERT_TRUE(sup.ok()) << sup.status();
  absl::StatusOr<std::vector<ChildInfo>> which = sup->WhichChildren();
  ASSERT_EQ(which->size(), 1u);
  EXPECT_EQ((*which)[0].id, "i");
  EXPECT_FALSE((*which)[0].child);
  leak_check::StopActors({sup->ref()});
}

TEST_F(SupervisorTest, CallFromAStartFunctionFailsInsteadOfDeadlocking) {
  // B-U3
  absl::StatusOr<Supervisor> sup = Supervisor::Start({}, {});
  ASSERT_TRUE(sup.ok()) << sup.status();
  Supervisor handle = *sup;
  ChildSpec reentrant{.id = "r", .start = [handle]() -> absl::StatusOr<Child> {
                        absl::StatusOr<ChildCounts> counts =
                            handle.CountChildren();
                        if (!counts.ok()) return counts.status();
                        return Child();
                      }};
  absl::StatusOr<Child> started = sup->StartChild(reentrant);
  EXPECT_EQ(started.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(started.status().message(), HasSubstr("deadlock"));
  leak_check::StopActors({sup->ref()});
}

TEST_F(SupervisorTest, CallsToAGoneSupervisorAreUnavailable) {
  // B-U3
  absl::StatusOr<Supervisor> sup = Supervisor::Start({}, {Spec("a")});
  ASSERT_TRUE(sup.ok()) << sup.status();
  sup->Stop();
  ASSERT_TRUE(sup->Join(absl::Seconds(10)));
  EXPECT_EQ(sup->WhichChildren().status().code(),
            absl::StatusCode::kUnavailable);
  EXPECT_EQ(sup->TerminateChild("a").code(), absl::StatusCode::kUnavailable);
}

TEST_F(SupervisorTest, KillDuringACallFailsTheCallAndKillsTheChildren) {
  // B-U3: the caller gets an error, not the supervisor's GreenletExit.
  absl::StatusOr<Supervisor> sup = Supervisor::Start({}, {Spec("a")});
  ASSERT_TRUE(sup.ok()) << sup.status();
  ActorRef<Worker> a = WorkerOf(*sup, "a");
  Event entered;
  ChildSpec hanging{.id = "h", .start = [entered]() mutable
                                -> absl::StatusOr<Child> {
                      entered.Set();
                      Sleep(absl::Hours(1));
                      return Child();
                    }};
  Supervisor handle = *sup;
  auto killer = Spawn([entered, handle]() mutable {
    entered.Wait();
    handle.Kill();
  });
  absl::StatusOr<Child> started = sup->StartChild(hanging);
  EXPECT_EQ(started.status().code(), absl::StatusCode::kUnavailable);
  ASSERT_TRUE(sup->Join(absl::Seconds(10)));
  EXPECT_EQ(sup->exit().reason, ExitReason::kKilled);
  ASSERT_TRUE(a.Join(absl::Seconds(10)));
  EXPECT_EQ(a.exit().reason, ExitReason::kKilled);
  killer.Join();
}

}  // namespace
}  // namespace evergreen
