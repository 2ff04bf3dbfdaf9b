// ChildSpec: how a supervisor starts, restarts and stops one child (OTP's
// child_spec()).
//
//   ChildSpec spec{
//       .id = "cache",
//       .start = [] { return SpawnActor<Cache>(); },       // -> Child
//       .restart = RestartType::kTransient,
//       .shutdown = ChildShutdown::Timeout(absl::Seconds(1)),
//   };
//
//   // A simple_one_for_one template: StartChild(args) passes the args.
//   ChildSpec conn{
//       .id = "connection",
//       .start = [](const ChildArgs& args) -> absl::StatusOr<Child> {
//         return SpawnActor<Connection>({}, std::any_cast<int>(args));
//       },
//       .restart = RestartType::kTemporary,
//   };
//
// The start function runs in the supervisor's greenlet and may block (a
// nested supervisor's start waits for its children). It returns the child
// it started (Spawn, SpawnActor; a greenlet not yet started is started),
// an error (the start failed), or no child, Child() — OTP's `ignore`:
// nothing runs, and the spec is kept unless the child is temporary. An exception it throws
// counts as a failed start (absl::StatusCode::kUnknown with its what()).
// It must not call its own supervisor (that call fails with
// FailedPrecondition, as OTP's gen_server refuses calling_self).
//
// Restart (when the supervisor restarts an exited child):
//   kPermanent  always.
//   kTransient  only after an abnormal exit (kKilled, kFailed); kNormal
//               and kShutdown are normal exits.
//   kTemporary  never; its spec is dropped once it exits or is terminated.
//
// Shutdown (how the supervisor stops it; see actors/child.h per kind):
//   BrutalKill()   killed at once.
//   Timeout(d)     asked to stop, killed if still running after d.
//   Infinity()     asked to stop, waited for however long it takes.
// Unset: Timeout(5 s) for a worker, Infinity() for a supervisor (OTP).
//
// Thread affinity: plain values; the start function runs on the
// supervisor's hub.
#ifndef EVERGREEN_ACTORS_CHILD_SPEC_H_
#define EVERGREEN_ACTORS_CHILD_SPEC_H_

#include <any>
#include <functional>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "actors/child.h"

namespace evergreen {

enum class RestartType { kPermanent, kTransient, kTemporary };
enum class ChildType { kWorker, kSupervisor };

// "permanent", "worker", ...
const char* ToString(RestartType restart);
const char* ToString(ChildType type);

class ChildShutdown {
 public:
  enum class Kind { kBrutalKill, kTimeout, kInfinity };

  static ChildShutdown BrutalKill() { return {Kind::kBrutalKill, {}}; }
  // An infinite `timeout` is Infinity(); a negative one is refused by
  // ValidateChildSpec.
  static ChildShutdown Timeout(absl::Duration timeout) {
    if (timeout == absl::InfiniteDuration()) return Infinity();
    return {Kind::kTimeout, timeout};
  }
  static ChildShutdown Infinity() {
    return {Kind::kInfinity, absl::InfiniteDuration()};
  }

  Kind kind() const { return kind_; }
  // The grace period: zero for a brutal kill, infinite for Infinity().
  absl::Duration timeout() const { return timeout_; }
  // "brutal_kill", "timeout(5s)", "infinity".
  std::string ToString() const;

 private:
  ChildShutdown(Kind kind, absl::Duration timeout)
      : kind_(kind), timeout_(timeout) {}
  Kind kind_;
  absl::Duration timeout_;
};

// The arguments StartChild(args) hands a simple_one_for_one template's
// start function (OTP's ExtraArgs); empty for every other start.
using ChildArgs = std::any;

// A child's start function: callable as `absl::StatusOr<Child>()` or, for
// a simple_one_for_one template that takes arguments,
// `absl::StatusOr<Child>(const ChildArgs&)`. Copyable: a spec is a value,
// and a nested supervisor's spec copies its children's specs on every
// restart.
class StartFunction {
 public:
  StartFunction() = default;

  template <typename F>
    requires std::is_invocable_r_v<absl::StatusOr<Child>, F&>
  StartFunction(F fn)  // NOLINT: implicit by design
      : fn_([fn = std::move(fn)](const ChildArgs&) mutable
                -> absl::StatusOr<Child> { return fn(); }) {}

  template <typename F>
    requires(!std::is_invocable_v<F&> &&
             std::is_invocable_r_v<absl::StatusOr<Child>, F&,
                                   const ChildArgs&>)
  StartFunction(F fn)  // NOLINT: implicit by design
      : fn_(std::move(fn)), takes_args_(true) {}

  explicit operator bool() const { return static_cast<bool>(fn_); }
  // Whether it takes ChildArgs.
  bool takes_args() const { return takes_args_; }

  absl::StatusOr<Child> operator()(const ChildArgs& args) const {
    return fn_(args);
  }

 private:
  std::function<absl::StatusOr<Child>(const ChildArgs&)> fn_;
  bool takes_args_ = false;
};

struct ChildSpec {
  // Unique among a supervisor's children; names the child in errors.
  std::string id;
  StartFunction start;
  RestartType restart = RestartType::kPermanent;
  // Unset: the default for `type` (see the file comment).
  std::optional<ChildShutdown> shutdown;
  ChildType type = ChildType::kWorker;
};

// The shutdown that applies to `spec`: its own, or the default for its type.
ChildShutdown EffectiveShutdown(const ChildSpec& spec);

// OK, or InvalidArgument saying what is wrong: an empty id, no start
// function, a negative shutdown timeout, an out-of-range enum.
absl::Status ValidateChildSpec(const ChildSpec& spec);

}  // namespace evergreen

#endif  // EVERGREEN_ACTORS_CHILD_SPEC_H_
