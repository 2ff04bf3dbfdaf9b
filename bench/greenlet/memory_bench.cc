// Resident memory per suspended greenlet: starts `count` Evergreen
// RawGreenlets or Boost.Fiber fibers, leaves every one suspended, and prints
// the growth of VmRSS divided by `count`, in KiB.
//
// Fair because both sides get stacks of the same size, mmap'ed with a guard
// page (Evergreen's Stack, Boost's protected_fixedsize_stack), so only the
// pages each greenlet touched are resident; the baseline is taken once each
// library's per-thread state exists; and the vector holding the handles is
// counted, as greenlet_peer.py counts its list.
//
// Usage: memory_bench <evergreen|boost_fiber> [count]
// Exits 1 with a message on stderr when the stacks cannot be mapped (each
// takes two memory mappings, so 100,000 need vm.max_map_count >= ~210000).
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <fstream>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <boost/fiber/fiber.hpp>
#include <boost/fiber/operations.hpp>
#include <boost/fiber/protected_fixedsize_stack.hpp>

#include "greenlet/raw_greenlet.h"
#include "greenlet/stack.h"

namespace evergreen {
namespace {

constexpr std::size_t kDefaultCount = 100000;

// A "Key: value" number from a /proc file, or -1.
long ReadProcNumber(const char* path, const std::string& key) {
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (line.compare(0, key.size(), key) == 0) {
      return std::strtol(line.c_str() + key.size(), nullptr, 10);
    }
  }
  return -1;
}

long ResidentKiB() { return ReadProcNumber("/proc/self/status", "VmRSS:"); }

void ReportStartFailure(const char* impl, std::size_t started,
                        std::size_t count, const char* what) {
  std::fprintf(stderr,
               "memory_bench: %s: could only start %zu of %zu greenlets: %s\n",
               impl, started, count, what);
  // Each stack is two mappings (guard page and usable part), plus slack
  // for the process's own.
  const std::size_t maps_needed = 2 * count + 10000;
  const long max_maps = ReadProcNumber("/proc/sys/vm/max_map_count", "");
  if (max_maps >= 0 && static_cast<std::size_t>(max_maps) < maps_needed) {
    std::fprintf(stderr,
                 "memory_bench: vm.max_map_count is %ld but %zu stacks need "
                 "about %zu mappings; raise it with "
                 "`sysctl -w vm.max_map_count=%zu`\n",
                 max_maps, count, maps_needed, maps_needed);
  } else {
    std::fprintf(stderr,
                 "memory_bench: vm.max_map_count (%ld) is enough; check the "
                 "address-space limit (ulimit -v) and free memory\n",
                 max_maps);
  }
}

void ReportPerGreenlet(long before_kib, long after_kib, std::size_t count) {
  std::printf("%.3f\n", static_cast<double>(after_kib - before_kib) /
                            static_cast<double>(count));
}

int MeasureEvergreen(std::size_t count) {
  RawGreenlet* main_greenlet = RawGreenlet::Main();
  std::vector<std::unique_ptr<RawGreenlet>> greenlets;
  greenlets.reserve(count);
  const long before = ResidentKiB();
  try {
    for (std::size_t i = 0; i < count; ++i) {
      auto greenlet = std::make_unique<RawGreenlet>(
          [main_greenlet](void*) { return main_greenlet->Switch(); });
      greenlet->Switch();
      greenlets.push_back(std::move(greenlet));
    }
  } catch (const std::exception& e) {
    ReportStartFailure("evergreen", greenlets.size(), count, e.what());
    return 1;
  }
  ReportPerGreenlet(before, ResidentKiB(), count);
  return 0;  // Destroying `greenlets` unwinds each one.
}

int MeasureBoostFiber(std::size_t count) {
  boost::fibers::protected_fixedsize_stack stacks(kDefaultStackSize);
  boost::fibers::fiber([] {}).join();  // Creates the thread's scheduler.
  std::vector<boost::fibers::fiber> fibers;
  fibers.reserve(count);
  const long before = ResidentKiB();
  int status = 0;
  try {
    for (std::size_t i = 0; i < count; ++i) {
      fibers.emplace_back(std::allocator_arg, stacks,
                          [] { boost::this_fiber::yield(); });
    }
  } catch (const std::exception& e) {
    ReportStartFailure("boost_fiber", fibers.size(), count, e.what());
    status = 1;
  }
  // Round-robin: every fiber runs up to its yield before main runs again.
  boost::this_fiber::yield();
  if (status == 0) ReportPerGreenlet(before, ResidentKiB(), count);
  for (boost::fibers::fiber& fiber : fibers) fiber.join();
  return status;
}

}  // namespace
}  // namespace evergreen

int main(int argc, char** argv) {
  const std::string impl = argc > 1 ? argv[1] : "";
  const std::size_t count =
      argc > 2 ? std::strtoul(argv[2], nullptr, 10) : evergreen::kDefaultCount;
  if (count == 0) {
    std::fprintf(stderr, "memory_bench: count must be a positive number\n");
    return 2;
  }
  if (impl == "evergreen") return evergreen::MeasureEvergreen(count);
  if (impl == "boost_fiber") return evergreen::MeasureBoostFiber(count);
  std::fprintf(stderr, "usage: memory_bench <evergreen|boost_fiber> [count]\n");
  return 2;
}
