// TLS handshakes: verification (B-X1), renegotiation (B-X2), client
// certificates (B-X3), SNI, ALPN, session resumption, context errors.
#include <openssl/ssl.h>
#include <unistd.h>

#include <cstdio>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "net/tls_context.h"
#include "net/tls_socket.h"
#include "tests/net/tls_fixture.h"

namespace evergreen {
namespace {

using ::testing::HasSubstr;

using TlsTest = TlsFixture;

TEST_F(TlsTest, HandshakeChecksTheHostNameAndEchoes) {
  Ends ends = Connect(ClientContext(), ServerContext(Pki().server));
  ASSERT_TRUE(ends.client.ok()) << ends.client.status();
  ASSERT_TRUE(ends.server.ok()) << ends.server.status();
  TlsSocket& client = *ends.client;
  TlsSocket& server = *ends.server;
  EXPECT_EQ(client.protocol_version(), "TLSv1.3");
  EXPECT_THAT(client.peer_subject(), HasSubstr("CN=localhost"));
  EXPECT_EQ(server.peer_subject(), "");  // no client certificate
  EXPECT_FALSE(client.session_reused());
  // SNI carried the name.
  const char* sni =
      SSL_get_servername(server.native_handle(), TLSEXT_NAMETYPE_host_name);
  ASSERT_NE(sni, nullptr);
  EXPECT_STREQ(sni, "localhost");

  auto echo = SpawnEcho(server);
  EXPECT_EQ(RoundTrip(client, "hello, tls"), "hello, tls");
  // close_notify ends the peer's reads cleanly, both ways.
  ASSERT_TRUE(client.Shutdown(absl::Seconds(5)).ok());
  absl::StatusOr<std::string> end = client.Read(10, absl::Seconds(5));
  ASSERT_TRUE(end.ok()) << end.status();
  EXPECT_EQ(*end, "");
  echo.Join();
}

TEST_F(TlsTest, AnIpAddressIsCheckedAgainstTheCertificateWithoutSni) {
  Ends ends =
      Connect(ClientContext(), ServerContext(Pki().server), "127.0.0.1");
  ASSERT_TRUE(ends.client.ok()) << ends.client.status();
  ASSERT_TRUE(ends.server.ok()) << ends.server.status();
  EXPECT_EQ(SSL_get_servername(ends.server->native_handle(),
                               TLSEXT_NAMETYPE_host_name),
            nullptr);

  Ends wrong =
      Connect(ClientContext(), ServerContext(Pki().server), "127.0.0.2");
  EXPECT_EQ(wrong.client.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_THAT(std::string(wrong.client.status().message()),
              HasSubstr("IP address mismatch"));
}

// B-X1
struct BadServer {
  const char* name;
  const TestIdentity TestPki::*identity;
  const char* reason;
};

class TlsVerificationTest : public TlsFixture,
                            public ::testing::WithParamInterface<BadServer> {};

TEST_P(TlsVerificationTest, HandshakeFailsNamingTheReason) {
  const BadServer& bad = GetParam();
  Ends ends = Connect(ClientContext(), ServerContext(Pki().*bad.identity));
  const absl::Status& status = ends.client.status();
  EXPECT_EQ(status.code(), absl::StatusCode::kUnauthenticated) << status;
  EXPECT_THAT(std::string(status.message()), HasSubstr(bad.reason));
  EXPECT_THAT(std::string(status.message()),
              HasSubstr("TLS handshake with localhost (127.0.0.1:"));
  // The client's alert fails the server's side too.
  EXPECT_FALSE(ends.server.ok());
}

INSTANTIATE_TEST_SUITE_P(
    BadCertificates, TlsVerificationTest,
    ::testing::Values(BadServer{"Expired", &TestPki::expired_server,
                                "certificate has expired"},
                      BadServer{"NotYetValid", &TestPki::future_server,
                                "certificate is not yet valid"},
                      BadServer{"WrongHost", &TestPki::wrong_host_server,
                                "hostname mismatch"},
                      BadServer{"UnknownCa", &TestPki::untrusted_server,
                                "unable to get local issuer certificate"}),
    [](const ::testing::TestParamInfo<BadServer>& info) {
      return std::string(info.param.name);
    });

TEST_F(TlsTest, WithoutVerificationAnyServerIsAccepted) {
  TlsContext trusting =
      ClientContext([](TlsClientOptions& o) { o.verify_peer = false; });
  Ends ends = Connect(trusting, ServerContext(Pki().untrusted_server), "");
  ASSERT_TRUE(ends.client.ok()) << ends.client.status();
  ASSERT_TRUE(ends.server.ok()) << ends.server.status();
}

TEST_F(TlsTest, TrustedCasMayComeFromAFile) {
  const std::string path =
      absl::StrCat(::testing::TempDir(), "/evergreen-ca-", getpid(), ".pem");
  FILE* file = std::fopen(path.c_str(), "w");
  ASSERT_NE(file, nullptr);
  std::fputs(Pki().ca_pem.c_str(), file);
  std::fclose(file);
  TlsContext client =
      ClientContext([&](TlsClientOptions& o) { o.ca = PemSource::File(path); });
  Ends ends = Connect(client, ServerContext(Pki().server));
  EXPECT_TRUE(ends.client.ok()) << ends.client.status();
  unlink(path.c_str());
}

// B-X2: a TLS 1.2 peer asks for renegotiation; ours refuses, so the peer's
// attempt fails and the connection ends in an error, never a renegotiation.
TEST_F(TlsTest, RenegotiationRequestedByTheClientIsRefused) {
  auto [tcp_client, tcp_server] = Pair();
  absl::StatusOr<TlsSocket> client =
      TlsSocket::Client(std::move(tcp_client), ClientContext(), "localhost");
  ASSERT_TRUE(client.ok()) << client.status();
  SSL* peer = client->native_handle();
  SSL_set_max_proto_version(peer, TLS1_2_VERSION);  // no renegotiation in 1.3
  TlsContext server_context = ServerContext(Pki().server);
  std::optional<absl::StatusOr<TlsSocket>> server;
  auto acceptor = Spawn([&, s = std::move(tcp_server)]() mutable {
    server = TlsAccept(std::move(s), server_context, absl::Seconds(5));
  });
  ASSERT_TRUE(client->Handshake(absl::Seconds(5)).ok());
  acceptor.Join();
  ASSERT_TRUE(server->ok()) << server->status();
  EXPECT_EQ(client->protocol_version(), "TLSv1.2");

  // Make our client misbehave: allow and start a renegotiation.
  SSL_clear_options(peer, SSL_OP_NO_RENEGOTIATION);
  ASSERT_EQ(SSL_renegotiate(peer), 1);
  auto server_read =
      Spawn([&] { return (*server)->Read(100, absl::Seconds(5)).status(); });
  absl::StatusOr<std::string> got = client->Read(100, absl::Seconds(5));
  EXPECT_THAT(std::string(got.status().message()),
              HasSubstr("no renegotiation"));
  const absl::Status server_status = server_read.Get();
  EXPECT_FALSE(server_status.ok());
  EXPECT_THAT(std::string(server_status.message()),
              HasSubstr("alert handshake failure"));
  EXPECT_EQ(SSL_num_renegotiations((*server)->native_handle()), 0);
}

TEST_F(TlsTest, RenegotiationRequestedByTheServerIsRefused) {
  auto [tcp_client, tcp_server] = Pair();
  absl::StatusOr<TlsSocket> client =
      TlsSocket::Client(std::move(tcp_client), ClientContext(), "localhost");
  ASSERT_TRUE(client.ok()) << client.status();
  SSL_set_max_proto_version(client->native_handle(), TLS1_2_VERSION);
  TlsContext server_context = ServerContext(Pki().server);
  std::optional<absl::StatusOr<TlsSocket>> server;
  auto acceptor = Spawn([&, s = std::move(tcp_server)]() mutable {
    server = TlsAccept(std::move(s), server_context, absl::Seconds(5));
  });
  ASSERT_TRUE(client->Handshake(absl::Seconds(5)).ok());
  acceptor.Join();
  ASSERT_TRUE(server->ok()) << server->status();

  SSL* peer = (*server)->native_handle();
  SSL_clear_options(peer, SSL_OP_NO_RENEGOTIATION);
  ASSERT_EQ(SSL_renegotiate(peer), 1);
  auto server_side = Spawn([&]() -> absl::Status {
    absl::Status sent = (*server)->WriteAll("x", absl::Seconds(5));
    if (!sent.ok()) return sent;
    return (*server)->Read(100, absl::Seconds(5)).status();
  });
  // Our client ignores the hello request (answering no_renegotiation); the
  // server, having asked, gives up on the connection.
  std::string seen;
  absl::Status client_status;
  for (;;) {
    absl::StatusOr<std::string> got = client->Read(100, absl::Seconds(5));
    if (!got.ok()) {
      client_status = got.status();
      break;
    }
    if (got->empty()) break;
    seen += *got;
  }
  const absl::Status server_status = server_side.Get();
  EXPECT_THAT(std::string(server_status.message()),
              HasSubstr("no renegotiation"));
  EXPECT_THAT(std::string(client_status.message()),
              HasSubstr("alert handshake failure"));
  EXPECT_EQ(SSL_num_renegotiations(client->native_handle()), 0);
}

// B-X3: one server, three clients in a row: without a certificate, with one
// from an unknown CA, with a good one. The first two fail; the server goes
// on serving and the third is echoed.
TEST_F(TlsTest, RequiredClientCertificateRefusesBadClientsAndServesOthers) {
  TlsContext server_context =
      ServerContext(Pki().server, [](TlsServerOptions& o) {
        o.client_auth = ClientAuth::kRequire;
        o.client_ca = PemSource::Text(Pki().ca_pem);
      });
  constexpr int kClients = 3;
  std::vector<absl::Status> handshakes(kClients);
  std::vector<std::string> subjects(kClients);
  std::vector<Greenlet<void>> handlers;
  auto acceptor = Spawn([&] {
    for (int i = 0; i < kClients; ++i) {
      absl::StatusOr<Socket> conn = listener_.Accept(absl::Seconds(5));
      if (!conn.ok()) return;
      handlers.push_back(Spawn([&, i, conn = *std::move(conn)]() mutable {
        absl::StatusOr<TlsSocket> tls =
            TlsAccept(std::move(conn), server_context, absl::Seconds(5));
        handshakes[i] = tls.status();
        if (!tls.ok()) return;
        subjects[i] = tls->peer_subject();
        SpawnEcho(*tls).Join();
      }));
    }
  });

  // TLS 1.3 clients finish their side first; the server's verdict arrives
  // as an alert on their first read.
  auto try_client = [&](TlsContext context) -> std::string {
    absl::StatusOr<Socket> tcp = Socket::Connect(address_, absl::Seconds(5));
    if (!tcp.ok()) return tcp.status().ToString();
    absl::StatusOr<TlsSocket> tls =
        TlsConnect(*std::move(tcp), context, "localhost", absl::Seconds(5));
    if (!tls.ok()) return tls.status().ToString();
    return RoundTrip(*tls, "ping");
  };
  EXPECT_THAT(try_client(ClientContext()), HasSubstr("certificate required"));
  EXPECT_THAT(try_client(ClientContext([](TlsClientOptions& o) {
                o.certificate = Pki().untrusted_client.AsCertificate();
              })),
              HasSubstr("unknown ca"));
  EXPECT_EQ(try_client(ClientContext([](TlsClientOptions& o) {
              o.certificate = Pki().client.AsCertificate();
            })),
            "ping");

  acceptor.Join();
  for (auto& handler : handlers) handler.Join();
  EXPECT_EQ(handshakes[0].code(), absl::StatusCode::kUnauthenticated);
  EXPECT_THAT(std::string(handshakes[0].message()),
              HasSubstr("peer did not return a certificate"));
  EXPECT_EQ(handshakes[1].code(), absl::StatusCode::kUnauthenticated);
  EXPECT_THAT(std::string(handshakes[1].message()),
              HasSubstr("unable to get local issuer certificate"));
  EXPECT_TRUE(handshakes[2].ok()) << handshakes[2];
  EXPECT_THAT(subjects[2], HasSubstr("CN=evergreen test client"));
}

TEST_F(TlsTest, OptionalClientCertificateLetsClientsWithoutOneIn) {
  TlsContext server_context =
      ServerContext(Pki().server, [](TlsServerOptions& o) {
        o.client_auth = ClientAuth::kOptional;
        o.client_ca = PemSource::Text(Pki().ca_pem);
      });
  Ends anonymous = Connect(ClientContext(), server_context);
  ASSERT_TRUE(anonymous.server.ok()) << anonymous.server.status();
  EXPECT_EQ(anonymous.server->peer_subject(), "");

  Ends known = Connect(ClientContext([](TlsClientOptions& o) {
                         o.certificate = Pki().client.AsCertificate();
                       }),
                       server_context);
  ASSERT_TRUE(known.server.ok()) << known.server.status();
  EXPECT_THAT(known.server->peer_subject(),
              HasSubstr("CN=evergreen test client"));
}

TEST_F(TlsTest, AlpnChoosesTheServersFavouriteAmongThoseOffered) {
  TlsContext server = ServerContext(Pki().server, [](TlsServerOptions& o) {
    o.alpn = {"h2", "http/1.1"};
  });
  Ends ends = Connect(ClientContext([](TlsClientOptions& o) {
                        o.alpn = {"http/1.1", "h2"};
                      }),
                      server);
  ASSERT_TRUE(ends.client.ok()) << ends.client.status();
  ASSERT_TRUE(ends.server.ok()) << ends.server.status();
  EXPECT_EQ(ends.client->alpn(), "h2");
  EXPECT_EQ(ends.server->alpn(), "h2");

  Ends none = Connect(
      ClientContext([](TlsClientOptions& o) { o.alpn = {"spdy/3"}; }), server);
  ASSERT_TRUE(none.client.ok()) << none.client.status();
  EXPECT_EQ(none.client->alpn(), "");
  EXPECT_EQ(none.server->alpn(), "");
}

// The first connection is a full handshake; the second, to the same
// host:port with the same client context, resumes the session.
TEST_F(TlsTest, SecondConnectionResumesTheSession) {
  TlsContext server_context = ServerContext(Pki().server);
  for (int max_version : {TLS1_3_VERSION, TLS1_2_VERSION}) {
    TlsContext client_context = ClientContext();
    SSL_CTX_set_max_proto_version(client_context.native_handle(), max_version);
    for (int i = 0; i < 2; ++i) {
      Ends ends = Connect(client_context, server_context);
      ASSERT_TRUE(ends.client.ok()) << ends.client.status();
      ASSERT_TRUE(ends.server.ok()) << ends.server.status();
      // TLS 1.3 tickets arrive after the handshake: a read takes them in.
      auto echo = SpawnEcho(*ends.server);
      EXPECT_EQ(RoundTrip(*ends.client, "x"), "x");
      EXPECT_EQ(ends.client->session_reused(), i == 1)
          << ends.client->protocol_version() << " connection " << i;
      EXPECT_EQ(ends.server->session_reused(), i == 1);
      ASSERT_TRUE(ends.client->Shutdown(absl::Seconds(5)).ok());
      echo.Join();
    }
    // Sessions are filed by server name: another name starts afresh.
    Ends other = Connect(client_context, server_context, "127.0.0.1");
    ASSERT_TRUE(other.client.ok()) << other.client.status();
    EXPECT_FALSE(other.client->session_reused());
  }
}

// OpenSSL's rule: a connection dropped without close_notify may have been
// cut by an attacker, so its session is not offered again.
TEST_F(TlsTest, ASessionEndedWithoutCloseNotifyIsNotResumed) {
  TlsContext server_context = ServerContext(Pki().server);
  TlsContext client_context = ClientContext();
  for (int i = 0; i < 2; ++i) {
    Ends ends = Connect(client_context, server_context);
    ASSERT_TRUE(ends.client.ok()) << ends.client.status();
    auto echo = SpawnEcho(*ends.server);
    EXPECT_EQ(RoundTrip(*ends.client, "x"), "x");
    EXPECT_FALSE(ends.client->session_reused());
    ends.client->Close();
    echo.Join();
  }
}

TEST_F(TlsTest, TheSessionCacheKeepsAtMostItsSize) {
  TlsContext server_context = ServerContext(Pki().server);
  TlsContext client_context =
      ClientContext([](TlsClientOptions& o) { o.session_cache_size = 1; });
  auto connect = [&](absl::string_view name) {
    Ends ends = Connect(client_context, server_context, name);
    EXPECT_TRUE(ends.client.ok()) << ends.client.status();
    if (!ends.client.ok() || !ends.server.ok()) return false;
    auto echo = SpawnEcho(*ends.server);
    EXPECT_EQ(RoundTrip(*ends.client, "x"), "x");
    const bool reused = ends.client->session_reused();
    EXPECT_TRUE(ends.client->Shutdown(absl::Seconds(5)).ok());
    echo.Join();
    return reused;
  };
  EXPECT_FALSE(connect("localhost"));
  EXPECT_TRUE(connect("localhost"));
  EXPECT_FALSE(connect("127.0.0.1"));  // evicts localhost's session
  EXPECT_FALSE(connect("localhost"));
}

TEST_F(TlsTest, NoResumptionWithoutASessionCache) {
  TlsContext server_context = ServerContext(Pki().server);
  TlsContext client_context =
      ClientContext([](TlsClientOptions& o) { o.session_cache_size = 0; });
  for (int i = 0; i < 2; ++i) {
    Ends ends = Connect(client_context, server_context);
    ASSERT_TRUE(ends.client.ok()) << ends.client.status();
    auto echo = SpawnEcho(*ends.server);
    EXPECT_EQ(RoundTrip(*ends.client, "x"), "x");
    EXPECT_FALSE(ends.client->session_reused());
    ASSERT_TRUE(ends.client->Shutdown(absl::Seconds(5)).ok());
    echo.Join();
  }
}

// --- Contexts and misuse. ---

TEST(TlsContextTest, AMissingFileIsNamedWithItsErrno) {
  TlsServerOptions options;
  options.certificate = {PemSource::File("/nonexistent/chain.pem"),
                         PemSource::File("/nonexistent/key.pem")};
  absl::StatusOr<TlsContext> context = TlsContext::Server(options);
  EXPECT_EQ(context.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(context.status().message(),
            "loading certificate chain /nonexistent/chain.pem: No such file "
            "or directory");
}

TEST(TlsContextTest, UnusablePemIsRefusedNamingTheReason) {
  TlsServerOptions options;
  options.certificate = {PemSource::Text("not a certificate"),
                         PemSource::Text(TestCertificates().server.key_pem)};
  absl::StatusOr<TlsContext> context = TlsContext::Server(options);
  EXPECT_EQ(context.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(context.status().message()),
              HasSubstr("loading certificate chain (in-memory PEM): "));
  EXPECT_THAT(std::string(context.status().message()),
              HasSubstr("no start line"));

  options.certificate.private_key =
      PemSource::Text(TestCertificates().client.key_pem);  // someone else's
  options.certificate.chain =
      PemSource::Text(TestCertificates().server.cert_pem);
  context = TlsContext::Server(options);
  EXPECT_EQ(context.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(context.status().message()),
              HasSubstr("using private key (in-memory PEM) with certificate"));
  EXPECT_THAT(std::string(context.status().message()),
              HasSubstr("key values mismatch"));
}

TEST(TlsContextTest, OptionsAreValidated) {
  TlsServerOptions server;
  server.certificate = TestCertificates().server.AsCertificate();
  server.client_auth = ClientAuth::kRequire;  // but no client_ca
  EXPECT_THAT(std::string(TlsContext::Server(server).status().message()),
              HasSubstr("client_ca is required"));

  TlsClientOptions client;
  client.alpn = {""};
  EXPECT_EQ(TlsContext::Client(client).status().code(),
            absl::StatusCode::kInvalidArgument);
  client.alpn.clear();
  client.ca = PemSource::Text("garbage");
  EXPECT_EQ(TlsContext::Client(client).status().code(),
            absl::StatusCode::kInvalidArgument);
  client.ca = PemSource();
  EXPECT_TRUE(TlsContext::Client(client).ok());  // the system CAs
}

TEST_F(TlsTest, WrappingIsRefusedForTheWrongSideOrAMissingName) {
  auto [client, server] = Pair();
  EXPECT_EQ(
      TlsSocket::Server(std::move(server), ClientContext()).status().code(),
      absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(
      std::string(TlsSocket::Client(std::move(client), ClientContext(), "")
                      .status()
                      .message()),
      HasSubstr("server name is required"));
}

TEST_F(TlsTest, ReadAndWriteBeforeTheHandshakeAreRefused) {
  auto [client, server] = Pair();
  absl::StatusOr<TlsSocket> tls =
      TlsSocket::Client(std::move(client), ClientContext(), "localhost");
  ASSERT_TRUE(tls.ok()) << tls.status();
  EXPECT_EQ(tls->Read(10).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(tls->WriteAll("x").message()),
              HasSubstr("handshake not done"));
}

TEST_F(TlsTest, AfterAFailureLaterCallsQuoteIt) {
  auto [client, server] = Pair();
  absl::StatusOr<TlsSocket> tls =
      TlsSocket::Client(std::move(client), ClientContext(), "localhost");
  ASSERT_TRUE(tls.ok());
  server.Close();
  absl::Status first = tls->Handshake(absl::Seconds(5));
  EXPECT_EQ(first.code(), absl::StatusCode::kUnavailable) << first;
  absl::Status again = tls->Handshake(absl::Seconds(5));
  EXPECT_EQ(again.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(again.message()), HasSubstr("failed earlier"));
  EXPECT_THAT(std::string(again.message()),
              HasSubstr(std::string(first.message())));
}

}  // namespace
}  // namespace evergreen
