// ClientChannel<Client>: the ChannelImpl of a network transport, forwarding
// to a client object that callbacks may outlive the channel through (they
// hold the shared_ptr). Destroying the channel closes the client.
//
// Client must provide Start(method, request, deadline, metadata, done),
// Cancel(id), target() and Close() with ChannelImpl's contracts.
// Thread affinity: the hub thread of the client.
#ifndef EVERGREEN_ACTORS_TRANSPORT_INTERNAL_CLIENT_CHANNEL_H_
#define EVERGREEN_ACTORS_TRANSPORT_INTERNAL_CLIENT_CHANNEL_H_

#include <cstdint>
#include <memory>
#include <string>
#include <utility>

#include "actors/service/channel.h"

namespace evergreen::internal {

template <typename Client>
class ClientChannel final : public ChannelImpl {
 public:
  explicit ClientChannel(std::shared_ptr<Client> client)
      : client_(std::move(client)) {}
  ~ClientChannel() override { client_->Close(); }

  std::uint64_t Start(const MethodInfo& method,
                      const google::protobuf::Message& request,
                      absl::Time deadline, const Metadata& metadata,
                      ReplyCallback done) override {
    return client_->Start(method, request, deadline, metadata, std::move(done));
  }
  void Cancel(std::uint64_t id) override { client_->Cancel(id); }
  const std::string& target() const override { return client_->target(); }

 private:
  std::shared_ptr<Client> client_;
};

}  // namespace evergreen::internal

#endif  // EVERGREEN_ACTORS_TRANSPORT_INTERNAL_CLIENT_CHANNEL_H_
