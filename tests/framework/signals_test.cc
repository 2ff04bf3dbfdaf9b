// Signals delivered to greenlets: B-OS2, with real kill(2)s.
#include "framework/signals.h"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <future>
#include <string>
#include <thread>

#include "framework/event.h"
#include "framework/greenlet.h"
#include "framework/hub.h"
#include "framework/run_process.h"
#include "framework/waiter.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "net/stream_server.h"

namespace evergreen {
namespace {

class SignalsTest : public ::testing::Test {
 protected:
  void TearDown() override { Hub::DestroyCurrent(); }
};

// B-OS2: the handler is an ordinary greenlet, so it may block.
TEST_F(SignalsTest, HandlerRunsInAGreenletAndMayBlock) {
  Event handled;
  std::string name;
  int got = 0;
  absl::StatusOr<SignalWatch> watch = OnSignal({SIGUSR1}, [&](int signal) {
    ASSERT_NE(GreenletBase::Current(), nullptr);
    name = GreenletBase::Current()->name();
    Sleep(absl::Milliseconds(5));  // blocking is fine here
    got = signal;
    handled.Set();
  });
  ASSERT_TRUE(watch.ok()) << watch.status();
  ASSERT_EQ(kill(getpid(), SIGUSR1), 0);
  HubKeepAlive alive;  // the signal comes from outside the hub
  ASSERT_TRUE(handled.Wait(absl::Seconds(10)));
  EXPECT_EQ(got, SIGUSR1);
  EXPECT_EQ(name, "signal handler (SIGUSR1)");
}

// B-OS2
TEST_F(SignalsTest, WaitSignalReturnsTheSignalThatArrived) {
  Spawn([] { kill(getpid(), SIGUSR2); });  // runs once the wait is set up
  absl::StatusOr<int> got = WaitSignal({SIGUSR1, SIGUSR2}, absl::Seconds(10));
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(*got, SIGUSR2);
}

// B-OS2
TEST_F(SignalsTest, WaitSignalTimesOut) {
  const absl::Time start = absl::Now();
  absl::StatusOr<int> got = WaitSignal({SIGUSR1}, absl::Milliseconds(50));
  EXPECT_EQ(got.status().code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_GE(absl::Now() - start, absl::Milliseconds(45));
}

// B-OS2: a child process signals its parent.
TEST_F(SignalsTest, ChildSignalsItsParent) {
  Event handled;
  absl::StatusOr<SignalWatch> watch =
      OnSignal({SIGUSR1}, [&](int) { handled.Set(); });
  ASSERT_TRUE(watch.ok());
  absl::StatusOr<Completed> child = evergreen::Run({"sh", "-c", "kill -USR1 $PPID"});
  ASSERT_TRUE(child.ok()) << child.status();
  EXPECT_TRUE(child->success());
  HubKeepAlive alive;
  EXPECT_TRUE(handled.Wait(absl::Seconds(10)));
}

// Hubs on two threads watching one signal each see it.
TEST_F(SignalsTest, EveryHubWatchingASignalGetsIt) {
  std::promise<void> subscribed;
  std::atomic<bool> other_got{false};
  std::thread other([&] {
    Event handled;
    absl::StatusOr<SignalWatch> watch =
        OnSignal({SIGUSR1}, [&](int) { handled.Set(); });
    subscribed.set_value();
    HubKeepAlive alive;
    other_got = watch.ok() && handled.Wait(absl::Seconds(10));
    watch->Cancel();
    alive.Reset();
    Hub::DestroyCurrent();
  });
  Event handled;
  absl::StatusOr<SignalWatch> watch =
      OnSignal({SIGUSR1}, [&](int) { handled.Set(); });
  ASSERT_TRUE(watch.ok());
  subscribed.get_future().wait();
  ASSERT_EQ(kill(getpid(), SIGUSR1), 0);
  HubKeepAlive alive;
  EXPECT_TRUE(handled.Wait(absl::Seconds(10)));
  other.join();
  EXPECT_TRUE(other_got);
}

TEST_F(SignalsTest, LastWatchRestoresThePreviousDisposition) {
  struct sigaction ignore = {}, previous, now;
  ignore.sa_handler = SIG_IGN;
  ASSERT_EQ(sigaction(SIGUSR2, &ignore, &previous), 0);
  {
    absl::StatusOr<SignalWatch> a = OnSignal({SIGUSR2}, [](int) {});
    absl::StatusOr<SignalWatch> b = OnSignal({SIGUSR2}, [](int) {});
    ASSERT_TRUE(a.ok() && b.ok());
    sigaction(SIGUSR2, nullptr, &now);
    EXPECT_NE(now.sa_handler, SIG_IGN);
    a->Cancel();
    sigaction(SIGUSR2, nullptr, &now);
    EXPECT_NE(now.sa_handler, SIG_IGN);  // b still watches
  }
  sigaction(SIGUSR2, nullptr, &now);
  EXPECT_EQ(now.sa_handler, SIG_IGN);
  sigaction(SIGUSR2, &previous, nullptr);
}

TEST_F(SignalsTest, SignalsThatCannotBeHandledAreRefused) {
  EXPECT_EQ(OnSignal({SIGKILL}, [](int) {}).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(OnSignal({SIGUSR1, 0}, [](int) {}).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(WaitSignal({}, absl::Seconds(1)).status().code(),
            absl::StatusCode::kInvalidArgument);
  struct sigaction now;
  sigaction(SIGUSR1, nullptr, &now);
  EXPECT_EQ(now.sa_handler, SIG_DFL);  // the refused watch left nothing
}

// B-OS2: SIGTERM stops a server gracefully: the request in flight is
// answered, then ServeForever returns.
TEST_F(SignalsTest, ServerStopsGracefullyOnSigterm) {
  Event in_flight;
  StreamServer server(*SocketAddress::Parse("127.0.0.1:0"),
                      [&](Socket& connection, const SocketAddress&) {
                        absl::StatusOr<std::string> request =
                            connection.Recv(100);
                        in_flight.Set();
                        Sleep(absl::Milliseconds(100));
                        if (request.ok()) {
                          connection.SendAll("pong:" + *request).IgnoreError();
                        }
                      });
  ASSERT_TRUE(server.Start().ok());
  SignalWatch stop =
      StopOnSignals([&] { server.Stop(absl::Seconds(10)); });
  auto client = Spawn([&]() -> std::string {
    absl::StatusOr<Socket> socket = Socket::Connect(server.address());
    if (!socket.ok()) return socket.status().ToString();
    socket->SendAll("ping").IgnoreError();
    in_flight.Wait();
    kill(getpid(), SIGTERM);
    absl::StatusOr<std::string> reply = socket->Recv(100);
    return reply.ok() ? *reply : reply.status().ToString();
  });
  EXPECT_TRUE(server.ServeForever().ok());
  EXPECT_EQ(client.Get(), "pong:ping");
  EXPECT_FALSE(server.running());
  EXPECT_FALSE(Socket::Connect(server.address()).ok());
}

}  // namespace
}  // namespace evergreen
