// The direct hand-off (docs/hub.md, "Hand-offs"): a greenlet about to wait
// switches straight to the greenlet the hub would resume next. These tests
// pin down what must stay true of the hub meanwhile: I/O, timers and posts
// are still serviced within a bounded number of hand-offs, callbacks and
// other ready greenlets keep their FIFO turn, and kills, exceptions and
// deaths behave as through the hub (B-G9, B-Q1).
#include <unistd.h>

#include <stdexcept>
#include <string>
#include <thread>

#include "absl/time/time.h"
#include "framework/errors.h"
#include "framework/greenlet.h"
#include "framework/hub.h"
#include "framework/io_watcher.h"
#include "framework/queue.h"
#include "framework/waiter.h"
#include "gtest/gtest.h"

namespace evergreen {
namespace {

class HandOffTest : public ::testing::Test {
 protected:
  void TearDown() override { Hub::DestroyCurrent(); }
};

constexpr long kMaxRounds = 2'000'000;  // bounds every chain below

// A ping-pong between two greenlets over two queues: every Put wakes the
// other side, every Get waits, so each round is two hand-offs. Runs until
// `*stop` or kMaxRounds; returns the rounds made.
struct PingPong {
  Queue<long> ping;
  Queue<long> pong;
  Greenlet<void> echo;
  long rounds = 0;

  PingPong() {
    echo = Spawn([ping = ping, pong = pong] {
      for (auto n = ping.Get(); n.ok(); n = ping.Get()) (void)pong.Put(*n);
    });
  }
  ~PingPong() {
    ping.Shutdown();
    echo.Join();
  }
  // One round trip from the calling greenlet.
  void Round() {
    (void)ping.Put(rounds);
    EXPECT_EQ(*pong.Get(), rounds);
    ++rounds;
  }
  long RunUntil(const bool* stop) {
    const long start = rounds;
    while (!*stop && rounds - start < kMaxRounds) Round();
    return rounds - start;
  }
};

// A timer that falls due while two greenlets hand off to each other fires
// after a bounded number of hand-offs: the hub polls every few batches.
TEST_F(HandOffTest, TimerDueDuringAChainFiresWithinBoundedRounds) {
  PingPong pair;
  pair.Round();  // the echo is waiting
  bool fired = false;
  Hub::Current()->CallLater(absl::ZeroDuration(), [&] { fired = true; });
  const long rounds = pair.RunUntil(&fired);
  EXPECT_TRUE(fired);
  // Each round crosses two batches; the hub polls every 16 batches (and
  // the hub runs at least every 64 hand-offs).
  EXPECT_LE(rounds, 64);
}

// A greenlet waiting for I/O is resumed while a hand-off chain runs.
TEST_F(HandOffTest, ReadableFdIsServicedDuringAChain) {
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  bool readable = false;
  auto reader = Spawn([&] {
    EXPECT_TRUE(WaitReadable(fds[0], absl::Seconds(30)).ok());
    readable = true;
  });
  PingPong pair;
  pair.Round();  // the reader and the echo wait
  ASSERT_EQ(write(fds[1], "x", 1), 1);
  const long rounds = pair.RunUntil(&readable);
  EXPECT_TRUE(readable);
  EXPECT_LE(rounds, 64);
  reader.Join();
  close(fds[0]);
  close(fds[1]);
}

// A post from another thread (ev_async) runs during a chain; the chain
// ends when it does, bounded in rounds as a whole.
TEST_F(HandOffTest, PostFromAnotherThreadRunsDuringAChain) {
  PingPong pair;
  pair.Round();
  bool posted = false;
  std::thread poster([hub = Hub::Current(), &posted] {
    hub->Post([&posted] { posted = true; });
  });
  const long rounds = pair.RunUntil(&posted);
  poster.join();
  EXPECT_TRUE(posted);
  EXPECT_LT(rounds, kMaxRounds);
}

// A hub callback (not a hand-off node) keeps its FIFO place: the chain
// stops at it and the hub runs it within a round.
TEST_F(HandOffTest, CallbackScheduledDuringAChainRunsInItsTurn) {
  PingPong pair;
  pair.Round();
  long ran_at = -1;
  bool in_hub = false;
  Hub::Current()->CallSoon([&] {
    ran_at = pair.rounds;
    in_hub = Hub::Current()->InHub();
  });
  for (int i = 0; i < 4; ++i) pair.Round();
  EXPECT_GE(ran_at, 1);
  EXPECT_LE(ran_at, 2);
  EXPECT_TRUE(in_hub);  // callbacks still run in the hub greenlet
}

// B-G9: a third ready greenlet is not starved by two that hand off to each
// other: it runs once in every batch, as through the hub.
TEST_F(HandOffTest, ThirdReadyGreenletIsNotStarved) {
  bool stop = false;
  long third_turns = 0;
  auto third = Spawn([&] {
    while (!stop) {
      ++third_turns;
      Sleep(absl::ZeroDuration());
    }
  });
  PingPong pair;
  pair.Round();
  const long before = third_turns;
  for (int i = 0; i < 1000; ++i) pair.Round();
  stop = true;
  third.Join();
  // Two batches per round; the third yields once per batch.
  EXPECT_GE(third_turns - before, 1000);
}

// Sleep(0) with nothing else ready skips the hub, yet the hub still polls
// every few turns: a due timer fires within a bounded number of them.
TEST_F(HandOffTest, LoneSleepZeroStillPollsEveryFewTurns) {
  Sleep(absl::ZeroDuration());
  bool fired = false;
  Hub::Current()->CallLater(absl::ZeroDuration(), [&] { fired = true; });
  const unsigned long long turns = Hub::Current()->turns();
  int sleeps = 0;
  while (!fired && sleeps < 1000) {
    Sleep(absl::ZeroDuration());
    ++sleeps;
  }
  EXPECT_TRUE(fired);
  EXPECT_LE(sleeps, 17);
  EXPECT_GT(Hub::Current()->turns(), turns);  // each Sleep(0) is a turn
}

// A kill lands in a greenlet suspended inside a hand-off (it had switched
// straight to its partner): it unwinds there, and the chain's partner
// carries on.
TEST_F(HandOffTest, KillDuringAChainUnwindsTheTarget) {
  Queue<int> ping;
  Queue<int> pong;
  bool unwound = false;
  auto victim = Spawn([&] {
    struct Mark {
      bool* unwound;
      ~Mark() { *unwound = true; }
    } mark{&unwound};
    for (int i = 0;; ++i) {
      (void)ping.Put(i);
      (void)pong.Get();
    }
  });
  int echoed = 0;
  auto partner = Spawn([&] {
    for (auto n = ping.Get(); n.ok(); n = ping.Get()) {
      ++echoed;
      (void)pong.Put(*n);
    }
  });
  while (echoed < 100) Sleep(absl::ZeroDuration());
  victim.Kill();
  EXPECT_TRUE(victim.dead());
  EXPECT_TRUE(victim.killed());
  EXPECT_TRUE(unwound);
  ping.Shutdown();
  EXPECT_TRUE(partner.Join(absl::Seconds(30)));
}

// An exception raised into a greenlet while it waits inside a hand-off
// reaches it at its switch point; exception state stays per greenlet:
// a greenlet that hands off inside a catch block still rethrows its own.
TEST_F(HandOffTest, ExceptionStateIsPerGreenletAcrossHandOffs) {
  Queue<int> to_b;
  Queue<int> to_a;
  std::string a_rethrew;
  auto a = Spawn([&] {
    try {
      throw std::runtime_error("a's own");
    } catch (const std::runtime_error&) {
      (void)to_b.Put(1);    // wakes b
      (void)to_a.Get();     // hands off to b, which throws and catches
      try {
        throw;
      } catch (const std::runtime_error& e) {
        a_rethrew = e.what();
      }
    }
  });
  auto b = Spawn([&] {
    (void)to_b.Get();
    try {
      throw std::logic_error("b's");
    } catch (const std::logic_error&) {
      (void)to_a.Put(2);  // wakes a
      EXPECT_EQ(std::uncaught_exceptions(), 0);
    }
  });
  EXPECT_TRUE(a.Join(absl::Seconds(30)));
  EXPECT_TRUE(b.Join(absl::Seconds(30)));
  EXPECT_EQ(a_rethrew, "a's own");
  EXPECT_TRUE(a.successful());
  EXPECT_TRUE(b.successful());
}

// An error is thrown (a non-blocking Kill from a hub callback) into a
// greenlet while two others hand off to each other: it dies of it, and the
// chain goes on.
TEST_F(HandOffTest, ErrorThrownIntoAWaitingGreenletDuringAChain) {
  PingPong pair;
  pair.Round();
  auto waiter = Spawn([] {
    Queue<int> never;
    (void)never.Get();  // until killed
  });
  Sleep(absl::ZeroDuration());
  bool killed = false;
  Hub::Current()->CallSoon([&] {
    waiter.Kill(std::make_exception_ptr(std::runtime_error("boom")),
                /*block=*/false);
    killed = true;
  });
  for (int i = 0; i < 8; ++i) pair.Round();
  EXPECT_TRUE(killed);
  EXPECT_TRUE(waiter.Join(absl::Seconds(30)));
  ASSERT_NE(waiter.exception(), nullptr);
  EXPECT_THROW(std::rethrow_exception(waiter.exception()),
               std::runtime_error);
}

// Spawn+Join: the child, dying, passes control straight to its joiner;
// the dead greenlet is still released (nothing stays alive) and a join of
// a greenlet that was never resumed by the hub still works.
TEST_F(HandOffTest, DyingGreenletHandsOffToItsJoinerAndIsReleased) {
  Sleep(absl::ZeroDuration());
  for (int i = 0; i < 100; ++i) {
    int ran = 0;
    auto child = Spawn([&ran] { ++ran; });
    EXPECT_TRUE(child.Join(absl::Seconds(30)));
    EXPECT_EQ(ran, 1);
    EXPECT_TRUE(child.successful());
  }
  EXPECT_TRUE(Hub::Current()->Join(absl::Seconds(30)));
  EXPECT_EQ(Hub::Current()->stats().greenlets, 0u);
  EXPECT_EQ(Hub::Current()->stats().ready, 0u);
}

}  // namespace
}  // namespace evergreen
