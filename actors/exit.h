// Why an actor (or a supervised greenlet) stopped: OTP's exit reasons.
//
//   kNormal    it stopped itself (Stop() from inside, or its body ended).
//   kShutdown  it was asked to stop (ActorRef::Stop, a supervisor's
//              orderly shutdown) and did so.
//   kKilled    it was killed (ActorRef::Kill, a brutal kill, or a shutdown
//              timeout running out).
//   kFailed    a handler (or the body) threw; `error` holds the exception.
//
// kNormal and kShutdown are "normal" exits: they do not propagate through
// links and do not make a transient child restart. kKilled and kFailed are
// abnormal.
#ifndef EVERGREEN_ACTORS_EXIT_H_
#define EVERGREEN_ACTORS_EXIT_H_

#include <exception>
#include <string>

namespace evergreen {

enum class ExitReason { kNormal, kShutdown, kKilled, kFailed };

struct Exit {
  ExitReason reason = ExitReason::kNormal;
  std::exception_ptr error;  // set for kFailed

  bool abnormal() const {
    return reason == ExitReason::kKilled || reason == ExitReason::kFailed;
  }
  // "normal", "shutdown", "killed", "failed: <what()>".
  std::string ToString() const;

  static Exit Normal() { return {ExitReason::kNormal, nullptr}; }
  static Exit Shutdown() { return {ExitReason::kShutdown, nullptr}; }
  static Exit Killed() { return {ExitReason::kKilled, nullptr}; }
  static Exit Failed(std::exception_ptr error) {
    return {ExitReason::kFailed, std::move(error)};
  }
};

}  // namespace evergreen

#endif  // EVERGREEN_ACTORS_EXIT_H_
