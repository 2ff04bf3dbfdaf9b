// Typed services over UDP (B-RPC7), through a proxy that drops and
// duplicates datagrams in both directions: calls succeed by retry, and the
// handler runs once per call.
#include <sys/socket.h>

#include <memory>
#include <vector>

#include "actors/service/service_spec.h"
#include "actors/transport/frames.h"
#include "actors/transport/rpc_server.h"
#include "actors/transport/udp_channel.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "net/socket.h"
#include "tests/proto/echo_service.h"

namespace evergreen {
namespace {

using test::Echo;
using test::EchoReply;
using test::EchoRequest;
using test::EchoService;
using ::testing::HasSubstr;

EchoRequest Say(std::string text) {
  EchoRequest request;
  request.set_text(std::move(text));
  return request;
}

// Forwards datagrams between one client and `server`, dropping every
// third and sending every fourth twice, in each direction.
class LossyProxy {
 public:
  explicit LossyProxy(SocketAddress server) : server_(server) {
    front_ = *Socket::Create(AF_INET, SOCK_DGRAM);
    (void)front_.Bind(*SocketAddress::Parse("127.0.0.1:0"));
    back_ = *Socket::Create(AF_INET, SOCK_DGRAM);
    (void)back_.Bind(*SocketAddress::Parse("127.0.0.1:0"));
    up_ = Spawn([this] { Pump(front_, back_, /*to_server=*/true); });
    down_ = Spawn([this] { Pump(back_, front_, /*to_server=*/false); });
  }
  ~LossyProxy() {
    up_.Kill();
    down_.Kill();
  }

  SocketAddress address() const { return *front_.LocalAddress(); }

  int dropped[2] = {0, 0};     // [to server, to client]
  int duplicated[2] = {0, 0};

 private:
  void Pump(Socket& in, Socket& out, bool to_server) {
    std::string buffer(70000, '\0');
    int n = 0;
    for (;;) {
      SocketAddress from;
      absl::StatusOr<std::size_t> got =
          in.RecvFrom(buffer.data(), buffer.size(), &from);
      if (!got.ok()) continue;
      if (to_server) client_ = from;
      const SocketAddress& to = to_server ? server_ : client_;
      absl::string_view data(buffer.data(), *got);
      ++n;
      if (n % 3 == 1) {
        ++dropped[to_server ? 0 : 1];
        continue;
      }
      (void)out.SendTo(data, to);
      if (n % 4 == 0) {
        ++duplicated[to_server ? 0 : 1];
        (void)out.SendTo(data, to);
      }
    }
  }

  SocketAddress server_;
  SocketAddress client_;
  Socket front_;
  Socket back_;
  Greenlet<void> up_;
  Greenlet<void> down_;
};

class UdpTransportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    echo_ = SpawnService<EchoService>("echo", {});
    ASSERT_TRUE(server_.Register<Echo>(echo_).ok());
    absl::StatusOr<SocketAddress> bound = server_.ListenUdp("127.0.0.1:0");
    ASSERT_TRUE(bound.ok()) << bound.status();
    address_ = *bound;
    EchoService::runs = 0;
  }
  void TearDown() override {
    server_.Stop(absl::Seconds(1));
    echo_.Kill();
    EXPECT_TRUE(echo_.Join(absl::Seconds(30)));
  }

  ActorRef<EchoService> echo_;
  RpcServer server_;
  SocketAddress address_;
};

TEST_F(UdpTransportTest, TypedCallOverUdp) {
  Echo::Client client(Channel::Udp(address_.ToString()));
  absl::StatusOr<EchoReply> reply =
      client.Say(Say("datagram"), {.timeout = absl::Seconds(5)});
  ASSERT_TRUE(reply.ok()) << reply.status();
  EXPECT_EQ(reply->text(), "datagram");
  EXPECT_GT(reply->deadline_ms(), 0);
}

// B-RPC7: drops and duplicates both ways; every call succeeds once.
TEST_F(UdpTransportTest, LossAndDuplicationAreMaskedAndHandlersRunOnce) {
  LossyProxy proxy(address_);
  Echo::Client client(Channel::Udp(proxy.address().ToString()));
  for (int i = 0; i < 30; ++i) {
    absl::StatusOr<EchoReply> reply =
        client.Say(Say(absl::StrCat("seq-", i)), {.timeout = absl::Seconds(10)});
    ASSERT_TRUE(reply.ok()) << i << ": " << reply.status();
    EXPECT_EQ(reply->text(), absl::StrCat("seq-", i));
  }
  std::vector<AsyncResult<absl::StatusOr<EchoReply>>> pending;
  for (int i = 0; i < 20; ++i) {
    pending.push_back(client.SayAsync(Say(absl::StrCat("async-", i)),
                                      {.timeout = absl::Seconds(10)}));
  }
  for (int i = 0; i < 20; ++i) {
    absl::StatusOr<EchoReply> reply = pending[i].Get();
    ASSERT_TRUE(reply.ok()) << i << ": " << reply.status();
    EXPECT_EQ(reply->text(), absl::StrCat("async-", i));
  }
  EXPECT_EQ(EchoService::runs, 50);
  EXPECT_GT(proxy.dropped[0], 0);
  EXPECT_GT(proxy.dropped[1], 0);
  EXPECT_GT(proxy.duplicated[0], 0);
  EXPECT_GT(proxy.duplicated[1], 0);
}

TEST_F(UdpTransportTest, ReplyTooBigForADatagramIsResourceExhausted) {
  Echo::Client client(Channel::Udp(address_.ToString()));
  EchoRequest big = Say("big");
  big.set_reply_bytes(100'000);
  absl::StatusOr<EchoReply> reply = client.Say(big, {.timeout = absl::Seconds(5)});
  EXPECT_EQ(reply.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(reply.status().message(), HasSubstr("does not fit a datagram"));
  EXPECT_EQ(EchoService::runs, 1);
}

TEST_F(UdpTransportTest, NoServerMeansDeadlineExceededAtTheDeadline) {
  server_.Stop(absl::ZeroDuration());
  Echo::Client client(Channel::Udp(address_.ToString()));
  const absl::Time start = absl::Now();
  absl::StatusOr<EchoReply> reply =
      client.Say(Say("anyone?"), {.timeout = absl::Milliseconds(200)});
  EXPECT_EQ(reply.status().code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_LT(absl::Now() - start, absl::Seconds(5));
}

// Sends one request datagram with call id `id` from `socket` to `server`
// and returns the reply frame's outcome.
absl::StatusOr<Payload> RawCall(Socket& socket, const SocketAddress& server,
                                std::uint64_t id) {
  absl::StatusOr<rpc::Frame> request =
      RequestFrame(id, Echo::Descriptor().methods[0], Say("raw"),
                   absl::InfiniteFuture(), {});
  if (!request.ok()) return request.status();
  absl::StatusOr<std::size_t> sent =
      socket.SendTo(request->SerializeAsString(), server);
  if (!sent.ok()) return sent.status();
  char buffer[65536];
  SocketAddress from;
  absl::StatusOr<std::size_t> n =
      socket.RecvFrom(buffer, sizeof(buffer), &from, absl::Seconds(10));
  if (!n.ok()) return n.status();
  rpc::Frame reply;
  if (!reply.ParseFromArray(buffer, static_cast<int>(*n))) {
    return absl::InternalError("reply does not parse");
  }
  return OutcomeOf(reply);
}

// B-RPC7: the duplicate cache forgets a call `duplicate_cache_ttl` after
// it was first seen (copies within it are answered from the cache: see
// LossAndDuplicationAreMaskedAndHandlersRunOnce): a copy after it runs
// again.
TEST(UdpDuplicateCacheTest, EntriesExpireAfterTheirTtl) {
  ActorRef<EchoService> echo = SpawnService<EchoService>("echo", {});
  RpcServer server({.udp = {.duplicate_cache_ttl = absl::Milliseconds(50)}});
  ASSERT_TRUE(server.Register<Echo>(echo).ok());
  absl::StatusOr<SocketAddress> bound = server.ListenUdp("127.0.0.1:0");
  ASSERT_TRUE(bound.ok()) << bound.status();
  EchoService::runs = 0;
  absl::StatusOr<Socket> socket = Socket::Create(AF_INET, SOCK_DGRAM);
  ASSERT_TRUE(socket.ok());
  ASSERT_TRUE(socket->Bind(*SocketAddress::Parse("127.0.0.1:0")).ok());
  ASSERT_TRUE(RawCall(*socket, *bound, 7).ok());
  EXPECT_EQ(EchoService::runs, 1);
  Sleep(absl::Milliseconds(60));  // the ttl passes: no event marks it
  absl::StatusOr<Payload> again = RawCall(*socket, *bound, 7);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(EchoService::runs, 2);
  server.Stop(absl::Seconds(1));
  echo.Stop();
  echo.Join();
}

}  // namespace
}  // namespace evergreen
