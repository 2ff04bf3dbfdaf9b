// Cooperative sockets over loopback: B-S1 ... B-S3 and the socket contract.
#include "net/socket.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "framework/greenlet.h"
#include "framework/hub.h"
#include "framework/waiter.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/wait_until.h"

namespace evergreen {
namespace {

using ::testing::HasSubstr;

class SocketTest : public ::testing::TestWithParam<const char*> {
 protected:
  void TearDown() override { Hub::DestroyCurrent(); }

  // A listener on an ephemeral loopback port of the parameter's family.
  Socket MakeListener() {
    absl::StatusOr<SocketAddress> any = SocketAddress::Parse(GetParam());
    EXPECT_TRUE(any.ok()) << any.status();
    absl::StatusOr<Socket> listener = Socket::Listen(*any);
    EXPECT_TRUE(listener.ok()) << listener.status();
    address_ = *listener->LocalAddress();
    return *std::move(listener);
  }
  SocketAddress address_;
};

TEST_P(SocketTest, EchoOverLoopback) {
  Socket listener = MakeListener();
  auto server = Spawn([&] {
    absl::StatusOr<Socket> conn = listener.Accept();
    EXPECT_TRUE(conn.ok()) << conn.status();
    for (;;) {
      absl::StatusOr<std::string> data = conn->Recv(1024);
      if (!data.ok() || data->empty()) return;
      EXPECT_TRUE(conn->SendAll(*data).ok());
    }
  });
  absl::StatusOr<Socket> client = Socket::Connect(address_, absl::Seconds(5));
  ASSERT_TRUE(client.ok()) << client.status();
  ASSERT_TRUE(client->SendAll("hello, evergreen").ok());
  std::string got;
  while (got.size() < 16) {
    absl::StatusOr<std::string> part = client->Recv(64, absl::Seconds(5));
    ASSERT_TRUE(part.ok()) << part.status();
    ASSERT_FALSE(part->empty());
    got += *part;
  }
  EXPECT_EQ(got, "hello, evergreen");
  ASSERT_TRUE(client->Shutdown(SHUT_WR).ok());
  server.Join();
}
INSTANTIATE_TEST_SUITE_P(Families, SocketTest,
                         ::testing::Values("127.0.0.1:0", "[::1]:0"));

class SocketBasicsTest : public ::testing::Test {
 protected:
  void TearDown() override { Hub::DestroyCurrent(); }
  void SetUp() override {
    absl::StatusOr<Socket> listener =
        Socket::Listen(*SocketAddress::Parse("127.0.0.1:0"));
    ASSERT_TRUE(listener.ok()) << listener.status();
    listener_ = *std::move(listener);
    address_ = *listener_.LocalAddress();
  }
  // A connected pair (client, server side).
  std::pair<Socket, Socket> Pair() {
    absl::StatusOr<Socket> client = Socket::Connect(address_, absl::Seconds(5));
    EXPECT_TRUE(client.ok()) << client.status();
    absl::StatusOr<Socket> server = listener_.Accept(absl::Seconds(5));
    EXPECT_TRUE(server.ok()) << server.status();
    return {*std::move(client), *std::move(server)};
  }
  Socket listener_;
  SocketAddress address_;
};

// B-S1
TEST_F(SocketBasicsTest, RecvTimesOutAfterAboutTheTimeout) {
  auto [client, server] = Pair();
  const absl::Time start = absl::Now();
  absl::StatusOr<std::string> data = client.Recv(10, absl::Seconds(1));
  const absl::Duration waited = absl::Now() - start;
  EXPECT_EQ(data.status().code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_THAT(data.status().message(), HasSubstr("timed out"));
  EXPECT_GE(waited, absl::Milliseconds(900));
  EXPECT_LT(waited, absl::Seconds(10));
}

// B-S1
TEST_F(SocketBasicsTest, SendAllToAPeerThatDoesNotReadFailsAtItsTimeout) {
  auto [client, server] = Pair();
  const std::string big(64 << 20, 'x');
  absl::Status sent = client.SendAll(big, absl::Milliseconds(200));
  EXPECT_EQ(sent.code(), absl::StatusCode::kDeadlineExceeded) << sent;
}

// B-S1
TEST_F(SocketBasicsTest, SendAllOfNothingSucceeds) {
  auto [client, server] = Pair();
  EXPECT_TRUE(client.SendAll("").ok());
}

TEST_F(SocketBasicsTest, SocketDefaultTimeoutApplies) {
  auto [client, server] = Pair();
  client.set_timeout(absl::Milliseconds(50));
  EXPECT_EQ(client.Recv(1).status().code(), absl::StatusCode::kDeadlineExceeded);
}

// B-S2
// Returns once another greenlet is blocked reading `socket` (a read of our
// own is then refused as "already reading"), or false after 30 s. A single
// Sleep(0) is not enough: the reader may yield once before it blocks when
// its slice ran long (a loaded machine, a sanitizer).
bool AwaitReader(Socket& socket) {
  return WaitUntil(
      [&socket] {
        absl::Status probe = socket.Recv(1, absl::ZeroDuration()).status();
        return probe.code() == absl::StatusCode::kFailedPrecondition &&
               absl::StrContains(probe.message(), "already reading");
      },
      "another greenlet reads the socket");
}

TEST_F(SocketBasicsTest, SecondConcurrentReaderIsRefused) {
  auto [client, server] = Pair();
  auto first = Spawn([&client = client] { return client.Recv(10).status(); });
  ASSERT_TRUE(AwaitReader(client));  // first is now blocked in Recv
  absl::StatusOr<std::string> second = client.Recv(10, absl::Seconds(1));
  EXPECT_EQ(second.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(second.status().message(), HasSubstr("already reading"));
  ASSERT_TRUE(server.SendAll("x").ok());
  EXPECT_TRUE(first.Get().ok());
}

// B-S3
TEST_F(SocketBasicsTest, ConnectingToAnUnusedPortIsRefused) {
  SocketAddress unused = address_;
  listener_.Close();  // nothing listens there now
  absl::StatusOr<Socket> s = Socket::Connect(unused, absl::Seconds(5));
  EXPECT_EQ(s.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(s.status().message(), HasSubstr("Connection refused"));
  EXPECT_THAT(s.status().message(), HasSubstr(unused.ToString()));
}

// B-S3
TEST_F(SocketBasicsTest, ConnectionRefusedAlsoWithASourceAddress) {
  SocketAddress unused = address_;
  listener_.Close();
  SocketAddress source = *SocketAddress::Parse("127.0.0.1:0");
  absl::StatusOr<Socket> s = Socket::Connect(unused, absl::Seconds(5), &source);
  EXPECT_EQ(s.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(s.status().message(), HasSubstr("Connection refused"));
}

TEST_F(SocketBasicsTest, CloseFromAnotherGreenletWakesABlockedReaderAtOnce) {
  auto [client, server] = Pair();
  auto reader = Spawn([&client = client] { return client.Recv(10).status(); });
  ASSERT_TRUE(AwaitReader(client));
  client.Close();
  absl::Status status = reader.Get(absl::Seconds(5));
  EXPECT_EQ(status.code(), absl::StatusCode::kCancelled);
  EXPECT_THAT(status.message(), HasSubstr("socket closed"));
  EXPECT_FALSE(client.is_open());
  EXPECT_EQ(client.Recv(1).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST_F(SocketBasicsTest, RecvReturnsEmptyAtEndOfStream) {
  auto [client, server] = Pair();
  server.Close();
  absl::StatusOr<std::string> data = client.Recv(10, absl::Seconds(5));
  ASSERT_TRUE(data.ok()) << data.status();
  EXPECT_EQ(*data, "");
}

TEST_F(SocketBasicsTest, ManyClientsServedConcurrently) {
  constexpr int kClients = 50;
  auto acceptor = Spawn([&] {
    for (int i = 0; i < kClients; ++i) {
      absl::StatusOr<Socket> conn = listener_.Accept(absl::Seconds(10));
      if (!conn.ok()) return;
      Spawn([conn = std::make_shared<Socket>(*std::move(conn))] {
        absl::StatusOr<std::string> data = conn->Recv(100, absl::Seconds(10));
        if (data.ok()) (void)conn->SendAll(*data + "!");
      });
    }
  });
  std::vector<Greenlet<std::string>> clients;
  for (int i = 0; i < kClients; ++i) {
    clients.push_back(Spawn([this, i]() -> std::string {
      absl::StatusOr<Socket> s = Socket::Connect(address_, absl::Seconds(10));
      if (!s.ok()) return s.status().ToString();
      (void)s->SendAll("c" + std::to_string(i));
      absl::StatusOr<std::string> reply = s->Recv(100, absl::Seconds(10));
      return reply.ok() ? *reply : reply.status().ToString();
    }));
  }
  for (int i = 0; i < kClients; ++i) {
    EXPECT_EQ(clients[i].Get(), "c" + std::to_string(i) + "!");
  }
  acceptor.Join();
}

TEST_F(SocketBasicsTest, UdpSendToAndRecvFrom) {
  absl::StatusOr<Socket> a = Socket::Create(AF_INET, SOCK_DGRAM);
  absl::StatusOr<Socket> b = Socket::Create(AF_INET, SOCK_DGRAM);
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_TRUE(a->Bind(*SocketAddress::Parse("127.0.0.1:0")).ok());
  ASSERT_TRUE(b->Bind(*SocketAddress::Parse("127.0.0.1:0")).ok());
  auto echo = Spawn([&] {
    char buf[64];
    SocketAddress from;
    absl::StatusOr<size_t> n = a->RecvFrom(buf, sizeof buf, &from, absl::Seconds(5));
    if (n.ok()) (void)a->SendTo(absl::string_view(buf, *n), from);
  });
  ASSERT_TRUE(b->SendTo("datagram", *a->LocalAddress()).ok());
  char buf[64];
  SocketAddress from;
  absl::StatusOr<size_t> n = b->RecvFrom(buf, sizeof buf, &from, absl::Seconds(5));
  ASSERT_TRUE(n.ok()) << n.status();
  EXPECT_EQ(absl::string_view(buf, *n), "datagram");
  EXPECT_EQ(from, *a->LocalAddress());
  echo.Join();
}

TEST_F(SocketBasicsTest, UnixStreamSockets) {
  // Short, so it fits sun_path (the test temp dir can be longer).
  const std::string path = absl::StrCat("/tmp/evergreen-test-", getpid(), ".sock");
  unlink(path.c_str());
  absl::StatusOr<SocketAddress> address = SocketAddress::Unix(path);
  ASSERT_TRUE(address.ok());
  absl::StatusOr<Socket> listener = Socket::Listen(*address);
  ASSERT_TRUE(listener.ok()) << listener.status();
  auto server = Spawn([&] {
    absl::StatusOr<Socket> conn = listener->Accept(absl::Seconds(5));
    if (conn.ok()) (void)conn->SendAll("over unix");
  });
  absl::StatusOr<Socket> client = Socket::Connect(*address, absl::Seconds(5));
  ASSERT_TRUE(client.ok()) << client.status();
  EXPECT_EQ(*client->Recv(64, absl::Seconds(5)), "over unix");
  server.Join();
  unlink(path.c_str());
}

TEST_F(SocketBasicsTest, WaitReadableOnAUserPipe) {
  int fds[2];
  ASSERT_EQ(pipe2(fds, O_NONBLOCK | O_CLOEXEC), 0);
  Spawn([w = fds[1]] { EXPECT_EQ(write(w, "x", 1), 1); });
  EXPECT_TRUE(WaitReadable(fds[0], absl::Seconds(5)).ok());
  EXPECT_EQ(WaitReadable(fds[1], absl::Milliseconds(1)).code(),
            absl::StatusCode::kDeadlineExceeded);  // a write end never reads
  close(fds[0]);
  close(fds[1]);
}

TEST_F(SocketBasicsTest, BadAddressesAreRefusedWithAClearError) {
  EXPECT_EQ(SocketAddress::Parse("127.0.0.1").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(SocketAddress::Parse("127.0.0.1:99999").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(SocketAddress::Parse("not-an-ip:80").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(SocketAddress::Parse("[::1:80").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(SocketAddress::Unix(std::string(200, 'a')).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(SocketAddress::Parse("[::1]:8080")->ToString(), "[::1]:8080");
}

}  // namespace
}  // namespace evergreen
