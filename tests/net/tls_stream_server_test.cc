// TlsStreamServer: handshakes in the connection's greenlet, bad clients
// counted and dropped while good ones are served (B-X3, B-X4 at the
// server level).
#include "net/tls_stream_server.h"

#include <string>

#include "framework/greenlet.h"
#include "framework/hub.h"
#include "gtest/gtest.h"
#include "tests/net/tls_fixture.h"

namespace evergreen {
namespace {

class TlsStreamServerTest : public TlsFixture {
 protected:
  // An echo server over TLS on an ephemeral port.
  std::unique_ptr<TlsStreamServer> EchoServer(TlsContext context,
                                              absl::Duration handshake) {
    TlsStreamServerOptions options;
    options.handshake_timeout = handshake;
    auto server = std::make_unique<TlsStreamServer>(
        *SocketAddress::Parse("127.0.0.1:0"), std::move(context),
        [](TlsSocket& tls, const SocketAddress&) {
          for (;;) {
            absl::StatusOr<std::string> data = tls.Read(4096, absl::Seconds(10));
            if (!data.ok() || data->empty()) return;
            if (!tls.WriteAll(*data, absl::Seconds(10)).ok()) return;
          }
        },
        options);
    absl::Status started = server->Start();
    EXPECT_TRUE(started.ok()) << started;
    return server;
  }

  absl::StatusOr<TlsSocket> Dial(const TlsStreamServer& server,
                                 const TlsContext& client) {
    absl::StatusOr<Socket> tcp =
        Socket::Connect(server.address(), absl::Seconds(5));
    if (!tcp.ok()) return tcp.status();
    return TlsConnect(*std::move(tcp), client, "localhost", absl::Seconds(5));
  }
};

TEST_F(TlsStreamServerTest, ServesEchoOverTls) {
  auto server = EchoServer(ServerContext(Pki().server), absl::Seconds(5));
  absl::StatusOr<TlsSocket> tls = Dial(*server, ClientContext());
  ASSERT_TRUE(tls.ok()) << tls.status();
  EXPECT_EQ(RoundTrip(*tls, "over tls"), "over tls");
  EXPECT_TRUE(tls->Shutdown(absl::Seconds(5)).ok());
  server->Stop(absl::Seconds(5));
  EXPECT_EQ(server->handshake_failures(), 0u);
}

// B-X3
TEST_F(TlsStreamServerTest, BadClientCertificateIsDroppedAndOthersServed) {
  auto server = EchoServer(
      ServerContext(Pki().server,
                    [](TlsServerOptions& o) {
                      o.client_auth = ClientAuth::kRequire;
                      o.client_ca = PemSource::Text(Pki().ca_pem);
                    }),
      absl::Seconds(5));
  absl::StatusOr<TlsSocket> anonymous = Dial(*server, ClientContext());
  if (anonymous.ok()) {  // TLS 1.3: the refusal arrives with the first read
    EXPECT_FALSE(anonymous->Read(16, absl::Seconds(5)).ok());
  }
  absl::StatusOr<TlsSocket> good = Dial(*server, ClientContext([](TlsClientOptions& o) {
    o.certificate = Pki().client.AsCertificate();
  }));
  ASSERT_TRUE(good.ok()) << good.status();
  EXPECT_EQ(RoundTrip(*good, "still serving"), "still serving");
  server->Stop(absl::Seconds(5));
  EXPECT_EQ(server->handshake_failures(), 1u);
}

// B-X4
TEST_F(TlsStreamServerTest, SilentClientTimesOutWithoutStallingOthers) {
  auto server = EchoServer(ServerContext(Pki().server), absl::Milliseconds(200));
  absl::StatusOr<Socket> silent =
      Socket::Connect(server->address(), absl::Seconds(5));
  ASSERT_TRUE(silent.ok());
  absl::StatusOr<TlsSocket> good = Dial(*server, ClientContext());
  ASSERT_TRUE(good.ok()) << good.status();  // served while `silent` waits
  EXPECT_EQ(RoundTrip(*good, "ping"), "ping");
  // The silent one is cut off at its handshake timeout.
  absl::StatusOr<std::string> eof = silent->Recv(16, absl::Seconds(5));
  EXPECT_TRUE(!eof.ok() || eof->empty());
  server->Stop(absl::Seconds(5));
  EXPECT_EQ(server->handshake_failures(), 1u);
}

}  // namespace
}  // namespace evergreen
