// Channel: B-Q1 and B-Q4 of docs/behaviours.md, plus fairness, timeouts,
// shutdown, move-only items and kills.
#include "framework/channel.h"

#include <memory>
#include <string>
#include <vector>

#include "framework/errors.h"
#include "framework/greenlet.h"
#include "framework/hub.h"
#include "framework/wait.h"
#include "framework/waiter.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/wait_until.h"

namespace evergreen {
namespace {

using ::absl::StatusCode;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

class ChannelTest : public ::testing::Test {
 protected:
  void TearDown() override { Hub::DestroyCurrent(); }
};

// B-Q1
TEST_F(ChannelTest, TryPutAndTryGetFailWithoutAPartner) {
  Channel<int> ch;
  const absl::Status first = ch.TryPut(1);
  EXPECT_EQ(first.code(), StatusCode::kResourceExhausted);
  EXPECT_THAT(first.message(), HasSubstr("no getter is waiting"));
  EXPECT_EQ(ch.TryPut(2).code(), StatusCode::kResourceExhausted);
  const absl::StatusOr<int> got = ch.TryGet();
  EXPECT_EQ(got.status().code(), StatusCode::kUnavailable);
  EXPECT_THAT(got.status().message(), HasSubstr("no putter is waiting"));
  EXPECT_EQ(ch.balance(), 0);
}

// B-Q1
TEST_F(ChannelTest, TryPutFromHubCallbackWakesTheBlockedGetterWithinOneTurn) {
  Channel<int> ch;
  int got = 0;
  unsigned long long put_turn = 0;
  unsigned long long got_turn = 0;
  auto getter = Spawn([&] {
    got = *ch.Get();
    got_turn = Hub::Current()->turns();
  });
  ASSERT_TRUE(WaitForGetters(ch, 1));
  ASSERT_EQ(ch.balance(), -1);
  bool put_ok = false;
  Hub::Current()->Post([&] {
    put_turn = Hub::Current()->turns();
    put_ok = ch.TryPut(5).ok();
  });
  ASSERT_TRUE(getter.Join(absl::Seconds(30)));
  EXPECT_TRUE(put_ok);
  EXPECT_EQ(got, 5);
  EXPECT_LE(got_turn - put_turn, 1u);
}

// B-Q4
TEST_F(ChannelTest, PutReturnsOnlyOnceAGetterTookTheItem) {
  Channel<std::string> ch;
  bool put_returned = false;
  auto putter = Spawn([&] {
    ASSERT_TRUE(ch.Put("hello").ok());
    put_returned = true;
  });
  ASSERT_TRUE(WaitForPutters(ch, 1));
  // Everything runs that can: a Put that did not wait for a getter would
  // have returned.
  ASSERT_TRUE(WaitUntilAllBlocked());
  EXPECT_FALSE(put_returned);
  EXPECT_EQ(ch.balance(), 1);
  EXPECT_EQ(*ch.Get(), "hello");
  EXPECT_EQ(ch.balance(), 0);
  ASSERT_TRUE(putter.Join(absl::Seconds(30)));
  EXPECT_TRUE(put_returned);
}

// B-Q4
TEST_F(ChannelTest, PutToAWaitingGetterHandsTheItemOverAtOnce) {
  Channel<int> ch;
  int got = 0;
  auto getter = Spawn([&] { got = *ch.Get(); });
  ASSERT_TRUE(WaitForGetters(ch, 1));
  const unsigned long long turns = Hub::Current()->turns();
  ASSERT_TRUE(ch.Put(8).ok());
  EXPECT_EQ(Hub::Current()->turns(), turns);  // did not wait
  EXPECT_EQ(ch.balance(), 0);
  ASSERT_TRUE(getter.Join(absl::Seconds(30)));
  EXPECT_EQ(got, 8);
}

TEST_F(ChannelTest, PuttersAndGettersAreServedInArrivalOrder) {
  Channel<int> ch;
  for (int i = 0; i < 3; ++i) Spawn([&, i] { ASSERT_TRUE(ch.Put(i).ok()); });
  ASSERT_TRUE(WaitForPutters(ch, 3));
  EXPECT_EQ(ch.balance(), 3);
  EXPECT_EQ(*ch.Get(), 0);
  EXPECT_EQ(*ch.TryGet(), 1);
  EXPECT_EQ(*ch.Get(), 2);

  std::vector<std::pair<int, int>> got;  // (getter, item)
  for (int g = 0; g < 3; ++g) Spawn([&, g] { got.emplace_back(g, *ch.Get()); });
  ASSERT_TRUE(WaitForGetters(ch, 3));
  EXPECT_EQ(ch.balance(), -3);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(ch.TryPut(10 + i).ok());
  ASSERT_TRUE(WaitUntil([&] { return got.size() >= 3; },
                        "the three getters returned"));
  EXPECT_THAT(got, ElementsAre(std::make_pair(0, 10), std::make_pair(1, 11),
                               std::make_pair(2, 12)));
}

TEST_F(ChannelTest, PutAndGetTimeOutAndLeaveNoWaiterBehind) {
  Channel<int> ch;
  const absl::Time start = absl::Now();
  EXPECT_EQ(ch.Put(1, absl::Milliseconds(20)).code(),
            StatusCode::kDeadlineExceeded);
  EXPECT_GE(absl::Now() - start, absl::Milliseconds(10));
  EXPECT_EQ(ch.balance(), 0);
  const absl::StatusOr<int> got = ch.Get(absl::Milliseconds(20));
  EXPECT_EQ(got.status().code(), StatusCode::kDeadlineExceeded);
  EXPECT_THAT(got.status().message(), HasSubstr("channel Get timed out"));
  EXPECT_EQ(ch.balance(), 0);
}

TEST_F(ChannelTest, GetFromMainWithNothingAliveWouldBlockForever) {
  Channel<int> ch;
  EXPECT_THROW((void)ch.Get(), LoopExit);
  EXPECT_THROW((void)ch.Put(1), LoopExit);
  EXPECT_EQ(ch.balance(), 0);
}

TEST_F(ChannelTest, MoveOnlyItemsPassBothWays) {
  Channel<std::unique_ptr<int>> ch;
  Spawn([ch] { ASSERT_TRUE(ch.Put(std::make_unique<int>(1)).ok()); });
  ASSERT_TRUE(WaitForPutters(ch, 1));
  EXPECT_EQ(**ch.Get(), 1);
  std::unique_ptr<int> got;
  auto getter = Spawn([&] { got = *ch.Get(); });
  ASSERT_TRUE(WaitForGetters(ch, 1));
  ASSERT_TRUE(ch.TryPut(std::make_unique<int>(2)).ok());
  ASSERT_TRUE(getter.Join(absl::Seconds(30)));
  ASSERT_NE(got, nullptr);
  EXPECT_EQ(*got, 2);
}

TEST_F(ChannelTest, ShutdownWakesBlockedPuttersAndGetters) {
  Channel<int> puts;
  Channel<int> gets;
  std::vector<StatusCode> codes;
  std::vector<Greenlet<void>> all;
  for (int i = 0; i < 2; ++i) {
    all.push_back(Spawn([&, i] { codes.push_back(puts.Put(i).code()); }));
    all.push_back(Spawn([&] { codes.push_back(gets.Get().status().code()); }));
  }
  ASSERT_TRUE(WaitForPutters(puts, 2));
  ASSERT_TRUE(WaitForGetters(gets, 2));
  puts.Shutdown();
  gets.Shutdown();
  EXPECT_EQ(JoinAll(all, absl::Seconds(30)).size(), all.size());
  EXPECT_EQ(codes.size(), 4u);
  EXPECT_THAT(codes, ::testing::Each(StatusCode::kFailedPrecondition));
  EXPECT_EQ(puts.balance(), 0);
  const absl::Status after = gets.TryPut(1);
  EXPECT_EQ(after.code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(after.message(), HasSubstr("channel shut down"));
  EXPECT_EQ(puts.Get().status().code(), StatusCode::kFailedPrecondition);
  EXPECT_TRUE(puts.is_shut_down());
}

TEST_F(ChannelTest, KillingABlockedPutterWithdrawsItsItem) {
  Channel<int> ch;
  auto putter = Spawn([ch] { (void)ch.Put(1); });
  ASSERT_TRUE(WaitForPutters(ch, 1));
  ASSERT_EQ(ch.balance(), 1);
  putter.Kill();
  EXPECT_EQ(ch.balance(), 0);
  EXPECT_EQ(ch.TryGet().status().code(), StatusCode::kUnavailable);
}

TEST_F(ChannelTest, ItemHandedToAGetterKilledBeforeItResumesIsKept) {
  Channel<int> ch;
  auto victim = Spawn([ch] { (void)ch.Get(); });
  ASSERT_TRUE(WaitForGetters(ch, 1));
  victim.Kill(nullptr, /*block=*/false);  // runs first on the next turn
  ASSERT_TRUE(ch.TryPut(4).ok());         // handed to the victim
  ASSERT_TRUE(victim.Join(absl::Seconds(30)));
  EXPECT_TRUE(victim.killed());
  EXPECT_EQ(*ch.TryGet(), 4);  // kept for the next Get, not lost
  EXPECT_EQ(ch.TryGet().status().code(), StatusCode::kUnavailable);
}

TEST_F(ChannelTest, PingPongBetweenTwoGreenlets) {
  Channel<int> ping;
  Channel<int> pong;
  auto echo = Spawn([ping, pong] {
    for (auto n = ping.Get(); n.ok(); n = ping.Get()) {
      ASSERT_TRUE(pong.Put(*n + 1).ok());
    }
  });
  int n = 0;
  for (int i = 0; i < 100; ++i) {
    ASSERT_TRUE(ping.Put(n).ok());
    n = *pong.Get();
  }
  EXPECT_EQ(n, 100);
  ping.Shutdown();
  EXPECT_TRUE(echo.Join(absl::Seconds(30)));
}

}  // namespace
}  // namespace evergreen
