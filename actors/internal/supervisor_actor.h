// SupervisorActor: the actor behind a Supervisor handle — OTP's supervisor
// process. Children's exits reach it as messages, so exits, restarts and
// administrative calls are handled one at a time, in arrival order.
//
// Internal: users hold a Supervisor (actors/supervisor.h), which sends
// these messages with Ask and waits for the reply.
// Thread affinity: the hub thread that started it.
#ifndef EVERGREEN_ACTORS_INTERNAL_SUPERVISOR_ACTOR_H_
#define EVERGREEN_ACTORS_INTERNAL_SUPERVISOR_ACTOR_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "actors/actor.h"
#include "actors/child.h"
#include "actors/child_info.h"
#include "actors/child_spec.h"
#include "actors/internal/child_table.h"
#include "actors/internal/hub_roster.h"
#include "actors/internal/restart_window.h"
#include "actors/supervisor_flags.h"
#include "framework/async_result.h"

namespace evergreen::internal {

class SupervisorActor : public ActorBase {
 public:
  // Administrative requests (see Supervisor for their contracts).
  struct StartChildRequest {
    ChildSpec spec;
  };
  struct StartDynamicChildRequest {
    ChildArgs args;
  };
  struct TerminateChildRequest {
    std::string id;
  };
  struct TerminateChildRefRequest {
    Child child;
  };
  struct RestartChildRequest {
    std::string id;
  };
  struct DeleteChildRequest {
    std::string id;
  };
  struct WhichChildrenRequest {};
  struct CountChildrenRequest {};
  // A child exited (sent by the exit observer of its `generation`-th start).
  struct ChildExited {
    std::uint64_t key;
    std::uint64_t generation;
    Exit exit;
  };
  // A failed restart is retried after what is already queued (OTP's
  // try_again_restart), so other requests are not starved.
  struct RetryRestart {
    std::uint64_t key;
  };

  // `started` receives the outcome of starting the initial children.
  // REQUIRES: validated flags and specs (Supervisor::Start does it).
  SupervisorActor(SupervisorFlags flags, std::vector<ChildSpec> specs,
                  AsyncResult<absl::Status> started);
  ~SupervisorActor() override;

  absl::StatusOr<Child> Handle(StartChildRequest request);
  absl::StatusOr<Child> Handle(StartDynamicChildRequest request);
  absl::Status Handle(TerminateChildRequest request);
  absl::Status Handle(TerminateChildRefRequest request);
  absl::StatusOr<Child> Handle(RestartChildRequest request);
  absl::Status Handle(DeleteChildRequest request);
  absl::StatusOr<std::vector<ChildInfo>> Handle(WhichChildrenRequest request);
  absl::StatusOr<ChildCounts> Handle(CountChildrenRequest request);
  void Handle(ChildExited message);
  void Handle(RetryRestart message);

  // For the live dump (actors/supervisor_dump.h). Owner hub only.
  const std::string& name() const { return name_; }
  Strategy strategy() const { return flags_.strategy; }
  const RestartWindow& window() const { return window_; }
  const ChildTable& children() const { return table_; }

 protected:
  void OnStart() override;
  void OnStop(const Exit& exit) override;

 private:
  using Iterator = ChildTable::Iterator;

  bool simple() const {
    return flags_.strategy == Strategy::kSimpleOneForOne;
  }
  // InvalidArgument naming this supervisor, its strategy and `what`.
  absl::Status NotForThisStrategy(const char* what) const;
  // The record of child `id`, or NotFound naming it.
  absl::StatusOr<Iterator> Find(const std::string& id);
  // As Find, also FailedPrecondition for a child that is running or
  // restarting (what RestartChild and DeleteChild need).
  absl::StatusOr<Iterator> FindTerminated(const std::string& id);

  // Runs the spec's start function. On success the child (if it returned
  // one) is running and watched; an error says which child failed.
  absl::Status StartRecord(Iterator it);
  // Whether a record that is not running should go (temporary, dynamic).
  bool Disposable(Iterator it) const;

  // Stops a running child as its spec's shutdown says; blocks.
  void TerminateRecord(Iterator it);
  // Stops the running children from `first` to the end, last first;
  // temporary ones are dropped, the others kept as not running.
  void TerminateFrom(Iterator first);
  // Stops every child (simple_one_for_one: all at once).
  void TerminateAll();
  void TerminateDynamicChildren();

  // The restart of `it` after `reason`, as the strategy says; gives up
  // (throws StatusError) past the restart intensity.
  void Restart(Iterator it, const std::string& reason);
  // Starts the records from `first` on in order; a failure is retried.
  void StartFrom(Iterator first);
  void ScheduleRetry(Iterator it, const absl::Status& why);
  [[noreturn]] void GiveUp(Iterator it, const std::string& reason);

  SupervisorFlags flags_;
  RestartWindow window_;
  std::vector<ChildSpec> initial_specs_;
  AsyncResult<absl::Status> started_;
  std::shared_ptr<const ChildSpec> template_;  // simple_one_for_one
  ChildTable table_;
  std::string name_;
  // Listed by the live dump from OnStart until destroyed.
  HubRoster<SupervisorActor>::Entry roster_entry_{this};
};

}  // namespace evergreen::internal

#endif  // EVERGREEN_ACTORS_INTERNAL_SUPERVISOR_ACTOR_H_
