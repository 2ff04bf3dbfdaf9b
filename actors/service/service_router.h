// ServiceRouter: the actor in front of the N instances of a service
// started with ServiceOptions::instances > 1 (ServiceSpec does this; users
// do not spawn it). It is registered under the service's name and hands
// each call to one instance, by the instances' registered names, looked up
// per call so that it follows their restarts:
//
//   kRoundRobin   the next instance in turn;
//   kLeastLoaded  the instance with the fewest calls outstanding (queued
//                 or running), ties in turn.
//
// An instance that is not running (restarting) is skipped; with none
// running the call fails Unavailable. Routing never blocks and copies
// nothing; an instance over its own bound answers ResourceExhausted.
//
// Thread affinity: the actor's hub.
#ifndef EVERGREEN_ACTORS_SERVICE_SERVICE_ROUTER_H_
#define EVERGREEN_ACTORS_SERVICE_SERVICE_ROUTER_H_

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "actors/service/service_base.h"

namespace evergreen {

enum class Routing { kRoundRobin, kLeastLoaded };

class ServiceRouter final : public ServiceBase {
 public:
  // REQUIRES: `instances` (registered names) is not empty.
  ServiceRouter(std::string service, std::vector<std::string> instances,
                Routing routing);

  // An empty table: the router serves whatever its instances serve.
  const ServiceDescriptor& descriptor() const override;
  void Handle(IncomingCall call) override;

 private:
  // The index of the instance to call and its ref; npos when none runs.
  std::size_t Choose(AnyActorRef* target);

  std::string service_;
  std::vector<std::string> instances_;
  Routing routing_;
  std::size_t next_ = 0;
  // Calls outstanding per instance; shared with the reply callbacks, which
  // may outlive the router.
  std::shared_ptr<std::vector<std::size_t>> outstanding_;
};

}  // namespace evergreen

#endif  // EVERGREEN_ACTORS_SERVICE_SERVICE_ROUTER_H_
