#include "actors/dead_letters.h"

#include <cstdio>
#include <memory>

#include "actors/internal/actor_cell.h"
#include "framework/hub.h"

namespace evergreen {
namespace {

constexpr std::uint64_t kPrintedPerHub = 10;

struct DeadLetters {
  DeadLetterHandler handler;
  std::uint64_t count = 0;
};

char dead_letters_key;

DeadLetters* ForThisHub() {
  return Hub::Current()->Extension<DeadLetters>(
      &dead_letters_key, [] { return std::make_shared<DeadLetters>(); });
}

}  // namespace

void SetDeadLetterHandler(DeadLetterHandler handler) {
  ForThisHub()->handler = std::move(handler);
}

std::uint64_t DeadLetterCount() { return ForThisHub()->count; }

namespace internal {

void ReportDeadLetter(const ActorCell& cell, const char* what,
                      const absl::Status& why) {
  DeadLetters* letters = ForThisHub();
  ++letters->count;
  DeadLetter letter{cell.name(), what, why};
  if (letters->handler) {
    letters->handler(letter);
    return;
  }
  if (letters->count <= kPrintedPerHub) {
    std::fprintf(stderr, "evergreen: dead letter %s to actor '%s': %s%s\n",
                 what, cell.name().c_str(), why.ToString().c_str(),
                 letters->count == kPrintedPerHub
                     ? " (further dead letters are only counted)"
                     : "");
  }
}

}  // namespace internal
}  // namespace evergreen
