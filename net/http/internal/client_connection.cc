#include "net/http/internal/client_connection.h"

#include <poll.h>

#include <algorithm>
#include <cerrno>
#include <utility>

#include "absl/time/clock.h"

namespace evergreen {
namespace internal {

ClientConnection::ClientConnection(std::unique_ptr<HttpTransport> transport,
                                   std::string origin, HttpParseLimits limits,
                                   std::size_t buffer_size)
    : transport_(std::move(transport)),
      origin_(std::move(origin)),
      input_(*transport_, HttpParser::kResponse, limits, buffer_size),
      output_(*transport_, absl::InfiniteDuration()) {}

absl::StatusOr<std::size_t> ClientConnection::ReadBody(char* buffer,
                                                       std::size_t size) {
  if (broken_) {
    return absl::FailedPreconditionError("HTTP response body failed before");
  }
  // Broken until the read returns: a Timeout (or a kill) thrown into the
  // wait leaves the parser mid-body, and the connection must not go back
  // to the pool then.
  broken_ = true;
  absl::StatusOr<std::size_t> n = input_.ReadBody(buffer, size, deadline_);
  broken_ = !n.ok();
  return n;
}

bool ClientConnection::Reusable() {
  if (broken_ || !keep_alive_ || !transport_->is_open()) return false;
  if (!input_.message_complete()) {
    // The body may be all here with its end not yet parsed: look without
    // waiting.
    char scratch[1];
    absl::StatusOr<std::size_t> n =
        input_.ReadBody(scratch, sizeof scratch, absl::InfinitePast());
    if (!n.ok() || *n != 0) return false;
  }
  if (input_.buffered()) return false;  // bytes nobody asked for
  input_.NextMessage();
  return true;
}

bool ClientConnection::StillOpen() {
  if (!transport_->is_open() || input_.buffered()) return false;
  pollfd watched = {.fd = transport_->fd(), .events = POLLIN | POLLRDHUP};
  int ready;
  do {
    ready = poll(&watched, 1, 0);
  } while (ready < 0 && errno == EINTR);
  if (ready == 0) return true;  // nothing to read: the server kept it
  if (ready < 0 || (watched.revents & (POLLERR | POLLHUP | POLLRDHUP))) {
    return false;
  }
  // Readable: an end of stream, stray bytes, or (TLS) a record without
  // application data. Read without waiting to tell them apart.
  char scratch[1];
  absl::StatusOr<std::size_t> n =
      transport_->ReadSome(scratch, sizeof scratch, absl::InfinitePast());
  return absl::IsDeadlineExceeded(n.status());
}

std::unique_ptr<ClientConnection> ClientPool::Take(const std::string& origin) {
  Expire(absl::Now());
  auto it = idle_.find(origin);
  if (it == idle_.end()) return nullptr;
  while (!it->second.empty()) {
    std::unique_ptr<ClientConnection> connection =
        std::move(it->second.back().connection);
    it->second.pop_back();
    if (connection->StillOpen()) return connection;
    connection->Close();
  }
  return nullptr;
}

void ClientPool::Put(std::unique_ptr<ClientConnection> connection) {
  const absl::Time now = absl::Now();
  Expire(now);
  if (!connection->Reusable() || idle_timeout_ <= absl::ZeroDuration()) {
    connection->Close();
    return;
  }
  auto& idle = idle_[connection->origin()];
  if (static_cast<int>(idle.size()) >= max_idle_per_origin_) {
    connection->Close();
    return;
  }
  idle.push_back(Idle{std::move(connection), now});
}

void ClientPool::Expire(absl::Time now) {
  for (auto it = idle_.begin(); it != idle_.end();) {
    std::vector<Idle>& list = it->second;
    auto fresh = std::find_if(list.begin(), list.end(), [&](const Idle& idle) {
      return now - idle.since < idle_timeout_;
    });
    for (auto old = list.begin(); old != fresh; ++old) {
      old->connection->Close();
    }
    list.erase(list.begin(), fresh);
    if (list.empty()) {
      idle_.erase(it++);
    } else {
      ++it;
    }
  }
}

int ClientPool::idle() const {
  int count = 0;
  for (const auto& [origin, connections] : idle_) {
    count += static_cast<int>(connections.size());
  }
  return count;
}

}  // namespace internal
}  // namespace evergreen
