// Subprocess spawn+wait: start /bin/true and wait for it to exit, `count`
// times in a row, against gevent.subprocess (gevent_peer.py, mode
// subprocess) doing the same. Prints {"samples_us": [...]}: microseconds
// per child, one sample per repetition after one untimed warm-up round.
#include <cstdio>
#include <vector>

#include "bench/framework/harness.h"
#include "framework/subprocess.h"

namespace evergreen {
namespace {

int RunEvergreen(const bench::MacroArgs& args) {
  std::vector<double> samples;
  for (int i = 0; i <= args.repetitions; ++i) {
    bool failed = false;
    const double seconds = bench::SecondsToRun([&] {
      for (long n = 0; n < args.count && !failed; ++n) {
        absl::StatusOr<std::unique_ptr<Subprocess>> child =
            Subprocess::Start({"/bin/true"});
        failed = !child.ok() || !(*child)->Wait().ok() ||
                 !(*child)->Wait()->success();
      }
    });
    if (failed) {
      std::fprintf(stderr, "subprocess_bench: /bin/true failed\n");
      return 1;
    }
    if (i > 0) samples.push_back(seconds * 1e6 / args.count);
  }
  bench::PrintSamples("samples_us", samples);
  return 0;
}

}  // namespace
}  // namespace evergreen

int main(int argc, char** argv) {
  return evergreen::bench::RunMacro(
      argc, argv,
      {.usage = "subprocess_bench evergreen [count] [repetitions]",
       .default_count = 200,
       .default_repetitions = 3},
      {{"evergreen", &evergreen::RunEvergreen}});
}
