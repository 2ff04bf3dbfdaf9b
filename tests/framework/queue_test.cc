// Queue, LifoQueue, PriorityQueue: B-Q1, B-Q2, B-Q3, B-Q6, B-Q7 of
// docs/behaviours.md, plus timeouts, fairness, move-only items, kills and
// thread affinity.
#include "framework/queue.h"

#include <algorithm>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/time/clock.h"
#include "framework/errors.h"
#include "framework/event.h"
#include "framework/greenlet.h"
#include "framework/hub.h"
#include "framework/timeout.h"
#include "framework/wait.h"
#include "framework/waiter.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/leak_check.h"
#include "tests/testing/wait_until.h"

namespace evergreen {
namespace {

using ::absl::StatusCode;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

class QueueTest : public ::testing::Test {
 protected:
  void TearDown() override { Hub::DestroyCurrent(); }
};

// B-Q1
TEST_F(QueueTest, TryPutOnQueueOfOneSucceedsOnceThenFailsFull) {
  Queue<int> q(1);
  EXPECT_TRUE(q.TryPut(1).ok());
  const absl::Status second = q.TryPut(2);
  EXPECT_EQ(second.code(), StatusCode::kResourceExhausted);
  EXPECT_THAT(second.message(), HasSubstr("queue full"));
  EXPECT_TRUE(q.full());
  EXPECT_EQ(q.size(), 1u);
  EXPECT_EQ(*q.TryGet(), 1);
  const absl::StatusOr<int> empty = q.TryGet();
  EXPECT_EQ(empty.status().code(), StatusCode::kUnavailable);
  EXPECT_THAT(empty.status().message(), HasSubstr("queue empty"));
  EXPECT_EQ(q.TryPeek().status().code(), StatusCode::kUnavailable);
}

// B-Q1
TEST_F(QueueTest, TryPutFromHubCallbackWakesBlockedGetterWithinOneTurn) {
  Queue<int> q;
  int got = 0;
  unsigned long long put_turn = 0;
  unsigned long long got_turn = 0;
  auto getter = Spawn([&] {
    got = *q.Get();
    got_turn = Hub::Current()->turns();
  });
  ASSERT_TRUE(WaitForGetters(q, 1));
  ASSERT_EQ(q.waiting_getters(), 1u);
  bool put_ok = false;
  Hub::Current()->Post([&] {
    put_turn = Hub::Current()->turns();
    put_ok = q.TryPut(7).ok();
  });
  ASSERT_TRUE(getter.Join(absl::Seconds(30)));
  EXPECT_TRUE(put_ok);
  EXPECT_EQ(got, 7);
  EXPECT_LE(got_turn - put_turn, 1u);
}

// B-Q1: the main greenlet's untimed Get is not "would block forever" while
// a posted TryPut is pending.
TEST_F(QueueTest, PostedTryPutSatisfiesAnUntimedGetFromMain) {
  Queue<int> q;
  Hub::Current()->Post([q] { ASSERT_TRUE(q.TryPut(3).ok()); });
  EXPECT_EQ(*q.Get(), 3);
}

// B-Q2
TEST_F(QueueTest, BoundedProducerBlocksAfterMaxsizeAndEachGetUnblocksOnePut) {
  Queue<int> q(2);
  std::vector<int> put_done;
  auto producer = Spawn([&] {
    for (int i = 0; i < 5; ++i) {
      ASSERT_TRUE(q.Put(i).ok());
      put_done.push_back(i);
    }
  });
  // Until it blocks on the third Put (its first two may yield once on a
  // loaded machine: MaybeYield).
  ASSERT_TRUE(WaitForPutters(q, 1));
  EXPECT_THAT(put_done, ElementsAre(0, 1));
  EXPECT_TRUE(q.full());
  EXPECT_EQ(q.waiting_putters(), 1u);
  for (int expected = 0; expected < 5; ++expected) {
    EXPECT_EQ(*q.Get(), expected);  // FIFO order
    const std::size_t admitted = std::min<std::size_t>(expected + 3, 5);
    ASSERT_TRUE(WaitUntil([&] { return put_done.size() >= admitted; },
                          "the admitted putter returned"));
    EXPECT_EQ(put_done.size(), admitted);
  }
  EXPECT_TRUE(producer.dead());
}

// B-Q2
TEST_F(QueueTest, EachPutCompletesExactlyOneOfFourBlockedGetters) {
  Queue<int> q(2);
  std::vector<std::pair<int, int>> got;  // (getter, item)
  for (int g = 0; g < 4; ++g) {
    Spawn([&, g] { got.emplace_back(g, *q.Get()); });
  }
  ASSERT_TRUE(WaitForGetters(q, 4));
  ASSERT_EQ(q.waiting_getters(), 4u);
  for (int i = 0; i < 4; ++i) {
    ASSERT_TRUE(q.Put(10 + i).ok());
    EXPECT_EQ(q.waiting_getters(), 3u - i);
    EXPECT_EQ(q.size(), 0u);  // handed over, not buffered
    ASSERT_TRUE(WaitUntil([&] { return got.size() >= i + 1u; },
                          "the served getter returned"));
    ASSERT_EQ(got.size(), i + 1u);
    EXPECT_EQ(got.back(), std::make_pair(i, 10 + i));  // arrival order
  }
}

TEST_F(QueueTest, BlockedPuttersAreAdmittedInArrivalOrder) {
  Queue<int> q(1);
  ASSERT_TRUE(q.TryPut(0).ok());
  std::vector<int> completed;
  for (int p = 1; p <= 3; ++p) {
    Spawn([&, p] {
      ASSERT_TRUE(q.Put(p).ok());
      completed.push_back(p);
    });
  }
  ASSERT_TRUE(WaitForPutters(q, 3));
  EXPECT_EQ(q.waiting_putters(), 3u);
  // A putter that never waited cannot jump the line.
  EXPECT_EQ(q.TryPut(99).code(), StatusCode::kResourceExhausted);
  for (int expected = 0; expected <= 3; ++expected) {
    EXPECT_EQ(*q.Get(), expected);
    const auto admitted = static_cast<std::size_t>(std::min(expected + 1, 3));
    ASSERT_TRUE(WaitUntil([&] { return completed.size() >= admitted; },
                          "the admitted putter returned"));
    EXPECT_EQ(completed.size(), admitted);
  }
  EXPECT_THAT(completed, ElementsAre(1, 2, 3));
}

TEST_F(QueueTest, ItemPutForAWaitingGetterIsNotStolenByALaterGetter) {
  Queue<int> q;
  int got = 0;
  auto getter = Spawn([&] { got = *q.Get(); });
  ASSERT_TRUE(WaitForGetters(q, 1));
  ASSERT_TRUE(q.TryPut(1).ok());
  EXPECT_EQ(q.TryGet().status().code(), StatusCode::kUnavailable);
  ASSERT_TRUE(getter.Join(absl::Seconds(30)));
  EXPECT_EQ(got, 1);
}

// B-Q3
TEST_F(QueueTest, PeekTimesOutOnAnEmptyQueue) {
  Queue<int> q;
  const absl::Time start = absl::Now();
  const absl::StatusOr<int> r = q.Peek(absl::Milliseconds(30));
  EXPECT_EQ(r.status().code(), StatusCode::kDeadlineExceeded);
  EXPECT_THAT(r.status().message(), HasSubstr("timed out after 30ms"));
  EXPECT_GE(absl::Now() - start, absl::Milliseconds(20));
  EXPECT_EQ(q.waiting_getters(), 0u);
}

// B-Q3
TEST_F(QueueTest, WaitingFromMainWithNothingAliveWouldBlockForever) {
  Queue<int> q;
  EXPECT_THROW((void)q.Peek(), LoopExit);
  EXPECT_THROW((void)q.Get(), LoopExit);
  EXPECT_EQ(q.waiting_getters(), 0u);
  Queue<int> full(1);
  ASSERT_TRUE(full.TryPut(1).ok());
  EXPECT_THROW((void)full.Put(2), LoopExit);
  EXPECT_EQ(full.waiting_putters(), 0u);
  EXPECT_EQ(full.size(), 1u);
}

TEST_F(QueueTest, PeekReturnsTheNextItemWithoutRemovingIt) {
  Queue<std::string> q;
  ASSERT_TRUE(q.Put("a").ok());
  ASSERT_TRUE(q.Put("b").ok());
  EXPECT_EQ(*q.Peek(), "a");
  EXPECT_EQ(*q.TryPeek(), "a");
  EXPECT_EQ(q.size(), 2u);
}

TEST_F(QueueTest, PutWakesEveryPeekerAndStillDeliversToTheGetter) {
  Queue<int> q;
  std::vector<std::string> seen;
  Spawn([&] { seen.push_back("peek1:" + std::to_string(*q.Peek())); });
  Spawn([&] { seen.push_back("get:" + std::to_string(*q.Get())); });
  Spawn([&] { seen.push_back("peek2:" + std::to_string(*q.Peek())); });
  ASSERT_TRUE(WaitForGetters(q, 3));
  ASSERT_EQ(q.waiting_getters(), 3u);
  ASSERT_TRUE(q.Put(4).ok());
  ASSERT_TRUE(WaitUntil([&] { return seen.size() >= 3; },
                        "the peekers and the getter returned"));
  EXPECT_THAT(seen,
              ::testing::UnorderedElementsAre("peek1:4", "get:4", "peek2:4"));
  EXPECT_EQ(q.size(), 0u);
}

TEST_F(QueueTest, GetTimesOutWhenEmpty) {
  Queue<int> q;
  const absl::Time start = absl::Now();
  const absl::StatusOr<int> r = q.Get(absl::Milliseconds(30));
  EXPECT_EQ(r.status().code(), StatusCode::kDeadlineExceeded);
  EXPECT_GE(absl::Now() - start, absl::Milliseconds(20));
  EXPECT_EQ(q.waiting_getters(), 0u);
  // The getter that gave up leaves nothing behind: the next item is kept.
  ASSERT_TRUE(q.TryPut(1).ok());
  EXPECT_EQ(q.size(), 1u);
}

TEST_F(QueueTest, PutTimesOutWhenFullAndDropsItsItem) {
  Queue<int> q(1);
  ASSERT_TRUE(q.TryPut(1).ok());
  const absl::Status s = q.Put(2, absl::Milliseconds(30));
  EXPECT_EQ(s.code(), StatusCode::kDeadlineExceeded);
  EXPECT_EQ(q.waiting_putters(), 0u);
  EXPECT_EQ(*q.TryGet(), 1);
  EXPECT_EQ(q.TryGet().status().code(), StatusCode::kUnavailable);
}

TEST_F(QueueTest, ZeroTimeoutFailsAtOnceWithoutSwitching) {
  Queue<int> q(1);
  const unsigned long long turns = Hub::Current()->turns();
  EXPECT_EQ(q.Get(absl::ZeroDuration()).status().code(),
            StatusCode::kDeadlineExceeded);
  ASSERT_TRUE(q.Put(1, absl::ZeroDuration()).ok());  // room: no wait needed
  EXPECT_EQ(q.Put(2, absl::ZeroDuration()).code(),
            StatusCode::kDeadlineExceeded);
  EXPECT_EQ(Hub::Current()->turns(), turns);
}

TEST_F(QueueTest, UnboundedQueueNeverBlocks) {
  Queue<int> q;
  for (int i = 0; i < 10000; ++i) ASSERT_TRUE(q.TryPut(i).ok());
  EXPECT_EQ(q.size(), 10000u);
  EXPECT_FALSE(q.full());
  EXPECT_EQ(q.maxsize(), 0u);
  EXPECT_EQ(Queue<int>(3).maxsize(), 3u);
}

TEST_F(QueueTest, CopiesShareOneQueue) {
  Queue<int> a;
  Queue<int> b = a;
  ASSERT_TRUE(a.TryPut(1).ok());
  EXPECT_EQ(*b.TryGet(), 1);
}

TEST_F(QueueTest, MoveOnlyItemsPassThroughBufferPutterAndGetter) {
  Queue<std::unique_ptr<int>> q(1);
  ASSERT_TRUE(q.Put(std::make_unique<int>(1)).ok());
  bool put_ok = false;
  Spawn([&] { put_ok = q.Put(std::make_unique<int>(2)).ok(); });
  ASSERT_TRUE(WaitForPutters(q, 1));
  EXPECT_EQ(**q.Get(), 1);  // admits the blocked putter's item
  EXPECT_EQ(**q.Get(), 2);
  EXPECT_TRUE(WaitForFlag(put_ok, "the admitted Put returned OK"));
  std::unique_ptr<int> got;
  auto getter = Spawn([&] { got = *q.Get(); });
  ASSERT_TRUE(WaitForGetters(q, 1));
  ASSERT_TRUE(q.TryPut(std::make_unique<int>(3)).ok());  // handed over
  ASSERT_TRUE(getter.Join(absl::Seconds(30)));
  ASSERT_NE(got, nullptr);
  EXPECT_EQ(*got, 3);
}

// std::vector<std::unique_ptr<int>> claims a copy constructor that does not
// compile: the queue must not instantiate it unless Peek is used.
TEST_F(QueueTest, ItemsThatOnlyLookCopyableWork) {
  Queue<std::vector<std::unique_ptr<int>>> q;
  std::vector<std::unique_ptr<int>> batch;
  batch.push_back(std::make_unique<int>(1));
  ASSERT_TRUE(q.Put(std::move(batch)).ok());
  EXPECT_EQ(*q.Get()->at(0), 1);
}

TEST_F(QueueTest, KillingABlockedGetterRemovesItsWaiter) {
  Queue<int> q;
  auto getter = Spawn([q] { (void)q.Get(); });
  ASSERT_TRUE(WaitForGetters(q, 1));
  ASSERT_EQ(q.waiting_getters(), 1u);
  getter.Kill();
  EXPECT_TRUE(getter.killed());
  EXPECT_EQ(q.waiting_getters(), 0u);
  ASSERT_TRUE(q.TryPut(5).ok());
  EXPECT_EQ(q.size(), 1u);
  EXPECT_EQ(*q.TryGet(), 5);
}

TEST_F(QueueTest, ItemHandedToAGetterKilledBeforeItResumesGoesBack) {
  Queue<int> q;
  ASSERT_TRUE(q.TryPut(1).ok());
  // One step at a time: a Get that finds an item may yield first
  // (MaybeYield, on a loaded machine), which would swap the two roles.
  auto take_first = Spawn([q] { (void)q.Get(); });  // takes 1
  ASSERT_TRUE(WaitUntil([&] { return q.size() == 0; }, "the first Get took 1"));
  auto victim = Spawn([q] { (void)q.Get(); });
  ASSERT_TRUE(WaitForGetters(q, 1));
  ASSERT_EQ(q.waiting_getters(), 1u);
  victim.Kill(nullptr, /*block=*/false);  // runs first on the next turn
  ASSERT_TRUE(q.TryPut(2).ok());          // handed to the victim
  ASSERT_TRUE(q.TryPut(3).ok());
  EXPECT_EQ(q.size(), 1u);
  ASSERT_TRUE(victim.Join(absl::Seconds(30)));
  EXPECT_TRUE(victim.killed());
  EXPECT_EQ(q.size(), 2u);
  EXPECT_EQ(*q.TryGet(), 2);  // back at the head, order kept
  EXPECT_EQ(*q.TryGet(), 3);
}

TEST_F(QueueTest, ItemOfAKilledGetterGoesToTheNextWaitingGetter) {
  Queue<int> q;
  auto victim = Spawn([q] { (void)q.Get(); });
  int got = 0;
  auto next = Spawn([&] { got = *q.Get(); });
  ASSERT_TRUE(WaitForGetters(q, 2));
  ASSERT_EQ(q.waiting_getters(), 2u);
  victim.Kill(nullptr, /*block=*/false);
  ASSERT_TRUE(q.TryPut(9).ok());
  ASSERT_TRUE(next.Join(absl::Seconds(30)));
  EXPECT_TRUE(victim.killed());
  EXPECT_EQ(got, 9);
  EXPECT_EQ(q.size(), 0u);
}

TEST_F(QueueTest, KillingABlockedPutterRemovesItAndItsItem) {
  Queue<int> q(1);
  ASSERT_TRUE(q.TryPut(1).ok());
  auto putter = Spawn([q] { (void)q.Put(2); });
  ASSERT_TRUE(WaitForPutters(q, 1));
  ASSERT_EQ(q.waiting_putters(), 1u);
  putter.Kill();
  EXPECT_EQ(q.waiting_putters(), 0u);
  EXPECT_EQ(*q.TryGet(), 1);
  EXPECT_EQ(q.TryGet().status().code(), StatusCode::kUnavailable);
}

TEST_F(QueueTest, ScopedTimeoutUnwindsABlockedGet) {
  Queue<int> q;
  auto getter = Spawn([q] {
    Timeout timeout(absl::Milliseconds(10));
    try {
      (void)q.Get();
    } catch (const TimeoutError& e) {
      return e.source() == &timeout;
    }
    return false;
  });
  EXPECT_TRUE(getter.Get(absl::Seconds(30)));
  EXPECT_EQ(q.waiting_getters(), 0u);
}

// B-Q6
TEST_F(QueueTest, GracefulShutdownRejectsPutsLetsItemsDrainThenFailsGets) {
  Queue<int> q;
  ASSERT_TRUE(q.Put(1).ok());
  ASSERT_TRUE(q.Put(2).ok());
  q.Shutdown();
  EXPECT_TRUE(q.is_shut_down());
  const absl::Status put = q.Put(3);
  EXPECT_EQ(put.code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(put.message(), HasSubstr("queue shut down"));
  EXPECT_EQ(q.TryPut(3).code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(*q.Peek(), 1);
  EXPECT_EQ(*q.Get(), 1);
  EXPECT_EQ(*q.TryGet(), 2);
  EXPECT_EQ(q.Get().status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(q.TryGet().status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(q.Peek().status().code(), StatusCode::kFailedPrecondition);
}

// B-Q6
TEST_F(QueueTest, ImmediateShutdownDropsItemsAndFailsGetAtOnce) {
  Queue<int> q(5);
  ASSERT_TRUE(q.Put(1).ok());
  ASSERT_TRUE(q.Put(2).ok());
  q.Shutdown(/*immediate=*/true);
  EXPECT_EQ(q.size(), 0u);
  EXPECT_EQ(q.Get().status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(q.Put(3).code(), StatusCode::kFailedPrecondition);
  q.Shutdown();  // stays immediate
  EXPECT_EQ(q.TryGet().status().code(), StatusCode::kFailedPrecondition);
}

// B-Q6
TEST_F(QueueTest, ShutdownWakesBlockedPuttersAndGetters) {
  Queue<int> full(1);
  ASSERT_TRUE(full.TryPut(0).ok());
  Queue<int> empty;
  std::vector<StatusCode> codes;
  std::vector<Greenlet<void>> all;
  for (int i = 0; i < 2; ++i) {
    all.push_back(Spawn([&, i] { codes.push_back(full.Put(i).code()); }));
    all.push_back(Spawn([&] { codes.push_back(empty.Get().status().code()); }));
  }
  all.push_back(Spawn([&] { codes.push_back(empty.Peek().status().code()); }));
  ASSERT_TRUE(WaitForPutters(full, 2));
  ASSERT_TRUE(WaitForGetters(empty, 3));
  ASSERT_EQ(full.waiting_putters(), 2u);
  ASSERT_EQ(empty.waiting_getters(), 3u);
  full.Shutdown();
  empty.Shutdown();
  EXPECT_EQ(JoinAll(all, absl::Seconds(30)).size(), all.size());
  EXPECT_THAT(codes, ::testing::Each(StatusCode::kFailedPrecondition));
  EXPECT_EQ(codes.size(), 5u);
  EXPECT_EQ(*full.Get(), 0);  // graceful: the queued item is still there
}

// B-Q7
TEST_F(QueueTest, LifoQueueReturnsTheNewestFirst) {
  leak_check::ExpectLeftovers("a putter stays blocked on the full queue");
  LifoQueue<int> q(2);
  ASSERT_TRUE(q.Put(1).ok());
  ASSERT_TRUE(q.Put(2).ok());
  Spawn([q] { ASSERT_TRUE(q.Put(3).ok()); });
  ASSERT_TRUE(WaitForPutters(q, 1));
  EXPECT_EQ(*q.Peek(), 2);
  EXPECT_EQ(*q.Get(), 2);  // makes room: 3 goes on top
  EXPECT_EQ(*q.Get(), 3);
  EXPECT_EQ(*q.Get(), 1);
}

// B-Q7
TEST_F(QueueTest, PriorityQueueReturnsTheLeastFirst) {
  PriorityQueue<int> q;
  for (int i : {5, 1, 4, 2, 3}) ASSERT_TRUE(q.Put(i).ok());
  EXPECT_EQ(*q.Peek(), 1);
  std::vector<int> out;
  while (!q.empty()) out.push_back(*q.Get());
  EXPECT_THAT(out, ElementsAre(1, 2, 3, 4, 5));

  PriorityQueue<int, std::greater<int>> max_first;
  for (int i : {2, 3, 1}) ASSERT_TRUE(max_first.Put(i).ok());
  EXPECT_EQ(*max_first.Get(), 3);
}

// B-Q7
TEST_F(QueueTest, PriorityQueueKeepsInsertionOrderForEqualPriorities) {
  struct ByPriority {
    bool operator()(const std::pair<int, std::string>& a,
                    const std::pair<int, std::string>& b) const {
      return a.first < b.first;
    }
  };
  PriorityQueue<std::pair<int, std::string>, ByPriority> q;
  for (const auto& [p, name] :
       std::vector<std::pair<int, std::string>>{{1, "a"},
                                                {0, "x"},
                                                {1, "b"},
                                                {2, "z"},
                                                {1, "c"},
                                                {0, "y"},
                                                {1, "d"}}) {
    ASSERT_TRUE(q.Put({p, name}).ok());
  }
  std::string order;
  while (!q.empty()) order += q.Get()->second;
  EXPECT_EQ(order, "xyabcdz");
}

TEST_F(QueueTest, PriorityQueueTakesMoveOnlyItemsWithACustomCompare) {
  struct Deref {
    bool operator()(const std::unique_ptr<int>& a,
                    const std::unique_ptr<int>& b) const {
      return *a < *b;
    }
  };
  PriorityQueue<std::unique_ptr<int>, Deref> q(3);
  for (int i : {3, 1, 2}) ASSERT_TRUE(q.TryPut(std::make_unique<int>(i)).ok());
  EXPECT_EQ(q.TryPut(std::make_unique<int>(0)).code(),
            StatusCode::kResourceExhausted);
  EXPECT_EQ(**q.Get(), 1);
  EXPECT_EQ(**q.Get(), 2);
  EXPECT_EQ(**q.Get(), 3);
}

TEST_F(QueueTest, UseFromAnotherThreadIsAnError) {
  Queue<int> q;
  bool threw = false;
  std::thread other([&] {
    try {
      (void)q.TryPut(1);
    } catch (const WrongThreadError& e) {
      threw = std::string(e.what()).find("queue Put") != std::string::npos;
    }
  });
  other.join();
  EXPECT_TRUE(threw);
  EXPECT_EQ(q.size(), 0u);
}

TEST_F(QueueTest, BlockingGetInsideTheHubIsAnError) {
  Queue<int> q;
  Event done;
  bool threw = false;
  Hub::Current()->Post([&] {
    try {
      (void)q.Get();
    } catch (const BlockingInHubError&) {
      threw = true;
    }
    done.Set();
  });
  ASSERT_TRUE(done.Wait(absl::Seconds(30)));
  EXPECT_TRUE(threw);
  EXPECT_EQ(q.waiting_getters(), 0u);
  EXPECT_TRUE(q.TryGet().status().code() == StatusCode::kUnavailable);
}

// A blocked call takes no reference on the queue (no atomic per wait): it
// counts itself in the core, which outlives the last handle until the
// last blocked call leaves (a use after free under ASan otherwise).
TEST_F(QueueTest, LastHandleDroppedWhileAGetterWaitsKeepsTheQueueUntilItLeaves) {
  auto* q = new Queue<int>;
  absl::Status got;
  auto getter = Spawn([q, &got] {
    got = q->Get(absl::Milliseconds(20)).status();  // outlives *q
  });
  ASSERT_TRUE(WaitForGetters(*q, 1));
  delete q;  // the last handle
  ASSERT_TRUE(getter.Join(absl::Seconds(30)));
  EXPECT_EQ(got.code(), StatusCode::kDeadlineExceeded);
  EXPECT_THAT(got.message(), HasSubstr("queue Get"));
}

// The last handle dropped on another thread: the hub's thread decides, as
// a greenlet there may still be blocked (ASan: no use after free, no leak).
TEST_F(QueueTest, LastHandleDroppedOnAnotherThreadWhileAPutterWaits) {
  auto q = std::make_unique<Queue<int>>(1);
  ASSERT_TRUE(q->TryPut(1).ok());
  auto putter = Spawn([raw = q.get()] { (void)raw->Put(2); });
  ASSERT_TRUE(WaitForPutters(*q, 1));
  std::thread other([handle = std::move(q)]() mutable { handle.reset(); });
  other.join();
  // The posted release runs first and finds the putter blocked: the core
  // outlives it.
  ASSERT_TRUE(WaitUntil([] { return Hub::Current()->stats().posted == 0; },
                        "the posted release ran"));
  EXPECT_EQ(putter.dead(), false);
  putter.Kill();  // unwinds the Put; the core goes with the last of its calls
  EXPECT_TRUE(putter.dead());
  // And with nobody blocked, dropped elsewhere while the hub lives.
  auto idle = std::make_unique<Queue<int>>();
  ASSERT_TRUE(idle->TryPut(3).ok());
  std::thread([handle = std::move(idle)]() mutable { handle.reset(); }).join();
  ASSERT_TRUE(WaitUntil([] { return Hub::Current()->stats().posted == 0; },
                        "the posted release ran"));
}

TEST_F(QueueTest, DestroyingTheHubUnwindsBlockedGreenletsWithoutLosingItems) {
  leak_check::ExpectLeftovers("destroying the hub with blocked greenlets is the point");
  Queue<std::unique_ptr<int>> full(1);
  ASSERT_TRUE(full.TryPut(std::make_unique<int>(1)).ok());
  Spawn([full] { (void)full.Put(std::make_unique<int>(2)); });
  Queue<std::unique_ptr<int>> empty;
  Spawn([empty] { (void)empty.Get(); });
  Spawn([empty] { (void)empty.Get(); });
  ASSERT_TRUE(WaitForPutters(full, 1));
  ASSERT_TRUE(WaitForGetters(empty, 2));
  ASSERT_TRUE(empty.TryPut(std::make_unique<int>(3)).ok());  // handed over
  Hub::DestroyCurrent();
  EXPECT_EQ(full.waiting_putters(), 0u);
  EXPECT_EQ(full.size(), 1u);
  EXPECT_EQ(empty.waiting_getters(), 0u);
  EXPECT_EQ(empty.size(), 1u);  // the unresumed getter gave it back
}

}  // namespace
}  // namespace evergreen
