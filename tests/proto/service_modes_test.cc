// Execution modes of a service (actors/service/service_spec.h): one actor
// (calls serialised), N instances behind a router, a call per greenlet
// under a bound; and cancellation and deadlines reaching the handler
// (actors/service/handler_call.h). In-process, through Channel::Local.
// Behaviours: B-RPC14 (execution modes), B-RPC8 (load shedding), B-RPC10 (crash under a supervisor),
// B-RPC3 (deadlines reach the handler).
#include <algorithm>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "actors/registry.h"
#include "actors/service/service_spec.h"
#include "actors/supervisor.h"
#include "framework/deadline.h"
#include "framework/event.h"
#include "framework/greenlet.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/wait_until.h"
#include "tests/proto/echo_service.h"
#include "tests/testing/error_log.h"

namespace evergreen {
namespace {

using test::Echo;
using test::EchoReply;
using test::EchoRequest;
using test::EchoService;
using ::testing::HasSubstr;

constexpr absl::Duration kPatience = absl::Seconds(10);

// What the gated handlers share with a test: how many run, and the gate
// they wait at. One per test (the handlers run on the test's hub).
struct Gate {
  int running = 0;
  int max_running = 0;
  int want = 1;        // `entered` is set when this many run at once
  Event entered;
  Event release;
  Event left;          // set whenever a handler leaves, however it leaves
  bool wait_result = true;   // what the last deadline-bounded wait said
  bool scoped = false;       // CurrentDeadline() was the call's deadline
  Event waited;
  AnyActorRef nested;  // "nested" calls this service's Say
};
Gate* gate = nullptr;

// Requests: text "quick" answers at once; "crash" throws; "wait" waits on
// an event no one sets, with a long timeout of its own, and records
// whether the wait woke; anything else waits at the gate.
class GatedService : public Echo::Service {
 public:
  absl::StatusOr<EchoReply> Say(const EchoRequest& request,
                                CallContext& context) override {
    ++calls_;
    EchoReply reply;
    reply.set_text(self().name());
    reply.set_calls(calls_);
    if (request.text() == "quick") return reply;
    if (request.text() == "nested") {  // no timeout of its own
      return Echo::Client(Channel::Local(gate->nested)).Say(request);
    }
    if (request.text() == "wait") {
      // The call's deadline is this greenlet's: the wait ends by it.
      gate->scoped = CurrentDeadline() == context.deadline();
      Event never;
      gate->wait_result = never.Wait(absl::Hours(1));
      gate->waited.Set();
      return absl::AbortedError("the wait ended");
    }
    ++gate->running;
    gate->max_running = std::max(gate->max_running, gate->running);
    struct Leave {
      ~Leave() {
        --gate->running;
        gate->left.Set();
      }
    } leave;
    if (gate->running >= gate->want) gate->entered.Set();
    if (request.text() == "crash") throw std::runtime_error("asked to crash");
    gate->release.Wait();
    return reply;
  }

 private:
  int calls_ = 0;
};

EchoRequest Say(std::string text) {
  EchoRequest request;
  request.set_text(std::move(text));
  return request;
}

using Pending = AsyncResult<absl::StatusOr<EchoReply>>;

class ServiceModesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    gate_ = std::make_unique<Gate>();
    gate = gate_.get();
  }
  void TearDown() override { gate = nullptr; }

  absl::StatusOr<Supervisor> StartTree(ChildSpec spec) {
    return Supervisor::Start({.strategy = Strategy::kOneForOne,
                              .intensity = 5,
                              .period = absl::Seconds(10)},
                             {std::move(spec)});
  }

  std::unique_ptr<Gate> gate_;
};

// One actor: a second call waits in the mailbox while the first runs.
TEST_F(ServiceModesTest, OneActorRunsItsCallsOneAtATime) {
  ActorRef<GatedService> service = SpawnService<GatedService>("serial", {});
  Echo::Client client(Channel::Local(service));
  std::vector<Pending> pending;
  for (int i = 0; i < 3; ++i) pending.push_back(client.SayAsync(Say("gate")));
  ASSERT_TRUE(gate->entered.Wait(kPatience));
  // Everything that could run has run: a second call would be in by now.
  ASSERT_TRUE(WaitUntilAllBlocked());
  EXPECT_EQ(gate->running, 1);
  EXPECT_FALSE(pending[1].ready());
  gate->release.Set();
  for (auto& p : pending) EXPECT_TRUE(p.Get().ok()) << p.Get().status();
  EXPECT_EQ(gate->max_running, 1);
  service.Stop();
  service.Join();
}

// A call per greenlet: K calls run at once; the K+1th is refused at once
// (B-RPC8), not queued.
TEST_F(ServiceModesTest, ConcurrentServiceRunsUpToItsBoundAndShedsTheRest) {
  ActorRef<GatedService> service =
      SpawnService<GatedService>("pool", {.max_concurrent_calls = 3});
  Echo::Client client(Channel::Local(service));
  gate->want = 3;
  std::vector<Pending> pending;
  for (int i = 0; i < 3; ++i) pending.push_back(client.SayAsync(Say("gate")));
  ASSERT_TRUE(gate->entered.Wait(kPatience));
  EXPECT_EQ(gate->running, 3);
  absl::StatusOr<EchoReply> refused = client.Say(Say("gate"));
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(refused.status().message(), HasSubstr("3 concurrent calls"));
  EXPECT_THAT(refused.status().message(), HasSubstr("'pool'"));
  gate->release.Set();
  for (auto& p : pending) EXPECT_TRUE(p.Get().ok()) << p.Get().status();
  // Slots are free again.
  EXPECT_TRUE(client.Say(Say("quick")).ok());
  service.Stop();
  service.Join();
}

// A handler that throws in concurrent mode fails only its own call; the
// others run on and the actor keeps serving. The error is reported.
TEST_F(ServiceModesTest, ConcurrentServiceCrashFailsOnlyThatCall) {
  ErrorLog errors;
  ActorRef<GatedService> service =
      SpawnService<GatedService>("pool-crash", {.max_concurrent_calls = 4});
  Echo::Client client(Channel::Local(service));
  Pending running = client.SayAsync(Say("gate"));
  ASSERT_TRUE(gate->entered.Wait(kPatience));
  absl::StatusOr<EchoReply> crashed = client.Say(Say("crash"));
  EXPECT_EQ(crashed.status().code(), absl::StatusCode::kInternal);
  EXPECT_THAT(crashed.status().message(), HasSubstr("asked to crash"));
  ASSERT_TRUE(errors.reported.Wait(kPatience));
  EXPECT_THAT(errors.whats[0], HasSubstr("asked to crash"));
  EXPECT_TRUE(service.alive());
  EXPECT_EQ(gate->running, 1);
  gate->release.Set();
  EXPECT_TRUE(running.Get().ok()) << running.Get().status();
  service.Stop();
  service.Join();
}

// When a concurrent service's actor is killed, the handlers still running
// are unwound before it is destroyed and their calls fail Unavailable.
TEST_F(ServiceModesTest, KillingAConcurrentServiceUnwindsItsHandlers) {
  ActorRef<GatedService> service =
      SpawnService<GatedService>("pool-kill", {.max_concurrent_calls = 2});
  Echo::Client client(Channel::Local(service));
  gate->want = 2;
  Pending a = client.SayAsync(Say("gate"));
  Pending b = client.SayAsync(Say("gate"));
  ASSERT_TRUE(gate->entered.Wait(kPatience));
  service.Kill();
  service.Join();
  EXPECT_EQ(gate->running, 0);
  EXPECT_EQ(a.Get().status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(b.Get().status().code(), absl::StatusCode::kUnavailable);
}

// N instances, round-robin: calls go to each instance in turn, and
// instances run their calls at the same time.
TEST_F(ServiceModesTest, InstancesShareCallsRoundRobinAndRunAtOnce) {
  absl::StatusOr<Supervisor> sup =
      StartTree(ServiceSpec<GatedService>("rr", {.instances = 3}));
  ASSERT_TRUE(sup.ok()) << sup.status();
  Echo::Client client(Channel::Local("rr"));
  std::vector<std::string> order;
  for (int i = 0; i < 6; ++i) {
    absl::StatusOr<EchoReply> reply = client.Say(Say("quick"));
    ASSERT_TRUE(reply.ok()) << reply.status();
    order.push_back(absl::StrCat(reply->text(), ":", reply->calls()));
  }
  EXPECT_THAT(order, ::testing::ElementsAre("rr#0:1", "rr#1:1", "rr#2:1",
                                            "rr#0:2", "rr#1:2", "rr#2:2"));
  gate->want = 3;
  std::vector<Pending> pending;
  for (int i = 0; i < 3; ++i) pending.push_back(client.SayAsync(Say("gate")));
  ASSERT_TRUE(gate->entered.Wait(kPatience));  // three at once
  gate->release.Set();
  for (auto& p : pending) EXPECT_TRUE(p.Get().ok()) << p.Get().status();
  sup->Stop();
  sup->Join();
}

// Least loaded: while one instance is busy, calls go to the idle one
// (round-robin would queue every other call behind the busy one).
TEST_F(ServiceModesTest, LeastLoadedRoutingAvoidsTheBusyInstance) {
  absl::StatusOr<Supervisor> sup = StartTree(ServiceSpec<GatedService>(
      "ll", {.instances = 2, .routing = Routing::kLeastLoaded}));
  ASSERT_TRUE(sup.ok()) << sup.status();
  Echo::Client client(Channel::Local("ll"));
  Pending busy = client.SayAsync(Say("gate"));
  ASSERT_TRUE(gate->entered.Wait(kPatience));
  for (int i = 0; i < 4; ++i) {
    absl::StatusOr<EchoReply> reply =
        client.Say(Say("quick"), {.timeout = kPatience});
    ASSERT_TRUE(reply.ok()) << reply.status();
    EXPECT_EQ(reply->text(), "ll#1");
    EXPECT_EQ(reply->calls(), i + 1);
  }
  gate->release.Set();
  absl::StatusOr<EchoReply> first = busy.Get();
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->text(), "ll#0");
  sup->Stop();
  sup->Join();
}

// B-RPC10 with instances: a crash fails only its call; the other
// instance's call in flight completes; the crashed instance is restarted
// alone (a fresh actor under the same name) and serves again.
TEST_F(ServiceModesTest, InstanceCrashFailsOnlyItsCallAndIsRestarted) {
  ErrorLog errors;  // the supervisor reports the crash
  absl::StatusOr<Supervisor> sup =
      StartTree(ServiceSpec<GatedService>("crashy", {.instances = 2}));
  ASSERT_TRUE(sup.ok()) << sup.status();
  absl::StatusOr<AnyActorRef> before = Registry::Current().Lookup("crashy#1");
  ASSERT_TRUE(before.ok());
  Echo::Client client(Channel::Local("crashy"));
  Pending running = client.SayAsync(Say("gate"));  // crashy#0
  ASSERT_TRUE(gate->entered.Wait(kPatience));
  absl::StatusOr<EchoReply> crashed = client.Say(Say("crash"));  // crashy#1
  EXPECT_EQ(crashed.status().code(), absl::StatusCode::kInternal);
  EXPECT_THAT(crashed.status().message(), HasSubstr("asked to crash"));
  ASSERT_TRUE(before->Join(kPatience));
  EXPECT_FALSE(running.ready());
  gate->release.Set();
  absl::StatusOr<EchoReply> survived = running.Get();
  ASSERT_TRUE(survived.ok()) << survived.status();
  EXPECT_EQ(survived->text(), "crashy#0");
  // The restart happens on the supervisor's next turns: bounded wait.
  absl::StatusOr<AnyActorRef> after;
  ASSERT_TRUE(WaitUntil(
      [&] {
        after = Registry::Current().Lookup("crashy#1");
        return after.ok() && *after != *before;
      },
      "crashy#1 restarted"));
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_NE(*after, *before);
  // Both instances serve; the restarted one starts from a fresh state.
  std::vector<std::string> seen;
  for (int i = 0; i < 2; ++i) {
    absl::StatusOr<EchoReply> reply = client.Say(Say("quick"));
    ASSERT_TRUE(reply.ok()) << reply.status();
    seen.push_back(absl::StrCat(reply->text(), ":", reply->calls()));
  }
  EXPECT_THAT(seen, ::testing::UnorderedElementsAre("crashy#0:2",
                                                    "crashy#1:1"));
  sup->Stop();
  sup->Join();
}

TEST_F(ServiceModesTest, ModesThatCannotWorkAreRefusedWhenSpecified) {
  EXPECT_THROW(ServiceSpec<GatedService>("x", {.instances = 0}),
               std::invalid_argument);
  EXPECT_THROW(ServiceSpec<GatedService>("x", {.max_concurrent_calls = 0}),
               std::invalid_argument);
  EXPECT_THROW(SpawnService<GatedService>("x", {.instances = 2}),
               std::invalid_argument);
}

// B-RPC3: the call's deadline is the handler's current deadline, so a
// wait inside with a long timeout of its own ends at it (returning, not
// throwing). The caller sees DeadlineExceeded from its own timer or the
// handler's answer to the ended wait, whichever comes first.
TEST_F(ServiceModesTest, TheCallDeadlineBoundsEveryWaitInTheHandler) {
  ActorRef<GatedService> service = SpawnService<GatedService>("dl", {});
  Echo::Client client(Channel::Local(service));
  absl::StatusOr<EchoReply> reply =
      client.Say(Say("wait"), {.timeout = absl::Milliseconds(50)});
  EXPECT_THAT(reply.status().code(),
              ::testing::AnyOf(absl::StatusCode::kDeadlineExceeded,
                               absl::StatusCode::kAborted));
  ASSERT_TRUE(gate->waited.Wait(kPatience));
  EXPECT_TRUE(gate->scoped);
  EXPECT_FALSE(gate->wait_result);
  service.Stop();
  service.Join();
}

// A handler's nested calls inherit its deadline and carry it on.
TEST_F(ServiceModesTest, NestedCallsCarryTheHandlersDeadline) {
  ActorRef<GatedService> outer = SpawnService<GatedService>("outer", {});
  ActorRef<EchoService> inner = SpawnService<EchoService>("inner", {});
  gate->nested = inner;
  Echo::Client client(Channel::Local(outer));
  absl::StatusOr<EchoReply> reply =
      client.Say(Say("nested"), {.timeout = absl::Seconds(30)});
  ASSERT_TRUE(reply.ok()) << reply.status();
  EXPECT_GT(reply->deadline_ms(), 0);
  EXPECT_LE(reply->deadline_ms(), 30'000);
  // Without a deadline there is none to carry.
  reply = client.Say(Say("nested"));
  ASSERT_TRUE(reply.ok()) << reply.status();
  EXPECT_EQ(reply->deadline_ms(), -1);
  outer.Stop();
  inner.Stop();
  outer.Join();
  inner.Join();
}

// A caller that is killed cancels its call: the running handler is
// interrupted (not left to run), and the actor takes the next call.
TEST_F(ServiceModesTest, KilledCallerInterruptsTheRunningHandler) {
  ActorRef<GatedService> service = SpawnService<GatedService>("cancel", {});
  Echo::Client client(Channel::Local(service));
  Greenlet<void> caller = Spawn([&] { (void)client.Say(Say("gate")); });
  ASSERT_TRUE(gate->entered.Wait(kPatience));
  caller.Kill();
  ASSERT_TRUE(gate->left.Wait(kPatience));
  EXPECT_EQ(gate->running, 0);
  absl::StatusOr<EchoReply> next = client.Say(Say("quick"));
  ASSERT_TRUE(next.ok()) << next.status();
  service.Stop();
  service.Join();
}

// An async call that is answered leaves no timer behind (its deadline's
// timer is cancelled with the reply).
TEST_F(ServiceModesTest, AnsweredAsyncCallLeavesNoTimer) {
  ActorRef<GatedService> service = SpawnService<GatedService>("timers", {});
  Echo::Client client(Channel::Local(service));
  const std::size_t before = Hub::Current()->pending_calls();
  std::vector<Pending> pending;
  for (int i = 0; i < 10; ++i) {
    pending.push_back(
        client.SayAsync(Say("quick"), {.timeout = absl::Hours(1)}));
  }
  EXPECT_EQ(Hub::Current()->pending_calls(), before + 10);
  for (auto& p : pending) ASSERT_TRUE(p.Get().ok()) << p.Get().status();
  EXPECT_EQ(Hub::Current()->pending_calls(), before);
  service.Stop();
  service.Join();
}

}  // namespace
}  // namespace evergreen
