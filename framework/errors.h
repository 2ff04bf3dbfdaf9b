// Exceptions of the framework layer.
//
// Expected failures are absl::Status. One exception carries a Status where a
// throwing shape is wanted (gevent's Get(), a handler's failure):
//
//  - StatusError: an exception that is an absl::Status. ActorError and
//    SupervisorError are names for it; TimeoutError (framework/timeout.h)
//    derives from it with DeadlineExceeded. StatusFromException
//    (framework/exception_status.h) returns its status unchanged.
//
//      throw evergreen::StatusError(absl::NotFoundError("no such user"));
//      // (compiled in tests/docs/header_examples_test.cc)
//
// These exceptions mark programming errors that a blocking call cannot turn
// into a result (StatusFromException maps them to FailedPrecondition):
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
#include <utility>

#include "absl/status/status.h"
#include "greenlet/errors.h"

namespace evergreen {

// An exception carrying an absl::Status: how a Status travels through a
// throwing API. what() is the status's ToString() unless a subclass says
// otherwise. REQUIRES: a non-OK status.
class StatusError : public std::exception {
 public:
  explicit StatusError(absl::Status status)
      : status_(std::move(status)), message_(status_.ToString()) {}
  const absl::Status& status() const { return status_; }
  const char* what() const noexcept override { return message_.c_str(); }

 protected:
  StatusError(absl::Status status, std::string what)
      : status_(std::move(status)), message_(std::move(what)) {}

 private:
  absl::Status status_;
  std::string message_;
};

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
