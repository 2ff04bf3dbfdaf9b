// CallContext: what a handler knows about the call it serves.
//
//   absl::StatusOr<GetReply> Get(const GetRequest& req,
//                                evergreen::CallContext& ctx) override {
//     if (ctx.metadata().count("tenant") == 0) {
//       return absl::PermissionDeniedError("no tenant");
//     }
//     ...  // every wait here is bounded by ctx.deadline()
//   }
//
// The deadline is the client's (sent on the wire as remaining time); the
// runtime enforces it around the handler (actors/service/handler_call.h):
// a handler still running at the deadline is interrupted with a
// TimeoutError at its next blocking call and the client gets
// DeadlineExceeded. Waits inside are also bounded by it as the greenlet's
// current deadline (framework/deadline.h), so they fail DeadlineExceeded
// rather than throw. When the call is cancelled (a cancel frame, the
// client's connection closed, the server stopping past its grace period)
// cancelled() turns true and the handler is interrupted at its current or
// next blocking call (CallCancelledError); a CPU-bound handler may poll
// cancelled().
//
// Thread affinity: the service actor's hub. Owned by the runtime; valid
// during the handler call only.
#ifndef EVERGREEN_ACTORS_SERVICE_CALL_CONTEXT_H_
#define EVERGREEN_ACTORS_SERVICE_CALL_CONTEXT_H_

#include <memory>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "actors/service/call_options.h"

namespace evergreen {

class RawGreenlet;

// Shared between a call's handler and the transport that carries it.
struct CallState {
  std::string peer;            // "127.0.0.1:5000", "local"
  absl::Time deadline = absl::InfiniteFuture();
  Metadata metadata;
  // Set by CancelCall (actors/service/handler_call.h), never cleared.
  bool cancelled = false;
  // The greenlet running the handler, while it runs; the runtime's.
  RawGreenlet* handler = nullptr;
};

class CallContext {
 public:
  // `method` is "pkg.Service/Method". REQUIRES: both outlive the context.
  CallContext(const CallState& state, const char* method)
      : state_(&state), method_(method) {}
  CallContext(const CallContext&) = delete;
  CallContext& operator=(const CallContext&) = delete;

  absl::Time deadline() const { return state_->deadline; }
  // Time left until the deadline (InfiniteDuration without one; negative
  // once it has passed).
  absl::Duration remaining() const {
    if (state_->deadline == absl::InfiniteFuture()) {
      return absl::InfiniteDuration();
    }
    return state_->deadline - absl::Now();
  }
  const std::string& peer() const { return state_->peer; }
  // "pkg.Service/Method".
  absl::string_view method() const { return method_; }
  const Metadata& metadata() const { return state_->metadata; }
  bool cancelled() const { return state_->cancelled; }

 private:
  const CallState* state_;
  const char* method_;
};

}  // namespace evergreen

#endif  // EVERGREEN_ACTORS_SERVICE_CALL_CONTEXT_H_
