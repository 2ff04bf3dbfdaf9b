// Channel::Local: calls handed to a service actor on this hub, no bytes.
#include <memory>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "actors/registry.h"
#include "actors/service/channel.h"
#include "actors/service/handler_call.h"
#include "actors/service/incoming_call.h"

namespace evergreen {
namespace {

class LocalChannel final : public ChannelImpl {
 public:
  explicit LocalChannel(AnyActorRef service)
      : service_(std::move(service)),
        target_(absl::StrCat("local:", service_ ? service_.name() : "")) {}
  explicit LocalChannel(std::string registered_name)
      : name_(std::move(registered_name)),
        target_(absl::StrCat("local:", name_)) {}

  std::uint64_t Start(const MethodInfo& method,
                      const google::protobuf::Message& request,
                      absl::Time deadline, const Metadata& metadata,
                      ReplyCallback done) override {
    const std::uint64_t id = next_id_++;
    auto state = std::make_shared<CallState>();
    state->method = method.full_name;
    state->peer = "local";
    state->deadline = deadline;
    state->metadata = metadata;
    Payload payload;
    payload.message.reset(request.New());
    payload.message->CopyFrom(request);
    (*calls_)[id] = state;
    AnyActorRef service = service_;
    if (!name_.empty()) {
      // Looked up per call, so calls follow the actor across restarts.
      absl::StatusOr<AnyActorRef> found = Registry::Current().Lookup(name_);
      if (!found.ok()) {
        done(absl::UnavailableError(absl::StrCat(
            "call ", method.full_name, ": no service actor registered as '",
            name_, "' on this hub (not started, or restarting)")));
        return id;
      }
      service = *std::move(found);
    }
    (void)DeliverCall(
        service,
        IncomingCall(&method, std::move(payload), state,
                     [calls = calls_, id, done = std::move(done)](
                         absl::StatusOr<Payload> outcome) mutable {
                       calls->erase(id);
                       done(std::move(outcome));
                     }));
    return id;
  }

  void Cancel(std::uint64_t id) override {
    auto it = calls_->find(id);
    if (it == calls_->end()) return;
    CancelCall(it->second, absl::CancelledError("cancelled by the caller"));
  }

  const std::string& target() const override { return target_; }

 private:
  AnyActorRef service_;
  std::string name_;  // registered name, when not bound to service_
  std::string target_;
  std::uint64_t next_id_ = 1;
  // Calls not yet answered, for Cancel; shared with their callbacks, which
  // may outlive the channel.
  using Calls = absl::flat_hash_map<std::uint64_t, std::shared_ptr<CallState>>;
  std::shared_ptr<Calls> calls_ = std::make_shared<Calls>();
};

}  // namespace

Channel Channel::Local(AnyActorRef service) {
  return Channel(std::make_shared<LocalChannel>(std::move(service)));
}

Channel Channel::Local(absl::string_view registered_name) {
  return Channel(std::make_shared<LocalChannel>(std::string(registered_name)));
}

}  // namespace evergreen
