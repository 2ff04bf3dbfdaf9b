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
// DeadlineExceeded. cancelled() turns true when the client gave up (a
// cancel frame, its connection closed); a long handler may poll it.
//
// Thread affinity: the service actor's hub. Owned by the runtime; valid
// during the handler call only.
#ifndef EVERGREEN_ACTORS_SERVICE_CALL_CONTEXT_H_
#define EVERGREEN_ACTORS_SERVICE_CALL_CONTEXT_H_

#include <memory>
#include <string>

#include "absl/time/time.h"
#include "actors/service/call_options.h"

namespace evergreen {

// Shared between a call's handler and the transport that carries it.
struct CallState {
  std::string method;          // "pkg.Service/Method"
  std::string peer;            // "127.0.0.1:5000", "local"
  absl::Time deadline = absl::InfiniteFuture();
  Metadata metadata;
  bool cancelled = false;
};

class CallContext {
 public:
  explicit CallContext(std::shared_ptr<CallState> state)
      : state_(std::move(state)) {}
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
  const std::string& method() const { return state_->method; }
  const Metadata& metadata() const { return state_->metadata; }
  bool cancelled() const { return state_->cancelled; }

 private:
  std::shared_ptr<CallState> state_;
};

}  // namespace evergreen

#endif  // EVERGREEN_ACTORS_SERVICE_CALL_CONTEXT_H_
