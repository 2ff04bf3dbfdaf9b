// Stacks and the stack pool.
#include "greenlet/stack.h"
#include "greenlet/stack_pool.h"

#include <unistd.h>

#include <cstring>

#include "gtest/gtest.h"

namespace evergreen {
namespace {

TEST(StackTest, AllocateRoundsUpToPagesAndMinimum) {
  absl::StatusOr<Stack> stack = Stack::Allocate(1);
  ASSERT_TRUE(stack.ok()) << stack.status();
  EXPECT_EQ(stack->size(), RoundStackSize(kMinStackSize));
  EXPECT_EQ(stack->size() % static_cast<size_t>(getpagesize()), 0u);
  EXPECT_EQ(static_cast<char*>(stack->top()) -
                static_cast<char*>(stack->bottom()),
            static_cast<ptrdiff_t>(stack->size()));
}

TEST(StackTest, WholeUsableRangeIsWritable) {
  absl::StatusOr<Stack> stack = Stack::Allocate(64 * 1024);
  ASSERT_TRUE(stack.ok()) << stack.status();
  std::memset(stack->bottom(), 0xab, stack->size());
  EXPECT_EQ(static_cast<unsigned char*>(stack->bottom())[0], 0xab);
}

TEST(StackTest, GuardRegionIsRecognisedAsOverflow) {
  absl::StatusOr<Stack> stack = Stack::Allocate(64 * 1024);
  ASSERT_TRUE(stack.ok()) << stack.status();
  const auto bottom = reinterpret_cast<uintptr_t>(stack->bottom());
  EXPECT_TRUE(stack->IsOverflowAddress(bottom - 1));
  EXPECT_TRUE(stack->IsOverflowAddress(bottom - getpagesize()));
  EXPECT_FALSE(stack->IsOverflowAddress(bottom));
  EXPECT_FALSE(stack->IsOverflowAddress(bottom + 100));
  EXPECT_FALSE(stack->IsOverflowAddress(bottom - 10 * 1024 * 1024));
}

TEST(StackTest, MovedFromStackIsEmpty) {
  absl::StatusOr<Stack> stack = Stack::Allocate(kMinStackSize);
  ASSERT_TRUE(stack.ok());
  Stack moved = *std::move(stack);
  EXPECT_TRUE(moved.valid());
  EXPECT_FALSE(stack->valid());
}

TEST(StackPoolTest, ReleasedStackIsReusedForTheSameSize) {
  StackPool pool(4);
  absl::StatusOr<Stack> a = pool.Acquire(kDefaultStackSize);
  ASSERT_TRUE(a.ok());
  void* bottom = a->bottom();
  pool.Release(*std::move(a));
  EXPECT_EQ(pool.cached(), 1u);
  absl::StatusOr<Stack> b = pool.Acquire(kDefaultStackSize);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->bottom(), bottom);
  EXPECT_EQ(pool.cached(), 0u);
}

TEST(StackPoolTest, DifferentSizeIsNotReused) {
  StackPool pool(4);
  absl::StatusOr<Stack> a = pool.Acquire(kMinStackSize);
  ASSERT_TRUE(a.ok());
  pool.Release(*std::move(a));
  absl::StatusOr<Stack> b = pool.Acquire(kDefaultStackSize);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->size(), RoundStackSize(kDefaultStackSize));
  EXPECT_EQ(pool.cached(), 1u);
}

TEST(StackPoolTest, PoolKeepsAtMostMaxCached) {
  StackPool pool(2);
  for (int i = 0; i < 5; ++i) {
    absl::StatusOr<Stack> s = Stack::Allocate(kMinStackSize);
    ASSERT_TRUE(s.ok());
    pool.Release(*std::move(s));
  }
  EXPECT_EQ(pool.cached(), 2u);
  pool.set_max_cached(1);
  EXPECT_EQ(pool.cached(), 1u);
}

}  // namespace
}  // namespace evergreen
