#include "actors/transport/byte_stream.h"

#include <sys/socket.h>

#include <utility>

namespace evergreen {
namespace {

class TcpStream final : public ByteStream {
 public:
  TcpStream(Socket* socket, Socket owned, std::string peer)
      : owned_(std::move(owned)),
        socket_(socket != nullptr ? socket : &owned_),
        peer_(std::move(peer)) {}

  absl::StatusOr<std::size_t> ReadSome(void* buffer,
                                       std::size_t size) override {
    return socket_->RecvInto(buffer, size, absl::InfiniteDuration());
  }
  absl::Status WriteAll(absl::string_view data,
                        absl::Duration timeout) override {
    return socket_->SendAll(data, timeout);
  }
  void StopReading() override { (void)socket_->Shutdown(SHUT_RD); }
  void Close() override { socket_->Close(); }
  const std::string& peer() const override { return peer_; }

 private:
  Socket owned_;
  Socket* socket_;
  std::string peer_;
};

class TlsStream final : public ByteStream {
 public:
  TlsStream(TlsSocket* socket, TlsSocket owned, std::string peer)
      : owned_(std::move(owned)),
        socket_(socket != nullptr ? socket : &owned_),
        peer_(std::move(peer)) {}

  absl::StatusOr<std::size_t> ReadSome(void* buffer,
                                       std::size_t size) override {
    return socket_->ReadInto(buffer, size, absl::InfiniteDuration());
  }
  absl::Status WriteAll(absl::string_view data,
                        absl::Duration timeout) override {
    return socket_->WriteAll(data, timeout);
  }
  void StopReading() override { (void)socket_->socket().Shutdown(SHUT_RD); }
  void Close() override { socket_->Close(); }
  const std::string& peer() const override { return peer_; }

 private:
  TlsSocket owned_;
  TlsSocket* socket_;
  std::string peer_;
};

}  // namespace

std::unique_ptr<ByteStream> BorrowTcpStream(Socket& socket, std::string peer) {
  return std::make_unique<TcpStream>(&socket, Socket(), std::move(peer));
}
std::unique_ptr<ByteStream> BorrowTlsStream(TlsSocket& socket,
                                            std::string peer) {
  return std::make_unique<TlsStream>(&socket, TlsSocket(), std::move(peer));
}
std::unique_ptr<ByteStream> OwnTcpStream(Socket socket, std::string peer) {
  return std::make_unique<TcpStream>(nullptr, std::move(socket),
                                     std::move(peer));
}
std::unique_ptr<ByteStream> OwnTlsStream(TlsSocket socket, std::string peer) {
  return std::make_unique<TlsStream>(nullptr, std::move(socket),
                                     std::move(peer));
}

}  // namespace evergreen
