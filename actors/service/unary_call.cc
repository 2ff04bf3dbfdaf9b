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

absl::Status StartCall(const Channel& channel, const MethodInfo& method,
                       const google::protobuf::Message& request,
                       absl::Time deadline, const Metadata& metadata,
                       ReplyCallback done, std::uint64_t* id) {
  *id = 0;
  if (!channel) {
    return absl::FailedPreconditionError(
        absl::StrCat("call ", method.full_name, ": null channel"));
  }
  if (deadline != absl::InfiniteFuture() && absl::Now() >= deadline) {
    return CallDeadlineExceeded(method, *channel.impl(), absl::ZeroDuration());
  }
  *id = channel.impl()->Start(method, request, deadline, metadata,
                              std::move(done));
  return absl::OkStatus();
}

}  // namespace internal
}  // namespace evergreen
