#include "actors/exit.h"

namespace evergreen {

std::string Exit::ToString() const {
  switch (reason) {
    case ExitReason::kNormal:
      return "normal";
    case ExitReason::kShutdown:
      return "shutdown";
    case ExitReason::kKilled:
      return "killed";
    case ExitReason::kFailed:
      break;
  }
  if (error == nullptr) return "failed";
  try {
    std::rethrow_exception(error);
  } catch (const std::exception& e) {
    return std::string("failed: ") + e.what();
  } catch (...) {
    return "failed: non-standard exception";
  }
}

}  // namespace evergreen
