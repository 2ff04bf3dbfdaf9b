// HttpClient's connection pool: idle connections expire, one the server
// closed while it sat idle is never used for a request, and a request that
// crosses the server's close is sent again only when that is safe (an
// idempotent method, no byte of a response came), once.
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "framework/hub.h"
#include "gtest/gtest.h"
#include "net/http/client.h"
#include "net/http/mux.h"
#include "net/http/server.h"
#include "net/stream_server.h"

namespace evergreen {
namespace {

constexpr absl::Duration kPatience = absl::Seconds(10);

class ClientPoolTest : public ::testing::Test {
 protected:
  void StartServer(HttpServerOptions options = {}) {
    mux_.Handle("/", [this](HttpRequest& request, HttpResponse& response) {
      request.body().ReadAll().IgnoreError();
      ports_.push_back(request.peer().port());
      response.Send(200, "ok").IgnoreError();
    }).IgnoreError();
    server_ = std::make_unique<HttpServer>(*SocketAddress::Parse("127.0.0.1:0"),
                                           mux_.AsHandler(), options);
    ASSERT_TRUE(server_->Start().ok());
  }
  void TearDown() override {
    if (server_ != nullptr) server_->Stop(kPatience);
  }
  std::string Url() {
    return absl::StrCat("http://", server_->address().ToString(), "/");
  }
  // Waits (bounded) until the server has `count` connections open.
  void AwaitServerConnections(int count) {
    const absl::Time give_up = absl::Now() + kPatience;
    while (server_->connection_count() != count && absl::Now() < give_up) {
      Sleep(absl::Milliseconds(5));
    }
    ASSERT_EQ(server_->connection_count(), count);
  }

  HttpMux mux_;
  std::unique_ptr<HttpServer> server_;
  std::vector<int> ports_;  // the client port of each request served
};

TEST_F(ClientPoolTest, ConnectionIdleLongerThanIdleTimeoutIsNotReused) {
  StartServer();
  HttpClientOptions options;
  // Generous: the second request comes well within it even on a loaded
  // machine.
  options.idle_timeout = absl::Milliseconds(500);
  HttpClient client(options);
  ASSERT_TRUE(client.Get(Url()).ok());
  ASSERT_TRUE(client.Get(Url()).ok());  // at once: reused
  ASSERT_EQ(client.idle_connections(), 1);
  Sleep(absl::Milliseconds(600));       // idle past the limit
  ASSERT_TRUE(client.Get(Url()).ok());
  ASSERT_EQ(ports_.size(), 3u);
  EXPECT_EQ(ports_[0], ports_[1]);
  EXPECT_NE(ports_[1], ports_[2]);
  EXPECT_EQ(client.idle_connections(), 1);  // the expired one was closed
  AwaitServerConnections(1);                // ... and the server saw it
}

TEST_F(ClientPoolTest, ZeroIdleTimeoutPoolsNothing) {
  StartServer();
  HttpClientOptions options;
  options.idle_timeout = absl::ZeroDuration();
  HttpClient client(options);
  ASSERT_TRUE(client.Get(Url()).ok());
  EXPECT_EQ(client.idle_connections(), 0);
}

// A POST may not be retried, so it succeeding on a pooled origin whose
// connection the server closed shows the close was noticed before sending.
TEST_F(ClientPoolTest, ConnectionTheServerClosedIsNotUsed) {
  HttpServerOptions server_options;
  server_options.idle_timeout = absl::Milliseconds(20);
  StartServer(server_options);
  HttpClient client;
  ASSERT_TRUE(client.Get(Url()).ok());
  ASSERT_EQ(client.idle_connections(), 1);
  // The server closes it (after lingering, bounded, for the client's own
  // close, which does not come).
  AwaitServerConnections(0);
  absl::StatusOr<HttpResult> got = client.Post(Url(), "x", "text/plain");
  ASSERT_TRUE(got.ok()) << got.status();
  ASSERT_EQ(ports_.size(), 2u);
  EXPECT_NE(ports_[1], ports_[0]);
}

// A raw server: on its first connection it answers the first request and
// closes on the second without a word; later connections answer all.
class ClosingServer {
 public:
  ClosingServer()
      : server_(*SocketAddress::Parse("127.0.0.1:0"),
                [this](Socket& connection, const SocketAddress&) {
                  Serve(connection);
                }) {
    EXPECT_TRUE(server_.Start().ok());
  }
  ~ClosingServer() { server_.Stop(kPatience); }
  std::string Url() const {
    return absl::StrCat("http://", server_.address().ToString(), "/");
  }
  int connections() const { return connections_; }
  int requests() const { return requests_; }

 private:
  void Serve(Socket& connection) {
    const int index = connections_++;
    std::string pending;
    for (int served = 0;; ++served) {
      while (!absl::StrContains(pending, "\r\n\r\n")) {
        absl::StatusOr<std::string> got = connection.Recv(4096, kPatience);
        if (!got.ok() || got->empty()) return;
        pending += *got;
      }
      pending.erase(0, pending.find("\r\n\r\n") + 4);  // bodies are empty
      ++requests_;
      if (index == 0 && served == 1) return;  // closes, says nothing
      if (!connection.SendAll("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
               .ok()) {
        return;
      }
    }
  }

  int connections_ = 0;
  int requests_ = 0;
  StreamServer server_;
};

TEST(ClientRetryTest, IdempotentRequestIsSentAgainOnceOnANewConnection) {
  ClosingServer server;
  {
    HttpClient client;
    ASSERT_TRUE(client.Get(server.Url()).ok());
    absl::StatusOr<HttpResult> got = client.Get(server.Url());
    ASSERT_TRUE(got.ok()) << got.status();
    EXPECT_EQ(got->body, "ok");
  }
  EXPECT_EQ(server.connections(), 2);
  EXPECT_EQ(server.requests(), 3);
}

TEST(ClientRetryTest, NonIdempotentRequestIsNotSentAgain) {
  ClosingServer server;
  {
    HttpClient client;
    ASSERT_TRUE(client.Get(server.Url()).ok());
    absl::StatusOr<HttpResult> got = client.Post(server.Url(), "", "text/plain");
    ASSERT_FALSE(got.ok());
    EXPECT_TRUE(absl::IsUnavailable(got.status())) << got.status();
    EXPECT_TRUE(absl::StrContains(got.status().message(),
                                  "closed the connection without a response"))
        << got.status();
  }
  EXPECT_EQ(server.connections(), 1);
  EXPECT_EQ(server.requests(), 2);
}

}  // namespace
}  // namespace evergreen
