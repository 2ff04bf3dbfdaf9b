#include "actors/service/service_base.h"

#include <exception>

#include "absl/strings/str_cat.h"
#include "actors/service/handler_call.h"

namespace evergreen {

void ServiceBase::Handle(IncomingCall call) {
  const MethodInfo& method = call.method();
  CallState& state = *call.state();
  if (state.cancelled) {
    call.Reply(absl::CancelledError(absl::StrCat(
        "call ", method.full_name, " was cancelled before it ran")));
    return;
  }
  if (absl::Now() >= state.deadline) {
    call.Reply(absl::DeadlineExceededError(absl::StrCat(
        "call ", method.full_name, " reached its deadline before it ran")));
    return;
  }
  if (method.service != &descriptor()) {
    call.Reply(absl::FailedPreconditionError(absl::StrCat(
        "call ", method.full_name, ": actor implements ", descriptor().name,
        ", not ", method.service->name)));
    return;
  }
  CallContext context(call.state());
  try {
    call.Reply(RunWithHandlerDeadline(
        state.deadline, method.full_name,
        [&]() -> absl::StatusOr<Payload> {
          Payload& request = call.request();
          if (request.message != nullptr) {
            absl::StatusOr<std::unique_ptr<google::protobuf::Message>> reply =
                method.invoke_local(*this, *request.message, context);
            if (!reply.ok()) return reply.status();
            return Payload{{}, *std::move(reply)};
          }
          absl::StatusOr<std::string> reply =
              method.invoke_bytes(*this, request.bytes, context);
          if (!reply.ok()) return reply.status();
          return Payload{*std::move(reply), nullptr};
        }));
  } catch (...) {
    call.Reply(StatusFromHandlerException(std::current_exception(),
                                          method.full_name));
    throw;  // let it crash: the supervisor restarts the actor fresh
  }
}

}  // namespace evergreen
