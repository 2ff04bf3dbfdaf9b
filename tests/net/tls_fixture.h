// A fixture for TLS tests: a loopback listener, contexts made from the
// generated test certificates, and handshakes of both ends at once.
#ifndef EVERGREEN_TESTS_NET_TLS_FIXTURE_H_
#define EVERGREEN_TESTS_NET_TLS_FIXTURE_H_

#include <dirent.h>

#include <optional>
#include <string>
#include <utility>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "framework/greenlet.h"
#include "framework/hub.h"
#include "gtest/gtest.h"
#include "net/socket.h"
#include "net/tls_context.h"
#include "net/tls_socket.h"
#include "tests/net/test_certs.h"

namespace evergreen {

class TlsFixture : public ::testing::Test {
 protected:
  struct Ends {
    absl::StatusOr<TlsSocket> client;
    absl::StatusOr<TlsSocket> server;
  };

  void SetUp() override {
    absl::StatusOr<Socket> listener =
        Socket::Listen(*SocketAddress::Parse("127.0.0.1:0"));
    ASSERT_TRUE(listener.ok()) << listener.status();
    listener_ = *std::move(listener);
    address_ = *listener_.LocalAddress();
  }
  void TearDown() override {
    listener_.Close();
    Hub::DestroyCurrent();
  }

  static const TestPki& Pki() { return TestCertificates(); }

  // A server context presenting `identity`, after `tweak` had its say.
  static TlsContext ServerContext(
      const TestIdentity& identity,
      absl::FunctionRef<void(TlsServerOptions&)> tweak = [](TlsServerOptions&) {
      }) {
    TlsServerOptions options;
    options.certificate = identity.AsCertificate();
    tweak(options);
    absl::StatusOr<TlsContext> context = TlsContext::Server(options);
    EXPECT_TRUE(context.ok()) << context.status();
    return context.ok() ? *context : TlsContext();
  }

  // A client context trusting the test CA, after `tweak` had its say.
  static TlsContext ClientContext(
      absl::FunctionRef<void(TlsClientOptions&)> tweak = [](TlsClientOptions&) {
      }) {
    TlsClientOptions options;
    options.ca = PemSource::Text(Pki().ca_pem);
    tweak(options);
    absl::StatusOr<TlsContext> context = TlsContext::Client(options);
    EXPECT_TRUE(context.ok()) << context.status();
    return context.ok() ? *context : TlsContext();
  }

  // A connected pair of plain sockets: (client, server).
  std::pair<Socket, Socket> Pair() {
    absl::StatusOr<Socket> client = Socket::Connect(address_, absl::Seconds(5));
    EXPECT_TRUE(client.ok()) << client.status();
    absl::StatusOr<Socket> server = listener_.Accept(absl::Seconds(5));
    EXPECT_TRUE(server.ok()) << server.status();
    return {*std::move(client), *std::move(server)};
  }

  // Both handshakes of one connection, run concurrently.
  Ends Connect(const TlsContext& client_context,
               const TlsContext& server_context,
               absl::string_view server_name = "localhost") {
    auto [client, server] = Pair();
    std::optional<absl::StatusOr<TlsSocket>> accepted;
    auto acceptor = Spawn([&, server = std::move(server)]() mutable {
      accepted = TlsAccept(std::move(server), server_context, absl::Seconds(5));
    });
    absl::StatusOr<TlsSocket> connected = TlsConnect(
        std::move(client), client_context, server_name, absl::Seconds(5));
    acceptor.Join();
    return {std::move(connected), *std::move(accepted)};
  }

  // Sends back what it reads until close_notify, then answers with its own.
  static Greenlet<void> SpawnEcho(TlsSocket& tls) {
    return Spawn([&tls] {
      for (;;) {
        absl::StatusOr<std::string> data =
            tls.Read(64 << 10, absl::Seconds(30));
        if (!data.ok() || data->empty()) break;
        if (!tls.WriteAll(*data, absl::Seconds(30)).ok()) return;
      }
      (void)tls.Shutdown(absl::Seconds(5));
    });
  }

  // Writes `message` and reads back as many bytes.
  static std::string RoundTrip(TlsSocket& tls, const std::string& message) {
    absl::Status sent = tls.WriteAll(message, absl::Seconds(5));
    if (!sent.ok()) return sent.ToString();
    std::string got;
    while (got.size() < message.size()) {
      absl::StatusOr<std::string> part = tls.Read(64 << 10, absl::Seconds(5));
      if (!part.ok()) return part.status().ToString();
      if (part->empty()) return got + "<EOF>";
      got += *part;
    }
    return got;
  }

  static int OpenFds() {
    int count = 0;
    DIR* dir = opendir("/proc/self/fd");
    if (dir == nullptr) return -1;
    while (readdir(dir) != nullptr) ++count;
    closedir(dir);
    return count;
  }

  Socket listener_;
  SocketAddress address_;
};

}  // namespace evergreen

#endif  // EVERGREEN_TESTS_NET_TLS_FIXTURE_H_
