#include "actors/transport/udp_channel.h"

#include <sys/socket.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "actors/transport/frames.h"
#include "actors/transport/internal/client_channel.h"
#include "actors/transport/target.h"
#include "framework/event.h"
#include "framework/greenlet.h"
#include "framework/waiter.h"
#include "net/resolver.h"
#include "net/socket.h"

namespace evergreen {
namespace {

class UdpClient : public std::enable_shared_from_this<UdpClient> {
 public:
  UdpClient(std::string target, UdpChannelOptions options)
      : target_(std::move(target)), options_(options) {}

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
    std::string bytes = frame->SerializeAsString();
    if (bytes.size() > options_.max_datagram_size) {
      done(absl::ResourceExhaustedError(absl::StrCat(
          "call ", method.full_name, ": request of ", bytes.size(),
          " bytes does not fit a datagram (limit ", options_.max_datagram_size,
          " bytes)")));
      return id;
    }
    Call& call = calls_[id];
    call.method = method.full_name;
    call.done = std::move(done);
    call.sender = Spawn([self = shared_from_this(), id, deadline,
                         bytes = std::move(bytes)] {
      self->SendUntilAnswered(id, deadline, bytes);
    });
    return id;
  }

  void Cancel(std::uint64_t id) {
    auto it = calls_.find(id);
    if (it == calls_.end()) return;
    it->second.sender.Kill(nullptr, /*block=*/false);
    calls_.erase(it);
    if (!socket_.is_open()) return;
    rpc::Frame cancel;
    cancel.set_kind(rpc::Frame::CANCEL);
    cancel.set_call_id(id);
    // Best effort, never blocking: a lost cancel only lets the call run.
    (void)socket_.SendTo(cancel.SerializeAsString(), address_,
                         absl::ZeroDuration());
  }

  void Close() {
    closed_ = true;
    auto calls = std::move(calls_);
    calls_.clear();
    for (auto& [id, call] : calls) {
      call.sender.Kill(nullptr, /*block=*/false);
      call.done(absl::CancelledError(absl::StrCat(
          "call ", call.method, ": channel to ", target_, " closed")));
    }
    if (reader_) reader_.Kill(nullptr, /*block=*/false);
    socket_.Close();
  }

 private:
  struct Call {
    const char* method = "";
    ReplyCallback done;
    Greenlet<void> sender;
  };

  // Resolves the target and opens the socket, once; concurrent callers
  // wait for the first.
  absl::Status Open() {
    while (opening_) opened_.Wait();
    if (socket_.is_open()) return absl::OkStatus();
    opening_ = true;
    struct Done {
      UdpClient* self;
      ~Done() {
        self->opening_ = false;
        self->opened_.Set();
      }
    } done{this};
    opened_.Clear();
    absl::StatusOr<HostPort> target = ParseTarget(target_);
    if (!target.ok()) return target.status();
    absl::StatusOr<std::vector<SocketAddress>> addresses =
        Resolver::Default()->GetAddrInfo(target->host, target->port, AF_UNSPEC,
                                         options_.resolve_timeout);
    if (!addresses.ok()) return addresses.status();
    if (addresses->empty()) {
      return absl::NotFoundError(absl::StrCat("no address for ", target_));
    }
    absl::StatusOr<Socket> socket =
        Socket::Create(addresses->front().family(), SOCK_DGRAM);
    if (!socket.ok()) return socket.status();
    address_ = addresses->front();
    socket_ = *std::move(socket);
    reader_ = Spawn([self = shared_from_this()] { self->ReadReplies(); });
    return absl::OkStatus();
  }

  void SendUntilAnswered(std::uint64_t id, absl::Time deadline,
                         const std::string& bytes) {
    absl::Status opened = Open();
    if (!opened.ok()) {
      Finish(id, absl::UnavailableError(
                     absl::StrCat("udp ", target_, ": ", opened.message())));
      return;
    }
    const absl::Time give_up =
        std::min(deadline, absl::Now() + options_.give_up_after);
    absl::Duration backoff = options_.first_retry;
    int attempts = 0;
    while (calls_.contains(id)) {
      (void)socket_.SendTo(bytes, address_, backoff);
      ++attempts;
      const absl::Duration left = give_up - absl::Now();
      if (left <= absl::ZeroDuration()) {
        absl::Status why =
            give_up == deadline
                ? absl::DeadlineExceededError(absl::StrCat(
                      "deadline exceeded after ", attempts, " attempts"))
                : absl::UnavailableError(absl::StrCat(
                      "no reply after ", attempts, " attempts"));
        Finish(id, std::move(why));
        return;
      }
      Sleep(std::min(backoff, left));
      backoff = std::min(backoff * 2, options_.max_retry);
    }
  }

  void ReadReplies() {
    std::string buffer(options_.max_datagram_size + 1, '\0');
    rpc::Frame frame;
    for (;;) {
      SocketAddress from;
      absl::StatusOr<std::size_t> n =
          socket_.RecvFrom(buffer.data(), buffer.size(), &from,
                           absl::InfiniteDuration());
      if (!n.ok()) {
        if (closed_) return;
        continue;  // ICMP errors (port unreachable) surface here: retry on
      }
      if (!(from == address_) ||
          !frame.ParseFromArray(buffer.data(), static_cast<int>(*n)) ||
          frame.kind() != rpc::Frame::REPLY) {
        continue;
      }
      auto it = calls_.find(frame.call_id());
      if (it == calls_.end()) continue;  // a duplicate, or given up
      it->second.sender.Kill(nullptr, /*block=*/false);
      ReplyCallback done = std::move(it->second.done);
      calls_.erase(it);
      done(OutcomeOf(frame));
    }
  }

  // Fails call `id` from its own sender greenlet.
  void Finish(std::uint64_t id, absl::Status status) {
    auto it = calls_.find(id);
    if (it == calls_.end()) return;
    ReplyCallback done = std::move(it->second.done);
    const char* method = it->second.method;
    calls_.erase(it);  // also drops the handle of this very greenlet
    done(absl::Status(status.code(), absl::StrCat("call ", method, " to ",
                                                  target_, ": ",
                                                  status.message())));
  }

  std::string target_;
  UdpChannelOptions options_;
  std::uint64_t next_id_ = 1;
  absl::flat_hash_map<std::uint64_t, Call> calls_;
  Socket socket_;
  SocketAddress address_;
  Greenlet<void> reader_;
  Event opened_;
  bool opening_ = false;
  bool closed_ = false;
};


}  // namespace

Channel Channel::Udp(absl::string_view target) {
  return Udp(target, UdpChannelOptions());
}

Channel Channel::Udp(absl::string_view target,
                     const UdpChannelOptions& options) {
  return Channel(std::make_shared<internal::ClientChannel<UdpClient>>(
      std::make_shared<UdpClient>(std::string(target), options)));
}

}  // namespace evergreen
