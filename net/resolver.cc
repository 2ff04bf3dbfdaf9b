// Resolver::Default(): one resolver per hub, chosen by the environment.
//
// A bad configuration never crashes and never goes unnoticed: the bad part
// is reported once through the hub's HandleError (std::invalid_argument
// with a message naming the variable) and replaced by the default — ares
// for an unknown EVERGREEN_RESOLVER, the system's configuration for bad
// EVERGREEN_RESOLVER_SERVERS/_TIMEOUT/_TRIES. If c-ares cannot make a
// channel at all, the thread resolver stands in, reported the same way.
#include "net/resolver.h"

#include <memory>
#include <stdexcept>
#include <string>
#include <utility>

#include "framework/hub.h"
#include "net/ares_resolver.h"
#include "net/resolver_options.h"
#include "net/thread_resolver.h"

namespace evergreen {
namespace {

char default_resolver_key;

void Report(Hub* hub, const absl::Status& status, absl::string_view instead) {
  hub->HandleError(
      "Resolver::Default",
      std::make_exception_ptr(std::invalid_argument(
          std::string(status.message()) + "; using " + std::string(instead))));
}

std::shared_ptr<Resolver> MakeThreadResolver(Hub* hub,
                                             const ResolverOptions& options) {
  absl::StatusOr<std::unique_ptr<ThreadResolver>> resolver =
      ThreadResolver::Create(options);
  if (resolver.ok()) return std::move(*resolver);
  Report(hub, resolver.status(), "the system's configuration");
  return std::make_shared<ThreadResolver>();
}

std::shared_ptr<Resolver> MakeDefault(Hub* hub) {
  absl::StatusOr<ResolverKind> kind = ResolverKindFromEnvironment();
  if (!kind.ok()) {
    Report(hub, kind.status(), "ares");
    kind = ResolverKind::kAres;
  }
  absl::StatusOr<ResolverOptions> options = ResolverOptions::FromEnvironment();
  if (!options.ok()) {
    Report(hub, options.status(), "the system's configuration");
    options = ResolverOptions();
  }
  if (*kind == ResolverKind::kThread) return MakeThreadResolver(hub, *options);
  absl::StatusOr<std::unique_ptr<AresResolver>> ares =
      AresResolver::Create(*options);
  if (ares.ok()) return std::move(*ares);
  Report(hub, ares.status(), "the thread resolver");
  return MakeThreadResolver(hub, *options);
}

}  // namespace

Resolver* Resolver::Default() {
  Hub* hub = Hub::Current();
  return hub->Extension<Resolver>(&default_resolver_key,
                                  [hub] { return MakeDefault(hub); });
}

}  // namespace evergreen
