// DatagramServer over loopback: replies, error isolation, the life cycle
// (B-S6 for datagram handlers) and the handler cap.
#include "net/datagram_server.h"

#include <sys/socket.h>

#include <algorithm>
#include <exception>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "framework/event.h"
#include "framework/greenlet.h"
#include "framework/hub.h"
#include "framework/waiter.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace evergreen {
namespace {

using ::testing::HasSubstr;
using ::testing::UnorderedElementsAreArray;

constexpr absl::Duration kPatience = absl::Seconds(10);

SocketAddress Loopback() { return *SocketAddress::Parse("127.0.0.1:0"); }

void Echo(absl::string_view data, const SocketAddress& from,
          DatagramServer& server) {
  (void)server.SendTo(data, from, kPatience);
}

// A client socket of `server`'s family.
Socket Client(const DatagramServer& server) {
  absl::StatusOr<Socket> socket =
      Socket::Create(server.address().family(), SOCK_DGRAM);
  EXPECT_TRUE(socket.ok()) << socket.status();
  return socket.ok() ? *std::move(socket) : Socket();
}

// The next datagram, or the error as text.
std::string Receive(Socket& socket, absl::Duration timeout = kPatience) {
  char buffer[2048];
  absl::StatusOr<std::size_t> size =
      socket.RecvFrom(buffer, sizeof(buffer), nullptr, timeout);
  if (!size.ok()) return "<" + size.status().ToString() + ">";
  return std::string(buffer, *size);
}

std::string Ask(Socket& socket, const SocketAddress& to,
                const std::string& message) {
  absl::StatusOr<std::size_t> sent = socket.SendTo(message, to, kPatience);
  if (!sent.ok()) return sent.status().ToString();
  return Receive(socket);
}

class DatagramServerTest : public ::testing::Test {
 protected:
  void TearDown() override { Hub::DestroyCurrent(); }
};

class DatagramServerFamilyTest : public ::testing::TestWithParam<const char*> {
 protected:
  void TearDown() override { Hub::DestroyCurrent(); }
};

TEST_P(DatagramServerFamilyTest, RepliesThroughSendTo) {
  DatagramServer server(*SocketAddress::Parse(GetParam()), Echo);
  ASSERT_TRUE(server.Start().ok());
  EXPECT_NE(server.address().port(), 0);
  Socket client = Client(server);
  EXPECT_EQ(Ask(client, server.address(), "ping"), "ping");
  EXPECT_EQ(Ask(client, server.address(), "pong"), "pong");
  server.Stop(kPatience);
  EXPECT_EQ(server.stats().accepted, 2u);
}
INSTANTIATE_TEST_SUITE_P(Families, DatagramServerFamilyTest,
                         ::testing::Values("127.0.0.1:0", "[::1]:0"));

TEST_F(DatagramServerTest,
       AThrowingHandlerIsReportedOnceAndTheServerKeepsServing) {
  std::vector<std::string> reports;
  Hub::Current()->SetErrorHandler(
      [&](absl::string_view where, std::exception_ptr) {
        reports.emplace_back(where);
      });
  DatagramServer server(Loopback(),
                        [](absl::string_view data, const SocketAddress& from,
                           DatagramServer& self) {
                          if (data == "boom")
                            throw std::runtime_error("handler exploded");
                          (void)self.SendTo(data, from, kPatience);
                        });
  ASSERT_TRUE(server.Start().ok());
  Socket client = Client(server);
  ASSERT_TRUE(client.SendTo("boom", server.address()).ok());
  // Datagrams are handled in order of arrival: once "after" is answered,
  // "boom" was handled (and reported) before it.
  EXPECT_EQ(Ask(client, server.address(), "after"), "after");
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_THAT(reports[0], HasSubstr("DatagramServer"));
  EXPECT_THAT(reports[0], HasSubstr("datagram from"));
  EXPECT_EQ(Ask(client, server.address(), "again"), "again");
  server.Stop(kPatience);
  EXPECT_EQ(reports.size(), 1u);
}

TEST_F(DatagramServerTest, StopWithNoHandlersReturnsAtOnceAndStopsReplies) {
  DatagramServer server(Loopback(), Echo);
  ASSERT_TRUE(server.Start().ok());
  const absl::Time start = absl::Now();
  server.Stop();
  EXPECT_LT(absl::Now() - start, absl::Seconds(2));
  EXPECT_FALSE(server.running());
  EXPECT_EQ(server.SendTo("late", server.address()).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

// B-S6, for datagram handlers.
TEST_F(DatagramServerTest,
       StopLetsHandlersFinishWithinTheTimeoutAndKillsTheRest) {
  int handling = 0;
  bool fast_finished = false;
  bool slow_finished = false;
  bool slow_unwound = false;
  Event both_started;
  DatagramServer server(Loopback(), [&](absl::string_view data,
                                        const SocketAddress&, DatagramServer&) {
    if (++handling == 2) both_started.Set();
    if (data == "fast") {
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
  Socket client = Client(server);
  ASSERT_TRUE(client.SendTo("fast", server.address()).ok());
  ASSERT_TRUE(client.SendTo("slow", server.address()).ok());
  ASSERT_TRUE(both_started.Wait(kPatience));

  const absl::Time start = absl::Now();
  server.Stop(absl::Milliseconds(500));
  const absl::Duration took = absl::Now() - start;
  EXPECT_TRUE(fast_finished);
  EXPECT_FALSE(slow_finished);
  EXPECT_TRUE(slow_unwound);
  EXPECT_EQ(server.connection_count(), 0);
  EXPECT_GE(took, absl::Milliseconds(400));
  EXPECT_LT(took, kPatience);
}

TEST_F(DatagramServerTest, MaxConnectionsBoundsHandlersRunningAtOnce) {
  constexpr int kDatagrams = 6;
  DatagramServerOptions options;
  options.max_connections = 2;
  int running = 0;
  int most = 0;
  DatagramServer server(
      Loopback(),
      [&](absl::string_view data, const SocketAddress& from,
          DatagramServer& self) {
        most = std::max(most, ++running);
        Sleep(absl::Milliseconds(5));
        --running;
        (void)self.SendTo(data, from, kPatience);
      },
      options);
  ASSERT_TRUE(server.Start().ok());
  Socket client = Client(server);
  std::vector<std::string> sent;
  for (int i = 0; i < kDatagrams; ++i) {
    sent.push_back(absl::StrCat("d", i));
    ASSERT_TRUE(client.SendTo(sent.back(), server.address()).ok());
  }
  std::vector<std::string> replies;
  for (int i = 0; i < kDatagrams; ++i) replies.push_back(Receive(client));
  EXPECT_THAT(replies, UnorderedElementsAreArray(sent));
  EXPECT_EQ(most, 2);
  server.Stop(kPatience);
}

TEST_F(DatagramServerTest, ManyDatagramsFromManyClientsAreAllAnswered) {
  constexpr int kClients = 20;
  constexpr int kEach = 5;
  DatagramServerOptions options;
  options.max_accepts_per_wakeup = 3;
  DatagramServer server(Loopback(), Echo, options);
  ASSERT_TRUE(server.Start().ok());
  std::vector<Greenlet<int>> clients;
  for (int c = 0; c < kClients; ++c) {
    clients.push_back(Spawn([&server, c] {
      Socket socket = Client(server);
      int answered = 0;
      for (int i = 0; i < kEach; ++i) {
        const std::string message = absl::StrCat(c, ":", i);
        if (Ask(socket, server.address(), message) == message) ++answered;
      }
      return answered;
    }));
  }
  for (auto& client : clients) EXPECT_EQ(client.Get(kPatience), kEach);
  server.Stop(kPatience);
  EXPECT_EQ(server.stats().accepted, static_cast<unsigned>(kClients * kEach));
}

TEST_F(DatagramServerTest, ServesABoundSocketItIsGiven) {
  absl::StatusOr<Socket> socket = Socket::Create(AF_INET, SOCK_DGRAM);
  ASSERT_TRUE(socket.ok()) << socket.status();
  ASSERT_TRUE(socket->Bind(Loopback()).ok());
  const SocketAddress address = *socket->LocalAddress();
  DatagramServer server(*std::move(socket), Echo);
  ASSERT_TRUE(server.Start().ok());
  EXPECT_EQ(server.address(), address);
  Socket client = Client(server);
  EXPECT_EQ(Ask(client, address, "adopted"), "adopted");
}

TEST_F(DatagramServerTest, ServeForeverReturnsAfterAHandlerStopsTheServer) {
  DatagramServer server(Loopback(),
                        [](absl::string_view data, const SocketAddress& from,
                           DatagramServer& self) {
                          (void)self.SendTo(data, from, kPatience);
                          if (data == "stop") self.Stop(kPatience);
                        });
  ASSERT_TRUE(server.Start().ok());
  auto client = Spawn([&server] {
    Socket socket = Client(server);
    return Ask(socket, server.address(), "stop");
  });
  auto serving = Spawn([&server] { return server.ServeForever(); });
  EXPECT_TRUE(serving.Get(kPatience).ok());
  EXPECT_FALSE(server.running());
  EXPECT_EQ(client.Get(kPatience), "stop");
}

}  // namespace
}  // namespace evergreen
