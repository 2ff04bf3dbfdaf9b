// HttpServer over loopback with raw bytes: B-HT1 … B-HT13.
#include "net/http/server.h"

#include <memory>
#include <stdexcept>
#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "framework/event.h"
#include "framework/greenlet.h"
#include "framework/hub.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/net/http/raw_client.h"
#include "tests/testing/error_log.h"

namespace evergreen {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using testing_http::kPatience;
using testing_http::RawClient;
using testing_http::RawResponse;

// The handlers the cases need, by path.
class ServerTest : public ::testing::Test {
 protected:
  void StartServer(HttpServerOptions options = {}) {
    server_ = std::make_unique<HttpServer>(
        *SocketAddress::Parse("127.0.0.1:0"),
        [this](HttpRequest& request, HttpResponse& response) {
          Handle(request, response);
        },
        options);
    ASSERT_TRUE(server_->Start().ok());
  }

  void Handle(HttpRequest& request, HttpResponse& response) {
    const absl::string_view path = request.path();
    if (path == "/hello") {
      response.Send(200, "hello", {{"Content-Type", "text/plain"}})
          .IgnoreError();
    } else if (path == "/echo") {
      // Reads in sizes 1, 2, 3, ... 7, 1, ... so no framing boundary is
      // special (B-HT4).
      std::string body;
      char buffer[7];
      for (std::size_t size = 1;; size = size % 7 + 1) {
        absl::StatusOr<std::size_t> n = request.body().Read(buffer, size);
        if (!n.ok()) {
          body_error_ = n.status();
          return;
        }
        if (*n == 0) break;
        body.append(buffer, *n);
      }
      response.Send(200, body).IgnoreError();
    } else if (path == "/stream") {
      response.Start(200, {{"Content-Type", "text/plain"}}).IgnoreError();
      for (absl::string_view piece : {"a", "bb", "ccc"}) {
        response.Write(piece).IgnoreError();
      }
    } else if (path == "/throw-before") {
      throw std::runtime_error("before the head");
    } else if (path == "/throw-after") {
      response.Start(200).IgnoreError();
      response.Write("partial").IgnoreError();
      throw std::runtime_error("after the first chunk");
    } else if (path == "/throw-after-send") {
      response.Send(200, "done").IgnoreError();
      throw std::runtime_error("after the whole response");
    } else if (path == "/inject") {
      handler_status_ =
          response.Send(200, "", {{"X-Bad", "a\r\nInjected: yes"}});
      handler_status2_ = response.Send(200, "refused", {{"Bad Name", "v"}});
      response.Send(200, "refused").IgnoreError();
    } else if (path == "/204" || path == "/304") {
      response.Send(path == "/204" ? 204 : 304, "must not be sent")
          .IgnoreError();
    } else if (path == "/declared") {
      // Declares its length; for HEAD it writes no body at all.
      response.Start(200, {{"Content-Length", "4"}}).IgnoreError();
      if (request.method() != "HEAD") response.Write("four").IgnoreError();
    } else if (path == "/slow") {
      entered_.Set();
      release_.Wait(kPatience);
      response.Send(200, "finished").IgnoreError();
    } else {
      response.Send(404, "no such path").IgnoreError();
    }
  }

  RawClient Connect() { return RawClient::Connect(server_->address()); }

  // One request on a new connection; the raw response up to EOF.
  std::string Exchange(absl::string_view request) {
    RawClient client = Connect();
    EXPECT_TRUE(client.Send(request).ok());
    absl::StatusOr<std::string> all = client.ReadToEof();
    return all.ok() ? *all : all.status().ToString();
  }

  std::unique_ptr<HttpServer> server_;
  absl::Status body_error_;
  absl::Status handler_status_;
  absl::Status handler_status2_;
  Event entered_;
  Event release_;
};

// B-HT1
TEST_F(ServerTest, KeepAliveServesRequestsInOrderOnOneConnection) {
  StartServer();
  RawClient client = Connect();
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(client.Send("GET /hello HTTP/1.1\r\nHost: a\r\n\r\n").ok());
    absl::StatusOr<RawResponse> response = client.Read();
    ASSERT_TRUE(response.ok()) << response.status();
    EXPECT_EQ(response->status, 200);
    EXPECT_EQ(response->body, "hello");
    EXPECT_EQ(response->count("Connection"), 0);
  }
  EXPECT_EQ(server_->request_count(), 3u);
  EXPECT_EQ(server_->connection_count(), 1);
}

// B-HT1
TEST_F(ServerTest, Http10ClosesByDefaultAndKeepsAliveWhenAsked) {
  StartServer();
  std::string closed = Exchange("GET /hello HTTP/1.0\r\n\r\n");
  EXPECT_THAT(closed, HasSubstr("Connection: close\r\n"));
  EXPECT_THAT(closed, HasSubstr("\r\n\r\nhello"));

  RawClient client = Connect();
  for (int i = 0; i < 2; ++i) {
    ASSERT_TRUE(
        client.Send("GET /hello HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
            .ok());
    absl::StatusOr<RawResponse> response = client.Read();
    ASSERT_TRUE(response.ok()) << response.status();
    EXPECT_EQ(response->headers["connection"], "keep-alive");
    EXPECT_EQ(response->body, "hello");
  }
}

// B-HT1
TEST_F(ServerTest, ConnectionCloseEndsTheConnectionAfterTheResponse) {
  StartServer();
  RawClient client = Connect();
  ASSERT_TRUE(client
                  .Send("GET /hello HTTP/1.1\r\nHost: a\r\n"
                        "Connection: close\r\n\r\n"
                        "GET /hello HTTP/1.1\r\nHost: a\r\n\r\n")
                  .ok());
  absl::StatusOr<RawResponse> response = client.Read();
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->headers["connection"], "close");
  EXPECT_TRUE(client.ServerClosed());  // the second request is not served
  EXPECT_EQ(server_->request_count(), 1u);
}

// B-HT2
TEST_F(ServerTest, PipelinedRequestsInOneWriteGetOrderedResponses) {
  StartServer();
  RawClient client = Connect();
  ASSERT_TRUE(client
                  .Send("GET /hello HTTP/1.1\r\nHost: a\r\n\r\n"
                        "POST /echo HTTP/1.1\r\nHost: a\r\n"
                        "Content-Length: 5\r\n\r\nfirst"
                        "GET /stream HTTP/1.1\r\nHost: a\r\n\r\n"
                        "POST /echo HTTP/1.1\r\nHost: a\r\n"
                        "Transfer-Encoding: chunked\r\n\r\n"
                        "6\r\nsecond\r\n0\r\n\r\n")
                  .ok());
  const std::vector<std::string> expected = {"hello", "first", "abbccc",
                                             "second"};
  for (const std::string& body : expected) {
    absl::StatusOr<RawResponse> response = client.Read();
    ASSERT_TRUE(response.ok()) << response.status();
    EXPECT_EQ(response->body, body);
  }
}

// B-HT3
TEST_F(ServerTest, StreamedResponseIsChunkedOn11AndCloseDelimitedOn10) {
  StartServer();
  RawClient client = Connect();
  ASSERT_TRUE(client.Send("GET /stream HTTP/1.1\r\nHost: a\r\n\r\n").ok());
  absl::StatusOr<RawResponse> response = client.Read();
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_TRUE(response->chunked);
  EXPECT_EQ(response->body, "abbccc");

  std::string old = Exchange("GET /stream HTTP/1.0\r\n\r\n");
  EXPECT_THAT(old, Not(HasSubstr("Transfer-Encoding")));
  EXPECT_THAT(old, Not(HasSubstr("Content-Length")));
  EXPECT_THAT(old, HasSubstr("Connection: close\r\n\r\nabbccc"));
  EXPECT_TRUE(absl::EndsWith(old, "\r\n\r\nabbccc"));
}

// B-HT4
TEST_F(ServerTest, ChunkedBodyDecodesWhateverTheReadSizes) {
  StartServer();
  const std::string request =
      "POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
      "3\r\nabc\r\n1;ext=1\r\nd\r\n10\r\n0123456789abcdef\r\n0\r\n"
      "Trailer: x\r\n\r\n";
  // Byte by byte, then in one write.
  RawClient client = Connect();
  for (char c : request) {
    ASSERT_TRUE(client.Send(std::string(1, c)).ok());
  }
  absl::StatusOr<RawResponse> response = client.Read();
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->body, "abcd0123456789abcdef");
  ASSERT_TRUE(client.Send(request).ok());
  response = client.Read();
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->body, "abcd0123456789abcdef");
}

// B-HT4
TEST_F(ServerTest, OversizedChunkExtensionIs400) {
  StartServer();
  std::string reply = Exchange(absl::StrCat(
      "POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
      "3;ext=",
      std::string(4000, 'x'), "\r\nabc\r\n0\r\n\r\n"));
  EXPECT_THAT(reply, HasSubstr("HTTP/1.1 400 "));
  EXPECT_THAT(reply, HasSubstr("Connection: close"));
}

// B-HT5: each framing doubt is 400 and close, and the request smuggled
// after it is never served.
TEST_F(ServerTest, AmbiguousFramingIs400AndNothingAfterIsProcessed) {
  StartServer();
  const std::vector<std::string> heads = {
      "Content-Length: 5\r\nContent-Length: 5\r\n",
      "Content-Length: 5, 5\r\n",
      "Content-Length: five\r\n",
      "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n",
      "Transfer-Encoding: gzip\r\n",
      "Transfer-Encoding: gzip, chunked\r\n",
      "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n",
  };
  for (const std::string& head : heads) {
    SCOPED_TRACE(head);
    const std::uint64_t before = server_->request_count();
    std::string reply = Exchange(absl::StrCat(
        "POST /echo HTTP/1.1\r\nHost: a\r\n", head,
        "\r\n0\r\n\r\nGET /hello HTTP/1.1\r\nHost: a\r\n\r\n"));
    EXPECT_TRUE(absl::StartsWith(reply, "HTTP/1.1 400 ")) << reply;
    EXPECT_THAT(reply, HasSubstr("Connection: close"));
    EXPECT_THAT(reply, Not(HasSubstr("hello")));
    EXPECT_EQ(server_->request_count(), before);
  }
}

// Upgrade (and CONNECT) are not supported: the request is served as a
// plain one and the connection closes, so no byte after it is read as
// HTTP by us while a proxy might read it as another protocol.
TEST_F(ServerTest, UpgradeRequestIsServedThenClosed) {
  StartServer();
  for (const char* head :
       {"GET /hello HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\n"
        "Upgrade: websocket\r\n\r\n",
        "CONNECT a:443 HTTP/1.1\r\nHost: a:443\r\n\r\n"}) {
    SCOPED_TRACE(head);
    const std::uint64_t before = server_->request_count();
    std::string reply = Exchange(
        absl::StrCat(head, "GET /hello HTTP/1.1\r\nHost: a\r\n\r\n"));
    EXPECT_THAT(reply, HasSubstr("Connection: close\r\n"));
    EXPECT_EQ(server_->request_count(), before + 1);
  }
}

// B-HT6
TEST_F(ServerTest, MalformedHeaderSyntaxIs400) {
  StartServer();
  const std::vector<std::string> requests = {
      "GET /hello HTTP/1.1\r\nHost : a\r\n\r\n",
      "GET /hello HTTP/1.1\r\nHost: a\r\nX: a\rb\r\n\r\n",
      "GET /hello HTTP/1.1\r\nHost: a\nX: b\r\n\r\n",
      "GET /hello HTTP/1.1\r\nHost: a\r\nX: a\x01z\r\n\r\n",
      "GET /hello HTTP/1.1\r\nHost: a\r\nX\x01: z\r\n\r\n",
      "GET /hello HTTP/1.1\r\n Host: a\r\n\r\n",
      "GET /hello HTTP/1.1\r\nHost: a\r\nX: a\x7f\r\n\r\n",
  };
  for (const std::string& request : requests) {
    SCOPED_TRACE(absl::CEscape(request));
    std::string reply = Exchange(request);
    EXPECT_TRUE(absl::StartsWith(reply, "HTTP/1.1 400 ")) << reply;
    EXPECT_THAT(reply, Not(HasSubstr("hello")));
  }
}

// B-HT7
TEST_F(ServerTest, HostAndVersionRules) {
  StartServer();
  EXPECT_TRUE(absl::StartsWith(Exchange("GET /hello HTTP/1.1\r\n\r\n"),
                               "HTTP/1.1 400 "));
  EXPECT_TRUE(absl::StartsWith(
      Exchange("GET /hello HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"),
      "HTTP/1.1 400 "));
  EXPECT_TRUE(absl::StartsWith(
      Exchange("GET /hello HTTP/1.x\r\nHost: a\r\n\r\n"), "HTTP/1.1 400 "));
  EXPECT_TRUE(absl::StartsWith(
      Exchange("GET /hello HTTP/11\r\nHost: a\r\n\r\n"), "HTTP/1.1 400 "));
  EXPECT_TRUE(absl::StartsWith(
      Exchange("GET /hello HTTP/2.0\r\nHost: a\r\n\r\n"), "HTTP/1.1 505 "));
  EXPECT_TRUE(absl::StartsWith(
      Exchange("GET /hello HTTP/1.2\r\nHost: a\r\n\r\n"), "HTTP/1.1 505 "));
  // HTTP/1.0 needs no Host.
  EXPECT_THAT(Exchange("GET /hello HTTP/1.0\r\n\r\n"),
              HasSubstr("\r\n\r\nhello"));
}

// B-HT8
TEST_F(ServerTest, TooLongTargetIs414AndTooLargeHeadIs431) {
  HttpServerOptions options;
  options.max_target_bytes = 1024;
  options.max_header_bytes = 4096;
  StartServer(options);
  // Far more than the limits: the server must answer without reading it
  // all, so the client's write may fail once the server closes.
  RawClient client = Connect();
  client.Send(absl::StrCat("GET /", std::string(1 << 20, 'a'))).IgnoreError();
  absl::StatusOr<RawResponse> response = client.Read();
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->status, 414);
  EXPECT_EQ(response->headers["connection"], "close");

  RawClient big_head = Connect();
  big_head
      .Send(absl::StrCat("GET /hello HTTP/1.1\r\nHost: a\r\nX: ",
                         std::string(1 << 20, 'b')))
      .IgnoreError();
  response = big_head.Read();
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->status, 431);
  EXPECT_EQ(response->headers["connection"], "close");

  std::string many = "GET /hello HTTP/1.1\r\nHost: a\r\n";
  for (int i = 0; i < 200; ++i) absl::StrAppend(&many, "X", i, ": y\r\n");
  EXPECT_TRUE(absl::StartsWith(Exchange(many + "\r\n"), "HTTP/1.1 431 "));
}

// B-HT8 / B-HT9: a declared length is never allocated; over the limit → 413.
TEST_F(ServerTest, DeclaredBodyOverTheLimitIs413) {
  HttpServerOptions options;
  options.max_body_bytes = 1000;
  StartServer(options);
  std::string reply = Exchange(
      "POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 1001\r\n\r\n");
  EXPECT_TRUE(absl::StartsWith(reply, "HTTP/1.1 413 ")) << reply;

  // A chunked body that grows past the limit.
  RawClient client = Connect();
  client
      .Send(absl::StrCat("POST /echo HTTP/1.1\r\nHost: a\r\n"
                         "Transfer-Encoding: chunked\r\n\r\n"
                         "800\r\n",
                         std::string(0x800, 'z'), "\r\n"))
      .IgnoreError();
  absl::StatusOr<RawResponse> response = client.Read();
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->status, 413);
  EXPECT_TRUE(absl::IsResourceExhausted(body_error_)) << body_error_;
}

// B-HT9
TEST_F(ServerTest, HugeDeclaredLengthWithoutBodyTimesOut) {
  HttpServerOptions options;
  options.body_timeout = absl::Milliseconds(200);
  StartServer(options);
  RawClient client = Connect();
  ASSERT_TRUE(client
                  .Send("POST /echo HTTP/1.1\r\nHost: a\r\n"
                        "Content-Length: 60000000\r\n\r\npartial")
                  .ok());
  absl::StatusOr<RawResponse> response = client.Read();
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->status, 500);  // the handler gave up on the body
  EXPECT_TRUE(absl::IsDeadlineExceeded(body_error_)) << body_error_;
  EXPECT_TRUE(client.ServerClosed());
}

// B-HT9
TEST_F(ServerTest, IdleConnectionTimesOutAndCloses) {
  HttpServerOptions options;
  options.idle_timeout = absl::Milliseconds(200);
  StartServer(options);
  RawClient client = Connect();
  ASSERT_TRUE(client.Send("GET /hello HTTP/1.1\r\nHost: a\r\n\r\n").ok());
  ASSERT_TRUE(client.Read().ok());
  EXPECT_TRUE(client.ServerClosed());  // silently: no request, no answer
}

// B-HT9: a byte at a time cannot extend the head deadline (slowloris).
TEST_F(ServerTest, HalfRequestTimesOutEvenIfBytesTrickle) {
  HttpServerOptions options;
  options.head_timeout = absl::Milliseconds(300);
  StartServer(options);
  RawClient client = Connect();
  const absl::Time start = absl::Now();
  ASSERT_TRUE(client.Send("GET /hello HTTP/1.1\r\nHost: a\r\nX-Slow: ").ok());
  std::string closed_after;
  for (int i = 0; i < 100; ++i) {
    if (!client.Send("x").ok()) break;
    // Each byte comes well within any per-read timeout.
    absl::StatusOr<std::string> got =
        client.socket().Recv(4096, absl::Milliseconds(50));
    if (got.ok()) {
      closed_after = *got;
      break;
    }
  }
  EXPECT_LT(absl::Now() - start, kPatience);
  EXPECT_THAT(closed_after, HasSubstr("HTTP/1.1 408 "));
}

// B-HT10
TEST_F(ServerTest, CrLfInHandlerHeaderIsRefusedBeforeAnythingIsWritten) {
  StartServer();
  std::string reply = Exchange(
      "GET /inject HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
  EXPECT_TRUE(absl::IsInvalidArgument(handler_status_)) << handler_status_;
  EXPECT_TRUE(absl::IsInvalidArgument(handler_status2_)) << handler_status2_;
  EXPECT_THAT(reply, Not(HasSubstr("Injected")));
  EXPECT_THAT(reply, Not(HasSubstr("X-Bad")));
  EXPECT_TRUE(absl::StartsWith(reply, "HTTP/1.1 200 OK\r\n")) << reply;
  EXPECT_TRUE(absl::EndsWith(reply, "\r\n\r\nrefused"));
}

// B-HT11
TEST_F(ServerTest, HandlerThrowingBeforeTheHeadIs500) {
  ErrorLog log;
  StartServer();
  std::string reply = Exchange("GET /throw-before HTTP/1.1\r\nHost: a\r\n\r\n");
  EXPECT_TRUE(absl::StartsWith(reply, "HTTP/1.1 500 ")) << reply;
  ASSERT_EQ(log.whats.size(), 1u);
  EXPECT_EQ(log.whats[0], "before the head");
}

// B-HT11: the cut body never looks complete: no last chunk, and the
// connection ends with a reset rather than a clean close (which would end
// an HTTP/1.0 body as if whole).
TEST_F(ServerTest, HandlerThrowingAfterTheFirstChunkAbortsTheConnection) {
  ErrorLog log;
  StartServer();
  for (const char* version : {"1.1", "1.0"}) {
    SCOPED_TRACE(version);
    RawClient client = Connect();
    ASSERT_TRUE(client
                    .Send(absl::StrCat("GET /throw-after HTTP/", version,
                                       "\r\nHost: a\r\n\r\n"
                                       "GET /hello HTTP/1.1\r\nHost: a\r\n\r\n"))
                    .ok());
    std::string all;
    absl::Status ended = client.ReadUntilClosed(&all);
    EXPECT_FALSE(ended.ok()) << "closed cleanly after: " << all;
    EXPECT_FALSE(absl::IsDeadlineExceeded(ended)) << ended;
    EXPECT_THAT(all, Not(HasSubstr("0\r\n\r\n")));
    EXPECT_THAT(all, Not(HasSubstr("hello")));
  }
  ASSERT_EQ(log.whats.size(), 2u);
  EXPECT_EQ(log.whats[0], "after the first chunk");
}

// B-HT11: a response already whole stands; the connection then ends.
TEST_F(ServerTest, HandlerThrowingAfterAWholeResponseKeepsIt) {
  ErrorLog log;
  StartServer();
  RawClient client = Connect();
  ASSERT_TRUE(client
                  .Send("GET /throw-after-send HTTP/1.1\r\nHost: a\r\n\r\n"
                        "GET /hello HTTP/1.1\r\nHost: a\r\n\r\n")
                  .ok());
  absl::StatusOr<RawResponse> response = client.Read();
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->body, "done");
  EXPECT_TRUE(client.ServerClosed());
  ASSERT_EQ(log.whats.size(), 1u);
  EXPECT_EQ(log.whats[0], "after the whole response");
}

// B-HT12
TEST_F(ServerTest, NoContentAndNotModifiedCarryNoBody) {
  StartServer();
  for (const char* path : {"/204", "/304"}) {
    SCOPED_TRACE(path);
    std::string reply = Exchange(absl::StrCat(
        "GET ", path, " HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"));
    EXPECT_THAT(reply, Not(HasSubstr("must not")));
    EXPECT_THAT(reply, Not(HasSubstr("Content-Length")));
    EXPECT_THAT(reply, Not(HasSubstr("Transfer-Encoding")));
    EXPECT_TRUE(absl::EndsWith(reply, "\r\n\r\n")) << reply;
  }
}

// HEAD: the head GET would get, no body; the connection stays usable.
TEST_F(ServerTest, HeadGetsTheHeadOnly) {
  StartServer();
  RawClient client = Connect();
  ASSERT_TRUE(client.Send("HEAD /hello HTTP/1.1\r\nHost: a\r\n\r\n").ok());
  absl::StatusOr<RawResponse> response = client.Read(/*head_request=*/true);
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->headers["content-length"], "5");
  ASSERT_TRUE(client.Send("GET /hello HTTP/1.1\r\nHost: a\r\n\r\n").ok());
  response = client.Read();
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->body, "hello");  // no stray body bytes came before

  // A declared length the handler does not write for HEAD is no error.
  ASSERT_TRUE(client.Send("HEAD /declared HTTP/1.1\r\nHost: a\r\n\r\n"
                          "GET /declared HTTP/1.1\r\nHost: a\r\n\r\n")
                  .ok());
  response = client.Read(/*head_request=*/true);
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->headers["content-length"], "4");
  response = client.Read();
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->body, "four");
}

// B-HT13 (and B-HT12: the 100 carries no body)
TEST_F(ServerTest, ExpectContinueGetsExactlyOneContinueThenTheResponse) {
  StartServer();
  RawClient client = Connect();
  ASSERT_TRUE(client
                  .Send("POST /echo HTTP/1.1\r\nHost: a\r\n"
                        "Expect: 100-continue\r\nContent-Length: 4\r\n\r\n")
                  .ok());
  absl::StatusOr<RawResponse> interim = client.Read();
  ASSERT_TRUE(interim.ok()) << interim.status();
  EXPECT_EQ(interim->status, 100);
  ASSERT_TRUE(client.Send("body").ok());
  absl::StatusOr<RawResponse> response = client.Read();
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "body");
  // A handler that answers without reading gets no 100 at all.
  ASSERT_TRUE(client
                  .Send("POST /hello HTTP/1.1\r\nHost: a\r\n"
                        "Expect: 100-continue\r\nContent-Length: 4\r\n\r\n")
                  .ok());
  response = client.Read();
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->headers["connection"], "close");
}

TEST_F(ServerTest, EveryResponseCarriesADate) {
  StartServer();
  RawClient client = Connect();
  ASSERT_TRUE(client.Send("GET /hello HTTP/1.1\r\nHost: a\r\n\r\n").ok());
  absl::StatusOr<RawResponse> response = client.Read();
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_THAT(response->headers["date"], ::testing::EndsWith(" GMT"));
  EXPECT_EQ(response->headers["date"].size(), 29u);
}

// Graceful shutdown: idle keep-alive connections close at once, a request
// in flight finishes (told "Connection: close"), new clients are refused.
TEST_F(ServerTest, StopLetsInFlightRequestsFinishAndClosesIdleOnes) {
  StartServer();
  RawClient idle = Connect();
  ASSERT_TRUE(idle.Send("GET /hello HTTP/1.1\r\nHost: a\r\n\r\n").ok());
  ASSERT_TRUE(idle.Read().ok());
  RawClient busy = Connect();
  ASSERT_TRUE(busy.Send("GET /slow HTTP/1.1\r\nHost: a\r\n\r\n").ok());
  ASSERT_TRUE(entered_.Wait(kPatience));
  const SocketAddress address = server_->address();
  auto stopper = Spawn([this] { server_->Stop(kPatience); });
  EXPECT_TRUE(idle.ServerClosed());
  EXPECT_FALSE(Socket::Connect(address, kPatience).ok());
  release_.Set();
  absl::StatusOr<RawResponse> response = busy.Read();
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->body, "finished");
  EXPECT_EQ(response->headers["connection"], "close");
  stopper.Join();
  EXPECT_EQ(server_->connection_count(), 0);
}

}  // namespace
}  // namespace evergreen
