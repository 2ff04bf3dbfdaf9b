#include "actors/service/service_router.h"

#include <limits>
#include <utility>

#include "absl/strings/str_cat.h"
#include "actors/registry.h"

namespace evergreen {
namespace {

constexpr std::size_t kNone = std::numeric_limits<std::size_t>::max();

}  // namespace

ServiceRouter::ServiceRouter(std::string service,
                             std::vector<std::string> instances,
                             Routing routing)
    : service_(std::move(service)),
      instances_(std::move(instances)),
      routing_(routing),
      outstanding_(std::make_shared<std::vector<std::size_t>>(
          instances_.size(), 0)) {}

const ServiceDescriptor& ServiceRouter::descriptor() const {
  static const ServiceDescriptor kRouter{"evergreen.ServiceRouter", {}};
  return kRouter;
}

std::size_t ServiceRouter::Choose(AnyActorRef* target) {
  const std::size_t n = instances_.size();
  const Registry& registry = Registry::Current();
  std::size_t chosen = kNone;
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t index = (next_ + i) % n;
    absl::StatusOr<AnyActorRef> found = registry.Lookup(instances_[index]);
    if (!found.ok()) continue;  // restarting
    if (routing_ == Routing::kRoundRobin) {
      *target = *std::move(found);
      chosen = index;
      break;
    }
    if (chosen == kNone || (*outstanding_)[index] < (*outstanding_)[chosen]) {
      *target = *std::move(found);
      chosen = index;
      if ((*outstanding_)[index] == 0) break;  // cannot do better
    }
  }
  if (chosen != kNone) next_ = (chosen + 1) % n;
  return chosen;
}

void ServiceRouter::Handle(IncomingCall call) {
  AnyActorRef target;
  const std::size_t index = Choose(&target);
  if (index == kNone) {
    call.Reply(absl::UnavailableError(absl::StrCat(
        "call ", call.method().full_name, ": none of the ", instances_.size(),
        " instances of service '", service_,
        "' is running (restarting?)")));
    return;
  }
  ++(*outstanding_)[index];
  call.OnReply([outstanding = outstanding_, index] { --(*outstanding)[index]; });
  (void)DeliverCall(target, std::move(call));  // answers it on failure
}

}  // namespace evergreen
