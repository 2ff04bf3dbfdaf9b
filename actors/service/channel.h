// Channel: where a typed client's calls go. The same generated Client type
// works over every channel; only the channel differs.
//
//   kv::v1::KeyValue::Client local(evergreen::Channel::Local(kv_ref));
//   kv::v1::KeyValue::Client remote(evergreen::Channel::Tcp("kv:7000"));
//
// Channel::Local(ref) hands calls straight to a service actor on this hub:
// the request is copied, never serialised. Network channels live in
// actors/transport/ (Channel::Tcp, Channel::Udp and Channel::Http are
// defined there; link //actors/transport:tcp_channel, :udp_channel or
// :http_channel).
//
// A Channel is a cheap, copyable handle; copies share one connection. The
// last copy closes it, failing its calls in flight with Cancelled.
//
// Thread affinity: the hub thread that made it.
#ifndef EVERGREEN_ACTORS_SERVICE_CHANNEL_H_
#define EVERGREEN_ACTORS_SERVICE_CHANNEL_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "actors/actor_ref.h"
#include "actors/service/call_options.h"
#include "actors/service/method.h"
#include "actors/service/payload.h"
#include "google/protobuf/message.h"

namespace evergreen {

struct TcpChannelOptions;
struct UdpChannelOptions;
struct HttpChannelOptions;

// What a transport implements.
class ChannelImpl {
 public:
  virtual ~ChannelImpl() = default;

  // Starts a call of `method` with `request` (copied or serialised before
  // this returns). `done` runs exactly once, in the hub, possibly before
  // Start returns; the channel itself does not enforce `deadline` on the
  // client side (the typed layer does), it only carries it to the server.
  // Returns an id for Cancel. Never blocks.
  virtual std::uint64_t Start(const MethodInfo& method,
                              const google::protobuf::Message& request,
                              absl::Time deadline, const Metadata& metadata,
                              ReplyCallback done) = 0;

  // The caller gave up on call `id`: tell the server (so a queued call
  // does not run) and forget it; `done` may still run. Never blocks.
  virtual void Cancel(std::uint64_t id) = 0;

  // "local:kv", "127.0.0.1:7000": names the channel in errors.
  virtual const std::string& target() const = 0;
};

class Channel {
 public:
  // A null channel: calls fail FailedPrecondition.
  Channel() = default;
  explicit Channel(std::shared_ptr<ChannelImpl> impl)
      : impl_(std::move(impl)) {}

  // In-process calls to the service actor `service` (see the file comment).
  static Channel Local(AnyActorRef service);
  // In-process calls to the actor registered as `registered_name` in this
  // hub's Registry, looked up per call: follows a supervised service
  // across restarts (Unavailable while none is registered).
  static Channel Local(absl::string_view registered_name);

  // A multiplexed TCP connection to `target` ("host:port"), resolved
  // through the hub's resolver, connected on the first call. Defined in
  // //actors/transport:tcp_channel.
  static Channel Tcp(absl::string_view target);
  static Channel Tcp(absl::string_view target,
                     const TcpChannelOptions& options);

  // Calls over UDP, one datagram each way, retried until answered (see
  // actors/transport/udp_channel.h). Defined in
  // //actors/transport:udp_channel.
  static Channel Udp(absl::string_view target);
  static Channel Udp(absl::string_view target,
                     const UdpChannelOptions& options);

  // Connect unary calls over HTTP/1.1 to `base_url` ("http://host:port"
  // or "https://..."; see actors/transport/http_channel.h). Defined in
  // //actors/transport:http_channel.
  static Channel Http(absl::string_view base_url);
  static Channel Http(absl::string_view base_url,
                      const HttpChannelOptions& options);

  explicit operator bool() const { return impl_ != nullptr; }
  ChannelImpl* impl() const { return impl_.get(); }
  const std::shared_ptr<ChannelImpl>& shared_impl() const { return impl_; }

 private:
  std::shared_ptr<ChannelImpl> impl_;
};

}  // namespace evergreen

#endif  // EVERGREEN_ACTORS_SERVICE_CHANNEL_H_
