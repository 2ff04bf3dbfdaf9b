#include "actors/internal/supervisor_actor.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "actors/supervisor_dump.h"
#include "framework/errors.h"
#include "framework/deadline.h"
#include "framework/exception_status.h"
#include "greenlet/errors.h"

namespace evergreen::internal {
namespace {

// Tells the supervisor that the `generation`-th start of record `key`
// exited. Runs in the hub; a dead supervisor is not written to (that
// would be a dead letter), and a late notice is recognised as stale.
Child::ExitObserver ExitNotice(std::weak_ptr<ActorCell> supervisor,
                               std::uint64_t key, std::uint64_t generation) {
  return [supervisor = std::move(supervisor), key, generation](const Exit& exit) {
    std::shared_ptr<ActorCell> cell = supervisor.lock();
    if (cell == nullptr || !cell->alive()) return;
    (void)ActorRef<SupervisorActor>(std::move(cell))
        .Tell(SupervisorActor::ChildExited{key, generation, exit});
  };
}

// OTP's shutdown/2: ask, wait up to the grace period, then kill; a brutal
// kill kills at once; infinity waits. Blocks until the child is gone.
void ShutdownChild(const Child& child, const ChildShutdown& shutdown) {
  if (!child.alive()) return;
  switch (shutdown.kind()) {
    case ChildShutdown::Kind::kBrutalKill:
      child.Kill();
      break;
    case ChildShutdown::Kind::kTimeout:
      child.RequestShutdown();
      if (child.Join(shutdown.timeout())) return;
      child.Kill();
      break;
    case ChildShutdown::Kind::kInfinity:
      child.RequestShutdown();
      break;
  }
  // The child must be gone before its entry is, whatever deadline the
  // request that stops it carries.
  internal::NoDeadlineScope no_deadline;
  child.Join();
}

}  // namespace

SupervisorActor::SupervisorActor(SupervisorFlags flags,
                                 std::vector<ChildSpec> specs,
                                 AsyncResult<absl::Status> started)
    : flags_(flags),
      window_(flags.intensity, flags.period),
      initial_specs_(std::move(specs)),
      started_(std::move(started)) {}

SupervisorActor::~SupervisorActor() {
  // Only a kill gets here with children left (every other exit ran
  // OnStop): take them along, as linked OTP children die with their
  // supervisor. Never blocks.
  for (Iterator it = table_.end(); it != table_.begin();) {
    --it;
    if (!it->running()) continue;
    it->child.RemoveExitObserver(it->observer);
    it->child.Kill();
  }
}

void SupervisorActor::OnStart() {
  name_ = self().name();
  roster_entry_.Join(Hub::Current());
  EnableSupervisorDump();
  if (simple()) {
    template_ = std::make_shared<const ChildSpec>(std::move(initial_specs_[0]));
    initial_specs_.clear();
    started_.Set(absl::OkStatus());
    return;
  }
  for (ChildSpec& spec : initial_specs_) {
    table_.Append(std::make_shared<const ChildSpec>(std::move(spec)), {},
                  /*by_id=*/true);
  }
  initial_specs_.clear();
  for (Iterator it = table_.begin(); it != table_.end();) {
    const Iterator next = std::next(it);
    if (absl::Status started = StartRecord(it); !started.ok()) {
      // B-U1: the supervisor does not start; what did start is stopped.
      TerminateAll();
      absl::Status error(started.code(), absl::StrCat("supervisor '", name_,
                                                      "': ", started.message()));
      started_.Set(error);
      throw StatusError(std::move(error));
    }
    if (!it->running() && Disposable(it)) table_.Erase(it);
    it = next;
  }
  started_.Set(absl::OkStatus());
}

void SupervisorActor::OnStop(const Exit&) { TerminateAll(); }

absl::Status SupervisorActor::NotForThisStrategy(const char* what) const {
  return absl::InvalidArgumentError(absl::StrCat(
      "supervisor '", name_, "' (", ToString(flags_.strategy), "): ", what));
}

bool SupervisorActor::Disposable(Iterator it) const {
  return simple() || it->spec->restart == RestartType::kTemporary;
}

absl::Status SupervisorActor::StartRecord(Iterator it) {
  absl::StatusOr<Child> started;
  try {
    started = it->spec->start(it->args);
  } catch (const GreenletExit&) {
    throw;  // this supervisor is being killed
  } catch (...) {
    started = StatusFromException(std::current_exception());
  }
  if (!started.ok()) {
    return absl::Status(started.status().code(),
                        absl::StrCat("child '", it->id(), "' failed to start: ",
                                     started.status().message()));
  }
  it->restarting = false;
  Child child = *std::move(started);
  if (!child) return absl::OkStatus();  // OTP's `ignore`
  if (table_.FindRunning(child) != table_.end()) {
    return absl::InvalidArgumentError(
        absl::StrCat("child '", it->id(), "': the start function returned ",
                     child.name(), ", which this supervisor already runs"));
  }
  // A greenlet handed over unstarted would never run, nor ever exit.
  if (GreenletBase* greenlet = child.greenlet()) greenlet->Start();
  const std::uint64_t generation = ++it->generation;
  const std::uint64_t observer = child.AddExitObserver(
      ExitNotice(self().cell(), it->key, generation));
  table_.SetRunning(it, std::move(child), observer);
  return absl::OkStatus();
}

void SupervisorActor::TerminateRecord(Iterator it) {
  if (!it->running()) return;
  const Child child = it->child;
  // First, so that this exit is not also taken for a crash.
  child.RemoveExitObserver(it->observer);
  ShutdownChild(child, EffectiveShutdown(*it->spec));
  table_.ClearRunning(it);
}

void SupervisorActor::TerminateFrom(Iterator first) {
  std::vector<Iterator> started;
  for (Iterator it = first; it != table_.end(); ++it) started.push_back(it);
  for (auto it = started.rbegin(); it != started.rend(); ++it) {
    TerminateRecord(*it);
    (*it)->restarting = false;
    // OTP: a temporary child is never restarted, not even with its group.
    if ((*it)->spec->restart == RestartType::kTemporary) table_.Erase(*it);
  }
}

void SupervisorActor::TerminateAll() {
  if (simple()) {
    TerminateDynamicChildren();
  } else {
    TerminateFrom(table_.begin());
  }
}

// OTP's terminate_dynamic_children: there may be very many, so all are
// asked at once and share one grace period; then the stragglers are
// killed. Each step is O(1) per child.
void SupervisorActor::TerminateDynamicChildren() {
  if (template_ == nullptr) return;  // killed before OnStart
  std::vector<Iterator> running;
  for (Iterator it = table_.end(); it != table_.begin();) {
    --it;
    if (it->running()) running.push_back(it);
  }
  const ChildShutdown shutdown = EffectiveShutdown(*template_);
  bool killing = shutdown.kind() == ChildShutdown::Kind::kBrutalKill;
  for (Iterator it : running) {
    it->child.RemoveExitObserver(it->observer);
    if (killing) {
      it->child.Kill();
    } else {
      it->child.RequestShutdown();
    }
  }
  const bool timed = shutdown.kind() == ChildShutdown::Kind::kTimeout;
  const absl::Time deadline = MonotonicNow() + shutdown.timeout();
  for (std::size_t i = 0; i < running.size(); ++i) {
    const Child& child = running[i]->child;
    if (timed && !killing && !child.Join(deadline - MonotonicNow())) {
      for (std::size_t j = i; j < running.size(); ++j) running[j]->child.Kill();
      killing = true;
    }
    internal::NoDeadlineScope no_deadline;  // as in ShutdownChild
    child.Join();
  }
  for (Iterator it : running) table_.Erase(it);
}

void SupervisorActor::Restart(Iterator it, const std::string& reason) {
  it->last_failure = reason;
  if (!window_.Add(MonotonicNow())) GiveUp(it, reason);
  switch (flags_.strategy) {
    case Strategy::kOneForOne:
    case Strategy::kSimpleOneForOne:
      if (absl::Status started = StartRecord(it); !started.ok()) {
        ScheduleRetry(it, started);
      } else if (!it->running() && Disposable(it)) {
        table_.Erase(it);
      }
      return;
    case Strategy::kRestForOne:
      TerminateFrom(std::next(it));
      StartFrom(it);
      return;
    case Strategy::kOneForAll:
      // `it` is not temporary (it is restarting), so it survives this.
      TerminateFrom(table_.begin());
      StartFrom(table_.begin());
      return;
  }
}

void SupervisorActor::StartFrom(Iterator first) {
  for (Iterator it = first; it != table_.end();) {
    const Iterator next = std::next(it);
    if (absl::Status started = StartRecord(it); !started.ok()) {
      // The rest stay stopped; the retry restarts the group again.
      ScheduleRetry(it, started);
      return;
    }
    if (!it->running() && Disposable(it)) table_.Erase(it);
    it = next;
  }
}

void SupervisorActor::ScheduleRetry(Iterator it, const absl::Status& why) {
  it->restarting = true;
  it->last_failure = std::string(why.message());
  (void)ActorRef<SupervisorActor>(self().cell()).Tell(RetryRestart{it->key});
}

void SupervisorActor::GiveUp(Iterator it, const std::string& reason) {
  const std::string id = it->id();  // `it` may go with the children
  TerminateAll();
  throw StatusError(absl::AbortedError(absl::StrCat(
      "supervisor '", name_, "' reached its maximum restart intensity (",
      flags_.intensity, " in ", absl::FormatDuration(flags_.period),
      "); child '", id, "' ", reason)));
}

void SupervisorActor::Handle(ChildExited message) {
  Iterator it = table_.FindKey(message.key);
  if (it == table_.end() || !it->running() ||
      it->generation != message.generation) {
    return;  // stale: already terminated or restarted by us
  }
  table_.ClearRunning(it);
  const RestartType restart = it->spec->restart;
  if (restart == RestartType::kPermanent ||
      (restart == RestartType::kTransient && message.exit.abnormal())) {
    Restart(it, absl::StrCat("exited: ", message.exit.ToString()));
    return;
  }
  if (Disposable(it)) table_.Erase(it);
}

void SupervisorActor::Handle(RetryRestart message) {
  Iterator it = table_.FindKey(message.key);
  if (it == table_.end() || !it->restarting) return;
  Restart(it, absl::StrCat("failed to restart: ", it->last_failure));
}

absl::StatusOr<Child> SupervisorActor::Handle(StartChildRequest request) {
  if (simple()) {
    return NotForThisStrategy(
        "StartChild(spec) needs a static strategy; start dynamic children "
        "with StartChild(args)");
  }
  if (absl::Status valid = ValidateChildSpec(request.spec); !valid.ok()) {
    return valid;
  }
  if (Iterator existing = table_.FindId(request.spec.id);
      existing != table_.end()) {
    return absl::AlreadyExistsError(absl::StrCat(
        "child '", request.spec.id, "' ",
        existing->running() ? "already started" : "already present"));
  }
  Iterator it = table_.Append(
      std::make_shared<const ChildSpec>(std::move(request.spec)), {},
      /*by_id=*/true);
  if (absl::Status started = StartRecord(it); !started.ok()) {
    table_.Erase(it);
    return started;
  }
  Child child = it->child;
  if (!it->running() && Disposable(it)) table_.Erase(it);
  return child;
}

absl::StatusOr<Child> SupervisorActor::Handle(
    StartDynamicChildRequest request) {
  if (!simple()) {
    return NotForThisStrategy(
        "StartChild(args) needs simple_one_for_one; pass a ChildSpec");
  }
  if (request.args.has_value() && !template_->start.takes_args()) {
    return absl::InvalidArgumentError(
        absl::StrCat("child spec '", template_->id,
                     "': the start function takes no arguments"));
  }
  Iterator it = table_.Append(template_, std::move(request.args),
                              /*by_id=*/false);
  if (absl::Status started = StartRecord(it); !started.ok()) {
    table_.Erase(it);
    return started;
  }
  if (!it->running()) {
    table_.Erase(it);
    return Child();
  }
  // Never restarted: no need to keep what it was started with.
  if (it->spec->restart == RestartType::kTemporary) it->args.reset();
  return it->child;
}

absl::StatusOr<SupervisorActor::Iterator> SupervisorActor::Find(
    const std::string& id) {
  Iterator it = table_.FindId(id);
  if (it == table_.end()) {
    return absl::NotFoundError(
        absl::StrCat("supervisor '", name_, "' has no child '", id, "'"));
  }
  return it;
}

absl::StatusOr<SupervisorActor::Iterator> SupervisorActor::FindTerminated(
    const std::string& id) {
  absl::StatusOr<Iterator> it = Find(id);
  if (it.ok() && ((*it)->running() || (*it)->restarting)) {
    return absl::FailedPreconditionError(
        absl::StrCat("child '", id, "' is ",
                     (*it)->running() ? "running" : "restarting"));
  }
  return it;
}

absl::Status SupervisorActor::Handle(TerminateChildRequest request) {
  if (simple()) {
    return NotForThisStrategy(
        "TerminateChild(id): terminate a dynamic child by its Child");
  }
  absl::StatusOr<Iterator> found = Find(request.id);
  if (!found.ok()) return found.status();
  Iterator it = *found;
  TerminateRecord(it);
  it->restarting = false;
  if (Disposable(it)) table_.Erase(it);
  return absl::OkStatus();
}

absl::Status SupervisorActor::Handle(TerminateChildRefRequest request) {
  Iterator it = table_.FindRunning(request.child);
  if (it == table_.end()) {
    // OTP: a child that is gone counts as terminated.
    if (!request.child.alive()) return absl::OkStatus();
    return absl::NotFoundError(absl::StrCat(request.child.name(),
                                            " is not a child of supervisor '",
                                            name_, "'"));
  }
  TerminateRecord(it);
  it->restarting = false;
  if (Disposable(it)) table_.Erase(it);
  return absl::OkStatus();
}

absl::StatusOr<Child> SupervisorActor::Handle(RestartChildRequest request) {
  if (simple()) return NotForThisStrategy("RestartChild is not supported");
  absl::StatusOr<Iterator> it = FindTerminated(request.id);
  if (!it.ok()) return it.status();
  if (absl::Status started = StartRecord(*it); !started.ok()) return started;
  return (*it)->child;
}

absl::Status SupervisorActor::Handle(DeleteChildRequest request) {
  if (simple()) return NotForThisStrategy("DeleteChild is not supported");
  absl::StatusOr<Iterator> it = FindTerminated(request.id);
  if (!it.ok()) return it.status();
  table_.Erase(*it);
  return absl::OkStatus();
}

absl::StatusOr<std::vector<ChildInfo>> SupervisorActor::Handle(
    WhichChildrenRequest) {
  std::vector<ChildInfo> children;
  children.reserve(table_.size());
  for (const ChildRecord& record : table_) {
    children.push_back(ChildInfo{.id = record.id(),
                                 .child = record.child,
                                 .type = record.spec->type,
                                 .restarting = record.restarting});
  }
  return children;
}

absl::StatusOr<ChildCounts> SupervisorActor::Handle(CountChildrenRequest) {
  ChildCounts counts;
  for (const ChildRecord& record : table_) {
    ++counts.specs;
    if (record.running() && record.child.alive()) ++counts.active;
    if (record.spec->type == ChildType::kSupervisor) {
      ++counts.supervisors;
    } else {
      ++counts.workers;
    }
  }
  if (simple()) counts.specs = 1;  // the template
  return counts;
}

}  // namespace evergreen::internal
