// Channel::Tcp: calls to a server over one multiplexed TCP (or TLS)
// connection.
//
//   Channel channel = Channel::Tcp("kv.internal:7000");
//   kv::v1::KeyValue::Client kv(channel);
//   auto r = kv.Get(request, {.timeout = absl::Milliseconds(50)});
//
//   TcpChannelOptions tls{.tls = &client_context};   // TLS, same stub
//   Channel secure = Channel::Tcp("kv.internal:7001", tls);
//
// The connection is made on the first call: the host is resolved through
// the hub's resolver and each address tried (net/connect.h). Many calls
// share it at once (pipelined; replies matched by call id, in any order,
// B-RPC4). Each request carries its deadline as remaining time. A caller
// that times out or is killed sends a cancel frame, so a queued call does
// not run.
//
// Failures: when the connection drops, every call on it fails Unavailable
// at once ("connection to T lost: ...", B-RPC5). The next call reconnects;
// after a failed attempt the next waits out a back-off (doubling from
// min_backoff to max_backoff, reset by a success) and a call made while
// connecting waits for that attempt, bounded by its deadline; a failed
// attempt fails the calls waiting for it with Unavailable naming the
// target and why. Over TLS a failed handshake is Unavailable naming the
// TLS reason (B-RPC9).
//
// Thread affinity: the hub thread that made it.
#ifndef EVERGREEN_ACTORS_TRANSPORT_TCP_CHANNEL_H_
#define EVERGREEN_ACTORS_TRANSPORT_TCP_CHANNEL_H_

#include <cstddef>
#include <string>

#include "absl/time/time.h"
#include "actors/service/channel.h"
#include "net/tls_context.h"
#include "proto/frame_codec.h"

namespace evergreen {

struct TcpChannelOptions {
  // One connection attempt (resolution, connect, TLS handshake).
  absl::Duration connect_timeout = absl::Seconds(5);
  absl::Duration min_backoff = absl::Milliseconds(20);
  absl::Duration max_backoff = absl::Seconds(2);
  std::size_t max_frame_size = kDefaultMaxFrameSize;
  // One write of buffered requests may take this long; then the
  // connection is given up.
  absl::Duration write_timeout = absl::Seconds(30);
  // TLS: a client context (not owned; must outlive the channel), and the
  // name checked against the server's certificate (default: the host).
  const TlsContext* tls = nullptr;
  std::string tls_server_name;
};

}  // namespace evergreen

#endif  // EVERGREEN_ACTORS_TRANSPORT_TCP_CHANNEL_H_
