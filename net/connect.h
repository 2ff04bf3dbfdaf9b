// CreateConnection: name → connected stream socket, trying each address
// (gevent.socket.create_connection).
//
//   absl::StatusOr<Socket> s =
//       evergreen::CreateConnection("localhost", 8080, absl::Seconds(5));
//
// Resolves `host` through Resolver::Default() (numeric hosts need no
// lookup), then connects to each address in the order the resolver gave
// until one succeeds. `timeout` bounds the whole call: the lookup and every
// attempt. With `source`, each attempt binds to it first (its port, usually
// 0, and its family must suit the address).
//
// Blocks the calling greenlet. Errors: the resolver's (NotFound for an
// unknown name, DeadlineExceeded); when every address fails, the last
// attempt's error, with the message listing each address tried and why.
// Thread affinity: the hub thread.
//
// Blocks, under a deadline: every blocking call here waits at most until
// min(its own timeout, CurrentDeadline()) and then fails as its timeout
// does; with the deadline already passed, a call that would wait fails at
// once (framework/deadline.h, docs/deadlines.md).
#ifndef EVERGREEN_NET_CONNECT_H_
#define EVERGREEN_NET_CONNECT_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "net/address.h"
#include "net/socket.h"

namespace evergreen {

absl::StatusOr<Socket> CreateConnection(
    absl::string_view host, std::uint16_t port,
    absl::Duration timeout = absl::InfiniteDuration(),
    const SocketAddress* source = nullptr);

}  // namespace evergreen

#endif  // EVERGREEN_NET_CONNECT_H_
