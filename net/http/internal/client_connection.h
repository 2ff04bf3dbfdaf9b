// ClientConnection: one connection of an HttpClient to an origin, and the
// per-origin pool of idle ones.
//
// Thread affinity: the client's hub thread.
#ifndef EVERGREEN_NET_HTTP_INTERNAL_CLIENT_CONNECTION_H_
#define EVERGREEN_NET_HTTP_INTERNAL_CLIENT_CONNECTION_H_

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/time/time.h"
#include "net/http/body_reader.h"
#include "net/http/internal/input.h"
#include "net/http/internal/output.h"
#include "net/http/internal/transport.h"

namespace evergreen {
namespace internal {

class ClientConnection final : public HttpBodySource {
 public:
  ClientConnection(std::unique_ptr<HttpTransport> transport,
                   std::string origin, HttpParseLimits limits,
                   std::size_t buffer_size);

  // Body reads of the current response wait until this.
  void set_deadline(absl::Time deadline) { deadline_ = deadline; }
  absl::StatusOr<std::size_t> ReadBody(char* buffer,
                                       std::size_t size) override;

  // True when the response was read to its end, both sides allow another
  // exchange and nothing unexpected is buffered.
  bool Reusable();
  void set_keep_alive(bool keep_alive) { keep_alive_ = keep_alive; }

  // False when the peer closed the connection, reset it or sent bytes
  // nobody asked for while it sat idle: looks without waiting. A TLS
  // record that carries no data (a session ticket) is read and ignored.
  bool StillOpen();

  HttpInput& input() { return input_; }
  HttpOutput& output() { return output_; }
  const std::string& origin() const { return origin_; }
  void Close() { transport_->Close(); }

 private:
  std::unique_ptr<HttpTransport> transport_;
  std::string origin_;
  HttpInput input_;
  HttpOutput output_;
  absl::Time deadline_ = absl::InfiniteFuture();
  bool keep_alive_ = true;
  bool broken_ = false;
};

// Idle connections by origin, most recently used first out. A connection
// idle longer than `idle_timeout` is closed at the pool's next Take or Put
// (no timer: an unused pool holds no hub resources but its sockets, closed
// with the client); one the server closed meanwhile is noticed by Take and
// closed instead of being reused.
class ClientPool {
 public:
  ClientPool(int max_idle_per_origin, absl::Duration idle_timeout)
      : max_idle_per_origin_(max_idle_per_origin),
        idle_timeout_(idle_timeout) {}

  // An idle connection to `origin` that is still open and has not been
  // idle too long, or null.
  std::unique_ptr<ClientConnection> Take(const std::string& origin);
  // Keeps `connection` if it is reusable and there is room; else closes it.
  void Put(std::unique_ptr<ClientConnection> connection);
  int idle() const;

 private:
  struct Idle {
    std::unique_ptr<ClientConnection> connection;
    absl::Time since;
  };
  // Closes the connections idle longer than idle_timeout_.
  void Expire(absl::Time now);

  int max_idle_per_origin_;
  absl::Duration idle_timeout_;
  // Oldest first in each list.
  absl::flat_hash_map<std::string, std::vector<Idle>> idle_;
};

}  // namespace internal
}  // namespace evergreen

#endif  // EVERGREEN_NET_HTTP_INTERNAL_CLIENT_CONNECTION_H_
