#include "actors/transport/udp_endpoint.h"

#include "absl/strings/str_cat.h"
#include "actors/service/handler_call.h"
#include "actors/transport/frames.h"
#include "framework/async_result.h"

namespace evergreen {
namespace {

// How long a reply may wait for room in the socket's send buffer; a
// dropped reply is recovered by the client's retry and the cache.
constexpr absl::Duration kSendTimeout = absl::Milliseconds(100);

}  // namespace

UdpEndpoint::UdpEndpoint(const ServiceTable& table, UdpOptions options)
    : table_(table), options_(options) {}

UdpEndpoint::~UdpEndpoint() { Stop(absl::ZeroDuration()); }

absl::StatusOr<SocketAddress> UdpEndpoint::Listen(
    const SocketAddress& address) {
  DatagramServerOptions datagram_options;
  datagram_options.max_datagram_size = options_.max_datagram_size + 1;
  server_ = std::make_unique<DatagramServer>(
      address,
      [this](absl::string_view data, const SocketAddress& from,
             DatagramServer& server) { Handle(data, from, server); },
      datagram_options);
  absl::Status started = server_->Start();
  if (!started.ok()) return started;
  return server_->address();
}

void UdpEndpoint::Stop(absl::Duration timeout) {
  if (server_ != nullptr) server_->Stop(timeout);
}

void UdpEndpoint::DropOldest() {
  const Seen& oldest = order_.front();
  auto it = cache_.find(oldest.key);
  if (it != cache_.end() && it->second.seen == oldest.at) cache_.erase(it);
  order_.pop_front();
}

void UdpEndpoint::Expire(absl::Time now) {
  while (!order_.empty() &&
         now - order_.front().at >= options_.duplicate_cache_ttl) {
    DropOldest();
  }
}

void UdpEndpoint::Remember(Key key, std::shared_ptr<CallState> state,
                           absl::Time now) {
  if (options_.duplicate_cache_size == 0) return;
  while (order_.size() >= options_.duplicate_cache_size) DropOldest();
  order_.push_back(Seen{key, now});
  cache_.insert_or_assign(std::move(key), Entry{std::move(state), {}, now});
}

void UdpEndpoint::Handle(absl::string_view datagram, const SocketAddress& from,
                         DatagramServer& server) {
  rpc::Frame frame;
  if (datagram.size() > options_.max_datagram_size ||
      !frame.ParseFromArray(datagram.data(), static_cast<int>(datagram.size()))) {
    return;  // not ours, or cut: nothing to answer to
  }
  const absl::Time now = absl::Now();
  Expire(now);
  Key key{from.ToString(), frame.call_id()};
  auto cached = cache_.find(key);
  if (frame.kind() == rpc::Frame::CANCEL) {
    if (cached != cache_.end()) {
      CancelCall(cached->second.state,
                 absl::CancelledError("cancelled by the client"));
    }
    return;
  }
  if (frame.kind() != rpc::Frame::REQUEST) return;
  if (cached != cache_.end()) {
    ++duplicates_;
    if (!cached->second.reply.empty()) {
      (void)server.SendTo(cached->second.reply, from, kSendTimeout);
    }
    return;  // still running: its reply goes out when it is done
  }
  auto state = std::make_shared<CallState>();
  state->peer = key.first;
  state->deadline = DeadlineFromWire(frame.timeout_us());
  state->metadata.insert(frame.metadata().begin(), frame.metadata().end());
  Remember(key, state, now);
  AsyncResult<absl::StatusOr<Payload>> outcome;
  Payload request;
  request.bytes = std::move(*frame.mutable_payload());
  table_.Dispatch(frame.method(), std::move(request), state,
                  [outcome](absl::StatusOr<Payload> result) mutable {
                    outcome.Set(std::move(result));
                  });
  // This greenlet waits for the call and sends its reply. The server kills
  // it on Stop past the grace period: then the handler is cancelled too.
  struct CancelUnlessAnswered {
    const std::shared_ptr<CallState>& state;
    AsyncResult<absl::StatusOr<Payload>>& outcome;
    ~CancelUnlessAnswered() {
      if (!outcome.ready()) {
        CancelCall(state, absl::UnavailableError("the server is stopping"));
      }
    }
  } cancel_unless_answered{state, outcome};
  std::string reply =
      ReplyFrame(key.second, outcome.Take()).SerializeAsString();
  if (reply.size() > options_.max_datagram_size) {
    reply = ReplyFrame(key.second,
                       absl::ResourceExhaustedError(absl::StrCat(
                           "call ", frame.method(), ": reply of ", reply.size(),
                           " bytes does not fit a datagram (limit ",
                           options_.max_datagram_size, " bytes)")))
                .SerializeAsString();
  }
  auto entry = cache_.find(key);
  if (entry != cache_.end() && entry->second.state == state) {
    entry->second.reply = reply;
  }
  (void)server.SendTo(reply, from, kSendTimeout);
}

}  // namespace evergreen
