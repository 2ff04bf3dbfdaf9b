#include "framework/exception_status.h"

#include <new>
#include <stdexcept>

#include "framework/errors.h"

namespace evergreen {

absl::Status StatusFromException(const std::exception_ptr& error) {
  if (error == nullptr) return absl::OkStatus();
  try {
    std::rethrow_exception(error);
  } catch (const StatusError& e) {
    return e.status();
  } catch (const GreenletExit&) {
    return absl::CancelledError("greenlet was killed");
  } catch (const GreenletKilledError& e) {
    return absl::CancelledError(e.what());
  } catch (const std::invalid_argument& e) {
    return absl::InvalidArgumentError(e.what());
  } catch (const std::out_of_range& e) {
    return absl::OutOfRangeError(e.what());
  } catch (const std::logic_error& e) {
    // Evergreen's contract violations: the call was made where it cannot be.
    return absl::FailedPreconditionError(e.what());
  } catch (const std::bad_alloc& e) {
    return absl::ResourceExhaustedError(e.what());
  } catch (const std::exception& e) {
    return absl::UnknownError(e.what());
  } catch (...) {
    return absl::UnknownError("non-standard exception");
  }
}

}  // namespace evergreen
