// Supervisor: restart types (B-U4) and strategies (B-U5).
#include "actors/supervisor.h"

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "actors/actor_ref.h"
#include "framework/event.h"
#include "framework/greenlet.h"
#include "framework/hub.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/actors/supervisor_test_util.h"
#include "tests/testing/stop_actors.h"

namespace evergreen {
namespace {

using ::evergreen::testing::ChildOf;
using ::evergreen::testing::CrashAndWait;
using ::evergreen::testing::KillAndWait;
using ::evergreen::testing::Worker;
using ::evergreen::testing::WorkerOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

using SupervisorTest = testing::SupervisorTestBase;
using testing::kLenient;

// --- B-U4: restart types ------------------------------------------------

TEST_F(SupervisorTest, PermanentChildRestartsAfterAnyExit) {
  // B-U4
  absl::StatusOr<Supervisor> sup = Supervisor::Start(kLenient, {Spec("p")});
  ASSERT_TRUE(sup.ok()) << sup.status();
  ActorRef<Worker> first = WorkerOf(*sup, "p");
  CrashAndWait(first);  // abnormal
  ActorRef<Worker> second = WorkerOf(*sup, "p");
  EXPECT_NE(second, first);
  ASSERT_TRUE(second.Tell(testing::StopNormally{}).ok());  // normal
  ASSERT_TRUE(second.Join(absl::Seconds(10)));
  ActorRef<Worker> third = WorkerOf(*sup, "p");
  EXPECT_NE(third, second);
  EXPECT_TRUE(third.alive());
  leak_check::StopActors({sup->ref()});
}

TEST_F(SupervisorTest, TransientChildRestartsOnlyAfterAnAbnormalExit) {
  // B-U4
  absl::StatusOr<Supervisor> sup =
      Supervisor::Start(kLenient, {Spec("t", RestartType::kTransient)});
  ASSERT_TRUE(sup.ok()) << sup.status();
  ActorRef<Worker> first = WorkerOf(*sup, "t");
  CrashAndWait(first);
  ActorRef<Worker> second = WorkerOf(*sup, "t");
  ASSERT_NE(second, first);
  KillAndWait(Child(second));  // kKilled is abnormal too
  ActorRef<Worker> third = WorkerOf(*sup, "t");
  ASSERT_NE(third, second);
  // kShutdown (asked by someone else) is a normal exit: not restarted.
  third.Stop();
  ASSERT_TRUE(third.Join(absl::Seconds(10)));
  EXPECT_FALSE(ChildOf(*sup, "t"));
  EXPECT_EQ(sup->CountChildren()->specs, 1);  // the spec stays
  // And kNormal neither.
  absl::StatusOr<Child> fourth = sup->RestartChild("t");
  ASSERT_TRUE(fourth.ok()) << fourth.status();
  ASSERT_TRUE(ActorRef<Worker>(fourth->actor().cell())
                  .Tell(testing::StopNormally{})
                  .ok());
  ASSERT_TRUE(fourth->Join(absl::Seconds(10)));
  EXPECT_FALSE(ChildOf(*sup, "t"));
  leak_check::StopActors({sup->ref()});
}

TEST_F(SupervisorTest, TemporaryChildIsNeverRestartedAndItsSpecIsDropped) {
  // B-U4
  absl::StatusOr<Supervisor> sup = Supervisor::Start(
      kLenient, {Spec("a"), Spec("tmp", RestartType::kTemporary)});
  ASSERT_TRUE(sup.ok()) << sup.status();
  CrashAndWait(WorkerOf(*sup, "tmp"));
  absl::StatusOr<std::vector<ChildInfo>> which = sup->WhichChildren();
  ASSERT_EQ(which->size(), 1u);
  EXPECT_EQ((*which)[0].id, "a");
  EXPECT_EQ(sup->RestartChild("tmp").status().code(),
            absl::StatusCode::kNotFound);
  // Terminating one drops its spec as well.
  ASSERT_TRUE(sup->StartChild(Spec("tmp2", RestartType::kTemporary)).ok());
  ASSERT_TRUE(sup->TerminateChild("tmp2").ok());
  EXPECT_EQ(sup->CountChildren()->specs, 1);
  leak_check::StopActors({sup->ref()});
}

TEST_F(SupervisorTest, TemporaryChildIsNotRestartedWithItsGroup) {
  // B-U4: not even when a sibling's crash restarts the whole group.
  absl::StatusOr<Supervisor> sup = Supervisor::Start(
      {.strategy = Strategy::kOneForAll, .intensity = 5},
      {Spec("a"), Spec("tmp", RestartType::kTemporary)});
  ASSERT_TRUE(sup.ok()) << sup.status();
  ActorRef<Worker> tmp = WorkerOf(*sup, "tmp");
  CrashAndWait(WorkerOf(*sup, "a"));
  absl::StatusOr<std::vector<ChildInfo>> which = sup->WhichChildren();
  EXPECT_EQ(tmp.exit().reason, ExitReason::kShutdown);
  ASSERT_EQ(which->size(), 1u);
  EXPECT_TRUE((*which)[0].child.alive());
  leak_check::StopActors({sup->ref()});
}

TEST_F(SupervisorTest, GreenletExitsAreClassifiedForRestart) {
  // B-U4: for plain greenlets, returned → normal, threw → failed.
  auto runs = std::make_shared<int>(0);
  ChildSpec returns{.id = "returns",
                    .start = [runs]() -> absl::StatusOr<Child> {
                      return Spawn([runs] { ++*runs; });
                    },
                    .restart = RestartType::kTransient};
  Event fail;  // each Set makes the running instance throw
  ChildSpec throws{.id = "throws",
                   .start = [fail]() -> absl::StatusOr<Child> {
                     return Spawn([fail]() mutable {
                       fail.Wait();
                       fail.Clear();
                       throw std::runtime_error("greenlet failed");
                     });
                   },
                   .restart = RestartType::kTransient};
  absl::StatusOr<Supervisor> sup =
      Supervisor::Start(kLenient, {returns, throws});
  ASSERT_TRUE(sup.ok()) << sup.status();
  Child first = ChildOf(*sup, "throws");
  ASSERT_TRUE(first.is_greenlet());
  fail.Set();
  ASSERT_TRUE(first.Join(absl::Seconds(10)));
  EXPECT_EQ(first.exit().reason, ExitReason::kFailed);
  EXPECT_THAT(first.exit().ToString(), HasSubstr("greenlet failed"));
  Child second = ChildOf(*sup, "throws");
  EXPECT_NE(second, first);
  EXPECT_TRUE(second.alive());               // failed: restarted
  EXPECT_FALSE(ChildOf(*sup, "returns"));    // returned: not restarted
  EXPECT_EQ(*runs, 1);
  leak_check::StopActors({sup->ref()});
}

// --- B-U5: strategies ---------------------------------------------------

TEST_F(SupervisorTest, OneForOneRestartsOnlyTheFailedChild) {
  // B-U5
  absl::StatusOr<Supervisor> sup =
      Supervisor::Start(kLenient, {Spec("a"), Spec("b"), Spec("c")});
  ASSERT_TRUE(sup.ok()) << sup.status();
  ActorRef<Worker> a = WorkerOf(*sup, "a");
  ActorRef<Worker> b = WorkerOf(*sup, "b");
  ActorRef<Worker> c = WorkerOf(*sup, "c");
  const std::size_t mark = journal_->events.size();
  CrashAndWait(b);
  EXPECT_EQ(WorkerOf(*sup, "a"), a);
  EXPECT_NE(WorkerOf(*sup, "b"), b);
  EXPECT_EQ(WorkerOf(*sup, "c"), c);
  EXPECT_THAT(journal_->Since(mark),
              ElementsAre("stop:b:failed: b crashed", "start:b"));
  leak_check::StopActors({sup->ref()});
}

TEST_F(SupervisorTest, OneForAllRestartsAllInOrder) {
  // B-U5
  absl::StatusOr<Supervisor> sup = Supervisor::Start(
      {.strategy = Strategy::kOneForAll, .intensity = 5},
      {Spec("a"), Spec("b"), Spec("c")});
  ASSERT_TRUE(sup.ok()) << sup.status();
  ActorRef<Worker> a = WorkerOf(*sup, "a");
  ActorRef<Worker> b = WorkerOf(*sup, "b");
  ActorRef<Worker> c = WorkerOf(*sup, "c");
  const std::size_t mark = journal_->events.size();
  CrashAndWait(b);
  EXPECT_NE(WorkerOf(*sup, "a"), a);
  EXPECT_NE(WorkerOf(*sup, "b"), b);
  EXPECT_NE(WorkerOf(*sup, "c"), c);
  // The others stop in reverse order, then all start in order.
  EXPECT_THAT(journal_->Since(mark),
              ElementsAre("stop:b:failed: b crashed", "stop:c:shutdown",
                          "stop:a:shutdown", "start:a", "start:b", "start:c"));
  leak_check::StopActors({sup->ref()});
}

TEST_F(SupervisorTest, RestForOneRestartsTheFailedChildAndLaterOnes) {
  // B-U5
  absl::StatusOr<Supervisor> sup = Supervisor::Start(
      {.strategy = Strategy::kRestForOne, .intensity = 5},
      {Spec("a"), Spec("b"), Spec("c"), Spec("d")});
  ASSERT_TRUE(sup.ok()) << sup.status();
  ActorRef<Worker> a = WorkerOf(*sup, "a");
  ActorRef<Worker> b = WorkerOf(*sup, "b");
  ActorRef<Worker> c = WorkerOf(*sup, "c");
  ActorRef<Worker> d = WorkerOf(*sup, "d");
  const std::size_t mark = journal_->events.size();
  CrashAndWait(b);
  EXPECT_EQ(WorkerOf(*sup, "a"), a);  // earlier: same identity
  EXPECT_EQ(WorkerOf(*sup, "a").id(), a.id());
  EXPECT_NE(WorkerOf(*sup, "b"), b);
  EXPECT_NE(WorkerOf(*sup, "c"), c);
  EXPECT_NE(WorkerOf(*sup, "d"), d);
  EXPECT_THAT(journal_->Since(mark),
              ElementsAre("stop:b:failed: b crashed", "stop:d:shutdown",
                          "stop:c:shutdown", "start:b", "start:c", "start:d"));
  leak_check::StopActors({sup->ref()});
}

TEST_F(SupervisorTest, OneForAllRestartsChildrenAddedWithStartChild) {
  // B-U5 (OTP: StartChild adds to the spec list of a static strategy)
  absl::StatusOr<Supervisor> sup = Supervisor::Start(
      {.strategy = Strategy::kOneForAll, .intensity = 5}, {Spec("a")});
  ASSERT_TRUE(sup.ok()) << sup.status();
  ASSERT_TRUE(sup->StartChild(Spec("d")).ok());
  ActorRef<Worker> d = WorkerOf(*sup, "d");
  CrashAndWait(WorkerOf(*sup, "a"));
  EXPECT_NE(WorkerOf(*sup, "d"), d);
  EXPECT_TRUE(WorkerOf(*sup, "d").alive());
  leak_check::StopActors({sup->ref()});
}

}  // namespace
}  // namespace evergreen
