// Peak resident memory per greenlet with `count` of them parked at once on
// an Event: starts them all, lets each run until it blocks in Event::Wait,
// and prints {"kib_per_greenlet": [x]}, the growth of peak RSS (VmHWM) over
// the RSS before the first spawn, divided by `count`.
//
// Fair because gevent_peer.py does the same with gevent.spawn and
// gevent.event.Event: no handles are kept on either side (a parked greenlet
// is kept alive by what it waits on), the baseline is taken once each
// library's hub exists, and everything a parked greenlet costs counts: its
// task object, its stack pages and its waiter. Evergreen's stacks are
// mmap'ed with a guard page, so only touched pages are resident.
//
// Usage: memory_bench evergreen [count]
// Exits 1 with a message on stderr when not all greenlets could start
// (each stack takes two memory mappings: mind vm.max_map_count).
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <fstream>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "bench/framework/harness.h"
#include "framework/event.h"
#include "framework/greenlet.h"
#include "framework/hub.h"
#include "framework/waiter.h"

namespace evergreen {
namespace {

std::string MaxMapCount() {
  std::string limit = "unknown";
  std::ifstream("/proc/sys/vm/max_map_count") >> limit;
  return limit;
}

int RunEvergreen(const bench::MacroArgs& args) {
  Hub* hub = Hub::Current();
  long failures = 0;
  std::string first_failure;
  hub->SetErrorHandler([&](absl::string_view, std::exception_ptr error) {
    if (failures++ > 0) return;
    try {
      std::rethrow_exception(error);
    } catch (const std::exception& e) {
      first_failure = e.what();
    }
  });
  Spawn([] {}).Join();  // The hub's own first-use costs are not counted.
  Event release;
  long parked = 0;
  const long before = bench::ResidentKiB();
  for (long i = 0; i < args.count; ++i) {
    Spawn([release, &parked]() mutable {
      ++parked;
      release.Wait();
    });
  }
  Sleep(absl::ZeroDuration());  // Runs every greenlet up to its Wait().
  const long peak = bench::PeakResidentKiB();
  if (parked != args.count) {
    std::fprintf(stderr,
                 "memory_bench: only %ld of %ld greenlets could start "
                 "(%ld failed; first: %s); vm.max_map_count is %s\n",
                 parked, args.count, failures, first_failure.c_str(),
                 MaxMapCount().c_str());
    std::_Exit(1);
  }
  bench::PrintSamples("kib_per_greenlet",
                      {static_cast<double>(peak - before) / args.count});
  // Unwinding a million greenlets is not what is measured.
  std::_Exit(0);
}

}  // namespace
}  // namespace evergreen

int main(int argc, char** argv) {
  return evergreen::bench::RunMacro(
      argc, argv,
      {.usage = "memory_bench evergreen [count]", .default_count = 1000000},
      {{"evergreen", &evergreen::RunEvergreen}});
}
