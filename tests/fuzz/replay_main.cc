// Replays a libFuzzer target without libFuzzer: every corpus file named on
// the command line, a few built-in seeds, and a bounded number of
// deterministic mutations of them (bit flips, byte edits, truncation,
// duplication, splices). Used by evergreen_fuzz_test's cc_test so that the
// normal and sanitizer test runs exercise each decoder; coverage-guided
// fuzzing is `./dev fuzz`.
//
// EVERGREEN_FUZZ_REPLAY_RUNS overrides the number of mutated inputs
// (default 20000). Exits non-zero if a corpus file cannot be read; a crash
// in the target is the test's failure.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);
extern "C" __attribute__((weak)) int LLVMFuzzerInitialize(int* argc,
                                                          char*** argv);

namespace {

using Input = std::string;

void RunOne(const Input& input) {
  // A copy of exactly `size` bytes on the heap, so ASan sees any overread.
  std::vector<uint8_t> bytes(input.begin(), input.end());
  LLVMFuzzerTestOneInput(bytes.empty() ? nullptr : bytes.data(),
                         bytes.size());
}

Input Mutate(const std::vector<Input>& seeds, std::mt19937_64& rng) {
  Input out = seeds[rng() % seeds.size()];
  const int edits = 1 + static_cast<int>(rng() % 4);
  for (int i = 0; i < edits; ++i) {
    const size_t n = out.size();
    switch (rng() % 7) {
      case 0:  // flip a bit
        if (n) out[rng() % n] ^= static_cast<char>(1u << (rng() % 8));
        break;
      case 1:  // set a byte to an interesting value
        if (n) {
          static const uint8_t kValues[] = {0, 1, 0x7f, 0x80, 0xff, '\r',
                                            '\n', ':', ' ', '0', '9'};
          out[rng() % n] = static_cast<char>(kValues[rng() % sizeof(kValues)]);
        }
        break;
      case 2:  // insert random bytes
        out.insert(n ? rng() % n : 0, Input(1 + rng() % 8,
                                            static_cast<char>(rng())));
        break;
      case 3:  // erase a range
        if (n) {
          const size_t at = rng() % n;
          out.erase(at, 1 + rng() % (n - at));
        }
        break;
      case 4:  // truncate
        out.resize(n ? rng() % n : 0);
        break;
      case 5:  // duplicate a range
        if (n) {
          const size_t at = rng() % n;
          out.insert(at, out.substr(at, 1 + rng() % 16));
        }
        break;
      case 6: {  // splice with another seed
        const Input& other = seeds[rng() % seeds.size()];
        out = out.substr(0, n ? rng() % n : 0) +
              other.substr(other.empty() ? 0 : rng() % other.size());
        break;
      }
    }
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  if (LLVMFuzzerInitialize != nullptr) LLVMFuzzerInitialize(&argc, &argv);
  std::vector<Input> seeds = {Input(), Input("\0", 1), Input(64, '\xff'),
                              Input(4096, 'A')};
  for (int i = 1; i < argc; ++i) {
    std::ifstream file(argv[i], std::ios::binary);
    if (!file) {
      std::fprintf(stderr, "replay: cannot read corpus file %s\n", argv[i]);
      return 2;
    }
    seeds.emplace_back(std::istreambuf_iterator<char>(file),
                       std::istreambuf_iterator<char>());
  }
  long runs = 20000;
  if (const char* env = std::getenv("EVERGREEN_FUZZ_REPLAY_RUNS")) {
    runs = std::strtol(env, nullptr, 10);
  }
  for (const Input& seed : seeds) RunOne(seed);
  std::mt19937_64 rng(0x5eed);
  for (long i = 0; i < runs; ++i) RunOne(Mutate(seeds, rng));
  std::printf("replayed %zu seeds and %ld mutations\n", seeds.size(), runs);
  return 0;
}
