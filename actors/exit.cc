#include "actors/exit.h"

#include "framework/errors.h"

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
  return "failed: " + DescribeException(error);
}

}  // namespace evergreen
