// B-AM2. The mail node pool (actors/internal/mail.h): a node freed on another
// thread goes back to the pool of the thread that made it, so one-way
// traffic between two threads (a cross-hub Tell stream) recycles nodes
// instead of allocating per message on one side and freeing per message on
// the other; a node may still be freed after its home thread has exited;
// many threads passing nodes around lose none and free none twice (also
// run under TSan, and under ASan, where the pool is off and every node is
// a plain new/delete).
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include "absl/time/time.h"
#include "actors/actor.h"
#include "actors/actor_on_hub.h"
#include "actors/actor_ref.h"
#include "actors/internal/mail.h"
#include "framework/hub_group.h"
#include "gtest/gtest.h"

namespace evergreen {
namespace {

using internal::MailPoolStats;
using internal::MailPtr;
using internal::MakeMail;
using internal::ThisThreadMailPoolStats;

constexpr absl::Duration kLong = absl::Seconds(30);

// A mail whose message counts its live copies (56 bytes of payload with
// the shared_ptr: one size class).
MailPtr CountedMail(const std::shared_ptr<std::atomic<int>>& live) {
  struct Payload {
    explicit Payload(std::shared_ptr<std::atomic<int>> l) : live(std::move(l)) {
      live->fetch_add(1);
    }
    Payload(Payload&& other) noexcept : live(std::move(other.live)) {}
    ~Payload() {
      if (live != nullptr) live->fetch_sub(1);
    }
    std::shared_ptr<std::atomic<int>> live;
    char pad[24] = {};
  };
  return MakeMail([p = Payload(live)](ActorBase&) {});
}

std::vector<MailPtr> MakeMany(int n,
                              const std::shared_ptr<std::atomic<int>>& live) {
  std::vector<MailPtr> mails;
  for (int i = 0; i < n; ++i) mails.push_back(CountedMail(live));
  return mails;
}

// Drops `mails` on a thread of their own.
void DropOnAnotherThread(std::vector<MailPtr> mails) {
  std::thread([&mails] { mails.clear(); }).join();
}

TEST(MailPoolTest, NodesFreedOnAnotherThreadReturnToTheirHomePool) {
  if (!internal::MailPoolEnabled()) GTEST_SKIP() << "no pool under ASan";
  auto live = std::make_shared<std::atomic<int>>(0);
  // A thread of its own: a fresh (or adopted, hence emptied) pool.
  std::thread home([&] {
    constexpr int kRounds = 10;
    constexpr int kBatch = 200;
    const MailPoolStats before = ThisThreadMailPoolStats();
    for (int round = 0; round < kRounds; ++round) {
      DropOnAnotherThread(MakeMany(kBatch, live));
    }
    const MailPoolStats after = ThisThreadMailPoolStats();
    // Only the first round allocates; every later one reuses the nodes the
    // other threads gave back. (Freed into the freeing thread's pool, as
    // before, every round would allocate kBatch fresh nodes.)
    EXPECT_EQ(after.fresh - before.fresh, kBatch);
    EXPECT_EQ(after.reused - before.reused, (kRounds - 1) * kBatch);
    EXPECT_EQ(after.returned - before.returned, (kRounds - 1) * kBatch);
  });
  home.join();
  EXPECT_EQ(live->load(), 0);
}

TEST(MailPoolTest, NodesOutliveTheirHomeThread) {
  auto live = std::make_shared<std::atomic<int>>(0);
  std::vector<MailPtr> orphans;
  const std::uint64_t before = internal::MailFreedAfterHomeExit();
  std::thread([&] { orphans = MakeMany(300, live); }).join();
  EXPECT_EQ(live->load(), 300);
  // Run some, drop the others, on two threads: each message dies once, and
  // each node is deleted (its home pool is orphaned), not kept.
  std::thread runner([&] {
    for (int i = 0; i < 100; ++i) orphans[i].reset();
  });
  runner.join();
  orphans.clear();
  EXPECT_EQ(live->load(), 0);
  if (internal::MailPoolEnabled()) {
    EXPECT_EQ(internal::MailFreedAfterHomeExit() - before, 300u);
  }
}

// A later thread may adopt an exited thread's pool; nodes of the old
// thread still outstanding then go back to the new one, or die.
TEST(MailPoolTest, ThreadsComeAndGoWhileTheirNodesLiveOn) {
  auto live = std::make_shared<std::atomic<int>>(0);
  std::vector<MailPtr> carried;
  for (int generation = 0; generation < 20; ++generation) {
    std::thread([&] {
      // Free half of what earlier threads made, make more.
      while (carried.size() > 50) carried.pop_back();
      std::vector<MailPtr> made = MakeMany(100, live);
      for (auto& mail : made) carried.push_back(std::move(mail));
    }).join();
  }
  carried.clear();
  EXPECT_EQ(live->load(), 0);
}

// A ring of threads: each makes mail, passes it to the next, and drops what
// it receives; threads leave the ring at different times, with their mail
// still travelling.
TEST(MailPoolTest, ManyThreadsPassingMailAround) {
  constexpr int kThreads = 8;
  constexpr int kPerThread = 5'000;
  struct Box {
    std::mutex mu;
    std::deque<MailPtr> mails;
  };
  std::vector<Box> boxes(kThreads);
  auto live = std::make_shared<std::atomic<int>>(0);
  std::atomic<int> done{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      Box& mine = boxes[t];
      Box& next = boxes[(t + 1) % kThreads];
      // Every thread makes as many; thread t takes what it received every
      // t + 1 sends, so some hold on to more mail than others.
      for (int i = 0; i < kPerThread; ++i) {
        MailPtr mail = CountedMail(live);
        {
          std::lock_guard<std::mutex> lock(next.mu);
          next.mails.push_back(std::move(mail));
        }
        if (i % (t + 1) == 0) {
          std::deque<MailPtr> got;
          {
            std::lock_guard<std::mutex> lock(mine.mu);
            got.swap(mine.mails);
          }
          // got's mail dies here, on this thread.
        }
      }
      done.fetch_add(1);
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(done.load(), kThreads);
  // What is left dies on the main thread, after every home exited.
  for (Box& box : boxes) box.mails.clear();
  EXPECT_EQ(live->load(), 0);
}

// The real path: a Tell stream from one hub to an actor on another. The
// sender's hub thread allocates about one batch in flight, not one node
// per message.
struct Increment {};
struct Count {};
class Sink : public ActorBase {
 public:
  void Handle(Increment) { ++count_; }
  std::int64_t Handle(Count) { return count_; }

 private:
  std::int64_t count_ = 0;
};

class MailPoolHubTest : public ::testing::Test {
 protected:
  // As the other cross-hub tests: a late keep-alive release posted to this
  // thread's hub dies with it.
  void TearDown() override { Hub::DestroyCurrent(); }
};

TEST_F(MailPoolHubTest, ACrossHubTellStreamRecyclesTheSendersNodes) {
  if (!internal::MailPoolEnabled()) GTEST_SKIP() << "no pool under ASan";
  HubGroup hubs({.threads = 2});
  absl::StatusOr<ActorRef<Sink>> sink =
      SpawnActorOn<Sink>(hubs, 1, ActorOptions{});
  ASSERT_TRUE(sink.ok()) << sink.status();
  constexpr std::int64_t kMessages = 20'000;
  constexpr std::int64_t kBurst = 100;
  absl::StatusOr<std::uint64_t> fresh =
      hubs.Spawn(0, [&] {
            const MailPoolStats before = ThisThreadMailPoolStats();
            for (std::int64_t sent = 0; sent < kMessages; sent += kBurst) {
              for (std::int64_t i = 0; i < kBurst; ++i) {
                EXPECT_TRUE(sink->Tell(Increment{}).ok());
              }
              // Let the sink catch up now and then (bounds what is in
              // flight, as a real sender waiting for replies would).
              if (sent % 1'000 == 0) {
                EXPECT_EQ(*sink->Call(Count{}, kLong), sent + kBurst);
              }
            }
            EXPECT_EQ(*sink->Call(Count{}, kLong), kMessages);
            return ThisThreadMailPoolStats().fresh - before.fresh;
          })
          .Result(kLong);
  ASSERT_TRUE(fresh.ok()) << fresh.status();
  // About what was in flight between two Calls (1,000 Tells, within the
  // pool's cap of 1,024 kept nodes a class), never one per message.
  EXPECT_LT(*fresh, 1'500u);
  sink->Stop();
  ASSERT_TRUE(sink->Join(kLong));
  hubs.Stop();
}

}  // namespace
}  // namespace evergreen
