// Typed services over TLS (B-RPC9): the same stub and behaviours as TCP,
// and a client that fails verification gets Unavailable naming the reason.
#include <memory>
#include <vector>

#include "actors/service/service_spec.h"
#include "actors/transport/rpc_server.h"
#include "actors/transport/tcp_channel.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "net/tls_context.h"
#include "tests/net/test_certs.h"
#include "tests/proto/echo_service.h"

namespace evergreen {
namespace {

using test::Echo;
using test::EchoReply;
using test::EchoRequest;
using test::EchoService;
using ::testing::HasSubstr;

EchoRequest Say(std::string text, int sleep_ms = 0) {
  EchoRequest request;
  request.set_text(std::move(text));
  request.set_sleep_ms(sleep_ms);
  return request;
}

class TlsTransportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const TestPki& pki = TestCertificates();
    TlsServerOptions server_options;
    server_options.certificate = pki.server.AsCertificate();
    absl::StatusOr<TlsContext> server_context = TlsContext::Server(server_options);
    ASSERT_TRUE(server_context.ok()) << server_context.status();
    TlsClientOptions client_options;
    client_options.ca = PemSource::Text(pki.ca_pem);
    absl::StatusOr<TlsContext> client_context = TlsContext::Client(client_options);
    ASSERT_TRUE(client_context.ok()) << client_context.status();
    client_context_ = std::make_unique<TlsContext>(*std::move(client_context));
    TlsClientOptions untrusting;
    untrusting.ca = PemSource::Text(pki.other_ca_pem);
    absl::StatusOr<TlsContext> other = TlsContext::Client(untrusting);
    ASSERT_TRUE(other.ok());
    untrusting_context_ = std::make_unique<TlsContext>(*std::move(other));

    echo_ = SpawnService<EchoService>("echo", {});
    ASSERT_TRUE(server_.Register<Echo>(echo_).ok());
    absl::StatusOr<SocketAddress> bound =
        server_.ListenTls("127.0.0.1:0", *std::move(server_context));
    ASSERT_TRUE(bound.ok()) << bound.status();
    target_ = absl::StrCat("localhost:", bound->port());
  }

  void TearDown() override {
    server_.Stop(absl::Seconds(1));
    echo_.Kill();
    EXPECT_TRUE(echo_.Join(absl::Seconds(30)));
  }

  Channel Secure(const TlsContext* context) {
    return Channel::Tcp(target_, {.tls = context});
  }

  std::unique_ptr<TlsContext> client_context_;
  std::unique_ptr<TlsContext> untrusting_context_;
  ActorRef<EchoService> echo_;
  RpcServer server_;
  std::string target_;
};

TEST_F(TlsTransportTest, TypedCallsWorkOverTls) {
  Echo::Client client(Secure(client_context_.get()));
  absl::StatusOr<EchoReply> reply =
      client.Say(Say("secret"), {.timeout = absl::Seconds(10)});
  ASSERT_TRUE(reply.ok()) << reply.status();
  EXPECT_EQ(reply->text(), "secret");
  EXPECT_GT(reply->deadline_ms(), 0);
}

// B-RPC4 and B-RPC3 over TLS.
TEST_F(TlsTransportTest, PipelinedCallsAndDeadlinesHoldOverTls) {
  Echo::Client client(Secure(client_context_.get()));
  std::vector<AsyncResult<absl::StatusOr<EchoReply>>> pending;
  for (int i = 0; i < 100; ++i) {
    pending.push_back(client.SayAsync(Say(absl::StrCat(i))));
  }
  for (int i = 0; i < 100; ++i) {
    absl::StatusOr<EchoReply> reply = pending[i].Get();
    ASSERT_TRUE(reply.ok()) << reply.status();
    EXPECT_EQ(reply->text(), absl::StrCat(i));
  }
  absl::StatusOr<EchoReply> late =
      client.Say(Say("sleepy", 60'000), {.timeout = absl::Milliseconds(100)});
  EXPECT_EQ(late.status().code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_TRUE(client.Say(Say("next"), {.timeout = absl::Seconds(5)}).ok());
}

// B-RPC9: verification failure → Unavailable naming the TLS reason; the
// server keeps serving verified clients.
TEST_F(TlsTransportTest, UnverifiedServerFailsUnavailableNamingTheReason) {
  Echo::Client client(Secure(untrusting_context_.get()));
  absl::StatusOr<EchoReply> reply = client.Say(Say("x"));
  EXPECT_EQ(reply.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(reply.status().message(), HasSubstr("certificate"));
  EXPECT_THAT(reply.status().message(), HasSubstr(target_));
  Echo::Client good(Secure(client_context_.get()));
  EXPECT_TRUE(good.Say(Say("y")).ok());
}

}  // namespace
}  // namespace evergreen
