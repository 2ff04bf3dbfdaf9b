#include "actors/supervisor.h"

#include <cstring>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "actors/actor_error.h"
#include "actors/internal/supervisor_actor.h"
#include "framework/async_result.h"
#include "framework/event.h"

namespace evergreen {
namespace {

using internal::SupervisorActor;

absl::Status ValidateChildSpecs(const SupervisorFlags& flags,
                                const std::vector<ChildSpec>& children) {
  if (flags.strategy == Strategy::kSimpleOneForOne && children.size() != 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        "a simple_one_for_one supervisor takes exactly one child spec (its "
        "template), got ",
        children.size()));
  }
  absl::flat_hash_set<std::string> ids;
  for (const ChildSpec& spec : children) {
    if (absl::Status valid = ValidateChildSpec(spec); !valid.ok()) return valid;
    if (!ids.insert(spec.id).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("child spec '", spec.id, "': duplicate id"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<Supervisor> Supervisor::Start(SupervisorFlags flags,
                                             std::vector<ChildSpec> children,
                                             SupervisorOptions options) {
  if (absl::Status valid = ValidateSupervisorFlags(flags); !valid.ok()) {
    return valid;
  }
  if (absl::Status valid = ValidateChildSpecs(flags, children); !valid.ok()) {
    return valid;
  }
  AsyncResult<absl::Status> started;
  ActorRef<SupervisorActor> ref = SpawnActor<SupervisorActor>(
      ActorOptions{.name = options.name.empty() ? "supervisor" : options.name,
                   .stack_size = options.stack_size},
      flags, std::move(children), started);
  // If it dies before reporting (killed early), say so instead of hanging.
  Event exited;
  const std::uint64_t watch = ref.cell()->AddExitObserver(
      [started, exited](const Exit& exit) mutable {
        if (!started.ready()) {
          started.Set(absl::UnavailableError(absl::StrCat(
              "supervisor exited while starting: ", exit.ToString())));
        }
        exited.Set();
      });
  absl::Status status;
  try {
    status = started.Get();
  } catch (...) {
    // The caller is unwinding (killed): do not leave an orphan tree.
    ref.Kill();
    throw;
  }
  if (!status.ok()) {
    // A failed start ends the supervisor: return once it has exited and
    // this observer has run, not with the observer still queued on the hub
    // (a Join alone may return first).
    exited.Wait();
    return status;
  }
  ref.cell()->RemoveExitObserver(watch);
  return Supervisor(std::move(ref));
}

ChildSpec Supervisor::Spec(std::string id, SupervisorFlags flags,
                           std::vector<ChildSpec> children,
                           SupervisorOptions options) {
  if (options.name.empty()) options.name = id;
  return ChildSpec{
      .id = std::move(id),
      .start = [flags, children = std::move(children),
                options]() -> absl::StatusOr<Child> {
        absl::StatusOr<Supervisor> supervisor = Start(flags, children, options);
        if (!supervisor.ok()) return supervisor.status();
        return supervisor->AsChild();
      },
      .restart = RestartType::kPermanent,
      .shutdown = ChildShutdown::Infinity(),
      .type = ChildType::kSupervisor,
  };
}

std::optional<Supervisor> Supervisor::FromChild(const Child& child) {
  if (!child.is_actor()) return std::nullopt;
  const AnyActorRef& actor = child.actor();
  if (std::strcmp(actor.cell()->type_name(),
                  internal::MessageName<SupervisorActor>()) != 0) {
    return std::nullopt;
  }
  return Supervisor(actor);
}

template <typename Request>
auto Supervisor::Call(Request request) const {
  using Reply = ReplyOf<SupervisorActor, Request>;
  if (!ref_) return Reply(absl::FailedPreconditionError("null Supervisor"));
  if (!ref_.alive()) {
    return Reply(absl::UnavailableError(
        absl::StrCat("supervisor '", ref_.name(), "' is not running (",
                     ref_.exit().ToString(), ")")));
  }
  if (ref_.cell()->running_in_actor()) {
    return Reply(absl::FailedPreconditionError(absl::StrCat(
        "supervisor '", ref_.name(),
        "' called from its own greenlet (a child's start function?): the "
        "call would deadlock")));
  }
  auto reply = ActorRef<SupervisorActor>(ref_.cell())
                   .Ask(std::move(request))
                   .Result();
  if (reply.ok()) return *std::move(reply);
  // Not running (NotFound from the mailbox), or exited before replying.
  if (absl::IsNotFound(reply.status())) {
    return Reply(absl::UnavailableError(reply.status().message()));
  }
  return Reply(reply.status());
}

absl::StatusOr<Child> Supervisor::StartChild(ChildSpec spec) const {
  return Call(SupervisorActor::StartChildRequest{std::move(spec)});
}

absl::StatusOr<Child> Supervisor::StartChild(ChildArgs args) const {
  return Call(SupervisorActor::StartDynamicChildRequest{std::move(args)});
}

absl::Status Supervisor::TerminateChild(const std::string& id) const {
  return Call(SupervisorActor::TerminateChildRequest{id});
}

absl::Status Supervisor::TerminateChild(const Child& child) const {
  return Call(SupervisorActor::TerminateChildRefRequest{child});
}

absl::StatusOr<Child> Supervisor::RestartChild(const std::string& id) const {
  return Call(SupervisorActor::RestartChildRequest{id});
}

absl::Status Supervisor::DeleteChild(const std::string& id) const {
  return Call(SupervisorActor::DeleteChildRequest{id});
}

absl::StatusOr<std::vector<ChildInfo>> Supervisor::WhichChildren() const {
  return Call(SupervisorActor::WhichChildrenRequest{});
}

absl::StatusOr<ChildCounts> Supervisor::CountChildren() const {
  return Call(SupervisorActor::CountChildrenRequest{});
}

}  // namespace evergreen
