// The exceptions of the greenlet layer.
//
// Exceptions in Evergreen only unwind greenlets (see docs/design.md,
// "Errors and cancellation"); expected failures are absl::Status. These are:
//
//  - GreenletExit: thrown into a greenlet to make it unwind (kill, or
//    destruction of a suspended greenlet). A body that lets it escape counts
//    as having returned normally.
//  - GreenletError: a misuse of the greenlet API (switching into a dead
//    greenlet, or to another thread's greenlet). Always a caller bug; the
//    message says which.
#ifndef EVERGREEN_GREENLET_ERRORS_H_
#define EVERGREEN_GREENLET_ERRORS_H_

#include <stdexcept>

namespace evergreen {

class GreenletExit : public std::exception {
 public:
  const char* what() const noexcept override { return "GreenletExit"; }
};

class GreenletError : public std::logic_error {
 public:
  using std::logic_error::logic_error;
};

}  // namespace evergreen

#endif  // EVERGREEN_GREENLET_ERRORS_H_
