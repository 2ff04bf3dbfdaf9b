// Channel::Local: calls handed to a service actor on this hub, no bytes.
#include <algorithm>
#include <memory>
#include <utility>
#include <vector>

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
    state->peer = "local";
    state->deadline = deadline;
    state->metadata = metadata;
    Payload payload;
    payload.message.reset(request.New());
    // MergeFrom into a fresh message is a typed copy; CopyFrom would first
    // check the types through reflection, which costs more than the copy.
    payload.message->MergeFrom(request);
    Remember(id, state);
    const AnyActorRef* service = &service_;
    absl::StatusOr<AnyActorRef> found;
    if (!name_.empty()) {
      // Looked up per call, so calls follow the actor across restarts.
      found = Registry::Current().Lookup(name_);
      if (!found.ok()) {
        done(absl::UnavailableError(absl::StrCat(
            "call ", method.full_name, ": no service actor registered as '",
            name_, "' on this hub (not started, or restarting)")));
        return id;
      }
      service = &*found;
    }
    (void)DeliverCall(*service, IncomingCall(&method, std::move(payload),
                                             std::move(state), std::move(done)));
    return id;
  }

  void Cancel(std::uint64_t id) override {
    // Rare (a caller gave up): a scan of the calls remembered.
    for (auto& [call_id, weak] : calls_) {
      if (call_id != id) continue;
      std::shared_ptr<CallState> state = weak.lock();
      weak.reset();
      if (state != nullptr) {
        CancelCall(state, absl::CancelledError("cancelled by the caller"));
      }
      return;
    }
  }

  const std::string& target() const override { return target_; }

 private:
  AnyActorRef service_;
  std::string name_;  // registered name, when not bound to service_
  std::string target_;
  // Calls for Cancel, oldest first. An answered call's state dies with
  // it, and its entry is swept out on a later Start: the reply path costs
  // nothing here (no callback wrapper, no erase).
  void Remember(std::uint64_t id, const std::shared_ptr<CallState>& state) {
    if (calls_.size() >= sweep_at_) {
      calls_.erase(std::remove_if(calls_.begin(), calls_.end(),
                                  [](const auto& entry) {
                                    return entry.second.expired();
                                  }),
                   calls_.end());
      sweep_at_ = std::max<std::size_t>(64, 2 * calls_.size());
    }
    calls_.emplace_back(id, state);
  }

  std::uint64_t next_id_ = 1;
  std::vector<std::pair<std::uint64_t, std::weak_ptr<CallState>>> calls_;
  std::size_t sweep_at_ = 64;
};

}  // namespace

Channel Channel::Local(AnyActorRef service) {
  return Channel(std::make_shared<LocalChannel>(std::move(service)));
}

Channel Channel::Local(absl::string_view registered_name) {
  return Channel(std::make_shared<LocalChannel>(std::string(registered_name)));
}

}  // namespace evergreen
