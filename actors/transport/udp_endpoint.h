// UdpEndpoint: an RpcServer's UDP listener. One frame per datagram, no
// length prefix; each request runs once however often it arrives.
//
// Clients retry until they get an answer, so a request may arrive many
// times, and so may its reply. The endpoint keeps a bounded duplicate
// cache keyed by (client address, call id): a request seen before is not
// run again — while it runs, copies are ignored; once answered, a copy is
// answered from the cache (B-RPC7). The cache holds the latest
// `duplicate_cache_size` calls, each for `duplicate_cache_ttl` after it
// was first seen (expired entries go as the next datagrams arrive); a
// retry older than that would run again, so the ttl should exceed the
// longest deadline clients use. A reply whose frame does not fit in a datagram
// (`max_datagram_size`) is answered ResourceExhausted instead.
//
// Thread affinity: the server's hub.
#ifndef EVERGREEN_ACTORS_TRANSPORT_UDP_ENDPOINT_H_
#define EVERGREEN_ACTORS_TRANSPORT_UDP_ENDPOINT_H_

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "actors/service/call_context.h"
#include "actors/transport/service_table.h"
#include "net/address.h"
#include "net/datagram_server.h"

namespace evergreen {

struct UdpOptions {
  // The largest frame sent or accepted in one datagram.
  std::size_t max_datagram_size = 65000;
  std::size_t duplicate_cache_size = 4096;
  absl::Duration duplicate_cache_ttl = absl::Seconds(60);
};

class UdpEndpoint {
 public:
  UdpEndpoint(const ServiceTable& table, UdpOptions options);
  ~UdpEndpoint();
  UdpEndpoint(const UdpEndpoint&) = delete;
  UdpEndpoint& operator=(const UdpEndpoint&) = delete;

  // Binds `address` and serves in the background. Returns the bound
  // address. Errors: bind's.
  absl::StatusOr<SocketAddress> Listen(const SocketAddress& address);
  // Stops reading; calls running are given `timeout`, then killed.
  void Stop(absl::Duration timeout);

  // Calls answered from the cache rather than run (for tests, monitoring).
  std::uint64_t duplicates() const { return duplicates_; }
  // Calls remembered now.
  std::size_t cached_calls() const { return cache_.size(); }

 private:
  struct Entry {
    std::shared_ptr<CallState> state;
    std::string reply;  // the reply datagram; empty while running
    absl::Time seen;    // first seen
  };
  using Key = std::pair<std::string, std::uint64_t>;
  struct Seen {
    Key key;
    absl::Time at;
  };

  void Handle(absl::string_view datagram, const SocketAddress& from,
              DatagramServer& server);
  void Remember(Key key, std::shared_ptr<CallState> state, absl::Time now);
  // Drops the oldest entry (when `order_` still names it).
  void DropOldest();
  void Expire(absl::Time now);

  const ServiceTable& table_;
  UdpOptions options_;
  std::unique_ptr<DatagramServer> server_;
  absl::flat_hash_map<Key, Entry> cache_;
  std::deque<Seen> order_;  // oldest first, for eviction
  std::uint64_t duplicates_ = 0;
};

}  // namespace evergreen

#endif  // EVERGREEN_ACTORS_TRANSPORT_UDP_ENDPOINT_H_
