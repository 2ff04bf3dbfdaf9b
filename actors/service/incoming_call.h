// IncomingCall: one call on its way to a service actor, and DeliverCall,
// which puts it in the actor's mailbox.
//
//   absl::Status queued = DeliverCall(service_ref, IncomingCall(
//       method, std::move(payload), state, [](absl::StatusOr<Payload> r) {
//         ...  // write the reply frame
//       }));
//
// Whatever happens, the reply callback runs exactly once: with the
// handler's outcome; with the reason the call could not be queued
// (DeliverCall's error, before DeliverCall returns); or, when the call is
// dropped unanswered (the actor exited with it queued), with Unavailable.
//
// Thread affinity: the service actor's hub. Move-only.
#ifndef EVERGREEN_ACTORS_SERVICE_INCOMING_CALL_H_
#define EVERGREEN_ACTORS_SERVICE_INCOMING_CALL_H_

#include <memory>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "actors/actor_ref.h"
#include "actors/service/call_context.h"
#include "actors/service/method.h"
#include "actors/service/payload.h"

namespace evergreen {

class IncomingCall {
 public:
  IncomingCall(const MethodInfo* method, Payload request,
               std::shared_ptr<CallState> state, ReplyCallback done)
      : method_(method),
        request_(std::move(request)),
        state_(std::move(state)),
        done_(std::move(done)) {}
  IncomingCall(IncomingCall&&) = default;
  IncomingCall& operator=(IncomingCall&&) = delete;
  ~IncomingCall();

  const MethodInfo& method() const { return *method_; }
  Payload& request() { return request_; }
  const std::shared_ptr<CallState>& state() const { return state_; }

  // Delivers the outcome; later calls are ignored.
  void Reply(absl::StatusOr<Payload> outcome);
  // Runs `before` just before the reply callback, whatever the outcome
  // (a router counts the calls an instance has outstanding). Must not
  // block. REQUIRES: not answered().
  void OnReply(absl::AnyInvocable<void()> before);
  bool answered() const { return !done_; }

 private:
  const MethodInfo* method_;
  Payload request_;
  std::shared_ptr<CallState> state_;
  ReplyCallback done_;
};

// Queues `call` in `service`'s mailbox. Never blocks. On failure the call
// is answered with the returned error before this returns: Unavailable
// when the actor is not running, ResourceExhausted when its mailbox is
// full (B-RPC8).
absl::Status DeliverCall(const AnyActorRef& service, IncomingCall call);

}  // namespace evergreen

#endif  // EVERGREEN_ACTORS_SERVICE_INCOMING_CALL_H_
