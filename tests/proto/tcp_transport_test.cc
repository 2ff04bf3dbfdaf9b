// Typed services over TCP on real loopback sockets: pipelining, deadlines,
// cancellation, bad input, server restarts, load shedding, supervision.
#include <dirent.h>
#include <sys/socket.h>

#include <memory>
#include <vector>

#include "actors/service/service_spec.h"
#include "actors/supervisor.h"
#include "actors/transport/rpc_server.h"
#include "actors/transport/tcp_channel.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/wait_until.h"
#include "tests/proto/echo_service.h"
#include "tests/proto/raw_client.h"
#include "tests/testing/error_log.h"

namespace evergreen {
namespace {

using test::Echo;
using test::EchoReply;
using test::EchoRequest;
using test::EchoService;
using test::Mirror;
using test::MirrorService;
using test::RawClient;
using ::testing::HasSubstr;

EchoRequest Say(std::string text, int sleep_ms = 0) {
  EchoRequest request;
  request.set_text(std::move(text));
  request.set_sleep_ms(sleep_ms);
  return request;
}

int OpenFds() {
  int n = 0;
  DIR* dir = opendir("/proc/self/fd");
  while (readdir(dir) != nullptr) ++n;
  closedir(dir);
  return n;
}

// Polls `done` every 5 ms for at most `limit`: for effects with no event
// to wait on (another process's view, a counter). Returns done().
template <typename F>
bool Eventually(F done, absl::Duration limit = absl::Seconds(10)) {
  const absl::Time end = absl::Now() + limit;
  while (!done()) {
    if (absl::Now() > end) return false;
    Sleep(absl::Milliseconds(5));
  }
  return true;
}

class TcpTransportTest : public ::testing::Test {
 protected:
  void SetUp() override { StartServer({}); }

  void StartServer(RpcServerOptions options) {
    echo_ = SpawnService<EchoService>("echo", {});
    mirror_ = SpawnService<MirrorService>("mirror", {});
    server_ = std::make_unique<RpcServer>(options);
    ASSERT_TRUE(server_->Register<Echo>(echo_).ok());
    ASSERT_TRUE(server_->Register<Mirror>(mirror_).ok());
    absl::StatusOr<SocketAddress> bound = server_->ListenTcp("127.0.0.1:0");
    ASSERT_TRUE(bound.ok()) << bound.status();
    address_ = *bound;
    test::EchoService::runs = 0;
  }

  void TearDown() override {
    if (server_) server_->Stop(absl::Seconds(1));
    echo_.Kill();
    mirror_.Kill();
    EXPECT_TRUE(echo_.Join(absl::Seconds(30)));
    EXPECT_TRUE(mirror_.Join(absl::Seconds(30)));
  }

  std::string Target() const { return address_.ToString(); }

  ActorRef<EchoService> echo_;
  ActorRef<MirrorService> mirror_;
  std::unique_ptr<RpcServer> server_;
  SocketAddress address_;
};

TEST_F(TcpTransportTest, TypedCallCarriesMetadataPeerAndDeadline) {
  Echo::Client client(Channel::Tcp(Target()));
  absl::StatusOr<EchoReply> reply = client.Say(
      Say("hello"), {.timeout = absl::Seconds(20), .metadata = {{"tenant", "t"}}});
  ASSERT_TRUE(reply.ok()) << reply.status();
  EXPECT_EQ(reply->text(), "hello");
  EXPECT_EQ(reply->tenant(), "t");
  EXPECT_THAT(reply->peer(), HasSubstr("127.0.0.1:"));
  EXPECT_GT(reply->deadline_ms(), 0);
  EXPECT_LE(reply->deadline_ms(), 20'000);
  absl::StatusOr<EchoReply> no_deadline = client.Say(Say("x"));
  ASSERT_TRUE(no_deadline.ok());
  EXPECT_EQ(no_deadline->deadline_ms(), -1);
}

// B-RPC4: 100 calls in flight on one connection, answered out of order and
// each matched to its own reply.
TEST_F(TcpTransportTest, HundredConcurrentCallsCompleteOutOfOrder) {
  Channel channel = Channel::Tcp(Target());
  Echo::Client echo(channel);
  Mirror::Client mirror(channel);
  auto slow = mirror.SayAsync(Say("slow", 300));
  std::vector<AsyncResult<absl::StatusOr<EchoReply>>> fast;
  for (int i = 0; i < 99; ++i) {
    fast.push_back(echo.SayAsync(Say(absl::StrCat("call-", i))));
  }
  for (int i = 0; i < 99; ++i) {
    absl::StatusOr<EchoReply> reply = fast[i].Get();
    ASSERT_TRUE(reply.ok()) << reply.status();
    EXPECT_EQ(reply->text(), absl::StrCat("call-", i));
  }
  // The first call sent is answered last.
  EXPECT_FALSE(slow.ready());
  absl::StatusOr<EchoReply> last = slow.Get();
  ASSERT_TRUE(last.ok()) << last.status();
  EXPECT_EQ(last->text(), "slow");
}

// B-RPC3: the deadline reaches the handler; a handler that outlives it is
// interrupted, and the client sees DeadlineExceeded at its deadline.
TEST_F(TcpTransportTest, DeadlineReachesTheHandlerAndBoundsTheCall) {
  Echo::Client client(Channel::Tcp(Target()));
  ASSERT_TRUE(client.Say(Say("warm")).ok());
  const absl::Time start = absl::Now();
  absl::StatusOr<EchoReply> reply =
      client.Say(Say("sleepy", 60'000), {.timeout = absl::Milliseconds(100)});
  const absl::Duration took = absl::Now() - start;
  EXPECT_EQ(reply.status().code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_GE(took, absl::Milliseconds(90));
  EXPECT_LT(took, absl::Seconds(5));
  // The handler was cut short: the actor answers the next call at once.
  absl::StatusOr<EchoReply> next =
      client.Say(Say("next"), {.timeout = absl::Seconds(5)});
  ASSERT_TRUE(next.ok()) << next.status();
}

// A call that arrives expired is answered DeadlineExceeded without running.
TEST_F(TcpTransportTest, ExpiredCallIsAnsweredWithoutRunning) {
  absl::StatusOr<RawClient> raw = RawClient::Connect(address_);
  ASSERT_TRUE(raw.ok()) << raw.status();
  ASSERT_TRUE(raw->Send(RawClient::Request(7, "evergreen.test.Echo/Say",
                                           Say("late").SerializeAsString(),
                                           /*timeout_us=*/-1000))
                  .ok());
  absl::StatusOr<rpc::Frame> reply = raw->Read();
  ASSERT_TRUE(reply.ok()) << reply.status();
  EXPECT_EQ(reply->call_id(), 7u);
  EXPECT_EQ(reply->status_code(),
            static_cast<int>(absl::StatusCode::kDeadlineExceeded));
  EXPECT_EQ(EchoService::runs, 0);
}

// B-RPC1: unknown service or method → Unimplemented naming it; a payload
// that does not parse → InvalidArgument; the connection keeps serving.
TEST_F(TcpTransportTest, UnknownMethodsAndBadPayloadsFailOnlyTheirCall) {
  absl::StatusOr<RawClient> raw = RawClient::Connect(address_);
  ASSERT_TRUE(raw.ok()) << raw.status();
  ASSERT_TRUE(raw->Send(RawClient::Request(1, "no.Such/Thing", "")).ok());
  ASSERT_TRUE(
      raw->Send(RawClient::Request(2, "evergreen.test.Echo/Nope", "")).ok());
  ASSERT_TRUE(raw->Send(RawClient::Request(3, "evergreen.test.Echo/Say",
                                           "\xff\xff\xff"))
                  .ok());
  ASSERT_TRUE(raw->Send(RawClient::Request(4, "evergreen.test.Echo/Say",
                                           Say("fine").SerializeAsString()))
                  .ok());
  absl::StatusOr<rpc::Frame> r1 = raw->Read();
  absl::StatusOr<rpc::Frame> r2 = raw->Read();
  absl::StatusOr<rpc::Frame> r3 = raw->Read();
  absl::StatusOr<rpc::Frame> r4 = raw->Read();
  ASSERT_TRUE(r1.ok() && r2.ok() && r3.ok() && r4.ok());
  EXPECT_EQ(r1->status_code(), static_cast<int>(absl::StatusCode::kUnimplemented));
  EXPECT_THAT(r1->status_message(), HasSubstr("no.Such"));
  EXPECT_EQ(r2->status_code(), static_cast<int>(absl::StatusCode::kUnimplemented));
  EXPECT_THAT(r2->status_message(), HasSubstr("evergreen.test.Echo/Nope"));
  EXPECT_EQ(r3->status_code(),
            static_cast<int>(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(r3->status_message(), HasSubstr("evergreen.test.EchoRequest"));
  EXPECT_EQ(r4->call_id(), 4u);
  EXPECT_EQ(r4->status_code(), 0);
  EchoReply reply;
  ASSERT_TRUE(reply.ParseFromString(r4->payload()));
  EXPECT_EQ(reply.text(), "fine");
}

// B-RPC2: an oversized length prefix closes the connection, after a
// ResourceExhausted frame; the server keeps serving others.
TEST_F(TcpTransportTest, OversizedFrameClosesTheConnectionOnly) {
  absl::StatusOr<RawClient> raw = RawClient::Connect(address_);
  ASSERT_TRUE(raw.ok()) << raw.status();
  ASSERT_TRUE(raw->SendBytes(std::string("\xff\xff\xff\xf0", 4)).ok());
  absl::StatusOr<rpc::Frame> error = raw->Read();
  ASSERT_TRUE(error.ok()) << error.status();
  EXPECT_EQ(error->call_id(), 0u);
  EXPECT_EQ(error->status_code(),
            static_cast<int>(absl::StatusCode::kResourceExhausted));
  EXPECT_EQ(raw->Read().status().code(), absl::StatusCode::kNotFound);  // EOF

  absl::StatusOr<RawClient> garbage = RawClient::Connect(address_);
  ASSERT_TRUE(garbage.ok());
  ASSERT_TRUE(garbage->SendBytes(std::string("\0\0\0\x04\x0f\xff\xff\xff", 8)).ok());
  absl::StatusOr<rpc::Frame> bad = garbage->Read();
  ASSERT_TRUE(bad.ok()) << bad.status();
  EXPECT_EQ(bad->status_code(),
            static_cast<int>(absl::StatusCode::kInvalidArgument));

  Echo::Client client(Channel::Tcp(Target()));
  EXPECT_TRUE(client.Say(Say("still here")).ok());
}

// B-RPC6: a handler error is that call's status; others are unaffected.
TEST_F(TcpTransportTest, HandlerErrorFailsOnlyItsCall) {
  Echo::Client client(Channel::Tcp(Target()));
  EchoRequest failing = Say("bad");
  failing.set_fail(true);
  auto a = client.SayAsync(failing);
  auto b = client.SayAsync(Say("good"));
  EXPECT_EQ(a.Get().status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(a.Get().status().message(), HasSubstr("asked to fail: bad"));
  ASSERT_TRUE(b.Get().ok());
}

// B-RPC5: the server goes away mid-call → Unavailable promptly; the next
// call reconnects once it is back.
TEST_F(TcpTransportTest, ServerRestartFailsPendingCallsAndReconnects) {
  Echo::Client client(Channel::Tcp(Target()));
  ASSERT_TRUE(client.Say(Say("before")).ok());
  const int runs_before = EchoService::runs;
  auto pending = client.SayAsync(Say("slow", 500));
  ASSERT_TRUE(WaitUntil([&] { return EchoService::runs > runs_before; },
                        "the slow call reached the handler"));
  const absl::Time stop = absl::Now();
  server_->Stop(absl::ZeroDuration());
  absl::StatusOr<EchoReply> failed = pending.Get();
  EXPECT_EQ(failed.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(failed.status().message(), HasSubstr(Target()));
  EXPECT_LT(absl::Now() - stop, absl::Seconds(1));
  // While it is down: Unavailable naming the target.
  EXPECT_EQ(client.Say(Say("down")).status().code(),
            absl::StatusCode::kUnavailable);
  // Back on the same port.
  server_ = std::make_unique<RpcServer>();
  ASSERT_TRUE(server_->Register<Echo>(echo_).ok());
  ASSERT_TRUE(server_->ListenTcp(Target()).ok());
  absl::StatusOr<EchoReply> after;
  ASSERT_TRUE(Eventually([&] {
    after = client.Say(Say("after"));
    return after.ok();
  })) << after.status();
}

// B-RPC13. Graceful stop: a call in flight when Stop begins finishes within the
// grace period and its reply goes out; then the server is gone.
TEST_F(TcpTransportTest, StopLetsCallsInFlightFinishWithinTheTimeout) {
  Echo::Client client(Channel::Tcp(Target()));
  auto pending = client.SayAsync(Say("finishing", 200));
  ASSERT_TRUE(Eventually([&] { return EchoService::runs == 1; }));
  server_->Stop(absl::Seconds(30));
  absl::StatusOr<EchoReply> reply = pending.Get();
  ASSERT_TRUE(reply.ok()) << reply.status();
  EXPECT_EQ(reply->text(), "finishing");
  EXPECT_EQ(client.Say(Say("after")).status().code(),
            absl::StatusCode::kUnavailable);
}

// B-RPC13. Past its grace period Stop cancels what still runs: it returns, the
// client sees Unavailable, and the handler is interrupted (the service
// answers its next call at once instead of sleeping on for a minute).
TEST_F(TcpTransportTest, StopCancelsHandlersStillRunningAfterTheTimeout) {
  Echo::Client client(Channel::Tcp(Target()));
  auto pending = client.SayAsync(Say("endless", 60'000));
  ASSERT_TRUE(Eventually([&] { return EchoService::runs == 1; }));
  const absl::Time start = absl::Now();
  server_->Stop(absl::Milliseconds(100));
  EXPECT_LT(absl::Now() - start, absl::Seconds(10));
  absl::StatusOr<EchoReply> cut = pending.Get();
  EXPECT_EQ(cut.status().code(), absl::StatusCode::kUnavailable);
  Echo::Client local(Channel::Local(echo_));
  absl::StatusOr<EchoReply> next =
      local.Say(Say("next"), {.timeout = absl::Seconds(30)});
  ASSERT_TRUE(next.ok()) << next.status();
}

// B-RPC8: over the server's concurrency bound a call fails at once.
TEST_F(TcpTransportTest, OverTheConcurrencyBoundCallsFailAtOnce) {
  server_->Stop(absl::ZeroDuration());
  echo_.Kill();
  mirror_.Kill();
  StartServer({.max_concurrent_calls = 1});
  Echo::Client client(Channel::Tcp(Target()));
  auto slow = client.SayAsync(Say("slow", 300));
  ASSERT_TRUE(WaitUntil([] { return EchoService::runs >= 1; },
                        "the slow call reached the handler"));
  const absl::Time start = absl::Now();
  absl::StatusOr<EchoReply> refused = client.Say(Say("refused"));
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(refused.status().message(), HasSubstr("limit of 1"));
  EXPECT_LT(absl::Now() - start, absl::Milliseconds(250));
  EXPECT_TRUE(slow.Get().ok());
}

// A call whose caller gave up is cancelled: queued behind a slow one, it
// never runs.
TEST_F(TcpTransportTest, TimedOutCallQueuedBehindASlowOneNeverRuns) {
  Echo::Client client(Channel::Tcp(Target()));
  auto slow = client.SayAsync(Say("slow", 300));
  absl::StatusOr<EchoReply> gave_up =
      client.Say(Say("gave up"), {.timeout = absl::Milliseconds(50)});
  EXPECT_EQ(gave_up.status().code(), absl::StatusCode::kDeadlineExceeded);
  ASSERT_TRUE(slow.Get().ok());
  ASSERT_TRUE(client.Say(Say("sync")).ok());
  EXPECT_EQ(EchoService::runs, 2);  // "slow" and "sync"
}

// A client that drops the connection mid-call: its queued calls do not
// run, and no descriptor leaks.
TEST_F(TcpTransportTest, DroppedConnectionCancelsItsCallsAndLeaksNoFd) {
  const int fds_before = OpenFds();
  {
    absl::StatusOr<RawClient> raw = RawClient::Connect(address_);
    ASSERT_TRUE(raw.ok());
    ASSERT_TRUE(raw->Send(RawClient::Request(1, "evergreen.test.Echo/Say",
                                             Say("a", 200).SerializeAsString()))
                    .ok());
    ASSERT_TRUE(raw->Send(RawClient::Request(2, "evergreen.test.Echo/Say",
                                             Say("b").SerializeAsString()))
                    .ok());
    ASSERT_TRUE(Eventually([] { return EchoService::runs == 1; }));
  }  // closed mid-call
  ASSERT_TRUE(Eventually([&] { return server_->connection_count() == 0; }));
  Echo::Client client(Channel::Tcp(Target()));
  ASSERT_TRUE(client.Say(Say("sync")).ok());  // after "a" finished
  EXPECT_EQ(EchoService::runs, 2);            // "b" never ran
  client = Echo::Client(Channel());
  EXPECT_TRUE(Eventually([&] { return OpenFds() <= fds_before; }))
      << OpenFds() << " > " << fds_before;
}

// A client that never reads its replies: bounded buffering, then close.
TEST_F(TcpTransportTest, ClientThatNeverReadsIsDisconnected) {
  server_->Stop(absl::ZeroDuration());
  echo_.Kill();
  mirror_.Kill();
  RpcServerOptions options;
  options.connection.max_buffered_output = 256 * 1024;
  StartServer(options);
  absl::StatusOr<Socket> socket = Socket::Create(AF_INET, SOCK_STREAM);
  ASSERT_TRUE(socket.ok());
  ASSERT_TRUE(socket->SetOption(SOL_SOCKET, SO_RCVBUF, 4096, "SO_RCVBUF").ok());
  ASSERT_TRUE(socket->ConnectTo(address_, absl::Seconds(5)).ok());
  EchoRequest big = Say("big");
  big.set_reply_bytes(64 * 1024);
  std::string wire;
  for (int i = 1; i <= 200; ++i) {
    ASSERT_TRUE(AppendFrame(RawClient::Request(i, "evergreen.test.Echo/Say",
                                               big.SerializeAsString()),
                            &wire)
                    .ok());
  }
  ASSERT_TRUE(socket->SendAll(wire, absl::Seconds(10)).ok());
  EXPECT_TRUE(Eventually([&] { return server_->connection_count() == 0; }));
  // Others are still served.
  Echo::Client client(Channel::Tcp(Target()));
  EXPECT_TRUE(client.Say(Say("other")).ok());
}

// B-RPC10 over TCP: a crash in a supervised service fails only the call in
// flight; the server follows the restarted actor by name.
TEST(TcpSupervisedTest, CrashFailsOnlyTheCallInFlightAndLaterCallsSucceed) {
  ErrorLog errors;
  absl::StatusOr<Supervisor> sup = Supervisor::Start(
      {.strategy = Strategy::kOneForOne, .intensity = 5,
       .period = absl::Seconds(10)},
      {ServiceSpec<EchoService>("echo-tcp")});
  ASSERT_TRUE(sup.ok()) << sup.status();
  RpcServer server;
  ASSERT_TRUE(server.Register<Echo>("echo-tcp").ok());
  absl::StatusOr<SocketAddress> bound = server.ListenTcp("127.0.0.1:0");
  ASSERT_TRUE(bound.ok());
  {
  // Its greenlets end on the hub's next turn after the client goes: the
  // stops below wait, so the test leaves nothing behind.
  Echo::Client client(Channel::Tcp(bound->ToString()));
  ASSERT_TRUE(client.Say(Say("before")).ok());
  EchoRequest crash = Say("crash");
  crash.set_crash(true);
  absl::StatusOr<EchoReply> crashed = client.Say(crash);
  EXPECT_EQ(crashed.status().code(), absl::StatusCode::kInternal);
  EXPECT_THAT(crashed.status().message(), HasSubstr("asked to crash"));
  absl::StatusOr<EchoReply> after;
  ASSERT_TRUE(Eventually([&] {
    after = client.Say(Say("after"));
    return after.ok();
  })) << after.status();
  EXPECT_EQ(after->calls(), 1);  // a fresh instance
  }
  server.Stop(absl::Seconds(1));
  sup->Stop();
  sup->Join();
}

}  // namespace
}  // namespace evergreen
