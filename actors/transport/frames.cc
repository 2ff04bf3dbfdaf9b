#include "actors/transport/frames.h"

#include <algorithm>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"

namespace evergreen {

absl::StatusOr<rpc::Frame> RequestFrame(std::uint64_t call_id,
                                        const MethodInfo& method,
                                        const google::protobuf::Message& request,
                                        absl::Time deadline,
                                        const Metadata& metadata) {
  rpc::Frame frame;
  frame.set_kind(rpc::Frame::REQUEST);
  frame.set_call_id(call_id);
  frame.set_method(method.full_name);
  if (deadline != absl::InfiniteFuture()) {
    // At least 1 us: 0 means "no deadline" on the wire.
    frame.set_timeout_us(std::max<std::int64_t>(
        1, absl::ToInt64Microseconds(deadline - absl::Now())));
  }
  if (!request.SerializeToString(frame.mutable_payload())) {
    return absl::InvalidArgumentError(absl::StrCat(
        "call ", method.full_name, ": request does not serialise"));
  }
  frame.mutable_metadata()->insert(metadata.begin(), metadata.end());
  return frame;
}

rpc::Frame ReplyFrame(std::uint64_t call_id, absl::StatusOr<Payload> outcome) {
  rpc::Frame frame;
  frame.set_kind(rpc::Frame::REPLY);
  frame.set_call_id(call_id);
  if (!outcome.ok()) {
    frame.set_status_code(static_cast<int>(outcome.status().code()));
    frame.set_status_message(std::string(outcome.status().message()));
  } else if (outcome->message != nullptr) {
    frame.set_payload(outcome->message->SerializeAsString());
  } else {
    frame.set_payload(std::move(outcome->bytes));
  }
  return frame;
}

absl::StatusOr<Payload> OutcomeOf(rpc::Frame& reply) {
  if (reply.status_code() != 0) {
    return absl::Status(static_cast<absl::StatusCode>(reply.status_code()),
                        reply.status_message());
  }
  return Payload{std::move(*reply.mutable_payload()), nullptr};
}

absl::Time DeadlineFromWire(std::int64_t timeout_us) {
  if (timeout_us == 0) return absl::InfiniteFuture();
  return absl::Now() + absl::Microseconds(timeout_us);
}

}  // namespace evergreen
