#include "actors/service/handler_call.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "framework/deadline.h"
#include "framework/hub.h"
#include "framework/timeout.h"
#include "greenlet/raw_greenlet.h"

namespace evergreen {
namespace {

// The Timeout fires this long after the deadline, so that waits honouring
// the deadline end first, in their own way (a DeadlineExceeded status the
// handler may turn into its answer); the Timeout only cuts what ignores it.
constexpr absl::Duration kBackstopGrace = absl::Milliseconds(5);

}  // namespace

absl::StatusOr<Payload> RunHandler(
    CallState& state, absl::string_view method,
    absl::FunctionRef<absl::StatusOr<Payload>()> handler) {
  struct Running {
    CallState& state;
    explicit Running(CallState& s) : state(s) {
      state.handler = RawGreenlet::Current();
    }
    ~Running() { state.handler = nullptr; }
  } running(state);
  const absl::Time deadline = state.deadline;
  try {
    if (deadline == absl::InfiniteFuture()) return handler();
    DeadlineScope scope(deadline);
    // The deadline bounds every wait; the Timeout also cuts what does not
    // honour it (Sleep, a wait under internal::NoDeadlineScope).
    const absl::Duration budget = deadline - absl::Now();
    Timeout timeout(budget + kBackstopGrace);
    try {
      return handler();
    } catch (const TimeoutError& e) {
      if (e.source() != &timeout) throw;
      return absl::DeadlineExceededError(absl::StrCat(
          "call ", method, ": handler ran past its deadline (",
          absl::FormatDuration(budget), ")"));
    }
  } catch (const CallCancelledError& e) {
    if (e.call() != &state) throw;
    return e.status();
  }
}

void CancelCall(const std::shared_ptr<CallState>& state, absl::Status why) {
  if (state->cancelled) return;
  state->cancelled = true;
  if (state->handler == nullptr) return;
  // Never throw into another greenlet from here (the caller may be in the
  // middle of something): the hub delivers it on its turn.
  Hub::Current()->CallSoon([state, why = std::move(why)]() mutable {
    RawGreenlet* target = state->handler;
    if (target == nullptr || target->dead()) return;  // finished meanwhile
    target->Throw(CallCancelledError(std::move(why), state.get()));
  });
}

absl::Status StatusFromHandlerException(const std::exception_ptr& error,
                                        absl::string_view method) {
  try {
    std::rethrow_exception(error);
  } catch (const TimeoutError& e) {  // a StatusError: before that catch
    return absl::DeadlineExceededError(
        absl::StrCat("call ", method, ": ", e.what()));
  } catch (const StatusError& e) {
    return e.status();
  } catch (const GreenletExit&) {
    return absl::UnavailableError(absl::StrCat(
        "call ", method, ": the service actor was killed while running it"));
  } catch (const std::exception& e) {
    return absl::InternalError(
        absl::StrCat("call ", method, ": handler threw: ", e.what()));
  } catch (...) {
    return absl::InternalError(absl::StrCat(
        "call ", method, ": handler threw a non-standard exception"));
  }
}

}  // namespace evergreen
