// Exceptions of the framework layer.
//
// Expected failures are absl::Status; these exceptions mark programming
// errors that a blocking call cannot turn into a result:
//
//  - LoopExit: the calling greenlet waits on something nothing can ever
//    wake (no other greenlet is runnable, no watcher is active, no other
//    thread holds a HubKeepAlive). Raised at once instead of a silent
//    deadlock: "would block forever".
//  - BlockingInHubError: a blocking call made from the hub itself (a libev
//    callback, a link callback, a Post()ed function): "cannot block inside
//    the hub".
//  - WrongThreadError: a hub-bound object used from another thread.
//  - GreenletKilledError: Get() of a killed greenlet, which has no value.
//
// GreenletExit (greenlet/errors.h) unwinds a killed greenlet; TimeoutError
// (framework/timeout.h) is what an expiring Timeout raises.
#ifndef EVERGREEN_FRAMEWORK_ERRORS_H_
#define EVERGREEN_FRAMEWORK_ERRORS_H_

#include <exception>
#include <stdexcept>
#include <string>

#include "greenlet/errors.h"

namespace evergreen {

class LoopExit : public std::logic_error {
 public:
  using std::logic_error::logic_error;
};

class BlockingInHubError : public std::logic_error {
 public:
  using std::logic_error::logic_error;
};

class WrongThreadError : public std::logic_error {
 public:
  using std::logic_error::logic_error;
};

// Get() of a greenlet that was killed (ended by GreenletExit): it has no
// value to return.
class GreenletKilledError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The what() of a stored exception, for messages and reports
// ("non-standard exception" for one that is not a std::exception).
inline std::string DescribeException(const std::exception_ptr& error) {
  try {
    std::rethrow_exception(error);
  } catch (const std::exception& e) {
    return e.what();
  } catch (...) {
    return "non-standard exception";
  }
}

}  // namespace evergreen

#endif  // EVERGREEN_FRAMEWORK_ERRORS_H_
