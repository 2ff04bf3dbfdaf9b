#include "actors/service/incoming_call.h"

#include "absl/strings/str_cat.h"
#include "actors/service/service_base.h"

namespace evergreen {

IncomingCall::~IncomingCall() {
  if (done_) {
    Reply(absl::UnavailableError(absl::StrCat(
        "call ", method_->full_name,
        ": the service actor exited before running it")));
  }
}

void IncomingCall::Reply(absl::StatusOr<Payload> outcome) {
  if (!done_) return;
  ReplyCallback done = std::move(done_);
  done_ = nullptr;
  done(std::move(outcome));
}

void IncomingCall::OnReply(absl::AnyInvocable<void()> before) {
  done_ = [before = std::move(before), done = std::move(done_)](
              absl::StatusOr<Payload> outcome) mutable {
    before();
    done(std::move(outcome));
  };
}

absl::Status DeliverCall(const AnyActorRef& service, IncomingCall call) {
  const std::shared_ptr<internal::ActorCell>& cell = service.cell();
  if (cell == nullptr) {
    absl::Status status = absl::UnavailableError(absl::StrCat(
        "call ", call.method().full_name, ": no service actor"));
    call.Reply(status);
    return status;
  }
  // The answer callback is needed again if the call cannot be queued; the
  // mail only takes ownership once Deliver succeeds.
  auto holder = std::make_unique<IncomingCall>(std::move(call));
  IncomingCall* raw = holder.get();
  internal::MailPtr mail = internal::MakeMail(
      [holder = std::move(holder)](ActorBase& actor) mutable {
        static_cast<ServiceBase&>(actor).Handle(std::move(*holder));
      });
  absl::Status sent = cell->Deliver(mail, "evergreen::IncomingCall");
  if (sent.ok()) return sent;
  absl::Status status;
  if (sent.code() == absl::StatusCode::kResourceExhausted) {
    status = absl::ResourceExhaustedError(absl::StrCat(
        "call ", raw->method().full_name, ": service actor '", cell->name(),
        "' is over its bound (", cell->mailbox_size(),
        " calls queued): ", sent.message()));
  } else {
    status = absl::UnavailableError(absl::StrCat(
        "call ", raw->method().full_name, ": service actor '", cell->name(),
        "' is not running: ", sent.message()));
  }
  // Before `mail` (and the call in it) dies: the precise reason wins.
  raw->Reply(status);
  return status;
}

}  // namespace evergreen
