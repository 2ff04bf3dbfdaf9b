#include "tests/net/http/raw_client.h"

#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/match.h"
#include "absl/strings/str_split.h"

namespace evergreen {
namespace testing_http {

int RawResponse::count(absl::string_view name) const {
  int n = 0;
  for (absl::string_view line : absl::StrSplit(head, "\r\n")) {
    const std::size_t colon = line.find(':');
    if (colon != absl::string_view::npos &&
        absl::EqualsIgnoreCase(line.substr(0, colon), name)) {
      ++n;
    }
  }
  return n;
}

RawClient RawClient::Connect(const SocketAddress& address) {
  RawClient client;
  absl::StatusOr<Socket> socket = Socket::Connect(address, kPatience);
  if (socket.ok()) client.socket_ = *std::move(socket);
  return client;
}

absl::Status RawClient::Send(absl::string_view bytes) {
  return socket_.SendAll(bytes, kPatience);
}

absl::Status RawClient::Need(std::size_t size) {
  while (buffer_.size() < size) {
    absl::StatusOr<std::string> more = socket_.Recv(65536, kPatience);
    if (!more.ok()) return more.status();
    if (more->empty()) return absl::DataLossError("EOF");
    buffer_ += *more;
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> RawClient::Line() {
  for (;;) {
    const std::size_t end = buffer_.find("\r\n");
    if (end != std::string::npos) {
      std::string line = buffer_.substr(0, end);
      buffer_.erase(0, end + 2);
      return line;
    }
    if (absl::Status more = Need(buffer_.size() + 1); !more.ok()) return more;
  }
}

absl::StatusOr<RawResponse> RawClient::Read(bool head_request) {
  RawResponse response;
  absl::StatusOr<std::string> status_line = Line();
  if (!status_line.ok()) return status_line.status();
  std::vector<std::string> parts = absl::StrSplit(*status_line, ' ');
  if (parts.size() < 2 || !absl::SimpleAtoi(parts[1], &response.status)) {
    return absl::InvalidArgumentError(
        absl::StrCat("bad status line: ", *status_line));
  }
  response.head = *status_line + "\r\n";
  for (;;) {
    absl::StatusOr<std::string> line = Line();
    if (!line.ok()) return line.status();
    if (line->empty()) break;
    response.head += *line + "\r\n";
    const std::size_t colon = line->find(':');
    if (colon == std::string::npos) {
      return absl::InvalidArgumentError(absl::StrCat("bad header: ", *line));
    }
    response.headers[absl::AsciiStrToLower(line->substr(0, colon))] =
        std::string(absl::StripAsciiWhitespace(line->substr(colon + 1)));
  }
  const bool bodiless = head_request || response.status < 200 ||
                        response.status == 204 || response.status == 304;
  if (bodiless) return response;
  auto te = response.headers.find("transfer-encoding");
  auto cl = response.headers.find("content-length");
  if (te != response.headers.end()) {
    response.chunked = true;
    for (;;) {
      absl::StatusOr<std::string> size_line = Line();
      if (!size_line.ok()) return size_line.status();
      std::size_t size = 0;
      if (!absl::SimpleHexAtoi(*size_line, &size)) {
        return absl::InvalidArgumentError(
            absl::StrCat("bad chunk size: ", *size_line));
      }
      if (absl::Status got = Need(size + 2); !got.ok()) return got;
      if (buffer_.compare(size, 2, "\r\n") != 0) {
        return absl::InvalidArgumentError("chunk not followed by CRLF");
      }
      response.body += buffer_.substr(0, size);
      buffer_.erase(0, size + 2);
      if (size == 0) return response;
    }
  }
  if (cl != response.headers.end()) {
    std::size_t size = 0;
    if (!absl::SimpleAtoi(cl->second, &size)) {
      return absl::InvalidArgumentError("bad Content-Length");
    }
    if (absl::Status got = Need(size); !got.ok()) return got;
    response.body = buffer_.substr(0, size);
    buffer_.erase(0, size);
    return response;
  }
  absl::StatusOr<std::string> rest = ReadToEof();
  if (!rest.ok()) return rest.status();
  response.body = *std::move(rest);
  return response;
}

absl::StatusOr<std::string> RawClient::ReadToEof() {
  std::string all;
  if (absl::Status ended = ReadUntilClosed(&all); !ended.ok()) return ended;
  return all;
}

absl::Status RawClient::ReadUntilClosed(std::string* data) {
  data->append(buffer_);
  buffer_.clear();
  for (;;) {
    absl::StatusOr<std::string> more = socket_.Recv(65536, kPatience);
    if (!more.ok()) return more.status();
    if (more->empty()) return absl::OkStatus();
    data->append(*more);
  }
}

bool RawClient::ServerClosed() {
  if (!buffer_.empty()) return false;
  absl::StatusOr<std::string> more = socket_.Recv(65536, kPatience);
  if (!more.ok()) return absl::IsUnavailable(more.status()) ||
                        absl::StrContains(more.status().message(), "reset");
  return more->empty();
}

}  // namespace testing_http
}  // namespace evergreen
