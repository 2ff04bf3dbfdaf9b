// StreamServer over loopback: B-S4, B-S5, B-S6 and the server contract.
#include "net/stream_server.h"

#include <dirent.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <exception>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "framework/event.h"
#include "framework/greenlet.h"
#include "framework/hub.h"
#include "framework/pool.h"
#include "framework/waiter.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/wait_until.h"
#include "tests/testing/error_log.h"

namespace evergreen {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr absl::Duration kPatience = absl::Seconds(10);

SocketAddress Loopback() { return *SocketAddress::Parse("127.0.0.1:0"); }

// Echoes until EOF or an error.
void Echo(Socket& connection, const SocketAddress&) {
  for (;;) {
    absl::StatusOr<std::string> data = connection.Recv(4096, kPatience);
    if (!data.ok() || data->empty()) return;
    if (!connection.SendAll(*data).ok()) return;
  }
}

// Reads until `size` bytes came, EOF, an error or kPatience.
std::string ReadSome(Socket& socket, std::size_t size) {
  std::string got;
  while (got.size() < size) {
    absl::StatusOr<std::string> part =
        socket.Recv(size - got.size(), kPatience);
    if (!part.ok()) return got + "<" + part.status().ToString() + ">";
    if (part->empty()) return got + "<EOF>";
    got += *part;
  }
  return got;
}

Socket ConnectTo(const SocketAddress& address) {
  absl::StatusOr<Socket> socket = Socket::Connect(address, kPatience);
  EXPECT_TRUE(socket.ok()) << socket.status();
  return socket.ok() ? *std::move(socket) : Socket();
}

std::string RoundTrip(Socket& socket, const std::string& message) {
  if (absl::Status sent = socket.SendAll(message); !sent.ok()) {
    return sent.ToString();
  }
  return ReadSome(socket, message.size());
}

// Connections the kernel has completed but nobody accepted yet (Linux
// reports a listener's accept queue length in tcpi_unacked).
int AcceptQueueLength(int listener_fd) {
  tcp_info info = {};
  socklen_t length = sizeof(info);
  if (getsockopt(listener_fd, IPPROTO_TCP, TCP_INFO, &info, &length) != 0) {
    return -1;
  }
  return static_cast<int>(info.tcpi_unacked);
}

class StreamServerTest : public ::testing::Test {
 protected:
  void TearDown() override { Hub::DestroyCurrent(); }
};

class StreamServerFamilyTest : public ::testing::TestWithParam<const char*> {
 protected:
  void TearDown() override { Hub::DestroyCurrent(); }
};

// Port 0 binds an ephemeral port that address() reports; IPv4 and IPv6.
TEST_P(StreamServerFamilyTest, ServesOnTheEphemeralPortItReports) {
  StreamServer server(*SocketAddress::Parse(GetParam()), Echo);
  ASSERT_TRUE(server.Start().ok());
  EXPECT_NE(server.address().port(), 0);
  EXPECT_EQ(server.address().family(),
            SocketAddress::Parse(GetParam())->family());
  Socket client = ConnectTo(server.address());
  EXPECT_EQ(RoundTrip(client, "hello, server"), "hello, server");
  EXPECT_EQ(RoundTrip(client, "twice"), "twice");
  client.Close();
  server.Stop(kPatience);
  EXPECT_EQ(server.stats().accepted, 1u);
}
INSTANTIATE_TEST_SUITE_P(Families, StreamServerFamilyTest,
                         ::testing::Values("127.0.0.1:0", "[::1]:0"));

// B-S4
TEST_F(StreamServerTest, AfterStopAcceptingClientsWaitUntilStartAccepting) {
  StreamServer server(Loopback(), Echo);
  ASSERT_TRUE(server.Start().ok());
  server.StopAccepting();
  EXPECT_FALSE(server.accepting());
  // The kernel completes the handshake: the client waits in the backlog.
  Socket client = ConnectTo(server.address());
  ASSERT_TRUE(client.SendAll("waiting").ok());
  EXPECT_EQ(client.Recv(64, absl::Milliseconds(200)).status().code(),
            absl::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(server.stats().accepted, 0u);

  server.StartAccepting();
  EXPECT_TRUE(server.accepting());
  EXPECT_EQ(ReadSome(client, 7), "waiting");
  EXPECT_EQ(server.stats().accepted, 1u);
  client.Close();
  server.Stop(kPatience);
}

// B-S4
TEST_F(StreamServerTest, PausingAndResumingAtOnceStillServes) {
  StreamServer server(Loopback(), Echo);
  ASSERT_TRUE(server.Start().ok());
  ASSERT_TRUE(WaitUntilAllBlocked());  // the acceptor waits on the listener
  for (int i = 0; i < 3; ++i) {  // the old acceptor may not have unwound yet
    server.StopAccepting();
    server.StartAccepting();
  }
  Socket client = ConnectTo(server.address());
  EXPECT_EQ(RoundTrip(client, "still here"), "still here");
  client.Close();
  server.Stop(kPatience);
}

// B-S4
TEST_F(StreamServerTest, AfterStopNewConnectionsAreRefused) {
  StreamServer server(Loopback(), Echo);
  ASSERT_TRUE(server.Start().ok());
  const SocketAddress address = server.address();
  server.Stop(kPatience);
  EXPECT_FALSE(server.running());
  absl::StatusOr<Socket> refused = Socket::Connect(address, kPatience);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kUnavailable)
      << refused.status();
  EXPECT_THAT(refused.status().message(), HasSubstr("Connection refused"));
  // A stopped server does not restart.
  EXPECT_EQ(server.Start().code(), absl::StatusCode::kFailedPrecondition);
}

// B-S4
TEST_F(StreamServerTest,
       AThrowingHandlerClosesOnlyItsConnectionAndIsReportedOnce) {
  ErrorLog errors;
  StreamServer server(Loopback(), [](Socket& connection, const SocketAddress&) {
    for (;;) {
      absl::StatusOr<std::string> data = connection.Recv(64, kPatience);
      if (!data.ok() || data->empty()) return;
      if (*data == "boom") throw std::runtime_error("handler exploded");
      if (!connection.SendAll(*data).ok()) return;
    }
  });
  ASSERT_TRUE(server.Start().ok());
  Socket calm = ConnectTo(server.address());
  EXPECT_EQ(RoundTrip(calm, "hello"), "hello");

  Socket doomed = ConnectTo(server.address());
  ASSERT_TRUE(doomed.SendAll("boom").ok());
  // The server closed it: EOF (or a reset), not our own Recv timing out
  // after kPatience, which is what a handler left running would give.
  absl::StatusOr<std::string> after = doomed.Recv(64, kPatience);
  if (after.ok()) {
    EXPECT_EQ(*after, "") << "data after the handler threw";
  } else {
    EXPECT_EQ(after.status().code(), absl::StatusCode::kUnavailable)
        << after.status();  // ECONNRESET
  }
  ASSERT_EQ(errors.whats.size(), 1u);
  EXPECT_EQ(errors.whats[0], "handler exploded");
  EXPECT_THAT(errors.wheres[0], HasSubstr("connection from"));
  EXPECT_THAT(errors.wheres[0], HasSubstr("StreamServer"));

  EXPECT_EQ(RoundTrip(calm, "unaffected"), "unaffected");
  Socket fresh = ConnectTo(server.address());
  EXPECT_EQ(RoundTrip(fresh, "still serving"), "still serving");
  EXPECT_EQ(errors.whats.size(), 1u);
  calm.Close();
  fresh.Close();
  server.Stop(kPatience);
  EXPECT_EQ(errors.whats.size(), 1u);
}

// B-S5: with the cap given as max_connections (false) or as a shared Pool.
class StreamServerPoolTest : public ::testing::TestWithParam<bool> {
 protected:
  void TearDown() override { Hub::DestroyCurrent(); }
};

TEST_P(StreamServerPoolTest, AThirdClientIsAcceptedOnlyWhenASlotFrees) {
  Pool pool(2);
  StreamServerOptions options;
  if (GetParam()) {
    options.pool = &pool;
  } else {
    options.max_connections = 2;
  }
  std::vector<std::string> events;
  std::array<Event, 3> release;
  absl::StatusOr<Socket> listener = Socket::Listen(Loopback());
  ASSERT_TRUE(listener.ok()) << listener.status();
  const int listener_fd = listener->fd();  // the server's from now on
  StreamServer server(
      *std::move(listener),
      [&](Socket& connection, const SocketAddress&) {
        absl::StatusOr<std::string> id = connection.Recv(1, kPatience);
        if (!id.ok() || id->empty()) return;
        events.push_back("start " + *id);
        if (!connection.SendAll("started").ok()) return;
        release[(*id)[0] - '0'].Wait(kPatience);
        events.push_back("end " + *id);
      },
      options);
  ASSERT_TRUE(server.Start().ok());

  std::vector<Socket> clients;
  for (int i = 0; i < 2; ++i) {
    clients.push_back(ConnectTo(server.address()));
    ASSERT_TRUE(clients[i].SendAll(std::to_string(i)).ok());
    EXPECT_EQ(ReadSome(clients[i], 7), "started");
  }
  // The third handshake completes in the kernel, but nobody accepts it.
  clients.push_back(ConnectTo(server.address()));
  ASSERT_TRUE(clients[2].SendAll("2").ok());
  EXPECT_EQ(clients[2].Recv(7, absl::Milliseconds(200)).status().code(),
            absl::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(server.stats().accepted, 2u);
  EXPECT_EQ(server.connection_count(), 2);
  EXPECT_EQ(AcceptQueueLength(listener_fd), 1);  // not accepted: queued

  release[0].Set();  // the first handler ends: its slot frees
  EXPECT_EQ(ReadSome(clients[2], 7), "started");
  EXPECT_EQ(server.stats().accepted, 3u);
  EXPECT_EQ(AcceptQueueLength(listener_fd), 0);
  EXPECT_THAT(events, ElementsAre("start 0", "start 1", "end 0", "start 2"));

  release[1].Set();
  release[2].Set();
  server.Stop(kPatience);
  EXPECT_EQ(server.connection_count(), 0);
  EXPECT_EQ(pool.FreeCount(), 2);
}
INSTANTIATE_TEST_SUITE_P(CapOrPool, StreamServerPoolTest, ::testing::Bool());

// B-S6
TEST_F(StreamServerTest,
       StopLetsHandlersFinishWithinTheTimeoutAndKillsTheRest) {
  bool fast_finished = false;
  bool slow_finished = false;
  bool slow_unwound = false;
  StreamServer server(
      Loopback(), [&](Socket& connection, const SocketAddress&) {
        absl::StatusOr<std::string> kind = connection.Recv(1, kPatience);
        if (!kind.ok() || kind->empty()) return;
        (void)connection.SendAll("started");
        if (*kind == "f") {
          Sleep(absl::Milliseconds(50));
          fast_finished = true;
          return;
        }
        struct Unwound {
          bool* flag;
          ~Unwound() { *flag = true; }
        } unwound{&slow_unwound};
        Sleep(absl::Hours(1));
        slow_finished = true;
      });
  ASSERT_TRUE(server.Start().ok());
  Socket fast = ConnectTo(server.address());
  Socket slow = ConnectTo(server.address());
  ASSERT_TRUE(fast.SendAll("f").ok());
  ASSERT_TRUE(slow.SendAll("s").ok());
  EXPECT_EQ(ReadSome(fast, 7), "started");
  EXPECT_EQ(ReadSome(slow, 7), "started");
  ASSERT_EQ(server.connection_count(), 2);

  const absl::Time start = absl::Now();
  server.Stop(absl::Milliseconds(500));
  const absl::Duration took = absl::Now() - start;
  EXPECT_TRUE(fast_finished);
  EXPECT_FALSE(slow_finished);
  EXPECT_TRUE(slow_unwound);
  EXPECT_EQ(server.connection_count(), 0);
  EXPECT_GE(took, absl::Milliseconds(400));  // it did wait for the slow one
  EXPECT_LT(took, kPatience);
  EXPECT_EQ(ReadSome(slow, 1), "<EOF>");  // its connection was closed
}

TEST_F(StreamServerTest, StopWithNoConnectionsReturnsAtOnce) {
  StreamServer server(Loopback(), Echo);
  ASSERT_TRUE(server.Start().ok());
  const absl::Time start = absl::Now();
  server.Stop();  // no timeout: nothing to wait for
  EXPECT_LT(absl::Now() - start, absl::Seconds(2));
  EXPECT_FALSE(server.running());
  server.Stop();  // idempotent
}

TEST_F(StreamServerTest, StopBeforeStartClosesTheServer) {
  StreamServer server(Loopback(), Echo);
  server.Stop();
  EXPECT_EQ(server.Start().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(server.ServeForever().ok());  // already stopped: returns
}

TEST_F(StreamServerTest, StopFromAHandlerEndsServeForever) {
  StreamServer* self = nullptr;
  bool handler_returned = false;
  StreamServer server(
      Loopback(), [&](Socket& connection, const SocketAddress&) {
        absl::StatusOr<std::string> command = connection.Recv(4, kPatience);
        if (!command.ok() || *command != "stop") return;
        self->Stop(kPatience);  // returns at once: it cannot wait for itself
        (void)connection.SendAll("stopping");
        handler_returned = true;
      });
  self = &server;
  ASSERT_TRUE(server.Start().ok());
  auto client = Spawn([address = server.address()] {
    Socket socket = ConnectTo(address);
    (void)socket.SendAll("stop");
    return ReadSome(socket, 8);
  });
  // Wait, don't hang: the client's Recv has a timeout, ServeForever not.
  auto serving = Spawn([&server] { return server.ServeForever(); });
  EXPECT_TRUE(serving.Get(kPatience).ok());
  EXPECT_TRUE(handler_returned);  // ServeForever waited for the handler too
  EXPECT_FALSE(server.running());
  EXPECT_EQ(server.connection_count(), 0);
  EXPECT_EQ(client.Get(kPatience), "stopping");
}

TEST_F(StreamServerTest, KillingServeForeverStopsTheServer) {
  bool unwound = false;
  StreamServer server(Loopback(),
                      [&](Socket& connection, const SocketAddress&) {
                        struct Unwound {
                          bool* flag;
                          ~Unwound() { *flag = true; }
                        } guard{&unwound};
                        (void)connection.SendAll("hi");
                        Sleep(absl::Hours(1));
                      });
  auto serving = Spawn([&server] { return server.ServeForever(); });
  ASSERT_TRUE(WaitUntil([&server] { return server.running(); },
                        "ServeForever started the server"));
  Socket client = ConnectTo(server.address());
  EXPECT_EQ(ReadSome(client, 2), "hi");
  serving.Kill();
  EXPECT_TRUE(serving.killed());
  EXPECT_FALSE(server.running());
  EXPECT_TRUE(unwound);
}

TEST_F(StreamServerTest, DestroyingARunningServerKillsItsHandlers) {
  bool unwound = false;
  Socket client;
  {
    StreamServer server(Loopback(),
                        [&](Socket& connection, const SocketAddress&) {
                          struct Unwound {
                            bool* flag;
                            ~Unwound() { *flag = true; }
                          } guard{&unwound};
                          (void)connection.SendAll("hi");
                          Sleep(absl::Hours(1));
                        });
    ASSERT_TRUE(server.Start().ok());
    client = ConnectTo(server.address());
    EXPECT_EQ(ReadSome(client, 2), "hi");
  }
  EXPECT_TRUE(unwound);
  EXPECT_EQ(ReadSome(client, 1), "<EOF>");
}

TEST_F(StreamServerTest, ManyConcurrentClientsAreAllServed) {
  constexpr int kClients = 200;
  StreamServerOptions options;
  options.max_accepts_per_wakeup = 4;  // many wake-ups, each bounded
  StreamServer server(Loopback(), Echo, options);
  ASSERT_TRUE(server.Start().ok());
  std::vector<Greenlet<std::string>> clients;
  for (int i = 0; i < kClients; ++i) {
    clients.push_back(Spawn([address = server.address(), i] {
      Socket socket = ConnectTo(address);
      return RoundTrip(socket, absl::StrCat("client ", i));
    }));
  }
  for (int i = 0; i < kClients; ++i) {
    EXPECT_EQ(clients[i].Get(kPatience), absl::StrCat("client ", i));
  }
  server.Stop(kPatience);
  EXPECT_EQ(server.stats().accepted, static_cast<unsigned>(kClients));
  EXPECT_EQ(server.stats().accept_errors, 0u);
}

TEST_F(StreamServerTest, ServesAListeningSocketItIsGiven) {
  absl::StatusOr<Socket> listener = Socket::Listen(Loopback());
  ASSERT_TRUE(listener.ok()) << listener.status();
  const SocketAddress address = *listener->LocalAddress();
  StreamServer server(*std::move(listener), Echo);
  EXPECT_EQ(server.address(), address);
  ASSERT_TRUE(server.Start().ok());
  EXPECT_EQ(server.address(), address);
  Socket client = ConnectTo(address);
  EXPECT_EQ(RoundTrip(client, "adopted"), "adopted");
  client.Close();
  server.Stop(kPatience);
}

TEST_F(StreamServerTest, StartFailsOnAPortInUseAndTwiceStartIsRefused) {
  StreamServer first(Loopback(), Echo);
  ASSERT_TRUE(first.Start().ok());
  EXPECT_EQ(first.Start().code(), absl::StatusCode::kFailedPrecondition);
  StreamServer second(first.address(), Echo);
  absl::Status started = second.Start();
  EXPECT_FALSE(started.ok());
  EXPECT_THAT(started.message(), HasSubstr("bind"));
  EXPECT_THAT(started.message(), HasSubstr(first.address().ToString()));
}

TEST_F(StreamServerTest, ReusePortLetsTwoServersShareAPort) {
  StreamServerOptions options;
  options.reuse_port = true;
  StreamServer first(Loopback(), Echo, options);
  ASSERT_TRUE(first.Start().ok());
  StreamServer second(first.address(), Echo, options);
  absl::Status started = second.Start();
  ASSERT_TRUE(started.ok()) << started;
  EXPECT_EQ(second.address(), first.address());
  Socket client = ConnectTo(first.address());
  EXPECT_EQ(RoundTrip(client, "either"), "either");
}

// Lowers RLIMIT_NOFILE and fills the table, restoring both on destruction.
class FdExhaustion {
 public:
  FdExhaustion() {
    getrlimit(RLIMIT_NOFILE, &saved_);
    rlimit lowered = saved_;
    lowered.rlim_cur = HighestOpenFd() + 16;
    ok_ = setrlimit(RLIMIT_NOFILE, &lowered) == 0;
    for (rlim_t i = 0; ok_ && i < lowered.rlim_cur; ++i) {
      const int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
      if (fd < 0) {
        exhausted_ = errno == EMFILE;
        break;
      }
      fds_.push_back(fd);
    }
  }
  ~FdExhaustion() {
    Release();
    setrlimit(RLIMIT_NOFILE, &saved_);
  }
  bool exhausted() const { return ok_ && exhausted_; }
  // Frees one descriptor (for the client's socket).
  void FreeOne() {
    close(fds_.back());
    fds_.pop_back();
  }
  void Release() {
    for (int fd : fds_) close(fd);
    fds_.clear();
  }

 private:
  static rlim_t HighestOpenFd() {
    rlim_t highest = 0;
    if (DIR* dir = opendir("/proc/self/fd")) {
      while (dirent* entry = readdir(dir)) {
        highest = std::max<rlim_t>(highest, std::atoi(entry->d_name));
      }
      closedir(dir);
    }
    return highest;
  }

  rlimit saved_;
  bool ok_ = false;
  bool exhausted_ = false;
  std::vector<int> fds_;
};

// UBSan's dynamic type check reads memory through a pipe(2), which fails
// while descriptors are exhausted, and then reports a false "invalid vptr".
// Running the polymorphic calls of the exhausted phase once beforehand (an
// error report waking a waiter), and letting the greenlet that did it be
// destroyed, lets UBSan's type cache answer instead.
void WarmUpErrorReporting() {
  {
    ErrorLog warm;
    auto waiter = Spawn([reported = warm.reported]() mutable {
      return reported.Wait(kPatience);
    });
    EXPECT_TRUE(WaitUntilAllBlocked());
    Hub::Current()->HandleError(
        "warm-up", std::make_exception_ptr(std::runtime_error("warm-up")));
    EXPECT_TRUE(waiter.Get(kPatience));
  }
  EXPECT_TRUE(WaitUntilAllBlocked());  // the hub released it
}

TEST_F(StreamServerTest, AcceptBacksOffUnderEmfileWithoutSpinningAndRecovers) {
  WarmUpErrorReporting();
  ErrorLog errors;  // expected conditions are not "uncaught errors"
  std::vector<std::string> lines;
  Event logged;
  StreamServerOptions options;
  options.log = [&](absl::string_view line) {
    lines.emplace_back(line);
    logged.Set();
  };
  options.min_error_backoff = absl::Milliseconds(10);
  options.max_error_backoff = absl::Milliseconds(80);
  StreamServer server(Loopback(), Echo, options);
  ASSERT_TRUE(server.Start().ok());
  Socket client;
  unsigned long long turns = 0;
  ServerStats stats;
  {
    // Only plain checks in here: gMock matchers are polymorphic too.
    FdExhaustion exhaustion;
    ASSERT_TRUE(exhaustion.exhausted());
    exhaustion.FreeOne();
    client = ConnectTo(server.address());  // accept4 now fails with EMFILE
    ASSERT_TRUE(client.is_open());
    ASSERT_TRUE(logged.Wait(kPatience));
    // A spinning acceptor would turn the loop thousands of times here.
    const unsigned long long before = Hub::Current()->turns();
    Sleep(absl::Milliseconds(300));
    turns = Hub::Current()->turns() - before;
    stats = server.stats();
  }  // fds freed, limit restored
  EXPECT_LT(turns, 200u);
  EXPECT_GE(stats.backoffs, 2u);
  EXPECT_EQ(stats.accepted, 0u);
  EXPECT_TRUE(server.running());
  ASSERT_EQ(lines.size(), 1u);  // once per episode, not per attempt
  EXPECT_THAT(lines[0], HasSubstr("StreamServer"));
  EXPECT_THAT(lines[0], HasSubstr("accept: Too many open files; pausing "
                                  "accepts for 10ms"));
  EXPECT_TRUE(errors.whats.empty());
  EXPECT_EQ(RoundTrip(client, "served at last"), "served at last");
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_THAT(lines[1], HasSubstr("accepting again after"));
  EXPECT_EQ(server.stats().accepted, 1u);
  client.Close();
  server.Stop(kPatience);
}

}  // namespace
}  // namespace evergreen
