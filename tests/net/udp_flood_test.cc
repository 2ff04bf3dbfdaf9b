// The UDP echo sample (DatagramServer) flooded from outside: datagrams of
// every size from 0 to 65,507 bytes, bursts, garbage. It must answer
// exactly what it was sent, never crash, and keep its memory bounded.
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdio>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "framework/greenlet.h"
#include "framework/hub.h"
#include "gtest/gtest.h"
#include "net/socket.h"
#include "tests/net/child_server.h"

namespace evergreen {
namespace {

constexpr std::size_t kMaxUdpPayload = 65507;  // 65,535 - IP and UDP headers

class UdpFloodTest : public ::testing::Test {
 protected:
  void SetUp() override {
    child_.emplace("samples/udp_echo/udp_echo",
                   std::vector<std::string>{"--port=0"});
    absl::StatusOr<SocketAddress> address = child_->Address();
    ASSERT_TRUE(address.ok()) << address.status();
    server_ = *address;
    absl::StatusOr<Socket> client = Socket::Create(AF_INET, SOCK_DGRAM);
    ASSERT_TRUE(client.ok()) << client.status();
    client_ = *std::move(client);
    // Room for a flood's replies, so that few are lost on our side.
    (void)client_.SetOption(SOL_SOCKET, SO_RCVBUF, 8 << 20, "SO_RCVBUF");
  }
  void TearDown() override {
    client_.Close();
    child_.reset();  // its reader greenlet belongs to this hub
    Hub::DestroyCurrent();
  }

  // Sends `data` and waits for its echo (retrying: UDP may drop either).
  bool EchoedExactly(const std::string& data) {
    std::string reply(kMaxUdpPayload + 1, '\0');
    for (int attempt = 0; attempt < 5; ++attempt) {
      if (!client_.SendTo(data, server_).ok()) return false;
      for (;;) {
        absl::StatusOr<std::size_t> got = client_.RecvFrom(
            reply.data(), reply.size(), nullptr, absl::Seconds(1));
        if (!got.ok()) break;  // lost: send again
        if (absl::string_view(reply.data(), *got) == data) return true;
        // A late echo of an earlier datagram: keep reading.
      }
    }
    return false;
  }

  // Receives replies until none comes for a while; returns how many.
  int Drain() {
    std::string reply(kMaxUdpPayload + 1, '\0');
    int count = 0;
    while (client_.RecvFrom(reply.data(), reply.size(), nullptr,
                            absl::Milliseconds(300))
               .ok()) {
      ++count;
    }
    return count;
  }

  std::optional<ChildServer> child_;
  SocketAddress server_;
  Socket client_;
};

TEST_F(UdpFloodTest, EchoesEverySizeFromEmptyToTheLargestDatagram) {
  std::mt19937 random(42);
  for (std::size_t size : {std::size_t{0}, std::size_t{1}, std::size_t{512},
                           std::size_t{1472}, std::size_t{1473},
                           std::size_t{9000}, std::size_t{65000},
                           kMaxUdpPayload}) {
    std::string data(size, '\0');
    for (char& c : data) c = static_cast<char>(random());
    EXPECT_TRUE(EchoedExactly(data)) << size << " bytes";
  }
  // One byte too many for IPv4 UDP: refused by our own kernel, not sent.
  EXPECT_FALSE(
      client_.SendTo(std::string(kMaxUdpPayload + 1, 'x'), server_).ok());
  EXPECT_TRUE(child_->Running());
}

TEST_F(UdpFloodTest, FloodOfRandomSizesAndGarbageLeavesItServingInBoundedMemory) {
  std::mt19937 random(7);
  const long before = child_->ResidentKiB();
  long peak = before;
  int sent = 0;
  const absl::Time start = absl::Now();
  // Bursts back to back, bounded in count and time: random sizes over the
  // whole range, random bytes.
  for (int burst = 0; burst < 20 && absl::Now() - start < absl::Seconds(20);
       ++burst) {
    for (int i = 0; i < 200; ++i) {
      const std::size_t size =
          i % 10 == 0 ? random() % (kMaxUdpPayload + 1) : random() % 2048;
      std::string data(size, '\0');
      for (char& c : data) c = static_cast<char>(random());
      if (client_.SendTo(data, server_).ok()) ++sent;
    }
    Sleep(absl::ZeroDuration());
    peak = std::max(peak, child_->ResidentKiB());
  }
  const int replies = Drain();
  const long after = child_->ResidentKiB();
  std::printf("UDP flood: %d datagrams sent, %d echoes back; child RSS "
              "before %ld KiB, peak %ld KiB, after %ld KiB\n",
              sent, replies, before, peak, after);
  EXPECT_GT(sent, 0);
  EXPECT_GT(replies, 0);
  EXPECT_TRUE(child_->Running());
  EXPECT_TRUE(EchoedExactly("still serving"));
#if !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
  // Bounded: at most --in-flight (256) datagrams of <= 64 KiB are held.
  // (Not under a sanitizer: its quarantine keeps what was freed.)
  EXPECT_LT(peak, before + 64 * 1024);
  EXPECT_LT(after, before + 16 * 1024);
#endif
}

}  // namespace
}  // namespace evergreen
