#include "actors/service/service_base.h"

#include <exception>
#include <stdexcept>
#include <utility>

#include "absl/strings/str_cat.h"
#include "actors/service/handler_call.h"
#include "framework/hub.h"
#include "framework/pool.h"

namespace evergreen {

ServiceBase::ServiceBase() = default;
ServiceBase::~ServiceBase() = default;

void ServiceBase::set_max_concurrent_calls(std::size_t n) {
  if (n == 0) {
    throw std::invalid_argument(
        "ServiceBase::set_max_concurrent_calls: must be at least 1");
  }
  max_concurrent_calls_ = n;
}

std::size_t ServiceBase::calls_running() const {
  if (pool_ != nullptr) return static_cast<std::size_t>(pool_->size());
  return running_ ? 1 : 0;
}

void ServiceBase::Handle(IncomingCall call) {
  if (max_concurrent_calls_ <= 1) {
    running_ = true;
    struct Done {
      bool* running;
      ~Done() { *running = false; }
    } done{&running_};
    Run(call);  // a throw crashes the actor: let it crash
    return;
  }
  if (pool_ == nullptr) {
    pool_ = std::make_unique<Pool>(static_cast<int>(max_concurrent_calls_));
  }
  if (pool_->Full()) {
    call.Reply(absl::ResourceExhaustedError(absl::StrCat(
        "call ", call.method().full_name, ": service actor '", self().name(),
        "' is running its limit of ", max_concurrent_calls_,
        " concurrent calls")));
    return;
  }
  // A slot is free: Spawn does not block.
  pool_->Spawn([this, call = std::move(call)]() mutable {
    try {
      Run(call);
    } catch (const GreenletExit&) {
      throw;  // killed with the actor: the call answers Unavailable
    } catch (...) {
      // Stateless: only this call fails (Run answered it); say it loudly.
      Hub::Current()->HandleError(
          absl::StrCat("service '", self().name(), "' handler ",
                       call.method().full_name),
          std::current_exception());
    }
  });
}

void ServiceBase::Run(IncomingCall& call) {
  const MethodInfo& method = call.method();
  CallState& state = *call.state();
  if (state.cancelled) {
    call.Reply(absl::CancelledError(absl::StrCat(
        "call ", method.full_name, " was cancelled before it ran")));
    return;
  }
  if (state.deadline != absl::InfiniteFuture() &&
      absl::Now() >= state.deadline) {
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
  CallContext context(state, method.full_name);
  try {
    call.Reply(RunHandler(
        state, method.full_name, [&]() -> absl::StatusOr<Payload> {
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
    throw;
  }
}

void ServiceBase::BeforeDestroy() {
  if (pool_ != nullptr) pool_->Kill();  // blocks until they are unwound
}

}  // namespace evergreen
