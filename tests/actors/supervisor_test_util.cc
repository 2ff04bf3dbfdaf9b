#include "tests/actors/supervisor_test_util.h"

#include <stdexcept>

#include "framework/waiter.h"
#include "gtest/gtest.h"

namespace evergreen::testing {

void Worker::Handle(Crash) { throw std::runtime_error(tag_ + " crashed"); }

void Worker::Handle(Busy busy) { Sleep(busy.duration); }

void Worker::OnStart() { journal_->events.push_back("start:" + tag_); }

void Worker::OnStop(const Exit& exit) {
  journal_->events.push_back("stop:" + tag_ + ":" + exit.ToString());
}

ChildSpec WorkerSpec(std::string id, std::shared_ptr<Journal> journal,
                     RestartType restart,
                     std::optional<ChildShutdown> shutdown) {
  return ChildSpec{
      .id = id,
      .start = [id, journal]() -> absl::StatusOr<Child> {
        return SpawnActor<Worker>({.name = id}, id, journal);
      },
      .restart = restart,
      .shutdown = shutdown,
  };
}

Child ChildOf(const Supervisor& supervisor, const std::string& id) {
  absl::StatusOr<std::vector<ChildInfo>> children = supervisor.WhichChildren();
  EXPECT_TRUE(children.ok()) << children.status();
  if (!children.ok()) return Child();
  for (const ChildInfo& info : *children) {
    if (info.id == id) return info.child;
  }
  return Child();
}

ActorRef<Worker> WorkerOf(const Supervisor& supervisor, const std::string& id) {
  Child child = ChildOf(supervisor, id);
  EXPECT_TRUE(child.is_actor()) << "no worker '" << id << "' running";
  return ActorRef<Worker>(child.actor().cell());
}

Supervisor SupervisorOf(const Supervisor& supervisor, const std::string& id) {
  std::optional<Supervisor> child =
      Supervisor::FromChild(ChildOf(supervisor, id));
  EXPECT_TRUE(child.has_value()) << "no supervisor '" << id << "' running";
  return child.value_or(Supervisor());
}

void CrashAndWait(const ActorRef<Worker>& worker) {
  ASSERT_TRUE(worker.Tell(Crash{}).ok());
  ASSERT_TRUE(worker.Join(absl::Seconds(10)));
}

void KillAndWait(const Child& child) {
  child.Kill();
  ASSERT_TRUE(child.Join(absl::Seconds(10)));
}

}  // namespace evergreen::testing
