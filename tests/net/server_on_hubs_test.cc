// ServerOnHubs: StreamServer, TlsStreamServer, DatagramServer and HttpServer
// listening on every hub of a HubGroup with SO_REUSEPORT (B-M1): the
// kernel spreads clients over all of them; one address is reported; Stop
// stops all. Clients run on the test's own (main thread) hub.
#include "net/server_on_hubs.h"

#include <memory>
#include <set>
#include <string>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "framework/hub.h"
#include "framework/hub_group.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "net/datagram_server.h"
#include "net/http/server.h"
#include "net/socket.h"
#include "net/stream_server.h"
#include "net/tls_context.h"
#include "net/tls_socket.h"
#include "net/tls_stream_server.h"
#include "tests/net/test_certs.h"

namespace evergreen {
namespace {

using ::testing::HasSubstr;

// Generous bounds: connections tried before giving up on seeing every hub
// (the chance that 200 hashed connections all land on one of two hubs is
// 2^-199).
constexpr int kMaxAttempts = 200;
const absl::Duration kIo = absl::Seconds(30);

class ServerOnHubsTest : public ::testing::Test {
 protected:
  void TearDown() override { Hub::DestroyCurrent(); }
  static SocketAddress AnyPort() { return *SocketAddress::Parse("127.0.0.1:0"); }
};

// Each connection is answered with the index of the hub that accepted it.
std::unique_ptr<StreamServer> HubNamingServer(const SocketAddress& address,
                                              int hub) {
  StreamServerOptions options;
  options.reuse_port = true;
  return std::make_unique<StreamServer>(
      address,
      [hub](Socket& connection, const SocketAddress&) {
        (void)connection.SendAll(absl::StrCat(hub), kIo);
      },
      options);
}

// Connects until every hub has answered (or kMaxAttempts); returns the hubs
// seen.
std::set<int> HubsReachedOverTcp(const SocketAddress& address, int hubs) {
  std::set<int> seen;
  for (int i = 0; i < kMaxAttempts && static_cast<int>(seen.size()) < hubs;
       ++i) {
    absl::StatusOr<Socket> client = Socket::Connect(address, kIo);
    if (!client.ok()) {
      ADD_FAILURE() << client.status();
      break;
    }
    absl::StatusOr<std::string> reply = client->Recv(16, kIo);
    int hub = -1;
    if (!reply.ok() || !absl::SimpleAtoi(*reply, &hub)) {
      ADD_FAILURE() << "bad reply";
      break;
    }
    seen.insert(hub);
  }
  return seen;
}

// B-M1
TEST_F(ServerOnHubsTest, StreamServersOnEveryHubShareOnePortAndAllServe) {
  HubGroup hubs({.threads = 2});
  auto servers =
      ServerOnHubs<StreamServer>::Start(hubs, AnyPort(), HubNamingServer);
  ASSERT_TRUE(servers.ok()) << servers.status();
  EXPECT_NE((*servers)->address().port(), 0);  // reported once, real port
  EXPECT_EQ(HubsReachedOverTcp((*servers)->address(), 2),
            (std::set<int>{0, 1}));
  // Each hub's server counted its own connections.
  std::vector<std::uint64_t> accepted = (*servers)->ForEach(
      [](StreamServer& server, int) { return server.stats().accepted; });
  ASSERT_EQ(accepted.size(), 2u);
  EXPECT_GT(accepted[0], 0u);
  EXPECT_GT(accepted[1], 0u);
  // B-M1: Stop stops all: the port refuses new clients.
  (*servers)->Stop(absl::Seconds(5));
  EXPECT_FALSE(Socket::Connect((*servers)->address(), kIo).ok());
  hubs.Stop();
}

TEST_F(ServerOnHubsTest, WithoutReusePortTheSecondHubFailsNamingItself) {
  HubGroup hubs({.threads = 2});
  auto servers = ServerOnHubs<StreamServer>::Start(
      hubs, AnyPort(), [](const SocketAddress& address, int) {
        return std::make_unique<StreamServer>(
            address, [](Socket&, const SocketAddress&) {});  // no reuse_port
      });
  ASSERT_FALSE(servers.ok());
  EXPECT_THAT(servers.status().message(), HasSubstr("hub 1: bind"));
  hubs.Stop();
}

TEST_F(ServerOnHubsTest, StoppingTheGroupStopsItsServers) {
  HubGroup hubs({.threads = 2});
  auto servers =
      ServerOnHubs<StreamServer>::Start(hubs, AnyPort(), HubNamingServer);
  ASSERT_TRUE(servers.ok()) << servers.status();
  const SocketAddress address = (*servers)->address();
  hubs.Stop();  // the AtStop hooks stop and destroy every hub's server
  EXPECT_FALSE(Socket::Connect(address, kIo).ok());
  servers->reset();  // nothing left to stop: returns at once
}

TEST_F(ServerOnHubsTest, DatagramServersOnEveryHubAllServe) {
  HubGroup hubs({.threads = 2});
  auto servers = ServerOnHubs<DatagramServer>::Start(
      hubs, AnyPort(), [](const SocketAddress& address, int hub) {
        DatagramServerOptions options;
        options.reuse_port = true;
        return std::make_unique<DatagramServer>(
            address,
            [hub](absl::string_view, const SocketAddress& from,
                  DatagramServer& server) {
              (void)server.SendTo(absl::StrCat(hub), from, kIo);
            },
            options);
      });
  ASSERT_TRUE(servers.ok()) << servers.status();
  std::set<int> seen;
  for (int i = 0; i < kMaxAttempts && seen.size() < 2; ++i) {
    // A new source port each time: the kernel hashes the 4-tuple.
    absl::StatusOr<Socket> client = Socket::Create(AF_INET, SOCK_DGRAM);
    ASSERT_TRUE(client.ok()) << client.status();
    ASSERT_TRUE(client->SendTo("which?", (*servers)->address(), kIo).ok());
    char buffer[16];
    SocketAddress from;
    absl::StatusOr<std::size_t> n =
        client->RecvFrom(buffer, sizeof(buffer), &from, kIo);
    ASSERT_TRUE(n.ok()) << n.status();
    int hub = -1;
    ASSERT_TRUE(absl::SimpleAtoi(absl::string_view(buffer, *n), &hub));
    seen.insert(hub);
  }
  EXPECT_EQ(seen, (std::set<int>{0, 1}));
  (*servers)->Stop(absl::Seconds(5));
  hubs.Stop();
}

TEST_F(ServerOnHubsTest, TlsStreamServersOnEveryHubAllServe) {
  const TestPki& pki = TestCertificates();
  TlsServerOptions server_options;
  server_options.certificate = pki.server.AsCertificate();
  absl::StatusOr<TlsContext> server_context = TlsContext::Server(server_options);
  ASSERT_TRUE(server_context.ok()) << server_context.status();
  TlsClientOptions client_options;
  client_options.ca = PemSource::Text(pki.ca_pem);
  absl::StatusOr<TlsContext> client_context = TlsContext::Client(client_options);
  ASSERT_TRUE(client_context.ok()) << client_context.status();

  HubGroup hubs({.threads = 2});
  auto servers = ServerOnHubs<TlsStreamServer>::Start(
      hubs, AnyPort(),
      [context = *server_context](const SocketAddress& address, int hub) {
        TlsStreamServerOptions options;
        options.reuse_port = true;
        return std::make_unique<TlsStreamServer>(
            address, context,
            [hub](TlsSocket& connection, const SocketAddress&) {
              (void)connection.WriteAll(absl::StrCat(hub), kIo);
            },
            options);
      });
  ASSERT_TRUE(servers.ok()) << servers.status();
  std::set<int> seen;
  for (int i = 0; i < kMaxAttempts && seen.size() < 2; ++i) {
    absl::StatusOr<Socket> plain = Socket::Connect((*servers)->address(), kIo);
    ASSERT_TRUE(plain.ok()) << plain.status();
    absl::StatusOr<TlsSocket> tls =
        TlsConnect(*std::move(plain), *client_context, "localhost", kIo);
    ASSERT_TRUE(tls.ok()) << tls.status();
    absl::StatusOr<std::string> reply = tls->Read(16, kIo);
    ASSERT_TRUE(reply.ok()) << reply.status();
    int hub = -1;
    ASSERT_TRUE(absl::SimpleAtoi(*reply, &hub));
    seen.insert(hub);
  }
  EXPECT_EQ(seen, (std::set<int>{0, 1}));
  (*servers)->Stop(absl::Seconds(5));
  hubs.Stop();
}

TEST_F(ServerOnHubsTest, HttpServersOnEveryHubAllServe) {
  HubGroup hubs({.threads = 2});
  auto servers = ServerOnHubs<HttpServer>::Start(
      hubs, AnyPort(), [](const SocketAddress& address, int hub) {
        HttpServerOptions options;
        options.stream.reuse_port = true;
        return std::make_unique<HttpServer>(
            address,
            [hub](HttpRequest&, HttpResponse& response) {
              (void)response.Send(200, absl::StrCat("hub=", hub));
            },
            options);
      });
  ASSERT_TRUE(servers.ok()) << servers.status();
  std::set<std::string> seen;
  for (int i = 0; i < kMaxAttempts && seen.size() < 2; ++i) {
    absl::StatusOr<Socket> client = Socket::Connect((*servers)->address(), kIo);
    ASSERT_TRUE(client.ok()) << client.status();
    ASSERT_TRUE(client
                    ->SendAll("GET / HTTP/1.1\r\nHost: x\r\n"
                              "Connection: close\r\n\r\n",
                              kIo)
                    .ok());
    std::string response;
    for (int reads = 0; reads < 100; ++reads) {
      absl::StatusOr<std::string> data = client->Recv(4096, kIo);
      ASSERT_TRUE(data.ok()) << data.status();
      if (data->empty()) break;
      response += *data;
    }
    ASSERT_THAT(response, HasSubstr("200"));
    seen.insert(response.substr(response.find("hub=")));
  }
  EXPECT_EQ(seen, (std::set<std::string>{"hub=0", "hub=1"}));
  (*servers)->Stop(absl::Seconds(5));
  hubs.Stop();
}

}  // namespace
}  // namespace evergreen
