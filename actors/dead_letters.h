// Dead letters: messages that could not be delivered (dead actor, full
// mailbox, a type the actor does not handle).
//
// Each is reported to the hub's dead-letter handler. The default prints
// the first 10 per hub to stderr and then only counts, like Akka's logging
// of dead letters; tests and applications may install their own.
//
// Thread affinity: the hub thread.
#ifndef EVERGREEN_ACTORS_DEAD_LETTERS_H_
#define EVERGREEN_ACTORS_DEAD_LETTERS_H_

#include <cstdint>
#include <string>

#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"

namespace evergreen {

struct DeadLetter {
  std::string actor;    // the recipient's name
  std::string message;  // the message's type
  absl::Status why;
};

using DeadLetterHandler = absl::AnyInvocable<void(const DeadLetter&)>;

// Replaces the calling thread's hub's handler; nullptr restores the default.
void SetDeadLetterHandler(DeadLetterHandler handler);

// Dead letters reported on the calling thread's hub so far.
std::uint64_t DeadLetterCount();

}  // namespace evergreen

#endif  // EVERGREEN_ACTORS_DEAD_LETTERS_H_
