// B-D3 for the net layer: inside WithDeadline(d), socket I/O, accept, the
// TLS handshake and DNS on both resolvers fail with DeadlineExceeded by d,
// whatever longer timeout of their own they were given.
#include <string>

#include "absl/time/clock.h"
#include "framework/deadline.h"
#include "framework/greenlet.h"
#include "framework/hub.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "net/ares_resolver.h"
#include "net/socket.h"
#include "net/thread_resolver.h"
#include "net/tls_socket.h"
#include "tests/net/dnsmasq.h"
#include "tests/net/tls_fixture.h"

namespace evergreen {
namespace {

using ::evergreen::dns_testing::SilentUdpServer;
using ::testing::HasSubstr;

constexpr absl::Duration kDeadline = absl::Milliseconds(100);
constexpr absl::Duration kLong = absl::Hours(1);

class DeadlineNetTest : public TlsFixture {
 protected:
  // Runs `fn` under WithDeadline(kDeadline): DeadlineExceeded, not before
  // the deadline, long before the call's own timeout.
  template <typename F>
  void ExpectCutByDeadline(F&& fn) {
    const absl::Time start = absl::Now();
    const absl::Status status = WithDeadline(kDeadline, fn);
    const absl::Duration took = absl::Now() - start;
    EXPECT_EQ(status.code(), absl::StatusCode::kDeadlineExceeded) << status;
    EXPECT_THAT(status.message(), HasSubstr("deadline exceeded"));
    EXPECT_GE(took, kDeadline - absl::Milliseconds(1));
    EXPECT_LT(took, absl::Seconds(10));
  }
};

// B-D3
TEST_F(DeadlineNetTest, SocketRecvSendAndAcceptEndAtTheDeadline) {
  auto [client, server] = Pair();
  ExpectCutByDeadline([&] { return client.Recv(16, kLong).status(); });
  const std::string big(64 << 20, 'x');  // more than both buffers hold
  ExpectCutByDeadline([&] { return client.SendAll(big, kLong); });
  ExpectCutByDeadline([&] { return listener_.Accept(kLong).status(); });
}

// B-D3
TEST_F(DeadlineNetTest, TlsHandshakeWithASilentPeerEndsAtTheDeadline) {
  auto [client, server] = Pair();  // the server side never answers
  ExpectCutByDeadline([&, client = std::move(client)]() mutable {
    return TlsConnect(std::move(client), ClientContext(), "localhost", kLong)
        .status();
  });
}

// B-D3: c-ares keeps its own timers; the wait for its answer still ends at
// the caller's deadline.
TEST_F(DeadlineNetTest, AresLookupEndsAtTheDeadline) {
  SilentUdpServer silent;
  auto resolver = *AresResolver::Create(
      {.servers = {silent.server()}, .timeout = absl::Seconds(10), .tries = 3});
  ExpectCutByDeadline(
      [&] { return resolver->GetAddrInfo("alpha.test", 80).status(); });
}

// B-D3: the thread resolver waits on its thread pool; that wait ends at the
// deadline (the lookup finishes on its thread and is dropped).
TEST_F(DeadlineNetTest, ThreadResolverLookupEndsAtTheDeadline) {
  SilentUdpServer silent;
  auto resolver = *ThreadResolver::Create(
      {.servers = {silent.server()}, .timeout = absl::Seconds(1), .tries = 1});
  ExpectCutByDeadline(
      [&] { return resolver->GetAddrInfo("alpha.test", 80).status(); });
}

}  // namespace
}  // namespace evergreen
