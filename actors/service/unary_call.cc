#include "actors/service/unary_call.h"

namespace evergreen {
namespace internal {

absl::Status CallDeadlineExceeded(const MethodInfo& method,
                                  const ChannelImpl& channel,
                                  absl::Duration budget) {
  return absl::DeadlineExceededError(absl::StrCat(
      "call ", method.full_name, " to ", channel.target(),
      ": deadline exceeded after ", absl::FormatDuration(budget)));
}

}  // namespace internal
}  // namespace evergreen
