// TCP_NODELAY by default, and no Nagle stall after a TLS 1.3 handshake
// (B-LR2).
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "absl/time/clock.h"
#include "framework/event.h"
#include "framework/event.h"
#include "gtest/gtest.h"
#include "net/stream_server.h"
#include "net/tls_stream_server.h"
#include "tests/net/tls_fixture.h"

namespace evergreen {
namespace {

int NoDelayOf(const Socket& socket) {
  int value = -1;
  socklen_t len = sizeof(value);
  if (getsockopt(socket.fd(), IPPROTO_TCP, TCP_NODELAY, &value, &len) != 0) {
    return -1;
  }
  return value;
}

class NoDelayTest : public TlsFixture {
 public:
  using TlsFixture::ClientContext;
  using TlsFixture::Pki;
  using TlsFixture::RoundTrip;
  using TlsFixture::ServerContext;
};

// B-LR2
TEST_F(NoDelayTest, ConnectedAndAcceptedSocketsHaveNoDelay) {
  auto [client, server] = Pair();
  EXPECT_EQ(NoDelayOf(client), 1);
  EXPECT_EQ(NoDelayOf(server), 1);
}

// B-LR2
TEST_F(NoDelayTest, SetNoDelayTurnsItOffPerSocket) {
  auto [client, server] = Pair();
  ASSERT_TRUE(client.SetNoDelay(false).ok());
  EXPECT_EQ(NoDelayOf(client), 0);
  EXPECT_EQ(NoDelayOf(server), 1);
}

// B-LR2
TEST_F(NoDelayTest, ServerOptionControlsAcceptedSockets) {
  for (bool on : {true, false}) {
    int seen = -2;
    Event served;
    StreamServerOptions options;
    options.tcp_nodelay = on;
    StreamServer server(
        *SocketAddress::Parse("127.0.0.1:0"),
        [&](Socket& connection, const SocketAddress&) {
          seen = NoDelayOf(connection);
          served.Set();
        },
        options);
    ASSERT_TRUE(server.Start().ok());
    absl::StatusOr<Socket> client =
        Socket::Connect(server.address(), absl::Seconds(5));
    ASSERT_TRUE(client.ok()) << client.status();
    ASSERT_TRUE(served.Wait(absl::Seconds(5)));
    EXPECT_EQ(seen, on ? 1 : 0) << "tcp_nodelay=" << on;
    server.Stop(absl::Seconds(5));
  }
}

// The median of the first echo round trips on new TLS connections to a
// server with `tcp_nodelay`.
absl::Duration FirstTlsRoundTrip(bool tcp_nodelay);

// B-LR2: the first reply after a TLS 1.3 handshake is not held back by
// Nagle behind the session tickets (it was ~40 ms: the delayed ACK).
TEST_F(NoDelayTest, FirstTls13ReplyIsNotDelayed) {
  // Generous: the stall this guards against is a delayed ACK (~40 ms).
  EXPECT_LT(FirstTlsRoundTrip(/*tcp_nodelay=*/true),
            absl::Milliseconds(20));
}

// B-LR2: with Nagle on, the tickets leave with the reply in one send, so
// there is still nothing unacknowledged for the reply to wait behind.
TEST_F(NoDelayTest, FirstTls13ReplyIsNotDelayedWithNagle) {
  EXPECT_LT(FirstTlsRoundTrip(/*tcp_nodelay=*/false),
            absl::Milliseconds(20));
}

absl::Duration FirstTlsRoundTrip(bool tcp_nodelay) {
  TlsStreamServerOptions options;
  options.tcp_nodelay = tcp_nodelay;
  TlsStreamServer server(
      *SocketAddress::Parse("127.0.0.1:0"),
      NoDelayTest::ServerContext(NoDelayTest::Pki().server),
      [](TlsSocket& tls, const SocketAddress&) {
        absl::StatusOr<std::string> data = tls.Read(4096, absl::Seconds(10));
        if (!data.ok() || data->empty()) return;
        (void)tls.WriteAll(*data, absl::Seconds(10));
        (void)tls.Read(16, absl::Seconds(10));  // until the client leaves
      },
      options);
  EXPECT_TRUE(server.Start().ok());
  const TlsContext client_context = NoDelayTest::ClientContext();
  std::vector<absl::Duration> round_trips;
  for (int i = 0; i < 7; ++i) {
    absl::StatusOr<Socket> tcp =
        Socket::Connect(server.address(), absl::Seconds(5));
    if (!tcp.ok()) return absl::InfiniteDuration();
    absl::StatusOr<TlsSocket> tls = TlsConnect(*std::move(tcp), client_context,
                                               "localhost", absl::Seconds(5));
    EXPECT_TRUE(tls.ok()) << tls.status();
    if (!tls.ok()) return absl::InfiniteDuration();
    EXPECT_EQ(tls->protocol_version(), "TLSv1.3");
    const absl::Time start = absl::Now();
    EXPECT_EQ(NoDelayTest::RoundTrip(*tls, "first"), "first");
    round_trips.push_back(absl::Now() - start);
  }
  std::sort(round_trips.begin(), round_trips.end());
  const absl::Duration median = round_trips[round_trips.size() / 2];
  std::printf("first TLS 1.3 round trip, tcp_nodelay=%d: median %s (min %s, "
              "max %s)\n",
              tcp_nodelay,
              absl::FormatDuration(median).c_str(),
              absl::FormatDuration(round_trips.front()).c_str(),
              absl::FormatDuration(round_trips.back()).c_str());
  server.Stop(absl::Seconds(5));
  return median;
}

}  // namespace
}  // namespace evergreen
