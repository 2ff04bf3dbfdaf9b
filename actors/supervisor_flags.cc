#include "actors/supervisor_flags.h"

#include "absl/strings/str_cat.h"

namespace evergreen {

const char* ToString(Strategy strategy) {
  switch (strategy) {
    case Strategy::kOneForOne:
      return "one_for_one";
    case Strategy::kOneForAll:
      return "one_for_all";
    case Strategy::kRestForOne:
      return "rest_for_one";
    case Strategy::kSimpleOneForOne:
      return "simple_one_for_one";
  }
  return "invalid";
}

absl::Status ValidateSupervisorFlags(const SupervisorFlags& flags) {
  switch (flags.strategy) {
    case Strategy::kOneForOne:
    case Strategy::kOneForAll:
    case Strategy::kRestForOne:
    case Strategy::kSimpleOneForOne:
      break;
    default:
      return absl::InvalidArgumentError(
          absl::StrCat("supervisor flags: invalid strategy ",
                       static_cast<int>(flags.strategy)));
  }
  if (flags.intensity < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("supervisor flags: intensity must be >= 0, got ",
                     flags.intensity));
  }
  if (flags.period <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        absl::StrCat("supervisor flags: period must be positive, got ",
                     absl::FormatDuration(flags.period)));
  }
  return absl::OkStatus();
}

}  // namespace evergreen
