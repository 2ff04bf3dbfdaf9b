// Connection limits: idle timeout and lifetime on sockets and servers
// (plain and TLS), and shedding over the connection cap (B-LR3).
#include <optional>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "framework/event.h"
#include "framework/greenlet.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "net/stream_server.h"
#include "net/tls_stream_server.h"
#include "tests/net/tls_fixture.h"

namespace evergreen {
namespace {

using ::testing::HasSubstr;

constexpr absl::Duration kPatience = absl::Seconds(10);

class ServerLimitsTest : public TlsFixture {
 protected:
  static SocketAddress Loopback() {
    return *SocketAddress::Parse("127.0.0.1:0");
  }
  // Reads until EOF or an error; returns how it ended.
  static absl::Status ReadToEnd(Socket& socket) {
    for (;;) {
      absl::StatusOr<std::string> data = socket.Recv(4096, kPatience);
      if (!data.ok()) return data.status();
      if (data->empty()) return absl::OkStatus();
    }
  }
};

// B-LR3
TEST_F(ServerLimitsTest, SocketIdleTimeoutFailsTheBlockedCallNamingIt) {
  auto [client, server] = Pair();
  ASSERT_TRUE(
      server.SetLimits({.idle_timeout = absl::Milliseconds(50)}).ok());
  absl::StatusOr<std::string> got = server.Recv(16, kPatience);
  ASSERT_FALSE(got.ok());
  EXPECT_TRUE(absl::IsDeadlineExceeded(got.status())) << got.status();
  EXPECT_THAT(std::string(got.status().message()),
              HasSubstr("idle for 50ms (the idle timeout)"));
  EXPECT_FALSE(server.is_open());
  // Later calls say why too.
  absl::Status later = server.SendAll("x");
  EXPECT_TRUE(absl::IsDeadlineExceeded(later)) << later;
  EXPECT_EQ(ReadToEnd(client), absl::OkStatus());  // the peer sees EOF
}

TEST_F(ServerLimitsTest, SocketLimitsMustBePositive) {
  auto [client, server] = Pair();
  EXPECT_TRUE(absl::IsInvalidArgument(
      server.SetLimits({.idle_timeout = absl::ZeroDuration()})));
  EXPECT_TRUE(absl::IsInvalidArgument(
      server.SetLimits({.lifetime = -absl::Seconds(1)})));
  EXPECT_TRUE(server.SetLimits({}).ok());  // no limits
}

// B-LR3: traffic in either direction resets the idle clock.
TEST_F(ServerLimitsTest, ActivityKeepsAConnectionOpenPastTheIdleTimeout) {
  auto [client, server] = Pair();
  ASSERT_TRUE(
      server.SetLimits({.idle_timeout = absl::Milliseconds(300)}).ok());
  const absl::Time start = absl::Now();
  for (int i = 0; i < 20 && absl::Now() - start < absl::Seconds(1); ++i) {
    Sleep(absl::Milliseconds(30));
    if (i % 2 == 0) {
      ASSERT_TRUE(client.SendAll("p").ok());
      ASSERT_TRUE(server.Recv(16, kPatience).ok());
    } else {
      ASSERT_TRUE(server.SendAll("q").ok());
      ASSERT_TRUE(client.Recv(16, kPatience).ok());
    }
  }
  EXPECT_TRUE(server.is_open());
  // Silence now: closed.
  absl::StatusOr<std::string> got = server.Recv(16, kPatience);
  EXPECT_TRUE(absl::IsDeadlineExceeded(got.status())) << got.status();
}

// B-LR3
TEST_F(ServerLimitsTest, ServerIdleTimeoutClosesASilentConnection) {
  std::optional<absl::Status> seen;
  Event done;
  StreamServerOptions options;
  options.idle_timeout = absl::Milliseconds(100);
  StreamServer server(
      Loopback(),
      [&](Socket& connection, const SocketAddress&) {
        seen = connection.Recv(16, kPatience).status();
        done.Set();
      },
      options);
  ASSERT_TRUE(server.Start().ok());
  absl::StatusOr<Socket> client = Socket::Connect(server.address(), kPatience);
  ASSERT_TRUE(client.ok());
  EXPECT_EQ(ReadToEnd(*client), absl::OkStatus());  // closed cleanly: EOF
  ASSERT_TRUE(done.Wait(kPatience));
  EXPECT_TRUE(absl::IsDeadlineExceeded(*seen)) << *seen;
  EXPECT_THAT(std::string(seen->message()), HasSubstr("idle timeout"));
  server.Stop(kPatience);
}

// B-LR3: the lifetime closes even a busy connection.
TEST_F(ServerLimitsTest, ServerLifetimeClosesABusyConnection) {
  std::optional<absl::Status> seen;
  Event done;
  StreamServerOptions options;
  options.max_lifetime = absl::Milliseconds(200);
  StreamServer server(
      Loopback(),
      [&](Socket& connection, const SocketAddress&) {
        for (;;) {
          absl::StatusOr<std::string> data = connection.Recv(16, kPatience);
          if (!data.ok() || data->empty()) {
            seen = data.status();
            break;
          }
          if (!connection.SendAll(*data).ok()) break;
        }
        done.Set();
      },
      options);
  ASSERT_TRUE(server.Start().ok());
  absl::StatusOr<Socket> client = Socket::Connect(server.address(), kPatience);
  ASSERT_TRUE(client.ok());
  int echoed = 0;
  for (int i = 0; i < 500; ++i) {  // ~10 ms apart: never idle
    if (!client->SendAll("x").ok()) break;
    absl::StatusOr<std::string> back = client->Recv(16, kPatience);
    if (!back.ok() || back->empty()) break;
    ++echoed;
    Sleep(absl::Milliseconds(10));
  }
  EXPECT_GT(echoed, 0);
  EXPECT_LT(echoed, 500);
  ASSERT_TRUE(done.Wait(kPatience));
  ASSERT_TRUE(seen.has_value());
  EXPECT_TRUE(absl::IsDeadlineExceeded(*seen)) << *seen;
  EXPECT_THAT(std::string(seen->message()), HasSubstr("lifetime"));
  server.Stop(kPatience);
}

// B-LR3: TlsStreamServer inherits the limits; the handler's TLS read
// names the idle timeout.
TEST_F(ServerLimitsTest, TlsServerIdleTimeoutClosesASilentConnection) {
  std::optional<absl::Status> seen;
  Event done;
  TlsStreamServerOptions options;
  // Longer than a handshake takes under a sanitizer on a busy machine.
  options.idle_timeout = absl::Seconds(1);
  TlsStreamServer server(
      Loopback(), ServerContext(Pki().server),
      [&](TlsSocket& tls, const SocketAddress&) {
        seen = tls.Read(16, kPatience).status();
        done.Set();
      },
      options);
  ASSERT_TRUE(server.Start().ok());
  absl::StatusOr<Socket> tcp = Socket::Connect(server.address(), kPatience);
  ASSERT_TRUE(tcp.ok());
  absl::StatusOr<TlsSocket> tls =
      TlsConnect(*std::move(tcp), ClientContext(), "localhost", kPatience);
  ASSERT_TRUE(tls.ok()) << tls.status();
  ASSERT_TRUE(done.Wait(kPatience));
  EXPECT_TRUE(absl::IsDeadlineExceeded(*seen)) << *seen;
  EXPECT_THAT(std::string(seen->message()), HasSubstr("idle timeout"));
  EXPECT_FALSE(tls->Read(16, kPatience).ok());  // gone without close_notify
  server.Stop(kPatience);
}

TEST_F(ServerLimitsTest, NonPositiveServerLimitsFailStart) {
  StreamServerOptions options;
  options.idle_timeout = absl::ZeroDuration();
  StreamServer server(Loopback(), [](Socket&, const SocketAddress&) {},
                      options);
  absl::Status started = server.Start();
  EXPECT_TRUE(absl::IsInvalidArgument(started)) << started;
  EXPECT_THAT(std::string(started.message()), HasSubstr("idle_timeout"));
}

// Over the cap with shed_when_full, a new connection is closed at once
// and counted, while the one being served is unaffected.
TEST_F(ServerLimitsTest, FullServerShedsNewConnectionsAtOnce) {
  Event release;
  StreamServerOptions options;
  options.max_connections = 1;
  options.shed_when_full = true;
  StreamServer server(
      Loopback(),
      [&](Socket& connection, const SocketAddress&) {
        (void)connection.SendAll("hello");
        release.Wait(kPatience);
      },
      options);
  ASSERT_TRUE(server.Start().ok());
  absl::StatusOr<Socket> first = Socket::Connect(server.address(), kPatience);
  ASSERT_TRUE(first.ok());
  ASSERT_EQ(*first->Recv(16, kPatience), "hello");  // it holds the slot
  for (int i = 0; i < 3; ++i) {
    absl::StatusOr<Socket> extra =
        Socket::Connect(server.address(), kPatience);
    ASSERT_TRUE(extra.ok());
    const absl::Status ended = ReadToEnd(*extra);  // EOF (or a reset)
    EXPECT_FALSE(absl::IsDeadlineExceeded(ended)) << ended;
  }
  EXPECT_EQ(server.stats().shed, 3u);
  EXPECT_EQ(server.connection_count(), 1);
  release.Set();
  server.Stop(kPatience);
}

}  // namespace
}  // namespace evergreen
