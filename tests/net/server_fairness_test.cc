// Fair scheduling on a server (B-D6, docs/design.md): a
// connection that is always readable must not starve the others. Before
// the budget, one client keeping the echo handler busy (its Recv never hit
// EAGAIN) left a second client with no echo at all within 3 s.
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "absl/time/clock.h"
#include "framework/hub.h"
#include "gtest/gtest.h"
#include "tests/testing/wait_until.h"
#include "net/socket.h"
#include "net/stream_server.h"

namespace evergreen {
namespace {

class ServerFairnessTest : public ::testing::Test {
 protected:
  void TearDown() override { Hub::DestroyCurrent(); }
};

// A blocking OS-level client of the server: one thread writes 64 KiB
// blocks, another drains the echoes, until `stop` (bounded in time too).
class Firehose {
 public:
  Firehose(const SocketAddress& server, std::atomic<bool>* stop)
      : fd_(socket(server.family(), SOCK_STREAM, 0)) {
    connected_ = fd_ >= 0 &&
                 connect(fd_, server.sockaddr_ptr(), server.length()) == 0;
    if (!connected_) return;
    timeval tick{.tv_sec = 0, .tv_usec = 100000};  // re-check `stop`
    setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tick, sizeof(tick));
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tick, sizeof(tick));
    const absl::Time until = absl::Now() + absl::Seconds(20);
    writer_ = std::thread([this, stop, until] {
      const std::string block(64 << 10, 'f');
      while (!*stop && absl::Now() < until) {
        if (send(fd_, block.data(), block.size(), MSG_NOSIGNAL) < 0 &&
            errno != EAGAIN && errno != EWOULDBLOCK) {
          return;
        }
        sent_ += block.size();
      }
    });
    reader_ = std::thread([this, stop, until] {
      std::vector<char> buffer(256 << 10);
      while (!*stop && absl::Now() < until) {
        const ssize_t n = recv(fd_, buffer.data(), buffer.size(), 0);
        if (n == 0) return;
        if (n > 0) received_ += n;
      }
    });
  }
  ~Firehose() {
    if (writer_.joinable()) writer_.join();
    if (reader_.joinable()) reader_.join();
    if (fd_ >= 0) close(fd_);
  }
  bool connected() const { return connected_; }
  long long received() const { return received_; }

 private:
  int fd_;
  bool connected_ = false;
  std::thread writer_;
  std::thread reader_;
  std::atomic<long long> sent_{0};
  std::atomic<long long> received_{0};
};

TEST_F(ServerFairnessTest, AnAlwaysReadableConnectionDoesNotStarveOthers) {
  StreamServer server(*SocketAddress::Parse("127.0.0.1:0"),
                      [](Socket& connection, const SocketAddress&) {
                        for (;;) {  // echo
                          absl::StatusOr<std::string> data =
                              connection.Recv(64 << 10);
                          if (!data.ok() || data->empty()) return;
                          if (!connection.SendAll(*data).ok()) return;
                        }
                      });
  ASSERT_TRUE(server.Start().ok());
  std::atomic<bool> stop{false};
  Firehose firehose(server.address(), &stop);
  ASSERT_TRUE(firehose.connected());
  // Wait until the firehose's echoes flow: its handler is busy.
  ASSERT_TRUE(WaitUntil([&] { return firehose.received() >= (1 << 20); },
                        "1 MiB of the firehose's echoes came back"));

  absl::StatusOr<Socket> client =
      Socket::Connect(server.address(), absl::Seconds(5));
  ASSERT_TRUE(client.ok()) << client.status();
  absl::Duration worst;
  for (int i = 0; i < 20; ++i) {
    const absl::Time start = absl::Now();
    ASSERT_TRUE(client->SendAll("ping").ok());
    std::string got;
    while (got.size() < 4) {
      absl::StatusOr<std::string> part = client->Recv(4, absl::Seconds(3));
      ASSERT_TRUE(part.ok()) << "echo " << i << ": " << part.status();
      ASSERT_FALSE(part->empty());
      got += *part;
    }
    EXPECT_EQ(got, "ping");
    worst = std::max(worst, absl::Now() - start);
  }
  stop = true;
  // Generous: a few budgets and one handler's run each (ms), not seconds.
  EXPECT_LT(worst, absl::Milliseconds(100));
  client->Close();
  server.Stop(absl::Milliseconds(100));  // the firehose's handler is killed
}

}  // namespace
}  // namespace evergreen
