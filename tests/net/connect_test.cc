// CreateConnection: names, numeric hosts, several addresses, failures.
#include "net/connect.h"

#include <cstdlib>

#include "framework/greenlet.h"
#include "framework/hub.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace evergreen {
namespace {

using ::testing::HasSubstr;

class CreateConnectionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // /etc/hosts names "localhost"; keep the lookup local and quick.
    setenv("EVERGREEN_RESOLVER", "thread", 1);
  }
  void TearDown() override {
    Hub::DestroyCurrent();
    unsetenv("EVERGREEN_RESOLVER");
  }
};

TEST_F(CreateConnectionTest, ConnectsToANumericHost) {
  absl::StatusOr<Socket> listener =
      Socket::Listen(*SocketAddress::Parse("127.0.0.1:0"));
  ASSERT_TRUE(listener.ok());
  const std::uint16_t port = listener->LocalAddress()->port();
  auto acceptor = Spawn([&] { return listener->Accept(absl::Seconds(5)).ok(); });
  absl::StatusOr<Socket> s = CreateConnection("127.0.0.1", port, absl::Seconds(5));
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_TRUE(acceptor.Get());
}

TEST_F(CreateConnectionTest, ConnectsByNameTryingEachAddress) {
  // "localhost" may resolve to ::1 and 127.0.0.1; only the IPv4 one
  // listens, so an IPv6 attempt (if any) is refused and the next one wins.
  absl::StatusOr<Socket> listener =
      Socket::Listen(*SocketAddress::Parse("127.0.0.1:0"));
  ASSERT_TRUE(listener.ok());
  const std::uint16_t port = listener->LocalAddress()->port();
  auto acceptor = Spawn([&] { return listener->Accept(absl::Seconds(5)).ok(); });
  absl::StatusOr<Socket> s = CreateConnection("localhost", port, absl::Seconds(5));
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->PeerAddress()->HostString(), "127.0.0.1");
  EXPECT_TRUE(acceptor.Get());
}

TEST_F(CreateConnectionTest, RefusedEverywhereNamesTheFailure) {
  absl::StatusOr<Socket> listener =
      Socket::Listen(*SocketAddress::Parse("127.0.0.1:0"));
  ASSERT_TRUE(listener.ok());
  const std::uint16_t port = listener->LocalAddress()->port();
  listener->Close();
  absl::StatusOr<Socket> s = CreateConnection("127.0.0.1", port, absl::Seconds(5));
  EXPECT_EQ(s.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(s.status().message(), HasSubstr("Connection refused"));
}

TEST_F(CreateConnectionTest, UnknownNameIsNotFound) {
  absl::StatusOr<Socket> s =
      CreateConnection("no-such-host.invalid", 80, absl::Seconds(10));
  EXPECT_FALSE(s.ok());
  EXPECT_THAT(s.status().message(), HasSubstr("no-such-host.invalid"));
}

TEST_F(CreateConnectionTest, SourceAddressIsUsed) {
  absl::StatusOr<Socket> listener =
      Socket::Listen(*SocketAddress::Parse("127.0.0.1:0"));
  ASSERT_TRUE(listener.ok());
  const std::uint16_t port = listener->LocalAddress()->port();
  SocketAddress peer;
  auto acceptor = Spawn([&] {
    return listener->Accept(absl::Seconds(5), &peer).ok();
  });
  const SocketAddress source = *SocketAddress::Parse("127.0.0.2:0");
  absl::StatusOr<Socket> s =
      CreateConnection("127.0.0.1", port, absl::Seconds(5), &source);
  ASSERT_TRUE(s.ok()) << s.status();
  ASSERT_TRUE(acceptor.Get());
  EXPECT_EQ(peer.HostString(), "127.0.0.2");
}

}  // namespace
}  // namespace evergreen
