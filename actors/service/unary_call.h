// The typed call paths the generated Client uses: StartUnary (async) and
// CallUnary (blocking). Users call the generated methods instead:
//
//   absl::StatusOr<GetReply> r = kv.Get(req, {.timeout = absl::Milliseconds(50)});
//   AsyncResult<absl::StatusOr<GetReply>> f = kv.GetAsync(req);
//   absl::StatusOr<GetReply> later = f.Get();
//
// The deadline is min(options' timeout/deadline, the caller's current
// deadline): inside a handler, calls end by the handler's deadline and
// carry it on the wire.
//
// Errors (all as absl::Status in the result; nothing throws): the
// server's status; DeadlineExceeded at the call's deadline ("call M to T:
// deadline exceeded after 50ms"), and the server is told to stop;
// Unavailable when the transport fails; Internal when the reply does not
// parse; FailedPrecondition on a null channel.
//
// Blocking: CallUnary blocks the calling greenlet until the reply or the
// deadline (what wakes it: the reply, or the deadline). If the caller is
// killed or a Timeout of its own fires meanwhile, the call is cancelled
// (the server is told) and the exception propagates.
//
// Thread affinity: the channel's hub.
#ifndef EVERGREEN_ACTORS_SERVICE_UNARY_CALL_H_
#define EVERGREEN_ACTORS_SERVICE_UNARY_CALL_H_

#include <algorithm>
#include <memory>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "actors/service/call_options.h"
#include "actors/service/channel.h"
#include "actors/service/method.h"
#include "actors/service/payload.h"
#include "framework/async_result.h"
#include "framework/deadline.h"
#include "framework/hub.h"
#include "framework/timer_handle.h"

namespace evergreen {
namespace internal {

// The call's deadline: the options', narrowed to the caller's current
// deadline (framework/deadline.h), so that a handler's nested calls end
// by its own deadline and carry it to their servers.
inline absl::Time CallDeadline(const CallOptions& options) {
  return std::min(options.EffectiveDeadline(), CurrentDeadline());
}

// "call M to T: deadline exceeded after D".
absl::Status CallDeadlineExceeded(const MethodInfo& method,
                                  const ChannelImpl& channel,
                                  absl::Duration budget);

// The typed reply in `payload`: moved from the in-process message, or
// parsed. Errors: the call's status; Internal for bytes that do not parse.
template <typename Reply>
absl::StatusOr<Reply> TypedReply(const MethodInfo& method,
                                 absl::StatusOr<Payload> payload) {
  if (!payload.ok()) return payload.status();
  if (payload->message != nullptr) {
    return std::move(static_cast<Reply&>(*payload->message));
  }
  Reply reply;
  if (!reply.ParseFromString(payload->bytes)) {
    return absl::InternalError(absl::StrCat(
        "call ", method.full_name, ": reply of ", payload->bytes.size(),
        " bytes does not parse as ", method.reply_type));
  }
  return reply;
}

// Starts the call with `done`; `id` receives the channel's call id.
// Returns the failure that keeps it from starting (FailedPrecondition for
// a null channel, DeadlineExceeded for a deadline already passed); then
// `done` never runs.
absl::Status StartCall(const Channel& channel, const MethodInfo& method,
                       const google::protobuf::Message& request,
                       absl::Time deadline, const Metadata& metadata,
                       ReplyCallback done, std::uint64_t* id);

}  // namespace internal

// Async: the result completes with the reply or the error; at the
// deadline it completes with DeadlineExceeded and the call is cancelled.
// The deadline's timer is cancelled when the reply comes. Never blocks.
template <typename Reply>
AsyncResult<absl::StatusOr<Reply>> StartUnary(
    const Channel& channel, const MethodInfo& method,
    const google::protobuf::Message& request, const CallOptions& options) {
  const absl::Time deadline = internal::CallDeadline(options);
  std::uint64_t id;
  AsyncResult<absl::StatusOr<Reply>> result;
  // Cancelled with the reply, so that no timer outlives its call.
  std::shared_ptr<TimerHandle> timer;
  if (deadline != absl::InfiniteFuture()) timer = std::make_shared<TimerHandle>();
  absl::Status started = internal::StartCall(
      channel, method, request, deadline, options.metadata,
      [result, &method, timer](absl::StatusOr<Payload> payload) mutable {
        result.Set(internal::TypedReply<Reply>(method, std::move(payload)));
        if (timer != nullptr) timer->Cancel();
      },
      &id);
  if (!started.ok()) {
    result.Set(std::move(started));
    return result;
  }
  if (!result.ready() && timer != nullptr) {
    const absl::Duration budget = deadline - absl::Now();
    std::weak_ptr<ChannelImpl> weak = channel.shared_impl();
    *timer = Hub::Current()->CallLater(
        budget, [result, weak, id, &method, budget]() mutable {
          if (result.ready()) return;
          std::shared_ptr<ChannelImpl> impl = weak.lock();
          if (impl == nullptr) {
            result.Set(absl::CancelledError(absl::StrCat(
                "call ", method.full_name, ": channel closed")));
            return;
          }
          impl->Cancel(id);
          result.Set(internal::CallDeadlineExceeded(method, *impl, budget));
        });
  }
  return result;
}

// Blocking (see the file comment).
template <typename Reply>
absl::StatusOr<Reply> CallUnary(const Channel& channel,
                                const MethodInfo& method,
                                const google::protobuf::Message& request,
                                const CallOptions& options) {
  const absl::Time deadline = internal::CallDeadline(options);
  std::uint64_t id;
  // The reply is typed after the wait: the callback then holds the result
  // alone, small enough to need no allocation.
  AsyncResult<absl::StatusOr<Payload>> result;
  absl::Status started = internal::StartCall(
      channel, method, request, deadline, options.metadata,
      [result](absl::StatusOr<Payload> payload) mutable {
        result.Set(std::move(payload));
      },
      &id);
  if (!started.ok()) return started;
  if (!result.ready()) {
    const absl::Duration budget = deadline == absl::InfiniteFuture()
                                      ? absl::InfiniteDuration()
                                      : deadline - absl::Now();
    bool ready;
    try {
      ready = result.Wait(budget);
    } catch (...) {
      channel.impl()->Cancel(id);
      throw;
    }
    if (!ready) {
      channel.impl()->Cancel(id);
      return internal::CallDeadlineExceeded(method, *channel.impl(), budget);
    }
  }
  return internal::TypedReply<Reply>(method, result.Take());
}

}  // namespace evergreen

#endif  // EVERGREEN_ACTORS_SERVICE_UNARY_CALL_H_
