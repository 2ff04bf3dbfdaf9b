// What the framework suite's macro benchmarks (skynet, memory) share: a
// command line naming the implementation to measure, wall-clock timing,
// the process's resident memory, and the JSON that run.py parses.
//
//   int main(int argc, char** argv) {
//     return evergreen::bench::RunMacro(
//         argc, argv, {.usage = "skynet_bench <impl> [size] [repetitions]",
//                      .default_count = 1000000, .default_repetitions = 3},
//         {{"evergreen", &SkynetEvergreen}, {"boost_fiber", &SkynetBoost}});
//   }
//
// Microbenchmarks use Google Benchmark instead; compare.py reads both.
#ifndef EVERGREEN_BENCH_FRAMEWORK_HARNESS_H_
#define EVERGREEN_BENCH_FRAMEWORK_HARNESS_H_

#include <initializer_list>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/strings/string_view.h"

namespace evergreen::bench {

// What to run: how many greenlets (or leaves, or ...) and how many times.
struct MacroArgs {
  long count = 0;
  int repetitions = 1;
};

// The command line's help and defaults.
struct MacroUsage {
  const char* usage;  // shown on a bad command line
  long default_count;
  int default_repetitions = 1;
};

// One implementation a macro benchmark can run: it prints its JSON result
// on stdout and returns the process exit status.
struct MacroImpl {
  absl::string_view name;
  int (*run)(const MacroArgs& args);
};

// Parses `<binary> <impl> [count] [repetitions]` and runs the implementation
// named; exits 2 with the usage on a bad command line.
int RunMacro(int argc, char** argv, const MacroUsage& usage,
             std::initializer_list<MacroImpl> impls);

// Wall-clock seconds `fn` takes.
double SecondsToRun(absl::FunctionRef<void()> fn);

// The calling process's resident set (VmRSS) and its peak so far (VmHWM),
// in KiB; -1 when /proc cannot tell.
long ResidentKiB();
long PeakResidentKiB();

// Prints {"<key>": [samples...]} on stdout, the JSON run.py reads.
void PrintSamples(absl::string_view key, const std::vector<double>& samples);

}  // namespace evergreen::bench

#endif  // EVERGREEN_BENCH_FRAMEWORK_HARNESS_H_
