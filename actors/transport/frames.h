// The frames every transport builds and reads, in one place: a request
// from a call, a reply from a call's outcome, and the way back.
//
// Thread affinity: none; plain functions.
#ifndef EVERGREEN_ACTORS_TRANSPORT_FRAMES_H_
#define EVERGREEN_ACTORS_TRANSPORT_FRAMES_H_

#include <cstdint>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "actors/service/call_options.h"
#include "actors/service/method.h"
#include "actors/service/payload.h"
#include "google/protobuf/message.h"
#include "proto/evergreen/rpc.pb.h"

namespace evergreen {

// A REQUEST frame. Errors: InvalidArgument when `request` does not
// serialise.
absl::StatusOr<rpc::Frame> RequestFrame(std::uint64_t call_id,
                                        const MethodInfo& method,
                                        const google::protobuf::Message& request,
                                        absl::Time deadline,
                                        const Metadata& metadata);

// A REPLY frame carrying `outcome` (its status, or its bytes when OK).
rpc::Frame ReplyFrame(std::uint64_t call_id, absl::StatusOr<Payload> outcome);

// A REPLY frame's outcome, for the client.
absl::StatusOr<Payload> OutcomeOf(rpc::Frame& reply);

// The handler's deadline from the wire's remaining time (0: none;
// negative: already expired).
absl::Time DeadlineFromWire(std::int64_t timeout_us);

}  // namespace evergreen

#endif  // EVERGREEN_ACTORS_TRANSPORT_FRAMES_H_
