// RawClient: speaks the frame protocol by hand over a plain socket, to send
// what a well-behaved Channel never would (expired calls, unknown methods,
// garbage, oversized prefixes).
#ifndef EVERGREEN_TESTS_PROTO_RAW_CLIENT_H_
#define EVERGREEN_TESTS_PROTO_RAW_CLIENT_H_

#include <string>

#include "absl/status/statusor.h"
#include "net/socket.h"
#include "proto/frame_codec.h"

namespace evergreen {
namespace test {

class RawClient {
 public:
  static absl::StatusOr<RawClient> Connect(const SocketAddress& address) {
    absl::StatusOr<Socket> socket = Socket::Connect(address, absl::Seconds(5));
    if (!socket.ok()) return socket.status();
    return RawClient(*std::move(socket));
  }

  static rpc::Frame Request(std::uint64_t id, std::string method,
                            std::string payload, std::int64_t timeout_us = 0) {
    rpc::Frame frame;
    frame.set_kind(rpc::Frame::REQUEST);
    frame.set_call_id(id);
    frame.set_method(std::move(method));
    frame.set_payload(std::move(payload));
    frame.set_timeout_us(timeout_us);
    return frame;
  }

  absl::Status Send(const rpc::Frame& frame) {
    std::string wire;
    absl::Status s = AppendFrame(frame, &wire);
    if (!s.ok()) return s;
    return socket_.SendAll(wire, absl::Seconds(5));
  }
  absl::Status SendBytes(absl::string_view bytes) {
    return socket_.SendAll(bytes, absl::Seconds(5));
  }

  // The next frame; NotFound at EOF.
  absl::StatusOr<rpc::Frame> Read(absl::Duration timeout = absl::Seconds(10)) {
    rpc::Frame frame;
    for (;;) {
      absl::StatusOr<bool> next = decoder_.Next(&frame);
      if (!next.ok()) return next.status();
      if (*next) return frame;
      char buffer[4096];
      absl::StatusOr<std::size_t> n =
          socket_.RecvInto(buffer, sizeof(buffer), timeout);
      if (!n.ok()) return n.status();
      if (*n == 0) return absl::NotFoundError("EOF");
      decoder_.Feed(absl::string_view(buffer, *n));
    }
  }

  Socket& socket() { return socket_; }

 private:
  explicit RawClient(Socket socket) : socket_(std::move(socket)) {}
  Socket socket_;
  FrameDecoder decoder_;
};

}  // namespace test
}  // namespace evergreen

#endif  // EVERGREEN_TESTS_PROTO_RAW_CLIENT_H_
