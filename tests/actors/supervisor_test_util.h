// Test helpers for the supervisor suites: a worker actor that records its
// life in a journal, specs for it, and lookups of a supervisor's children.
//
// Waiting without sleeping: when Join() on a crashed child returns, the
// supervisor's exit notice for it is already queued (the exit observer
// runs before the joiner wakes; both are FIFO on the hub), so any call
// made to the supervisor afterwards is answered after it has reacted to
// the exit. CrashAndWait relies on this.
#ifndef EVERGREEN_TESTS_ACTORS_SUPERVISOR_TEST_UTIL_H_
#define EVERGREEN_TESTS_ACTORS_SUPERVISOR_TEST_UTIL_H_

#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "absl/time/time.h"
#include "actors/actor.h"
#include "actors/actor_ref.h"
#include "actors/child.h"
#include "actors/child_spec.h"
#include "actors/supervisor.h"
#include "framework/hub.h"
#include "gtest/gtest.h"

namespace evergreen::testing {

// Messages a Worker handles.
struct Crash {};                       // throws: exit kFailed
struct Busy {                          // keeps it busy (ignoring a Stop)
  absl::Duration duration;
};
struct StopNormally {};                // Stop() from inside: exit kNormal
struct Ping {};                        // replies with the worker's tag

// What happened, in order: "start:a", "stop:a:shutdown", ... Shared by a
// test and its workers (one hub thread).
struct Journal {
  std::vector<std::string> events;
  // Events from index `from` on.
  std::vector<std::string> Since(std::size_t from) const {
    return {events.begin() + static_cast<std::ptrdiff_t>(from), events.end()};
  }
};

class Worker : public ActorBase {
 public:
  using Messages = std::tuple<Crash, Busy, StopNormally, Ping>;
  Worker(std::string tag, std::shared_ptr<Journal> journal)
      : tag_(std::move(tag)), journal_(std::move(journal)) {}

  void Handle(Crash);
  void Handle(Busy busy);
  void Handle(StopNormally) { Stop(); }
  std::string Handle(Ping) { return tag_; }

 protected:
  void OnStart() override;
  void OnStop(const Exit& exit) override;

 private:
  std::string tag_;
  std::shared_ptr<Journal> journal_;
};

// A spec whose start function spawns a Worker tagged `id` (named `id`).
ChildSpec WorkerSpec(std::string id, std::shared_ptr<Journal> journal,
                     RestartType restart = RestartType::kPermanent,
                     std::optional<ChildShutdown> shutdown = std::nullopt);

// The child running under `id` now; no child if none.
Child ChildOf(const Supervisor& supervisor, const std::string& id);
// The same, as a Worker.
ActorRef<Worker> WorkerOf(const Supervisor& supervisor, const std::string& id);
// The supervisor running under `id`. REQUIRES: one runs there.
Supervisor SupervisorOf(const Supervisor& supervisor, const std::string& id);

// Flags that tolerate the restarts a test makes on purpose.
inline constexpr SupervisorFlags kLenient{.intensity = 100,
                                          .period = absl::Seconds(60)};

// The fixture of the supervisor suites: a fresh hub per test and a journal.
class SupervisorTestBase : public ::testing::Test {
 protected:
  void TearDown() override { Hub::DestroyCurrent(); }

  ChildSpec Spec(std::string id, RestartType restart = RestartType::kPermanent,
                 std::optional<ChildShutdown> shutdown = std::nullopt) {
    return WorkerSpec(std::move(id), journal_, restart, shutdown);
  }

  std::shared_ptr<Journal> journal_ = std::make_shared<Journal>();
};

// Makes `worker` crash and waits until it is gone (see the file comment).
void CrashAndWait(const ActorRef<Worker>& worker);
// Kills `child` and waits until it is gone.
void KillAndWait(const Child& child);

}  // namespace evergreen::testing

#endif  // EVERGREEN_TESTS_ACTORS_SUPERVISOR_TEST_UTIL_H_
