// Payload: a request or reply in flight — serialised bytes on a network
// transport, or the message itself on the in-process channel, which never
// serialises.
//
// ReplyCallback: how a call's outcome comes back. Runs exactly once, in
// the hub or the service actor's greenlet; must not block.
//
// Thread affinity: plain values.
#ifndef EVERGREEN_ACTORS_SERVICE_PAYLOAD_H_
#define EVERGREEN_ACTORS_SERVICE_PAYLOAD_H_

#include <memory>
#include <string>

#include "absl/functional/any_invocable.h"
#include "absl/status/statusor.h"
#include "google/protobuf/message.h"

namespace evergreen {

struct Payload {
  // Used when `message` is null.
  std::string bytes;
  std::unique_ptr<google::protobuf::Message> message;
};

using ReplyCallback = absl::AnyInvocable<void(absl::StatusOr<Payload>)>;

}  // namespace evergreen

#endif  // EVERGREEN_ACTORS_SERVICE_PAYLOAD_H_
