#include "framework/exception_status.h"

#include "framework/errors.h"
#include "framework/timeout.h"

namespace evergreen {

absl::Status StatusFromException(const std::exception_ptr& error) {
  if (error == nullptr) return absl::OkStatus();
  try {
    std::rethrow_exception(error);
  } catch (const TimeoutError& e) {
    return absl::DeadlineExceededError(e.what());
  } catch (const GreenletExit&) {
    return absl::CancelledError("greenlet was killed");
  } catch (const GreenletKilledError& e) {
    return absl::CancelledError(e.what());
  } catch (const std::exception& e) {
    return absl::UnknownError(e.what());
  } catch (...) {
    return absl::UnknownError("non-standard exception");
  }
}

}  // namespace evergreen
