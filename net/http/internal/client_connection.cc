#include "net/http/internal/client_connection.h"

#include <utility>

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
  absl::StatusOr<std::size_t> n = input_.ReadBody(buffer, size, deadline_);
  if (!n.ok()) broken_ = true;
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

std::unique_ptr<ClientConnection> ClientPool::Take(const std::string& origin) {
  auto it = idle_.find(origin);
  if (it == idle_.end() || it->second.empty()) return nullptr;
  std::unique_ptr<ClientConnection> connection = std::move(it->second.back());
  it->second.pop_back();
  return connection;
}

void ClientPool::Put(std::unique_ptr<ClientConnection> connection) {
  if (!connection->Reusable()) {
    connection->Close();
    return;
  }
  auto& idle = idle_[connection->origin()];
  if (static_cast<int>(idle.size()) >= max_idle_per_origin_) {
    connection->Close();
    return;
  }
  idle.push_back(std::move(connection));
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
