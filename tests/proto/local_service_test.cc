// Services as actors, called in-process through Channel::Local: typed
// calls, errors, deadlines, load shedding (B-RPC8) and supervision
// (B-RPC10).
#include <vector>

#include "actors/service/service_spec.h"
#include "actors/supervisor.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/proto/echo_service.h"
#include "tests/testing/error_log.h"

namespace evergreen {
namespace {

using test::Echo;
using test::EchoReply;
using test::EchoRequest;
using test::EchoService;
using ::testing::HasSubstr;

EchoRequest Say(std::string text) {
  EchoRequest request;
  request.set_text(std::move(text));
  return request;
}

TEST(LocalServiceTest, CallsReachTheActorWithMetadataAndNoDeadline) {
  ActorRef<EchoService> echo = SpawnService<EchoService>("echo", {});
  Echo::Client client(Channel::Local(echo));
  absl::StatusOr<EchoReply> reply =
      client.Say(Say("hi"), {.metadata = {{"tenant", "t1"}}});
  ASSERT_TRUE(reply.ok()) << reply.status();
  EXPECT_EQ(reply->text(), "hi");
  EXPECT_EQ(reply->peer(), "local");
  EXPECT_EQ(reply->tenant(), "t1");
  EXPECT_EQ(reply->deadline_ms(), -1);
  test::Nested::Inner n;
  n.set_n(41);
  EXPECT_EQ(client.Count(n)->n(), 42);
  echo.Stop();
  echo.Join();
}

TEST(LocalServiceTest, HandlerStatusAndUnimplementedComeBackAsTheyAre) {
  ActorRef<EchoService> echo = SpawnService<EchoService>("echo", {});
  Echo::Client client(Channel::Local(echo));
  EchoRequest fail = Say("x");
  fail.set_fail(true);
  absl::StatusOr<EchoReply> failed = client.Say(fail);
  EXPECT_EQ(failed.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(failed.status().message(), HasSubstr("asked to fail: x"));
  absl::StatusOr<EchoReply> unhandled = client.Unhandled(Say("y"));
  EXPECT_EQ(unhandled.status().code(), absl::StatusCode::kUnimplemented);
  EXPECT_THAT(unhandled.status().message(),
              HasSubstr("evergreen.test.Echo/Unhandled"));
  EXPECT_TRUE(echo.alive());
  echo.Stop();
  echo.Join();
}

// B-RPC3 in-process: the deadline reaches the handler, which is
// interrupted; the caller sees DeadlineExceeded; the actor lives on.
TEST(LocalServiceTest, DeadlineReachesTheHandlerAndInterruptsIt) {
  ActorRef<EchoService> echo = SpawnService<EchoService>("echo", {});
  Echo::Client client(Channel::Local(echo));
  EchoRequest slow = Say("slow");
  slow.set_sleep_ms(60'000);
  const absl::Time start = absl::Now();
  absl::StatusOr<EchoReply> reply =
      client.Say(slow, {.timeout = absl::Milliseconds(50)});
  EXPECT_EQ(reply.status().code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_THAT(reply.status().message(),
              HasSubstr("evergreen.test.Echo/Say"));
  EXPECT_LT(absl::Now() - start, absl::Seconds(10));
  // The handler was interrupted: the next call runs at once.
  absl::StatusOr<EchoReply> next =
      client.Say(Say("next"), {.timeout = absl::Seconds(10)});
  ASSERT_TRUE(next.ok()) << next.status();
  EXPECT_GT(next->deadline_ms(), 0);
  EXPECT_LE(next->deadline_ms(), 10'000);
  echo.Stop();
  echo.Join();
}

TEST(LocalServiceTest, AsyncCallsCompleteInOrderOfTheMailbox) {
  ActorRef<EchoService> echo = SpawnService<EchoService>("echo", {});
  Echo::Client client(Channel::Local(echo));
  std::vector<AsyncResult<absl::StatusOr<EchoReply>>> pending;
  for (int i = 0; i < 100; ++i) {
    pending.push_back(client.SayAsync(Say(std::to_string(i))));
  }
  for (int i = 0; i < 100; ++i) {
    absl::StatusOr<EchoReply> reply = pending[i].Get();
    ASSERT_TRUE(reply.ok()) << reply.status();
    EXPECT_EQ(reply->text(), std::to_string(i));
    EXPECT_EQ(reply->calls(), i + 1);
  }
  echo.Stop();
  echo.Join();
}

TEST(LocalServiceTest, AsyncCallFailsAtItsDeadline) {
  ActorRef<EchoService> echo = SpawnService<EchoService>("echo", {});
  Echo::Client client(Channel::Local(echo));
  EchoRequest slow = Say("slow");
  slow.set_sleep_ms(60'000);
  auto result = client.SayAsync(slow, {.timeout = absl::Milliseconds(30)});
  EXPECT_EQ(result.Get().status().code(), absl::StatusCode::kDeadlineExceeded);
  echo.Kill();
  echo.Join();
}

// B-RPC8: over its queue bound a service answers ResourceExhausted at once.
TEST(LocalServiceTest, OverItsBoundAServiceAnswersResourceExhaustedAtOnce) {
  ActorRef<EchoService> echo =
      SpawnService<EchoService>("bounded", {.max_queued_calls = 2});
  Echo::Client client(Channel::Local(echo));
  EchoRequest slow = Say("slow");
  slow.set_sleep_ms(200);
  std::vector<AsyncResult<absl::StatusOr<EchoReply>>> pending;
  for (int i = 0; i < 2; ++i) pending.push_back(client.SayAsync(slow));
  // Both are queued (the actor has not run yet): the third is refused.
  auto refused = client.SayAsync(slow);
  ASSERT_TRUE(refused.ready());
  EXPECT_EQ(refused.Get().status().code(),
            absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(refused.Get().status().message(), HasSubstr("'bounded'"));
  for (auto& p : pending) EXPECT_TRUE(p.Get().ok()) << p.Get().status();
  echo.Stop();
  echo.Join();
}

// B-RPC10: a crash fails only the call in flight; the supervisor restarts
// the service and later calls, following its registered name, succeed.
TEST(LocalServiceTest, CrashUnderASupervisorFailsOnlyThatCall) {
  ErrorLog errors;
  absl::StatusOr<Supervisor> sup = Supervisor::Start(
      {.strategy = Strategy::kOneForOne, .intensity = 5,
       .period = absl::Seconds(10)},
      {ServiceSpec<EchoService>("echo-sup")});
  ASSERT_TRUE(sup.ok()) << sup.status();
  Echo::Client client(Channel::Local("echo-sup"));
  ASSERT_TRUE(client.Say(Say("before")).ok());
  EchoRequest crash = Say("crash");
  crash.set_crash(true);
  absl::StatusOr<EchoReply> crashed = client.Say(crash);
  EXPECT_EQ(crashed.status().code(), absl::StatusCode::kInternal);
  EXPECT_THAT(crashed.status().message(), HasSubstr("asked to crash"));
  // The restart happens on the hub's next turns; a bounded wait for it.
  absl::StatusOr<EchoReply> after;
  for (int i = 0; i < 100; ++i) {
    after = client.Say(Say("after"));
    if (after.ok()) break;
    Sleep(absl::Milliseconds(10));
  }
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_EQ(after->calls(), 1);  // a fresh instance
  sup->Stop();
  sup->Join();
}

}  // namespace
}  // namespace evergreen
