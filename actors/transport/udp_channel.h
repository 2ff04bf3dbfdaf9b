// Channel::Udp: calls to a server's UDP endpoint, one datagram each way.
//
//   Channel channel = Channel::Udp("kv.internal:7002");
//   kv::v1::KeyValue::Client kv(channel);          // the same stub
//   auto r = kv.Get(request, {.timeout = absl::Milliseconds(200)});
//
// A lost datagram is recovered by retrying: each call is resent after
// first_retry, then at doubling intervals up to max_retry, until its reply
// arrives or its deadline passes (DeadlineExceeded). A call without a
// deadline gives up after give_up_after with Unavailable ("no reply from
// T after N attempts"). The server's duplicate cache makes retries safe:
// the handler runs once per call (B-RPC7). A request that does not fit a
// datagram fails ResourceExhausted at once.
//
// The target is resolved through the hub's resolver on the first call.
// Thread affinity: the hub thread that made it.
#ifndef EVERGREEN_ACTORS_TRANSPORT_UDP_CHANNEL_H_
#define EVERGREEN_ACTORS_TRANSPORT_UDP_CHANNEL_H_

#include <cstddef>

#include "absl/time/time.h"
#include "actors/service/channel.h"

namespace evergreen {

struct UdpChannelOptions {
  absl::Duration first_retry = absl::Milliseconds(20);
  absl::Duration max_retry = absl::Milliseconds(500);
  absl::Duration give_up_after = absl::Seconds(10);
  std::size_t max_datagram_size = 65000;
  absl::Duration resolve_timeout = absl::Seconds(5);
};

}  // namespace evergreen

#endif  // EVERGREEN_ACTORS_TRANSPORT_UDP_CHANNEL_H_
