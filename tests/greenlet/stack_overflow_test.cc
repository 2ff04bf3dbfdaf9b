// B-R7: running off a greenlet's stack is reported as a stack overflow.
#include <cstdint>
#include <cstdio>
#include <cstring>

#include "greenlet/raw_greenlet.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace evergreen {
namespace {

// Recurses with a frame the compiler cannot elide or turn into a loop.
int Recurse(int depth) {
  volatile char frame[512];
  std::memset(const_cast<char*>(frame), depth & 0xff, sizeof(frame));
  asm volatile("" : : "r"(frame) : "memory");
  if (depth == -1) return 0;  // never: keeps the recursion "finite"
  return Recurse(depth + 1) + frame[depth % sizeof(frame)];
}

void OverflowAGreenlet() {
  RawGreenlet g(
      [](void*) -> void* {
        std::printf("%d\n", Recurse(0));
        return nullptr;
      },
      {.stack_size = 64 * 1024, .name = "deep-recursion"});
  g.Switch();
}

TEST(StackOverflowDeathTest, GuardPageHitIsReportedAsGreenletStackOverflow) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_DEATH(OverflowAGreenlet(),
               "greenlet stack overflow in greenlet 'deep-recursion'");
}

TEST(StackOverflowDeathTest, OtherFaultsAreNotReportedAsOverflow) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  // A wild write inside a greenlet still crashes, but not as an overflow.
  EXPECT_DEATH(
      {
        RawGreenlet g([](void*) -> void* {
          volatile std::uintptr_t wild = 16;
          *reinterpret_cast<volatile int*>(wild) = 1;
          return nullptr;
        });
        g.Switch();
        std::fprintf(stderr, "greenlet stack overflow\n");  // not reached
      },
      ::testing::Not(::testing::HasSubstr("greenlet stack overflow")));
}

TEST(StackOverflowTest, GreenletsStillWorkAfterDeepButLegalRecursion) {
  RawGreenlet g(
      [](void*) -> void* {
        // ~100 frames of 512 bytes fit in 256 KiB.
        struct Local {
          static int Down(int n) {
            volatile char frame[512];
            frame[0] = static_cast<char>(n);
            asm volatile("" : : "r"(frame) : "memory");
            return n == 0 ? frame[0] : Down(n - 1) + 1;
          }
        };
        return reinterpret_cast<void*>(static_cast<intptr_t>(Local::Down(100)));
      });
  EXPECT_EQ(reinterpret_cast<intptr_t>(g.Switch()), 100);
}

}  // namespace
}  // namespace evergreen
