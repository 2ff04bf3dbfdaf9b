// B-R8: 100,000 greenlets alive and suspended at once, with small resident
// memory each. (The precise figure is measured by bench/greenlet.)
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "greenlet/raw_greenlet.h"
#include "gtest/gtest.h"

namespace evergreen {
namespace {

long ReadLong(const char* path) {
  std::ifstream in(path);
  long value = 0;
  in >> value;
  return value;
}

long ResidentKiB() {
  std::ifstream in("/proc/self/status");
  std::string key;
  while (in >> key) {
    if (key == "VmRSS:") {
      long kib = 0;
      in >> kib;
      return kib;
    }
    std::getline(in, key);
  }
  return 0;
}

#if defined(__SANITIZE_THREAD__)
// ThreadSanitizer tracks at most 8,128 fibers (one per greenlet) at once:
// the same test, at a size it can follow.
constexpr int kCount = 5000;
#else
constexpr int kCount = 100000;
#endif

TEST(ManyGreenletsTest, HundredThousandSuspendedAtOnce) {
  // Each stack is two mappings (guard + usable); ./dev setup raises the
  // kernel's default limit of 65530.
  if (ReadLong("/proc/sys/vm/max_map_count") < 2 * kCount + 10000) {
    GTEST_SKIP() << "vm.max_map_count too low for " << kCount
                 << " guarded stacks; run ./dev setup as root";
  }
  std::vector<std::unique_ptr<RawGreenlet>> all;
  all.reserve(kCount);
  const long rss_before = ResidentKiB();
  for (int i = 0; i < kCount; ++i) {
    all.push_back(std::make_unique<RawGreenlet>([](void*) -> void* {
      return RawGreenlet::Main()->Switch();
    }));
    all.back()->Switch();
  }
  const long rss_after = ResidentKiB();
  for (const auto& g : all) ASSERT_TRUE(g->active());
  const double kib_per_greenlet =
      static_cast<double>(rss_after - rss_before) / kCount;
  RecordProperty("resident_kib_per_greenlet", std::to_string(kib_per_greenlet));
#if !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
  EXPECT_LT(kib_per_greenlet, 32.0);  // generous; the target (8) is benched
#endif
  long sum = 0;
  for (int i = 0; i < kCount; ++i) {
    sum += reinterpret_cast<intptr_t>(
        all[i]->Switch(reinterpret_cast<void*>(static_cast<intptr_t>(1))));
  }
  EXPECT_EQ(sum, kCount);
}

}  // namespace
}  // namespace evergreen
