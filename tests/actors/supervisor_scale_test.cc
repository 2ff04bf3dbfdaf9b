// Supervisor at scale (B-U9): shutting down n children is linear in n, for
// the ordered shutdown of static strategies and the parallel shutdown of
// simple_one_for_one alike.
#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "actors/actor.h"
#include "actors/actor_ref.h"
#include "actors/supervisor.h"
#include "framework/hub.h"
#include "gtest/gtest.h"

namespace evergreen {
namespace {

class Idle : public ActorBase {
 public:
  struct Nothing {};
  void Handle(Nothing) {}
};

// Small stacks: ten thousand actors at once.
constexpr std::size_t kStack = 64 * 1024;

// The sizes compared, and the bound on the ratio of their stop times.
// Both sizes outgrow the CPU caches, so their per-child cost is alike and
// linear shutdown measures about 5x (2.2-7.3x on a loaded 2-core machine)
// while a quadratic scan of the children would add 25x. (At 1,000 children
// the stacks and cells still fit the caches after eviction, at 1.5 us per
// child against 5 us beyond: that step alone once measured 97x between
// 1,000 and 10,000.) ThreadSanitizer follows at most 8,128 fibers (one per
// actor) at once: under it, 100 and 1,000, whose caches step the bound of
// 80 allows for.
#if defined(__SANITIZE_THREAD__)
constexpr int kSmall = 100;
constexpr int kLarge = 1000;
constexpr double kBound = 80;
#else
constexpr int kSmall = 4000;
constexpr int kLarge = 20000;
constexpr double kBound = 15;
#endif

absl::StatusOr<Child> StartIdle() {
  return SpawnActor<Idle>({.stack_size = kStack});
}

// Both sizes are timed from cold caches: otherwise a thousand children's
// stacks and cells stay cached and ten thousand do not, and that step
// alone (measured: 0.3 us vs 2 us per bare actor stopped) would swamp the
// algorithm's cost, which is what B-U9 is about.
void EvictCaches() {
  static std::vector<char>* junk = new std::vector<char>(256 << 20);
  for (std::size_t i = 0; i < junk->size(); i += 64) (*junk)[i] += 1;
}

// Starts a supervisor with `n` children and returns how long stopping it
// takes (its children stopping, then itself).
absl::Duration TimeToStop(Strategy strategy, int n) {
  absl::StatusOr<Supervisor> sup =
      strategy == Strategy::kSimpleOneForOne
          ? Supervisor::Start({.strategy = strategy},
                              {{.id = "idle", .start = StartIdle}})
          : Supervisor::Start({.strategy = strategy}, {});
  EXPECT_TRUE(sup.ok()) << sup.status();
  if (!sup.ok()) return absl::ZeroDuration();
  for (int i = 0; i < n; ++i) {
    absl::StatusOr<Child> child =
        strategy == Strategy::kSimpleOneForOne
            ? sup->StartChild()
            : sup->StartChild(
                  ChildSpec{.id = absl::StrCat("idle", i), .start = StartIdle});
    EXPECT_TRUE(child.ok()) << child.status();
    if (!child.ok()) return absl::ZeroDuration();
  }
  EXPECT_EQ(sup->CountChildren()->active, n);
  EvictCaches();
  const absl::Time begin = absl::Now();
  sup->Stop();
  EXPECT_TRUE(sup->Join(absl::Seconds(120)));
  return absl::Now() - begin;
}

class SupervisorScaleTest : public ::testing::TestWithParam<Strategy> {
 protected:
  void TearDown() override { Hub::DestroyCurrent(); }
};

TEST_P(SupervisorScaleTest, StoppingTenTimesTheChildrenIsNotQuadratic) {
  // B-U9: stopping kLarge children costs about kLarge / kSmall times
  // kSmall (see kBound). The best of up to three damps scheduling noise; a
  // trial that already meets the bound ends the test (the best can only get
  // better), so a quiet machine measures each size once.
  absl::Duration small = absl::InfiniteDuration();
  absl::Duration large = absl::InfiniteDuration();
  for (int trial = 0; trial < 3; ++trial) {
    small = std::min(small, TimeToStop(GetParam(), kSmall));
    large = std::min(large, TimeToStop(GetParam(), kLarge));
    if (large <= kBound * small) break;
  }
  std::printf("%s: stop %d children %s, %d children %s (x%.1f)\n",
              ToString(GetParam()), kSmall, absl::FormatDuration(small).c_str(),
              kLarge, absl::FormatDuration(large).c_str(),
              absl::FDivDuration(large, small));
  EXPECT_LE(large, kBound * small);
}

INSTANTIATE_TEST_SUITE_P(Strategies, SupervisorScaleTest,
                         ::testing::Values(Strategy::kOneForOne,
                                           Strategy::kSimpleOneForOne),
                         [](const ::testing::TestParamInfo<Strategy>& info) {
                           return std::string(ToString(info.param));
                         });

}  // namespace
}  // namespace evergreen
