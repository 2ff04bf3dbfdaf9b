// JoinableQueue: B-Q5 and B-Q6 of docs/behaviours.md.
#include "framework/joinable_queue.h"

#include <vector>

#include "framework/greenlet.h"
#include "framework/hub.h"
#include "framework/waiter.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/leak_check.h"
#include "tests/testing/wait_until.h"

namespace evergreen {
namespace {

using ::absl::StatusCode;
using ::testing::HasSubstr;

class JoinableQueueTest : public ::testing::Test {
 protected:
  void TearDown() override { Hub::DestroyCurrent(); }
};

// B-Q5: the count rises when an item is put (gevent counts on put), stays
// up through Get, and TaskDone lowers it.
TEST_F(JoinableQueueTest, TaskCountRisesOnPutAndFallsOnTaskDone) {
  JoinableQueue<int> q;
  EXPECT_EQ(q.unfinished_tasks(), 0u);
  ASSERT_TRUE(q.Put(1).ok());
  EXPECT_EQ(q.unfinished_tasks(), 1u);
  EXPECT_EQ(*q.Get(), 1);
  EXPECT_EQ(q.unfinished_tasks(), 1u);
  EXPECT_TRUE(q.TaskDone().ok());
  EXPECT_EQ(q.unfinished_tasks(), 0u);
}

// B-Q5
TEST_F(JoinableQueueTest, ExtraTaskDoneIsAnError) {
  JoinableQueue<int> q;
  const absl::Status s = q.TaskDone();
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(s.message(), HasSubstr("TaskDone called more times"));
  ASSERT_TRUE(q.Put(1).ok());
  EXPECT_TRUE(q.TaskDone().ok());
  EXPECT_EQ(q.TaskDone().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(q.unfinished_tasks(), 0u);
}

// B-Q5
TEST_F(JoinableQueueTest,
       JoinOnAQueueThatNeverHadItemsReturnsWithoutSwitching) {
  leak_check::ExpectLeftovers("the spawned greenlet is left unrun on purpose");
  JoinableQueue<int> q;
  bool other_ran = false;
  Spawn([&] { other_ran = true; });
  const unsigned long long turns = Hub::Current()->turns();
  EXPECT_TRUE(q.Join());
  EXPECT_EQ(Hub::Current()->turns(), turns);
  EXPECT_FALSE(other_ran);
}

// B-Q5
TEST_F(JoinableQueueTest, JoinBlocksUntilEveryTaskIsDone) {
  leak_check::ExpectLeftovers("workers stay blocked on the empty queue");
  JoinableQueue<int> q(2);
  std::vector<int> processed;
  for (int w = 0; w < 3; ++w) {
    Spawn([&] {
      for (auto item = q.Get(); item.ok(); item = q.Get()) {
        Sleep(absl::ZeroDuration());  // "work" that yields
        processed.push_back(*item);
        ASSERT_TRUE(q.TaskDone().ok());
      }
    });
  }
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(q.Put(i).ok());
  EXPECT_TRUE(q.Join(absl::Seconds(30)));
  EXPECT_EQ(processed.size(), 10u);
  EXPECT_EQ(q.unfinished_tasks(), 0u);
  q.Shutdown();  // lets the workers finish
}

TEST_F(JoinableQueueTest, JoinTimesOutWhileTasksRemain) {
  JoinableQueue<int> q;
  ASSERT_TRUE(q.Put(1).ok());
  EXPECT_FALSE(q.Join(absl::Milliseconds(20)));
  EXPECT_FALSE(q.Join(absl::ZeroDuration()));
  EXPECT_EQ(q.unfinished_tasks(), 1u);
}

TEST_F(JoinableQueueTest, EveryBlockedJoinerReturnsOnTheLastTaskDone) {
  JoinableQueue<int> q;
  ASSERT_TRUE(q.Put(1).ok());
  int joined = 0;
  int joining = 0;
  for (int i = 0; i < 3; ++i) {
    Spawn([&] {
      ++joining;
      if (q.Join()) ++joined;
    });
  }
  ASSERT_TRUE(WaitUntil([&] { return joining == 3; }, "3 joiners blocked"));
  EXPECT_EQ(joined, 0);
  ASSERT_TRUE(q.Get().ok());
  ASSERT_TRUE(q.TaskDone().ok());
  ASSERT_TRUE(WaitUntil([&] { return joined >= 3; }, "the joiners returned"));
  EXPECT_EQ(joined, 3);
}

TEST_F(JoinableQueueTest, ItemsHandedToWaitingGettersAndAdmittedPuttersCount) {
  leak_check::ExpectLeftovers("a putter stays blocked on the full queue");
  JoinableQueue<int> q(1);
  Spawn([&] { (void)q.Get(); });
  ASSERT_TRUE(WaitForGetters(q, 1));
  ASSERT_TRUE(q.Put(1).ok());  // straight to the getter
  EXPECT_EQ(q.unfinished_tasks(), 1u);
  ASSERT_TRUE(q.Put(2).ok());
  Spawn([&] { ASSERT_TRUE(q.Put(3).ok()); });
  ASSERT_TRUE(WaitForPutters(q, 1));
  EXPECT_EQ(q.unfinished_tasks(), 2u);  // 3 is not in yet
  EXPECT_EQ(*q.Get(), 2);
  EXPECT_EQ(q.unfinished_tasks(), 3u);  // admitted by that Get
}

// B-Q6
TEST_F(JoinableQueueTest, ImmediateShutdownReleasesJoinAndDropsItsTasks) {
  JoinableQueue<int> q;
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(q.Put(i).ok());
  ASSERT_TRUE(q.Get().ok());  // one task in flight
  bool joined = false;
  bool joining = false;
  auto joiner = Spawn([&] {
    joining = true;
    joined = q.Join();
  });
  ASSERT_TRUE(WaitForFlag(joining, "the joiner blocked in Join"));
  EXPECT_FALSE(joined);
  q.Shutdown(/*immediate=*/true);
  EXPECT_EQ(q.Get().status().code(), StatusCode::kFailedPrecondition);
  ASSERT_TRUE(joiner.Join(absl::Seconds(30)));
  EXPECT_TRUE(joined);
  EXPECT_TRUE(q.Join());
  EXPECT_EQ(q.unfinished_tasks(), 1u);  // the one taken may still finish
  EXPECT_TRUE(q.TaskDone().ok());
}

// B-Q6
TEST_F(JoinableQueueTest, GracefulShutdownStillWaitsForTakenItems) {
  JoinableQueue<int> q;
  ASSERT_TRUE(q.Put(1).ok());
  q.Shutdown();
  EXPECT_FALSE(q.Join(absl::Milliseconds(10)));
  EXPECT_EQ(*q.Get(), 1);
  ASSERT_TRUE(q.TaskDone().ok());
  EXPECT_TRUE(q.Join());
}

TEST_F(JoinableQueueTest, EarlyTaskDoneThenImmediateShutdownDoesNotUnderflow) {
  JoinableQueue<int> q;
  ASSERT_TRUE(q.Put(1).ok());
  ASSERT_TRUE(q.TaskDone().ok());  // allowed before Get, as in gevent
  q.Shutdown(/*immediate=*/true);
  EXPECT_EQ(q.unfinished_tasks(), 0u);
}

TEST_F(JoinableQueueTest, KillingABlockedJoinerLeavesTheQueueUsable) {
  JoinableQueue<int> q;
  ASSERT_TRUE(q.Put(1).ok());
  bool joining = false;
  auto joiner = Spawn([&] {
    joining = true;
    (void)q.Join();
  });
  ASSERT_TRUE(WaitForFlag(joining, "the joiner blocked in Join"));
  joiner.Kill();
  EXPECT_TRUE(joiner.killed());
  ASSERT_TRUE(q.Get().ok());
  EXPECT_TRUE(q.TaskDone().ok());
  EXPECT_TRUE(q.Join());
}

}  // namespace
}  // namespace evergreen
