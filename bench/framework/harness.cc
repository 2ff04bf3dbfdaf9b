#include "bench/framework/harness.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "absl/strings/str_join.h"

namespace evergreen::bench {
namespace {

// A "<field>: <n> kB" line of /proc/self/status, or -1.
long StatusKiB(absl::string_view field) {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (absl::string_view(line).substr(0, field.size()) == field &&
        line.size() > field.size() && line[field.size()] == ':') {
      return std::strtol(line.c_str() + field.size() + 1, nullptr, 10);
    }
  }
  return -1;
}

bool ParsePositive(const char* text, long* value) {
  char* end = nullptr;
  *value = std::strtol(text, &end, 10);
  return *end == '\0' && *value > 0;
}

}  // namespace

int RunMacro(int argc, char** argv, const MacroUsage& usage,
             std::initializer_list<MacroImpl> impls) {
  MacroArgs args{.count = usage.default_count,
                 .repetitions = usage.default_repetitions};
  long repetitions = args.repetitions;
  const bool parsed =
      argc >= 2 && argc <= 4 &&
      (argc < 3 || ParsePositive(argv[2], &args.count)) &&
      (argc < 4 || ParsePositive(argv[3], &repetitions));
  if (parsed) {
    args.repetitions = static_cast<int>(repetitions);
    for (const MacroImpl& impl : impls) {
      if (impl.name == argv[1]) return impl.run(args);
    }
  }
  std::fprintf(stderr, "usage: %s\n", usage.usage);
  return 2;
}

double SecondsToRun(absl::FunctionRef<void()> fn) {
  const auto start = std::chrono::steady_clock::now();
  fn();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() -
                                       start)
      .count();
}

long ResidentKiB() { return StatusKiB("VmRSS"); }

long PeakResidentKiB() { return StatusKiB("VmHWM"); }

void PrintSamples(absl::string_view key, const std::vector<double>& samples) {
  std::printf("{\"%.*s\": [%s]}\n", static_cast<int>(key.size()), key.data(),
              absl::StrJoin(samples, ", ").c_str());
  std::fflush(stdout);
}

}  // namespace evergreen::bench
