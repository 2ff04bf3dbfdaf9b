#include "actors/service/handler_call.h"

#include "absl/strings/str_cat.h"
#include "actors/actor_error.h"
#include "framework/errors.h"
#include "framework/timeout.h"

namespace evergreen {

absl::StatusOr<Payload> RunWithHandlerDeadline(
    absl::Time deadline, absl::string_view method,
    absl::FunctionRef<absl::StatusOr<Payload>()> handler) {
  if (deadline == absl::InfiniteFuture()) return handler();
  const absl::Duration budget = deadline - absl::Now();
  Timeout timeout(budget);
  try {
    return handler();
  } catch (const TimeoutError& e) {
    if (e.source() != &timeout) throw;
    return absl::DeadlineExceededError(absl::StrCat(
        "call ", method, ": handler ran past its deadline (",
        absl::FormatDuration(budget), ")"));
  }
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
