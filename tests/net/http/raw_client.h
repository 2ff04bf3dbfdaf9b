// RawClient: a test's HTTP/1.1 client that writes exactly the bytes a case
// needs and reads responses with its own small parser (independent of
// llhttp, so the server's framing is checked by other code than its own).
#ifndef EVERGREEN_TESTS_NET_HTTP_RAW_CLIENT_H_
#define EVERGREEN_TESTS_NET_HTTP_RAW_CLIENT_H_

#include <map>
#include <vector>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "net/address.h"
#include "net/socket.h"

namespace evergreen {
namespace testing_http {

inline constexpr absl::Duration kPatience = absl::Seconds(10);

struct RawResponse {
  int status = 0;
  std::string head;  // status line and header lines, as received
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;  // de-chunked
  bool chunked = false;
  int count(absl::string_view name) const;
};

class RawClient {
 public:
  static RawClient Connect(const SocketAddress& address);

  absl::Status Send(absl::string_view bytes);
  // Reads one response. `head_request`: the body is absent whatever the
  // head says. A body without length or chunking runs to EOF.
  absl::StatusOr<RawResponse> Read(bool head_request = false);
  // Everything until the server closes (or kPatience).
  absl::StatusOr<std::string> ReadToEof();
  // Appends to `data` until the server closes; OK for a clean close (FIN),
  // else the error that ended reading (a reset: Unavailable).
  absl::Status ReadUntilClosed(std::string* data);
  // True when the server closed the connection (EOF or reset) within
  // kPatience, with nothing more sent.
  bool ServerClosed();
  Socket& socket() { return socket_; }

 private:
  absl::StatusOr<std::string> Line();
  absl::Status Need(std::size_t size);

  Socket socket_;
  std::string buffer_;
};

}  // namespace testing_http
}  // namespace evergreen

#endif  // EVERGREEN_TESTS_NET_HTTP_RAW_CLIENT_H_
