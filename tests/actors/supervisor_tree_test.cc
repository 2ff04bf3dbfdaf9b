// Supervisor: restart intensity (B-U6), failed restarts (B-U7), nested
// trees (B-U8) and simple_one_for_one.
#include <any>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/clock.h"
#include "actors/actor_ref.h"
#include "actors/supervisor.h"
#include "framework/hub.h"
#include "framework/waiter.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/actors/supervisor_test_util.h"
#include "tests/testing/stop_actors.h"

namespace evergreen {
namespace {

using ::evergreen::testing::CrashAndWait;
using ::evergreen::testing::Journal;
using ::evergreen::testing::KillAndWait;
using ::evergreen::testing::Ping;
using ::evergreen::testing::SupervisorOf;
using ::evergreen::testing::Worker;
using ::evergreen::testing::WorkerOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

class SupervisorTreeTest : public testing::SupervisorTestBase {
 protected:
  // A simple_one_for_one template: StartChild(n) starts worker "conn<n>".
  ChildSpec ConnectionTemplate(RestartType restart = RestartType::kPermanent,
                               std::optional<ChildShutdown> shutdown = {}) {
    auto journal = journal_;
    return ChildSpec{
        .id = "conn",
        .start = [journal](const ChildArgs& args) -> absl::StatusOr<Child> {
          const std::string tag = "conn" + std::to_string(std::any_cast<int>(args));
          return SpawnActor<Worker>({.name = tag}, tag, journal);
        },
        .restart = restart,
        .shutdown = shutdown};
  }

  // Logs "exit:<name>" when `supervisor` exits.
  void JournalExitOf(const Supervisor& supervisor) {
    auto journal = journal_;
    supervisor.ref().cell()->AddExitObserver(
        [journal, name = supervisor.name()](const Exit&) {
          journal->events.push_back("exit:" + name);
        });
  }

  static absl::Status ErrorOf(const Exit& exit) {
    try {
      std::rethrow_exception(exit.error);
    } catch (const StatusError& e) {
      return e.status();
    } catch (...) {
      return absl::UnknownError("not a StatusError");
    }
  }
};

using testing::kLenient;

// --- B-U6: restart intensity ------------------------------------------------

TEST_F(SupervisorTreeTest, ThirdFailureWithinThePeriodTerminatesTheSupervisor) {
  // B-U6
  absl::StatusOr<Supervisor> sup = Supervisor::Start(
      {.intensity = 2, .period = absl::Milliseconds(500)},
      {Spec("a"), Spec("b")}, {.name = "sup"});
  ASSERT_TRUE(sup.ok()) << sup.status();
  JournalExitOf(*sup);
  ActorRef<Worker> b = WorkerOf(*sup, "b");
  CrashAndWait(WorkerOf(*sup, "a"));  // restart 1
  CrashAndWait(WorkerOf(*sup, "a"));  // restart 2
  EXPECT_TRUE(WorkerOf(*sup, "a").alive());
  const std::size_t mark = journal_->events.size();
  CrashAndWait(WorkerOf(*sup, "a"));  // the third: gives up
  ASSERT_TRUE(sup->Join(absl::Seconds(10)));
  EXPECT_EQ(sup->exit().reason, ExitReason::kFailed);
  absl::Status why = ErrorOf(sup->exit());
  EXPECT_EQ(why.code(), absl::StatusCode::kAborted);
  EXPECT_THAT(why.message(), HasSubstr("maximum restart intensity"));
  EXPECT_THAT(why.message(), HasSubstr("a crashed"));
  // Children first, then the supervisor.
  EXPECT_EQ(b.exit().reason, ExitReason::kShutdown);
  EXPECT_THAT(journal_->Since(mark),
              ElementsAre("stop:a:failed: a crashed", "stop:b:shutdown",
                          "exit:sup"));
}

TEST_F(SupervisorTreeTest, GivingUpEscalatesToTheParent) {
  // B-U6
  absl::StatusOr<Supervisor> top = Supervisor::Start(
      kLenient,
      {Supervisor::Spec("inner",
                        {.intensity = 2, .period = absl::Milliseconds(500)},
                        {Spec("w")}),
       Spec("other")});
  ASSERT_TRUE(top.ok()) << top.status();
  Supervisor inner = SupervisorOf(*top, "inner");
  ActorRef<Worker> other = WorkerOf(*top, "other");
  for (int i = 0; i < 3; ++i) CrashAndWait(WorkerOf(inner, "w"));
  ASSERT_TRUE(inner.Join(absl::Seconds(10)));
  EXPECT_EQ(inner.exit().reason, ExitReason::kFailed);
  // The parent restarted it (one_for_one): a fresh inner with a fresh w.
  Supervisor inner2 = SupervisorOf(*top, "inner");
  EXPECT_NE(inner2, inner);
  EXPECT_TRUE(inner2.alive());
  EXPECT_TRUE(WorkerOf(inner2, "w").alive());
  EXPECT_EQ(WorkerOf(*top, "other"), other);
  leak_check::StopActors({top->ref()});
}

TEST_F(SupervisorTreeTest, FailuresSpacedWiderThanThePeriodNeverEscalate) {
  // B-U6: a sliding window. Pairs of quick failures are within the
  // intensity; the pauses between pairs outlast the period, so the window
  // never holds three, although six failures happen in all.
  const absl::Duration period = absl::Milliseconds(200);
  absl::StatusOr<Supervisor> sup =
      Supervisor::Start({.intensity = 2, .period = period}, {Spec("a")});
  ASSERT_TRUE(sup.ok()) << sup.status();
  for (int pair = 0; pair < 3; ++pair) {
    CrashAndWait(WorkerOf(*sup, "a"));
    CrashAndWait(WorkerOf(*sup, "a"));
    ASSERT_TRUE(WorkerOf(*sup, "a").alive());
    Sleep(period + absl::Milliseconds(100));  // the time under test
  }
  EXPECT_TRUE(sup->alive());
  EXPECT_TRUE(WorkerOf(*sup, "a").alive());
  leak_check::StopActors({sup->ref()});
}

// --- B-U7: failed restarts ----------------------------------------------

class Fragile {
 public:
  // A spec whose start fails ("dependency down") while `*failures_left`
  // is positive, counting it down, and else starts a Worker `id`.
  static ChildSpec Spec(std::string id, std::shared_ptr<Journal> journal,
                        std::shared_ptr<int> failures_left) {
    return ChildSpec{
        .id = id,
        .start = [id, journal, failures_left]() -> absl::StatusOr<Child> {
          if (*failures_left > 0) {
            --*failures_left;
            return absl::UnavailableError("dependency down");
          }
          return SpawnActor<Worker>({.name = id}, id, journal);
        }};
  }
};

TEST_F(SupervisorTreeTest, FailedRestartEscalatesTakingTheChildren) {
  // B-U7
  auto failures = std::make_shared<int>(0);
  absl::StatusOr<Supervisor> sup = Supervisor::Start(
      {.intensity = 1, .period = absl::Seconds(60)},
      {Spec("a"), Fragile::Spec("f", journal_, failures), Spec("c")},
      {.name = "sup"});
  ASSERT_TRUE(sup.ok()) << sup.status();
  JournalExitOf(*sup);
  *failures = 1000;  // it cannot come back
  const std::size_t mark = journal_->events.size();
  CrashAndWait(WorkerOf(*sup, "f"));
  ASSERT_TRUE(sup->Join(absl::Seconds(10)));
  EXPECT_EQ(sup->exit().reason, ExitReason::kFailed);
  EXPECT_THAT(ErrorOf(sup->exit()).message(), HasSubstr("dependency down"));
  EXPECT_THAT(journal_->Since(mark),
              ElementsAre("stop:f:failed: f crashed", "stop:c:shutdown",
                          "stop:a:shutdown", "exit:sup"));
}

TEST_F(SupervisorTreeTest, FailedRestartIsRetriedAfterQueuedRequests) {
  // B-U7: OTP retries a failed restart (counted against the intensity)
  // after what is already queued; meanwhile the child is "restarting".
  auto failures = std::make_shared<int>(0);
  absl::StatusOr<Supervisor> sup = Supervisor::Start(
      {.intensity = 5, .period = absl::Seconds(60)},
      {Fragile::Spec("f", journal_, failures)});
  ASSERT_TRUE(sup.ok()) << sup.status();
  *failures = 1;
  CrashAndWait(WorkerOf(*sup, "f"));
  absl::StatusOr<std::vector<ChildInfo>> during = sup->WhichChildren();
  ASSERT_TRUE(during.ok());
  EXPECT_TRUE((*during)[0].restarting);
  EXPECT_FALSE((*during)[0].child);
  EXPECT_EQ(sup->RestartChild("f").status().code(),
            absl::StatusCode::kFailedPrecondition);
  // The retry was queued behind those calls and has succeeded since.
  EXPECT_TRUE(WorkerOf(*sup, "f").alive());
  EXPECT_EQ(*failures, 0);
  leak_check::StopActors({sup->ref()});
}

TEST_F(SupervisorTreeTest, EscalationClimbsTheTree) {
  // B-U7: the inner supervisor gives up; the top one may not restart it
  // (intensity 0), so it gives up too, taking everything.
  auto failures = std::make_shared<int>(0);
  absl::StatusOr<Supervisor> top = Supervisor::Start(
      {.intensity = 0},
      {Spec("x"),
       Supervisor::Spec("inner", {.intensity = 0},
                        {Spec("a"), Fragile::Spec("f", journal_, failures)})},
      {.name = "top"});
  ASSERT_TRUE(top.ok()) << top.status();
  JournalExitOf(*top);
  JournalExitOf(SupervisorOf(*top, "inner"));
  const std::size_t mark = journal_->events.size();
  CrashAndWait(WorkerOf(SupervisorOf(*top, "inner"), "f"));
  ASSERT_TRUE(top->Join(absl::Seconds(10)));
  EXPECT_EQ(top->exit().reason, ExitReason::kFailed);
  EXPECT_THAT(journal_->Since(mark),
              ElementsAre("stop:f:failed: f crashed", "stop:a:shutdown",
                          "exit:inner", "stop:x:shutdown", "exit:top"));
}

// --- B-U8: nested trees ------------------------------------------------------

TEST_F(SupervisorTreeTest, WorkerCrashRestartsOnlyThatWorker) {
  // B-U8
  absl::StatusOr<Supervisor> top = Supervisor::Start(
      kLenient,
      {Supervisor::Spec("inner", kLenient, {Spec("w1"), Spec("w2")}),
       Spec("w3")});
  ASSERT_TRUE(top.ok()) << top.status();
  Supervisor inner = SupervisorOf(*top, "inner");
  ActorRef<Worker> w1 = WorkerOf(inner, "w1");
  ActorRef<Worker> w2 = WorkerOf(inner, "w2");
  ActorRef<Worker> w3 = WorkerOf(*top, "w3");
  CrashAndWait(w1);
  EXPECT_NE(WorkerOf(inner, "w1"), w1);
  EXPECT_TRUE(WorkerOf(inner, "w1").alive());
  EXPECT_EQ(WorkerOf(inner, "w2"), w2);
  EXPECT_EQ(SupervisorOf(*top, "inner"), inner);
  EXPECT_EQ(WorkerOf(*top, "w3"), w3);
  leak_check::StopActors({top->ref()});
}

TEST_F(SupervisorTreeTest, CrashedSupervisorIsRestartedPerParentOneForAll) {
  // B-U8
  absl::StatusOr<Supervisor> top = Supervisor::Start(
      {.strategy = Strategy::kOneForAll, .intensity = 5},
      {Spec("w0"), Supervisor::Spec("inner", {}, {Spec("w1")}), Spec("w3")});
  ASSERT_TRUE(top.ok()) << top.status();
  ActorRef<Worker> w0 = WorkerOf(*top, "w0");
  Supervisor inner = SupervisorOf(*top, "inner");
  ActorRef<Worker> w1 = WorkerOf(inner, "w1");
  ActorRef<Worker> w3 = WorkerOf(*top, "w3");
  KillAndWait(inner.AsChild());
  Supervisor inner2 = SupervisorOf(*top, "inner");
  EXPECT_NE(inner2, inner);
  EXPECT_NE(WorkerOf(inner2, "w1"), w1);
  EXPECT_NE(WorkerOf(*top, "w0"), w0);
  EXPECT_NE(WorkerOf(*top, "w3"), w3);
  ASSERT_TRUE(w1.Join(absl::Seconds(10)));
  EXPECT_EQ(w1.exit().reason, ExitReason::kKilled);  // went with inner
  EXPECT_EQ(w3.exit().reason, ExitReason::kShutdown);
  leak_check::StopActors({top->ref()});
}

TEST_F(SupervisorTreeTest, CrashedSupervisorIsRestartedPerParentRestForOne) {
  // B-U8
  absl::StatusOr<Supervisor> top = Supervisor::Start(
      {.strategy = Strategy::kRestForOne, .intensity = 5},
      {Spec("w0"), Supervisor::Spec("inner", {}, {Spec("w1")}), Spec("w3")});
  ASSERT_TRUE(top.ok()) << top.status();
  ActorRef<Worker> w0 = WorkerOf(*top, "w0");
  Supervisor inner = SupervisorOf(*top, "inner");
  ActorRef<Worker> w3 = WorkerOf(*top, "w3");
  KillAndWait(inner.AsChild());
  EXPECT_EQ(WorkerOf(*top, "w0"), w0);
  EXPECT_NE(SupervisorOf(*top, "inner"), inner);
  EXPECT_NE(WorkerOf(*top, "w3"), w3);
  leak_check::StopActors({top->ref()});
}

TEST_F(SupervisorTreeTest, DynamicChildrenAreNotRestoredAfterAGroupRestart) {
  // B-U8: a restarted supervisor starts from its own specs.
  absl::StatusOr<Supervisor> top = Supervisor::Start(
      kLenient,
      {Supervisor::Spec("inner", {}, {Spec("w1")}),
       Supervisor::Spec("pool", {.strategy = Strategy::kSimpleOneForOne},
                        {ConnectionTemplate()})});
  ASSERT_TRUE(top.ok()) << top.status();
  Supervisor inner = SupervisorOf(*top, "inner");
  Supervisor pool = SupervisorOf(*top, "pool");
  ASSERT_TRUE(inner.StartChild(Spec("dynamic")).ok());
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(pool.StartChild(i).ok());
  ASSERT_EQ(inner.WhichChildren()->size(), 2u);
  ASSERT_EQ(pool.CountChildren()->active, 3);

  KillAndWait(inner.AsChild());
  KillAndWait(pool.AsChild());
  absl::StatusOr<std::vector<ChildInfo>> restored =
      SupervisorOf(*top, "inner").WhichChildren();
  ASSERT_TRUE(restored.ok());
  ASSERT_EQ(restored->size(), 1u);
  EXPECT_EQ((*restored)[0].id, "w1");
  EXPECT_EQ(SupervisorOf(*top, "pool").CountChildren()->active, 0);
  leak_check::StopActors({top->ref()});
}

// --- simple_one_for_one -------------------------------------------------

TEST_F(SupervisorTreeTest, SimpleOneForOneStartsChildrenFromTheTemplate) {
  absl::StatusOr<Supervisor> sup = Supervisor::Start(
      {.strategy = Strategy::kSimpleOneForOne}, {ConnectionTemplate()});
  ASSERT_TRUE(sup.ok()) << sup.status();
  EXPECT_TRUE(sup->WhichChildren()->empty());  // none at start
  absl::StatusOr<Child> one = sup->StartChild(1);
  absl::StatusOr<Child> two = sup->StartChild(2);
  ASSERT_TRUE(one.ok() && two.ok());
  EXPECT_EQ(ActorRef<Worker>(two->actor().cell()).Ask(Ping{}).Get(), "conn2");
  absl::StatusOr<std::vector<ChildInfo>> which = sup->WhichChildren();
  ASSERT_EQ(which->size(), 2u);
  EXPECT_EQ((*which)[0].id, "conn");
  EXPECT_EQ((*which)[0].child, *one);
  absl::StatusOr<ChildCounts> counts = sup->CountChildren();
  EXPECT_EQ(counts->specs, 1);
  EXPECT_EQ(counts->active, 2);
  EXPECT_EQ(counts->workers, 2);
  EXPECT_EQ(counts->supervisors, 0);
  leak_check::StopActors({sup->ref()});
}

TEST_F(SupervisorTreeTest, SimpleOneForOneRefusesStaticRequests) {
  absl::StatusOr<Supervisor> sup = Supervisor::Start(
      {.strategy = Strategy::kSimpleOneForOne}, {ConnectionTemplate()});
  ASSERT_TRUE(sup.ok()) << sup.status();
  EXPECT_EQ(sup->StartChild(Spec("x")).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(sup->TerminateChild("conn").code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(sup->RestartChild("conn").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(sup->DeleteChild("conn").code(),
            absl::StatusCode::kInvalidArgument);

  absl::StatusOr<Supervisor> plain = Supervisor::Start({}, {});
  absl::StatusOr<Child> args = plain->StartChild(7);
  EXPECT_EQ(args.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(args.status().message(), HasSubstr("simple_one_for_one"));
  leak_check::StopActors({sup->ref(), plain->ref()});
}

TEST_F(SupervisorTreeTest, SimpleOneForOneTemplateWithoutArgsRefusesArgs) {
  absl::StatusOr<Supervisor> sup = Supervisor::Start(
      {.strategy = Strategy::kSimpleOneForOne}, {Spec("plain")});
  ASSERT_TRUE(sup.ok()) << sup.status();
  absl::StatusOr<Child> with_args = sup->StartChild(3);
  EXPECT_EQ(with_args.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(with_args.status().message(), HasSubstr("takes no arguments"));
  EXPECT_TRUE(sup->StartChild().ok());
  leak_check::StopActors({sup->ref()});
}

TEST_F(SupervisorTreeTest, SimpleOneForOneRestartsOnlyTheCrashedChild) {
  absl::StatusOr<Supervisor> sup = Supervisor::Start(
      {.strategy = Strategy::kSimpleOneForOne, .intensity = 5},
      {ConnectionTemplate()});
  ASSERT_TRUE(sup.ok()) << sup.status();
  ActorRef<Worker> one(sup->StartChild(1)->actor().cell());
  ActorRef<Worker> two(sup->StartChild(2)->actor().cell());
  CrashAndWait(two);
  absl::StatusOr<std::vector<ChildInfo>> which = sup->WhichChildren();
  ASSERT_EQ(which->size(), 2u);
  EXPECT_EQ((*which)[0].child, Child(one));
  Child restarted = (*which)[1].child;
  EXPECT_NE(restarted, Child(two));
  // With the arguments it was started with.
  EXPECT_EQ(ActorRef<Worker>(restarted.actor().cell()).Ask(Ping{}).Get(),
            "conn2");
  leak_check::StopActors({sup->ref()});
}

TEST_F(SupervisorTreeTest, SimpleOneForOneTerminatesByRef) {
  absl::StatusOr<Supervisor> sup = Supervisor::Start(
      {.strategy = Strategy::kSimpleOneForOne}, {ConnectionTemplate()});
  ASSERT_TRUE(sup.ok()) << sup.status();
  Child one = *sup->StartChild(1);
  Child two = *sup->StartChild(2);
  EXPECT_TRUE(sup->TerminateChild(one).ok());
  EXPECT_EQ(one.exit().reason, ExitReason::kShutdown);
  EXPECT_TRUE(sup->TerminateChild(one).ok());  // gone: already terminated
  absl::StatusOr<std::vector<ChildInfo>> which = sup->WhichChildren();
  ASSERT_EQ(which->size(), 1u);  // dynamic children leave with their process
  EXPECT_EQ((*which)[0].child, two);
  ActorRef<Worker> stranger = SpawnActor<Worker>({}, "stranger", journal_);
  EXPECT_EQ(sup->TerminateChild(Child(stranger)).code(),
            absl::StatusCode::kNotFound);
  leak_check::StopActors({sup->ref(), stranger});
}

TEST_F(SupervisorTreeTest, SimpleOneForOneTransientNormalExitLeaves) {
  absl::StatusOr<Supervisor> sup = Supervisor::Start(
      {.strategy = Strategy::kSimpleOneForOne},
      {ConnectionTemplate(RestartType::kTransient)});
  ASSERT_TRUE(sup.ok()) << sup.status();
  ActorRef<Worker> one(sup->StartChild(1)->actor().cell());
  ASSERT_TRUE(one.Tell(testing::StopNormally{}).ok());
  ASSERT_TRUE(one.Join(absl::Seconds(10)));
  absl::StatusOr<ChildCounts> counts = sup->CountChildren();
  EXPECT_EQ(counts->active, 0);
  EXPECT_EQ(counts->workers, 0);
  leak_check::StopActors({sup->ref()});
}

TEST_F(SupervisorTreeTest, SimpleOneForOneShutsDownChildrenTogether) {
  // OTP shuts dynamic children down in parallel, sharing one grace period:
  // ten children that ignore the shutdown cost one timeout, not ten.
  const absl::Duration grace = absl::Milliseconds(100);
  absl::StatusOr<Supervisor> sup = Supervisor::Start(
      {.strategy = Strategy::kSimpleOneForOne},
      {ConnectionTemplate(RestartType::kPermanent,
                          ChildShutdown::Timeout(grace))});
  ASSERT_TRUE(sup.ok()) << sup.status();
  std::vector<ActorRef<Worker>> children;
  for (int i = 0; i < 10; ++i) {
    children.emplace_back(sup->StartChild(i)->actor().cell());
    ASSERT_TRUE(children.back().Tell(testing::Busy{absl::Hours(1)}).ok());
  }
  const absl::Time begin = absl::Now();
  sup->Stop();
  ASSERT_TRUE(sup->Join(absl::Seconds(10)));
  const absl::Duration took = absl::Now() - begin;
  EXPECT_GE(took, grace);
  EXPECT_LT(took, 9 * grace) << "children were shut down one after another";
  for (const ActorRef<Worker>& child : children) {
    EXPECT_EQ(child.exit().reason, ExitReason::kKilled);
  }
}

}  // namespace
}  // namespace evergreen
