#include "actors/transport/tcp_channel.h"

#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "actors/transport/byte_stream.h"
#include "actors/transport/frames.h"
#include "actors/transport/internal/client_channel.h"
#include "actors/transport/target.h"
#include "framework/event.h"
#include "framework/greenlet.h"
#include "framework/waiter.h"
#include "net/connect.h"
#include "net/tls_socket.h"

namespace evergreen {
namespace {

constexpr std::size_t kReadChunk = 64 * 1024;

// The connection and its calls; shared by the channel handle and the
// greenlets serving it, so that they can finish after the channel is gone.
class TcpClient : public std::enable_shared_from_this<TcpClient> {
 public:
  TcpClient(std::string target, TcpChannelOptions options)
      : target_(std::move(target)), options_(std::move(options)) {}

  const std::string& target() const { return target_; }

  std::uint64_t Start(const MethodInfo& method,
                      const google::protobuf::Message& request,
                      absl::Time deadline, const Metadata& metadata,
                      ReplyCallback done) {
    const std::uint64_t id = next_id_++;
    if (closed_) {
      done(absl::CancelledError(
          absl::StrCat("call ", method.full_name, ": channel closed")));
      return id;
    }
    absl::StatusOr<rpc::Frame> frame =
        RequestFrame(id, method, request, deadline, metadata);
    if (!frame.ok()) {
      done(frame.status());
      return id;
    }
    absl::Status queued = AppendFrame(*frame, &out_, options_.max_frame_size);
    if (!queued.ok()) {
      done(absl::ResourceExhaustedError(
          absl::StrCat("call ", method.full_name, ": request ", queued.message())));
      return id;
    }
    pending_.emplace(id, Pending{method.full_name, std::move(done)});
    if (connected_) {
      out_ready_.Set();
    } else {
      EnsureConnecting();
    }
    return id;
  }

  void Cancel(std::uint64_t id) {
    if (pending_.erase(id) == 0 || !connected_) return;
    rpc::Frame frame;
    frame.set_kind(rpc::Frame::CANCEL);
    frame.set_call_id(id);
    if (AppendFrame(frame, &out_, options_.max_frame_size).ok()) {
      out_ready_.Set();
    }
  }

  // The channel handle is gone: close the connection, fail what waits.
  void Close() {
    closed_ = true;
    FailAll(absl::CancelledError(absl::StrCat("channel to ", target_, " closed")));
    if (stream_ != nullptr) stream_->Close();
    for (Greenlet<void>* g : {&connector_, &reader_, &writer_}) {
      if (*g) g->Kill(nullptr, /*block=*/false);
    }
  }

 private:
  struct Pending {
    const char* method;
    ReplyCallback done;
  };

  void EnsureConnecting() {
    if (connecting_ || closed_) return;
    connecting_ = true;
    connector_ = Spawn([self = shared_from_this()] { self->Connect(); });
  }

  absl::StatusOr<std::unique_ptr<ByteStream>> Dial() {
    absl::StatusOr<HostPort> target = ParseTarget(target_);
    if (!target.ok()) return target.status();
    const std::string& host = target->host;
    const absl::Time deadline = absl::Now() + options_.connect_timeout;
    absl::StatusOr<Socket> socket = CreateConnection(
        host, target->port, options_.connect_timeout);
    if (!socket.ok()) return socket.status();
    if (options_.tls == nullptr) {
      return OwnTcpStream(*std::move(socket), target_);
    }
    absl::StatusOr<TlsSocket> tls = TlsSocket::Client(
        *std::move(socket), *options_.tls,
        options_.tls_server_name.empty() ? host : options_.tls_server_name);
    if (!tls.ok()) return tls.status();
    absl::Status shook =
        tls->Handshake(std::max(absl::ZeroDuration(), deadline - absl::Now()));
    if (!shook.ok()) return shook;
    return OwnTlsStream(*std::move(tls), target_);
  }

  void Connect() {
    struct Done {
      TcpClient* self;
      ~Done() { self->connecting_ = false; }
    } done{this};
    const absl::Duration wait = next_attempt_ - absl::Now();
    if (wait > absl::ZeroDuration()) Sleep(wait);
    absl::StatusOr<std::unique_ptr<ByteStream>> stream = Dial();
    if (closed_) return;
    if (!stream.ok()) {
      backoff_ = backoff_ == absl::ZeroDuration()
                     ? options_.min_backoff
                     : std::min(backoff_ * 2, options_.max_backoff);
      next_attempt_ = absl::Now() + backoff_;
      out_.clear();
      FailAll(absl::UnavailableError(absl::StrCat(
          "connect to ", target_, ": ", stream.status().message())));
      return;
    }
    backoff_ = absl::ZeroDuration();
    stream_ = std::shared_ptr<ByteStream>(*std::move(stream));
    connected_ = true;
    decoder_ = std::make_unique<FrameDecoder>(options_.max_frame_size);
    auto self = shared_from_this();
    reader_ = Spawn([self, stream = stream_] { self->ReadLoop(*stream); });
    writer_ = Spawn([self, stream = stream_] { self->WriteLoop(*stream); });
    out_ready_.Set();
  }

  void ReadLoop(ByteStream& stream) {
    std::vector<char> buffer(kReadChunk);
    rpc::Frame frame;
    absl::Status why;
    absl::Status server_error;
    for (;;) {
      absl::StatusOr<std::size_t> n = stream.ReadSome(buffer.data(), buffer.size());
      if (!n.ok()) {
        why = n.status();
        break;
      }
      if (*n == 0) {
        why = absl::UnavailableError("closed by the server");
        break;
      }
      decoder_->Feed(absl::string_view(buffer.data(), *n));
      absl::StatusOr<bool> next;
      while ((next = decoder_->Next(&frame)).ok() && *next) {
        if (frame.kind() != rpc::Frame::REPLY) continue;
        if (frame.call_id() == 0 && frame.status_code() != 0) {
          // The server refused the connection's input and closes it.
          server_error = absl::Status(
              static_cast<absl::StatusCode>(frame.status_code()),
              frame.status_message());
          continue;
        }
        Answer(frame);
      }
      if (!next.ok()) {
        why = next.status();
        break;
      }
    }
    Disconnect(stream, server_error.ok() ? why : server_error);
  }

  void Answer(rpc::Frame& frame) {
    auto it = pending_.find(frame.call_id());
    if (it == pending_.end()) return;  // cancelled, or timed out
    ReplyCallback done = std::move(it->second.done);
    pending_.erase(it);
    done(OutcomeOf(frame));
  }

  void WriteLoop(ByteStream& stream) {
    std::string batch;
    for (;;) {
      while (out_.empty()) {
        out_ready_.Clear();
        out_ready_.Wait();
      }
      batch.clear();
      batch.swap(out_);
      absl::Status sent = stream.WriteAll(batch, options_.write_timeout);
      if (!sent.ok()) {
        stream.Close();  // the reader fails the calls
        return;
      }
    }
  }

  // The connection ended: every call on it fails Unavailable at once.
  void Disconnect(ByteStream& stream, const absl::Status& why) {
    if (stream_.get() != &stream) return;
    connected_ = false;
    stream.Close();
    if (writer_) writer_.Kill(nullptr, /*block=*/false);
    stream_.reset();
    out_.clear();
    if (closed_) return;
    FailAll(absl::UnavailableError(
        absl::StrCat("connection to ", target_, " lost: ", why.message())));
  }

  void FailAll(const absl::Status& status) {
    auto pending = std::move(pending_);
    pending_.clear();
    for (auto& [id, call] : pending) {
      call.done(absl::Status(status.code(), absl::StrCat("call ", call.method,
                                                         ": ", status.message())));
    }
  }

  std::string target_;
  TcpChannelOptions options_;
  std::uint64_t next_id_ = 1;
  absl::flat_hash_map<std::uint64_t, Pending> pending_;
  std::string out_;
  Event out_ready_;
  std::shared_ptr<ByteStream> stream_;
  std::unique_ptr<FrameDecoder> decoder_;
  Greenlet<void> connector_, reader_, writer_;
  bool connecting_ = false;
  bool connected_ = false;
  bool closed_ = false;
  absl::Duration backoff_ = absl::ZeroDuration();
  absl::Time next_attempt_ = absl::InfinitePast();
};


}  // namespace

Channel Channel::Tcp(absl::string_view target) {
  return Tcp(target, TcpChannelOptions());
}

Channel Channel::Tcp(absl::string_view target,
                     const TcpChannelOptions& options) {
  return Channel(std::make_shared<internal::ClientChannel<TcpClient>>(
      std::make_shared<TcpClient>(std::string(target), options)));
}

}  // namespace evergreen
