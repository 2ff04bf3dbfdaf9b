// TLS streams: large transfers, timeouts, abrupt closes (B-X4), SIGPIPE,
// and Close() waking blocked callers.
#include <signal.h>
#include <sys/socket.h>

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/wait_until.h"
#include "net/tls_socket.h"
#include "tests/net/tls_fixture.h"

namespace evergreen {
namespace {

using ::testing::AnyOf;
using ::testing::HasSubstr;

class TlsStreamTest : public TlsFixture {
 protected:
  // Lets the client take in what the server sent after the handshake (TLS
  // 1.3 session tickets): a socket closed with unread data sends RST, not
  // the FIN a test of a clean TCP close needs.
  static void SettleTickets(Ends& ends) {
    ASSERT_TRUE(ends.server->WriteAll("hi").ok());
    EXPECT_EQ(*ends.client->Read(10, absl::Seconds(5)), "hi");
  }

  // A handshaken connection with the valid test certificates.
  Ends Established() {
    Ends ends = Connect(ClientContext(), ServerContext(Pki().server));
    EXPECT_TRUE(ends.client.ok()) << ends.client.status();
    EXPECT_TRUE(ends.server.ok()) << ends.server.status();
    return ends;
  }
};

std::string Pattern(std::size_t size, unsigned seed) {
  std::string data(size, '\0');
  for (std::size_t i = 0; i < size; ++i) {
    data[i] = static_cast<char>((i * 131 + seed + i / 4099) & 0xff);
  }
  return data;
}

// Reads until close_notify; an error's text is returned instead.
std::string ReadToEnd(TlsSocket& tls) {
  std::string all;
  std::string buffer(64 << 10, '\0');
  for (;;) {
    absl::StatusOr<std::size_t> n =
        tls.ReadInto(buffer.data(), buffer.size(), absl::Seconds(30));
    if (!n.ok()) return n.status().ToString();
    if (*n == 0) return all;
    all.append(buffer.data(), *n);
  }
}

TEST_F(TlsStreamTest, LargeTransfersBothWaysAtOnce) {
  Ends ends = Established();
  ASSERT_TRUE(ends.client.ok() && ends.server.ok());
  TlsSocket& client = *ends.client;
  TlsSocket& server = *ends.server;
  const std::string up = Pattern(4 << 20, 1);
  const std::string down = Pattern(5 << 20, 7);
  // Each socket has a writer and a reader greenlet at the same time.
  auto send = [](TlsSocket& tls, const std::string& data) {
    return Spawn([&tls, &data]() -> absl::Status {
      absl::Status sent = tls.WriteAll(data, absl::Seconds(30));
      return sent.ok() ? tls.Shutdown(absl::Seconds(5)) : sent;
    });
  };
  auto client_writer = send(client, up);
  auto server_writer = send(server, down);
  auto server_reader = Spawn([&server] { return ReadToEnd(server); });
  const std::string received = ReadToEnd(client);
  EXPECT_TRUE(client_writer.Get().ok());
  EXPECT_TRUE(server_writer.Get().ok());
  const std::string sent_up = server_reader.Get();
  EXPECT_EQ(received.size(), down.size());
  EXPECT_TRUE(received == down);
  EXPECT_EQ(sent_up.size(), up.size());
  EXPECT_TRUE(sent_up == up);
}

TEST_F(TlsStreamTest, ServerHandshakeTimesOutWhenThePeerNeverSpeaks) {
  auto [silent, server] = Pair();
  absl::StatusOr<TlsSocket> tls = TlsAccept(
      std::move(server), ServerContext(Pki().server), absl::Milliseconds(200));
  EXPECT_EQ(tls.status().code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_THAT(std::string(tls.status().message()),
              HasSubstr("TLS handshake with"));
  EXPECT_THAT(std::string(tls.status().message()),
              HasSubstr("timed out after 200ms"));
}

TEST_F(TlsStreamTest, ClientHandshakeTimesOutWhenTheServerNeverAnswers) {
  auto [client, silent] = Pair();
  absl::StatusOr<TlsSocket> tls = TlsConnect(
      std::move(client), ClientContext(), "localhost", absl::Milliseconds(200));
  EXPECT_EQ(tls.status().code(), absl::StatusCode::kDeadlineExceeded);
}

TEST_F(TlsStreamTest, ReadTimesOutAndTheConnectionStaysUsable) {
  Ends ends = Established();
  ASSERT_TRUE(ends.client.ok() && ends.server.ok());
  absl::StatusOr<std::string> nothing =
      ends.client->Read(10, absl::Milliseconds(100));
  EXPECT_EQ(nothing.status().code(), absl::StatusCode::kDeadlineExceeded);
  ends.client->socket().set_timeout(absl::Milliseconds(50));  // the default
  EXPECT_EQ(ends.client->Read(10).status().code(),
            absl::StatusCode::kDeadlineExceeded);
  ASSERT_TRUE(ends.server->WriteAll("late").ok());
  EXPECT_EQ(*ends.client->Read(10, absl::Seconds(5)), "late");
}

TEST_F(TlsStreamTest, AWriteTimeoutCutsTheStream) {
  Ends ends = Established();
  ASSERT_TRUE(ends.client.ok() && ends.server.ok());
  const std::string big(64 << 20, 'x');  // more than the socket buffers
  const absl::Status sent = ends.client->WriteAll(big, absl::Milliseconds(200));
  EXPECT_EQ(sent.code(), absl::StatusCode::kDeadlineExceeded) << sent;
  // Part of a record may be out: nothing may follow it.
  const absl::Status more = ends.client->WriteAll("more");
  EXPECT_EQ(more.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(more.message()), HasSubstr("part-way"));
  EXPECT_EQ(ends.client->Shutdown().code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST_F(TlsStreamTest, CloseFromAnotherGreenletWakesABlockedReader) {
  Ends ends = Established();
  ASSERT_TRUE(ends.client.ok() && ends.server.ok());
  TlsSocket& client = *ends.client;
  auto reader = Spawn([&client] { return client.Read(10).status(); });
  ASSERT_TRUE(WaitUntilAllBlocked());  // the reader is now blocked
  client.Close();
  const absl::Status status = reader.Get(absl::Seconds(5));
  EXPECT_EQ(status.code(), absl::StatusCode::kCancelled) << status;
  EXPECT_THAT(std::string(status.message()), HasSubstr("socket closed"));
  EXPECT_FALSE(client.is_open());
}

// B-X4: a peer that goes away mid-handshake.
TEST_F(TlsStreamTest, AbruptCloseMidHandshakeIsAnErrorWithoutLeaks) {
  const TlsContext server_context = ServerContext(Pki().server);
  const TlsContext client_context = ClientContext();
  const int fds_before = OpenFds();
  std::string hello;
  {
    // A server that reads the ClientHello and hangs up.
    auto [client, raw_server] = Pair();
    auto connecting = Spawn([&, c = std::move(client)]() mutable {
      return TlsConnect(std::move(c), client_context, "localhost",
                        absl::Seconds(5))
          .status();
    });
    absl::StatusOr<std::string> got =
        raw_server.Recv(16 << 10, absl::Seconds(5));
    ASSERT_TRUE(got.ok()) << got.status();
    hello = *got;
    raw_server.Close();
    const absl::Status status = connecting.Get();
    EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable) << status;
    EXPECT_THAT(std::string(status.message()),
                HasSubstr("connection closed by peer"));
  }
  ASSERT_GT(hello.size(), 10u);
  {
    // A client that sends half its ClientHello and hangs up.
    auto [raw_client, server] = Pair();
    ASSERT_TRUE(raw_client.SendAll(hello.substr(0, hello.size() / 2)).ok());
    raw_client.Close();
    absl::StatusOr<TlsSocket> tls =
        TlsAccept(std::move(server), server_context, absl::Seconds(5));
    EXPECT_EQ(tls.status().code(), absl::StatusCode::kUnavailable)
        << tls.status();
  }
  {
    // A client that hangs up right after connecting.
    auto [raw_client, server] = Pair();
    raw_client.Close();
    absl::StatusOr<TlsSocket> tls =
        TlsAccept(std::move(server), server_context, absl::Seconds(5));
    EXPECT_EQ(tls.status().code(), absl::StatusCode::kUnavailable)
        << tls.status();
    EXPECT_THAT(std::string(tls.status().message()),
                HasSubstr("connection closed by peer"));
  }
  EXPECT_EQ(OpenFds(), fds_before);
}

// B-X4: a peer that goes away mid-record, or between records without
// close_notify (a truncation attack looks the same).
TEST_F(TlsStreamTest, AbruptCloseMidRecordIsAnErrorWithoutLeaks) {
  const int fds_before = OpenFds();
  {
    Ends ends = Established();
    ASSERT_TRUE(ends.client.ok() && ends.server.ok());
    SettleTickets(ends);
    // An application-data record header promising 16 KiB, then 100 bytes.
    const std::string header("\x17\x03\x03\x40\x00", 5);
    ASSERT_TRUE(
        ends.client->socket().SendAll(header + std::string(100, 'x')).ok());
    ends.client->Close();
    absl::StatusOr<std::string> got = ends.server->Read(100, absl::Seconds(5));
    EXPECT_EQ(got.status().code(), absl::StatusCode::kUnavailable)
        << got.status();
    EXPECT_THAT(std::string(got.status().message()),
                HasSubstr("connection closed by peer"));
  }
  {
    Ends ends = Established();
    ASSERT_TRUE(ends.client.ok() && ends.server.ok());
    SettleTickets(ends);
    ASSERT_TRUE(ends.client->WriteAll("complete").ok());
    ends.client->Close();  // no close_notify
    EXPECT_EQ(*ends.server->Read(100, absl::Seconds(5)), "complete");
    absl::StatusOr<std::string> got = ends.server->Read(100, absl::Seconds(5));
    EXPECT_EQ(got.status().code(), absl::StatusCode::kUnavailable)
        << got.status();
  }
  EXPECT_EQ(OpenFds(), fds_before);
}

TEST_F(TlsStreamTest, AResetConnectionIsReportedWithItsErrno) {
  Ends ends = Established();
  ASSERT_TRUE(ends.client.ok() && ends.server.ok());
  const linger abort_on_close = {1, 0};  // close() sends RST
  ASSERT_EQ(setsockopt(ends.client->socket().fd(), SOL_SOCKET, SO_LINGER,
                       &abort_on_close, sizeof(abort_on_close)),
            0);
  ends.client->Close();
  absl::StatusOr<std::string> got = ends.server->Read(100, absl::Seconds(5));
  EXPECT_EQ(got.status().code(), absl::StatusCode::kUnavailable)
      << got.status();
  EXPECT_THAT(std::string(got.status().message()),
              HasSubstr("Connection reset by peer"));
}

// With OpenSSL's own socket BIO this would kill the process with SIGPIPE.
TEST_F(TlsStreamTest, WritingToAVanishedPeerFailsWithoutSigpipe) {
  struct sigaction previous;
  struct sigaction fatal = {};
  fatal.sa_handler = SIG_DFL;
  ASSERT_EQ(sigaction(SIGPIPE, &fatal, &previous), 0);
  Ends ends = Established();
  ASSERT_TRUE(ends.client.ok() && ends.server.ok());
  ends.server->Close();
  const std::string chunk(16 << 10, 'x');
  absl::Status status;
  for (int i = 0; i < 1000 && status.ok(); ++i) {
    status = ends.client->WriteAll(chunk, absl::Seconds(5));
  }
  EXPECT_FALSE(status.ok());
  EXPECT_THAT(std::string(status.message()),
              AnyOf(HasSubstr("Broken pipe"), HasSubstr("Connection reset")));
  // The stream is cut: later writes say so instead of corrupting it.
  EXPECT_EQ(ends.client->WriteAll("more").code(),
            absl::StatusCode::kFailedPrecondition);
  sigaction(SIGPIPE, &previous, nullptr);
}

}  // namespace
}  // namespace evergreen
