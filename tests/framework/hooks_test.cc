// Syscall hooks (framework/hooks.h): B-OS3 with plain POSIX code on real
// sockets, pipes and sleeps. The third-party proof (libcurl) is in
// hooks_curl_test.cc.
#include "framework/hooks.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <string>
#include <thread>
#include <vector>

#include "absl/time/clock.h"
#include "framework/deadline.h"
#include "framework/greenlet.h"
#include "framework/hub.h"
#include "framework/timeout.h"
#include "framework/waiter.h"
#include "gtest/gtest.h"
#include "tests/testing/wait_until.h"

namespace evergreen {
namespace {

class HooksTest : public ::testing::Test {
 protected:
  void SetUp() override { hooks::Enable(); }
  void TearDown() override {
    hooks::Disable();
    Hub::DestroyCurrent();
  }
};

// A blocking socketpair, closed at the end of the test.
struct Pair {
  int fd[2] = {-1, -1};
  Pair() { EXPECT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, fd), 0); }
  ~Pair() {
    for (int f : fd) {
      if (f >= 0) close(f);
    }
  }
};

// Counts ticks of a 20 ms timer greenlet: proof the thread is not blocked.
struct Ticker {
  int ticks = 0;
  Greenlet<void> greenlet = Spawn([this] {
    for (;;) {
      Sleep(absl::Milliseconds(20));
      ++ticks;
    }
  });
  ~Ticker() { greenlet.Kill(); }
};

// B-OS3: interposition took effect in this binary.
TEST_F(HooksTest, DefinitionsWinOverLibc) { EXPECT_TRUE(hooks::Linked()); }

// B-OS3: 100 blocking sleep(1) calls take about one second, not 100, and a
// timer keeps firing meanwhile.
TEST_F(HooksTest, HundredSleepsTakeAboutOneSecond) {
  Ticker ticker;
  const absl::Time start = absl::Now();
  std::vector<Greenlet<unsigned>> sleepers;
  for (int i = 0; i < 100; ++i)
    sleepers.push_back(Spawn([] { return sleep(1); }));
  for (auto& s : sleepers) EXPECT_EQ(s.Get(), 0u);
  const absl::Duration took = absl::Now() - start;
  EXPECT_GE(took, absl::Seconds(1));
  EXPECT_LT(took, absl::Seconds(10));  // serially: 100 s
  EXPECT_GE(ticker.ticks, 5);          // ~50 if on time; 0 if blocked
}

// B-OS3: outside greenlets libc behaves as before.
TEST_F(HooksTest, PlainThreadAndHubCallbacksGetLibc) {
  std::thread([] {
    EXPECT_FALSE(hooks::Active(hooks::kTime));
    const unsigned long long waits = hooks::CooperativeWaits();
    EXPECT_EQ(usleep(1000), 0);
    EXPECT_EQ(hooks::CooperativeWaits(), waits);
  }).join();
  bool active_in_hub = true;
  unsigned long long waits_in_hub = 1;
  Hub::Current()->CallSoon([&] {
    active_in_hub = hooks::Active(hooks::kTime);
    const unsigned long long before = hooks::CooperativeWaits();
    usleep(1000);  // in the hub: really sleeps, nothing to switch to
    waits_in_hub = hooks::CooperativeWaits() - before;
  });
  Hub::Current()->Join();
  EXPECT_FALSE(active_in_hub);
  EXPECT_EQ(waits_in_hub, 0u);
  EXPECT_TRUE(Spawn([] { return hooks::Active(hooks::kTime); }).Get());
}

// B-OS3: per-subsystem switches, process-wide and per thread.
TEST_F(HooksTest, SwitchesTurnSubsystemsOff) {
  hooks::Disable(hooks::kTime);
  EXPECT_EQ(hooks::Enabled() & hooks::kTime, 0u);
  EXPECT_FALSE(Spawn([] { return hooks::Active(hooks::kTime); }).Get());
  EXPECT_TRUE(Spawn([] { return hooks::Active(hooks::kSocket); }).Get());
  hooks::Enable(hooks::kTime);
  EXPECT_TRUE(Spawn([] {
                hooks::ScopedDisable off(hooks::kTime | hooks::kSocket);
                const unsigned long long before = hooks::CooperativeWaits();
                usleep(1000);
                return !hooks::Active(hooks::kTime) &&
                       !hooks::Active(hooks::kSocket) &&
                       hooks::Active(hooks::kSelect) &&
                       hooks::CooperativeWaits() == before;
              }).Get());
  EXPECT_TRUE(Spawn([] { return hooks::Active(hooks::kTime); }).Get());
}

// B-OS3: a blocking recv waits for its data without blocking the thread.
TEST_F(HooksTest, BlockingRecvWaitsCooperatively) {
  Pair pair;
  Ticker ticker;
  auto reader = Spawn([&] {
    char buffer[16];
    const ssize_t n = recv(pair.fd[0], buffer, sizeof buffer, 0);
    return n > 0 ? std::string(buffer, n) : std::string("error");
  });
  Spawn([&] {
    // The reader waits in recv meanwhile.
    ASSERT_TRUE(WaitUntil([&] { return ticker.ticks >= 3; },
                          "the ticker ticked 3 times"));
    EXPECT_EQ(send(pair.fd[1], "ping", 4, 0), 4);
  });
  EXPECT_EQ(reader.Get(), "ping");
  EXPECT_GE(hooks::CooperativeWaits(), 1u);
}

// B-OS3: blocking semantics kept: MSG_WAITALL waits for every byte, and
// the end of the stream ends the wait with what came.
TEST_F(HooksTest, WaitAllCollectsPiecesUntilTheEnd) {
  Pair pair;
  auto reader = Spawn([&] {
    char buffer[16];
    const ssize_t n = recv(pair.fd[0], buffer, 8, MSG_WAITALL);
    const ssize_t rest = recv(pair.fd[0], buffer + 8, 8, MSG_WAITALL);
    return std::string(buffer, n > 0 ? n : 0) + "|" + std::to_string(rest);
  });
  Spawn([&] {
    EXPECT_EQ(send(pair.fd[1], "abcd", 4, 0), 4);
    ASSERT_TRUE(WaitUntil(
        [&] {
          int unread = -1;
          return ioctl(pair.fd[0], FIONREAD, &unread) == 0 && unread == 0;
        },
        "the reader took the first piece"));
    EXPECT_EQ(send(pair.fd[1], "efghij", 6, 0), 6);
    shutdown(pair.fd[1], SHUT_WR);
  });
  EXPECT_EQ(reader.Get(), "abcdefgh|2");
}

// B-OS3: the originals stay reachable; a non-blocking fd keeps libc's
// EAGAIN.
TEST_F(HooksTest, OriginalsAndNonBlockingFdsAreLibcs) {
  Pair pair;
  EXPECT_TRUE(Spawn([&] {
                char byte;
                const unsigned long long before = hooks::CooperativeWaits();
                EXPECT_EQ(fcntl(pair.fd[0], F_SETFL, O_NONBLOCK), 0);
                EXPECT_EQ(recv(pair.fd[0], &byte, 1, 0), -1);
                EXPECT_EQ(errno, EAGAIN);
                EXPECT_EQ(read(pair.fd[0], &byte, 1), -1);
                EXPECT_EQ(errno, EAGAIN);
                EXPECT_EQ(hooks::original::recv(pair.fd[0], &byte, 1, 0), -1);
                EXPECT_EQ(errno, EAGAIN);
                EXPECT_EQ(hooks::original::send(pair.fd[1], "x", 1, 0), 1);
                EXPECT_EQ(hooks::original::read(pair.fd[0], &byte, 1), 1);
                return hooks::CooperativeWaits() == before;
              }).Get());
}

// B-OS3 with plain blocking TCP code: accept, connect, read, write.
TEST_F(HooksTest, BlockingTcpEchoOnOneThread) {
  const int listener = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(listener, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  ASSERT_EQ(bind(listener, reinterpret_cast<sockaddr*>(&addr), len), 0);
  ASSERT_EQ(listen(listener, 16), 0);
  ASSERT_EQ(getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  constexpr int kClients = 10;
  auto server = Spawn([&] {
    std::vector<Greenlet<void>> connections;
    for (int i = 0; i < kClients; ++i) {
      const int c = accept(listener, nullptr, nullptr);
      ASSERT_GE(c, 0) << strerror(errno);
      connections.push_back(Spawn([c] {
        char buffer[64];
        ssize_t n;
        while ((n = read(c, buffer, sizeof buffer)) > 0) {
          ASSERT_EQ(write(c, buffer, n), n);
        }
        close(c);
      }));
    }
    for (auto& c : connections) c.Join();
  });
  std::vector<Greenlet<std::string>> clients;
  for (int i = 0; i < kClients; ++i) {
    clients.push_back(Spawn([&addr, i] {
      const int fd = socket(AF_INET, SOCK_STREAM, 0);
      if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        return std::string("connect: ") + strerror(errno);
      }
      const std::string message = "hello " + std::to_string(i);
      EXPECT_EQ(write(fd, message.data(), message.size()),
                static_cast<ssize_t>(message.size()));
      std::string echoed(message.size(), '\0');
      size_t got = 0;
      while (got < echoed.size()) {
        const ssize_t n = read(fd, echoed.data() + got, echoed.size() - got);
        if (n <= 0) break;
        got += n;
      }
      close(fd);
      return echoed;
    }));
  }
  for (int i = 0; i < kClients; ++i) {
    EXPECT_EQ(clients[i].Get(), "hello " + std::to_string(i));
  }
  server.Join();
  close(listener);
}

// B-OS3: 1 MB through a blocking pipe between two greenlets of one thread
// (which deadlocks without hooks: the writer fills the pipe first).
TEST_F(HooksTest, LargePipeWriteAndReadShareTheThread) {
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  const std::string data(1 << 20, 'x');
  auto writer = Spawn([&] {
    const ssize_t n = write(fds[1], data.data(), data.size());
    close(fds[1]);
    return n;
  });
  auto reader = Spawn([&] {
    std::string got;
    char buffer[8192];
    ssize_t n;
    while ((n = read(fds[0], buffer, sizeof buffer)) > 0) got.append(buffer, n);
    return got.size();
  });
  EXPECT_EQ(writer.Get(), static_cast<ssize_t>(data.size()));
  EXPECT_EQ(reader.Get(), data.size());
  close(fds[0]);
}

// B-OS3: poll and select wait cooperatively and report what the kernel
// reports; their own timeouts still return 0.
TEST_F(HooksTest, PollAndSelectWaitCooperatively) {
  Pair pair;
  auto polled = Spawn([&] {
    struct pollfd p {
      pair.fd[0], POLLIN, 0
    };
    const int n = poll(&p, 1, 10000);
    return n == 1 && (p.revents & POLLIN) != 0;
  });
  auto selected = Spawn([&] {
    fd_set readable;
    FD_ZERO(&readable);
    FD_SET(pair.fd[0], &readable);
    struct timeval tv {
      10, 0
    };
    const int n = select(pair.fd[0] + 1, &readable, nullptr, nullptr, &tv);
    return n == 1 && FD_ISSET(pair.fd[0], &readable);
  });
  Spawn([&] { EXPECT_EQ(write(pair.fd[1], "x", 1), 1); });
  EXPECT_TRUE(polled.Get());
  EXPECT_TRUE(selected.Get());
  EXPECT_EQ(Spawn([&] {
              struct pollfd p {
                pair.fd[1], POLLIN, 0
              };  // nothing comes
              return poll(&p, 1, 20);
            }).Get(),
            0);
}

// B-OS3: epoll_wait on an epoll fd of one's own, and the nanosleep
// family, wait on the hub too.
TEST_F(HooksTest, EpollWaitAndNanosleepsAreCooperative) {
  Pair pair;
  const int epfd = epoll_create1(EPOLL_CLOEXEC);
  ASSERT_GE(epfd, 0);
  struct epoll_event watch {};
  watch.events = EPOLLIN;
  watch.data.fd = pair.fd[0];
  ASSERT_EQ(epoll_ctl(epfd, EPOLL_CTL_ADD, pair.fd[0], &watch), 0);
  auto waiter = Spawn([&] {
    struct epoll_event got {};
    const int n = epoll_wait(epfd, &got, 1, 10000);
    return n == 1 && got.data.fd == pair.fd[0];
  });
  auto sleeper = Spawn([&] {
    const unsigned long long before = hooks::CooperativeWaits();
    struct timespec ms {
      0, 1000000
    };
    EXPECT_EQ(nanosleep(&ms, nullptr), 0);
    EXPECT_EQ(clock_nanosleep(CLOCK_MONOTONIC, 0, &ms, nullptr), 0);
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    now.tv_nsec += 1000000;
    if (now.tv_nsec >= 1000000000) {
      now.tv_nsec -= 1000000000;
      ++now.tv_sec;
    }
    EXPECT_EQ(clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &now, nullptr),
              0);
    EXPECT_EQ(hooks::CooperativeWaits(), before + 3);
    // The epoll waiter is still waiting: the sleeps did not block it out.
    EXPECT_EQ(send(pair.fd[1], "x", 1, 0), 1);
  });
  EXPECT_TRUE(waiter.Get());
  sleeper.Join();
  close(epfd);
}

// B-OS3: a hooked wait past the current deadline fails with ETIMEDOUT.
TEST_F(HooksTest, DeadlineFailsHookedRecvWithEtimedout) {
  Pair pair;
  EXPECT_TRUE(Spawn([&] {
                DeadlineScope deadline(absl::Milliseconds(30));
                char byte;
                const ssize_t n = recv(pair.fd[0], &byte, 1, 0);
                return n == -1 && errno == ETIMEDOUT;
              }).Get());
}

// B-OS3: a socket's own SO_RCVTIMEO still expires with EAGAIN.
TEST_F(HooksTest, SocketReceiveTimeoutStillExpires) {
  Pair pair;
  struct timeval tv {
    0, 30000
  };
  ASSERT_EQ(setsockopt(pair.fd[0], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv), 0);
  EXPECT_TRUE(Spawn([&] {
                char byte;
                const ssize_t n = recv(pair.fd[0], &byte, 1, 0);
                return n == -1 && errno == EAGAIN &&
                       hooks::CooperativeWaits() > 0;
              }).Get());
}

// B-OS3: a scoped Timeout never crosses the hooked call; it fails the call
// with ETIMEDOUT, fails the next wait at once, and is raised by
// Cooperative() once control is back in C++.
TEST_F(HooksTest, TimeoutIsPendingUntilRethrown) {
  Pair pair;
  int first_errno = 0;
  int second_errno = 0;
  absl::Status status = WithTimeout(absl::Milliseconds(30), [&] {
    hooks::Cooperative([&] {
      char byte;
      EXPECT_EQ(recv(pair.fd[0], &byte, 1, 0), -1);
      first_errno = errno;
      EXPECT_EQ(read(pair.fd[0], &byte, 1), -1);  // fails at once
      second_errno = errno;
    });
  });
  EXPECT_EQ(first_errno, ETIMEDOUT);
  EXPECT_EQ(second_errno, ETIMEDOUT);
  EXPECT_TRUE(absl::IsDeadlineExceeded(status)) << status;
  char byte;  // nothing pending any more: a would-block recv waits again
  EXPECT_TRUE(Spawn([&] {
                DeadlineScope deadline(absl::Milliseconds(10));
                return recv(pair.fd[0], &byte, 1, 0) == -1 &&
                       errno == ETIMEDOUT;
              }).Get());
}

// B-OS3: killing a greenlet blocked in a hooked call ends it: the call
// fails with ECANCELED and the kill completes.
TEST_F(HooksTest, KillEndsAGreenletBlockedInAHookedCall) {
  Pair pair;
  int error = 0;
  auto blocked = Spawn([&] {
    char byte;
    if (recv(pair.fd[0], &byte, 1, 0) == -1) error = errno;
    hooks::RethrowPending();
  });
  const unsigned long long before = hooks::CooperativeWaits();
  // It runs (one thread) and blocks in recv.
  ASSERT_TRUE(WaitUntil([&] { return hooks::CooperativeWaits() > before; },
                        "the greenlet blocked in recv"));
  ASSERT_EQ(hooks::CooperativeWaits(), before + 1);
  blocked.Kill();
  EXPECT_TRUE(blocked.killed());
  EXPECT_EQ(error, ECANCELED);
}

// B-OS3: name lookups run on the thread pool; numeric hosts at once.
TEST_F(HooksTest, GetaddrinfoRunsOffTheHubThread) {
  EXPECT_TRUE(
      Spawn([] {
        const unsigned long long before = hooks::CooperativeWaits();
        struct addrinfo* list = nullptr;
        struct addrinfo hints {};
        hints.ai_socktype = SOCK_STREAM;
        const int rc = getaddrinfo("localhost", "80", &hints, &list);
        EXPECT_EQ(rc, 0) << gai_strerror(rc);
        const bool resolved = list != nullptr;
        if (list != nullptr) freeaddrinfo(list);
        EXPECT_EQ(getaddrinfo("127.0.0.1", "80", &hints, &list), 0);
        freeaddrinfo(list);
        struct hostent* host = gethostbyname("localhost");
        const bool found = host != nullptr && host->h_addr_list[0] != nullptr;
        return resolved && found && hooks::CooperativeWaits() == before + 2;
      }).Get());
}

}  // namespace
}  // namespace evergreen
