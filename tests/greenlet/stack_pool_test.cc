// StackPool bounds: count and byte caps, pages given back beyond the
// low-water mark and on Trim(), and RSS that comes back after a burst of
// greenlets (B-LR1).
#include "greenlet/stack_pool.h"

#include <alloca.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>
#include <vector>

#include "greenlet/raw_greenlet.h"
#include "gtest/gtest.h"

namespace evergreen {
namespace {

std::size_t PageSize() { return static_cast<std::size_t>(getpagesize()); }

// Pages of `stack` resident in memory, by mincore(2).
std::size_t ResidentPages(const Stack& stack) {
  std::vector<unsigned char> pages(stack.size() / PageSize());
  if (mincore(stack.bottom(), stack.size(), pages.data()) != 0) return ~0u;
  std::size_t count = 0;
  for (unsigned char page : pages) count += page & 1;
  return count;
}

// A stack with its top `bytes` written, as a greenlet would leave it.
Stack TouchedStack(std::size_t bytes = 4 * 4096) {
  absl::StatusOr<Stack> stack = Stack::Allocate(kMinStackSize);
  EXPECT_TRUE(stack.ok()) << stack.status();
  std::memset(static_cast<char*>(stack->top()) - bytes, 1, bytes);
  return *std::move(stack);
}

// Resident set size from /proc/self/statm, in bytes.
long ResidentBytes() {
  std::ifstream in("/proc/self/statm");
  long size = 0, resident = 0;
  in >> size >> resident;
  return resident * static_cast<long>(PageSize());
}

TEST(StackPoolTest, KeepsAtMostMaxCachedStacks) {
  StackPool pool(StackPoolLimits{.max_cached = 3});
  for (int i = 0; i < 5; ++i) pool.Release(TouchedStack());
  EXPECT_EQ(pool.cached(), 3u);
}

TEST(StackPoolTest, KeepsAtMostMaxCachedBytes) {
  const std::size_t footprint = RoundStackSize(kMinStackSize) + PageSize();
  StackPool pool(StackPoolLimits{.max_cached_bytes = 2 * footprint + 1});
  for (int i = 0; i < 5; ++i) pool.Release(TouchedStack());
  EXPECT_EQ(pool.cached(), 2u);
  EXPECT_EQ(pool.cached_bytes(), 2 * footprint);
}

TEST(StackPoolTest, PagesBeyondTheLowWaterMarkGoBackToTheKernel) {
  StackPool pool(StackPoolLimits{.resident_cached = 1});
  pool.Release(TouchedStack());
  pool.Release(TouchedStack());
  EXPECT_EQ(pool.cached(), 2u);
  EXPECT_EQ(pool.resident(), 1u);
  // The stack handed out first is the one released last: its pages went.
  absl::StatusOr<Stack> last = pool.Acquire(kMinStackSize);
  ASSERT_TRUE(last.ok());
  EXPECT_EQ(ResidentPages(*last), 0u);
  absl::StatusOr<Stack> first = pool.Acquire(kMinStackSize);
  ASSERT_TRUE(first.ok());
  EXPECT_GE(ResidentPages(*first), 4u);
  EXPECT_EQ(pool.resident(), 0u);
}

TEST(StackPoolTest, TrimGivesBackPagesAndKeepsStacksCached) {
  StackPool pool;
  for (int i = 0; i < 3; ++i) pool.Release(TouchedStack());
  EXPECT_EQ(pool.resident(), 3u);
  pool.Trim(/*keep_resident=*/1);
  EXPECT_EQ(pool.resident(), 1u);
  pool.Trim();
  EXPECT_EQ(pool.resident(), 0u);
  EXPECT_EQ(pool.cached(), 3u);
  for (int i = 0; i < 3; ++i) {
    absl::StatusOr<Stack> stack = pool.Acquire(kMinStackSize);
    ASSERT_TRUE(stack.ok());
    EXPECT_EQ(ResidentPages(*stack), 0u);
  }
}

TEST(StackPoolTest, LowerLimitsApplyAtOnce) {
  StackPool pool;
  for (int i = 0; i < 4; ++i) pool.Release(TouchedStack());
  pool.set_limits({.max_cached = 2, .resident_cached = 1});
  EXPECT_EQ(pool.cached(), 2u);
  EXPECT_EQ(pool.resident(), 1u);
}

TEST(StackPoolTest, ThreadPoolLimitsAreSettable) {
  StackPool& pool = ThisThreadStackPool();
  const StackPoolLimits saved = pool.limits();
  pool.set_limits({.max_cached = 7});
  EXPECT_EQ(ThisThreadStackPool().max_cached(), 7u);
  pool.set_limits(saved);
}

// Runs `count` greenlets that each write `touch` bytes of stack and stay
// suspended until all have started; then lets them all finish.
void Burst(int count, std::size_t touch) {
  std::vector<std::unique_ptr<RawGreenlet>> all;
  all.reserve(count);
  for (int i = 0; i < count; ++i) {
    all.push_back(std::make_unique<RawGreenlet>([touch](void*) -> void* {
      char* frame = static_cast<char*>(alloca(touch));
      std::memset(frame, 1, touch);
      asm volatile("" : : "r"(frame) : "memory");
      return RawGreenlet::Main()->Switch();
    }));
    all.back()->Switch();
  }
  for (const auto& greenlet : all) greenlet->Switch();
  for (const auto& greenlet : all) EXPECT_TRUE(greenlet->dead());
}

#if defined(__SANITIZE_THREAD__)
// ThreadSanitizer follows at most 8,128 fibers (one per greenlet) at once
// and creates them slowly; still twice the pool's resident_cached (1,024).
constexpr int kBurst = 2048;
#else
constexpr int kBurst = 10000;
#endif

// B-LR1: after a burst of 10,000 greenlets ends, resident memory returns
// near what it was before: the pool keeps the pages of only
// `resident_cached` stacks.
TEST(StackPoolTest, ResidentMemoryComesBackAfterABurst) {
  constexpr std::size_t kTouch = 16 * 1024;
  StackPool& pool = ThisThreadStackPool();
  // The steady state: the resident part of the pool warm, the heap grown.
  Burst(static_cast<int>(pool.limits().resident_cached), kTouch);
  const long before = ResidentBytes();
  Burst(kBurst, kTouch);
  const long after = ResidentBytes();
  std::printf("RSS before %ld KiB, after a %d-greenlet burst %ld KiB; "
              "%zu stacks cached, %zu resident\n",
              before >> 10, kBurst, after >> 10, pool.cached(),
              pool.resident());
  EXPECT_EQ(pool.resident(), pool.limits().resident_cached);
#if !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
  // 10,000 x 16 KiB touched would be ~160 MiB had the pool kept them.
  EXPECT_LT(after, before + before / 10) << "before " << before;
#endif
}

}  // namespace
}  // namespace evergreen
