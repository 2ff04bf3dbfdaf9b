// The usage examples at the top of the public headers, compiled and run so
// they cannot drift from the API. Each header's example is one function
// here (named after the header); the header's comment points at it. Keep
// the two in step: change the example here first, then copy it up.
//
// The actor example (actors/actor.h) is in actor_example_test.cc, which
// includes that header alone.
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "actors/actor.h"
#include "actors/actor_ref.h"
#include "actors/child.h"
#include "actors/registry.h"
#include "actors/supervisor.h"
#include "framework/async_result.h"
#include "framework/errors.h"
#include "framework/event.h"
#include "framework/exception_status.h"
#include "framework/greenlet.h"
#include "framework/group.h"
#include "framework/hub.h"
#include "framework/keep_alive.h"
#include "framework/pool.h"
#include "framework/queue.h"
#include "framework/semaphore.h"
#include "framework/thread_pool.h"
#include "framework/timeout.h"
#include "framework/timer_handle.h"
#include "framework/wait.h"
#include "gtest/gtest.h"

namespace evergreen {
namespace {

class HeaderExamplesTest : public ::testing::Test {
 protected:
  void TearDown() override { Hub::DestroyCurrent(); }
};

// framework/hub.h
void HubExample() {
  evergreen::Spawn([] { evergreen::Sleep(absl::Milliseconds(10)); });
  evergreen::Hub::Current()->Join();  // runs until nothing is left
}

TEST_F(HeaderExamplesTest, Hub) {
  const absl::Time start = absl::Now();
  HubExample();
  EXPECT_GE(absl::Now() - start, absl::Milliseconds(9));
}

// framework/greenlet.h
int GreenletExample() {
  auto g = evergreen::Spawn([](int a, int b) { return a + b; }, 2, 3);
  int five = g.Get();                    // blocks this greenlet until done
  absl::StatusOr<int> r = g.Result();    // the same, never throwing

  auto sleeper = evergreen::Spawn([] { evergreen::Sleep(absl::Hours(1)); });
  sleeper.Kill();                        // unwinds it with GreenletExit
  return five + *r;
}

TEST_F(HeaderExamplesTest, Greenlet) { EXPECT_EQ(GreenletExample(), 10); }

// framework/async_result.h
int AsyncResultExample() {
  evergreen::AsyncResult<int> result;
  evergreen::Spawn([result]() mutable { result.Set(42); });
  int v = result.Get();                       // blocks until set: 42
  absl::StatusOr<int> r = result.Result(absl::Seconds(1));  // never throws

  evergreen::AsyncResult<int> failed;
  evergreen::HubKeepAlive keep_alive;  // the worker wakes this hub later
  std::thread worker([failed]() mutable {     // from another thread
    failed.SetException(std::make_exception_ptr(std::runtime_error("x")));
  });
  bool failed_as_expected = !failed.Result().ok();  // Unknown: x
  worker.join();
  return failed_as_expected ? v + *r : -1;
}

TEST_F(HeaderExamplesTest, AsyncResult) { EXPECT_EQ(AsyncResultExample(), 84); }

// framework/timeout.h
int Compute() { return 7; }

absl::StatusOr<int> TimeoutExample(evergreen::Queue<int>& queue) {
  try {
    evergreen::Timeout timeout(absl::Milliseconds(50));
    (void)queue.Get();      // TimeoutError if nothing comes in 50 ms
  } catch (const evergreen::TimeoutError&) {
  }                         // leaving the scope cancels it

  // The silent form: no exception escapes, the result says what happened.
  absl::StatusOr<int> n = evergreen::WithTimeout(absl::Seconds(1), [&] {
    return Compute();
  });                       // DeadlineExceeded on expiry
  int m = evergreen::WithTimeout(absl::Seconds(1), Compute, /*otherwise=*/-1);
  if (!n.ok()) return n;
  return *n + m;
}

TEST_F(HeaderExamplesTest, Timeout) {
  evergreen::Queue<int> empty;
  auto sleeper = Spawn([] { Sleep(absl::Seconds(5)); });  // keeps the wait honest
  EXPECT_EQ(*TimeoutExample(empty), 14);
  sleeper.Kill();
}

// framework/queue.h
void HandleJob(const std::string& job, std::vector<std::string>* done) {
  done->push_back(job);
}

std::vector<std::string> QueueExample() {
  std::vector<std::string> done;
  evergreen::Queue<std::string> jobs(/*maxsize=*/100);
  auto worker = evergreen::Spawn([jobs, &done] {
    for (auto job = jobs.Get(); job.ok(); job = jobs.Get()) HandleJob(*job, &done);
  });                                   // ends once shut down and drained
  absl::Status s = jobs.Put("resize a.png");   // blocks while full
  jobs.Shutdown();                             // no more Puts
  worker.Join();
  if (!s.ok()) done.push_back(s.ToString());
  return done;
}

TEST_F(HeaderExamplesTest, Queue) {
  EXPECT_EQ(QueueExample(), std::vector<std::string>{"resize a.png"});
}

// framework/event.h
bool EventExample() {
  bool served = false;
  evergreen::Event ready;
  auto server = evergreen::Spawn([ready, &served]() mutable {
    ready.Wait();
    served = true;  // Serve();
  });
  evergreen::Sleep(absl::ZeroDuration());
  ready.Set();   // wakes every waiter; later waits return at once
  server.Join();
  return served;
}

TEST_F(HeaderExamplesTest, Event) { EXPECT_TRUE(EventExample()); }

// framework/group.h
int Fetch(const std::string& url) { return static_cast<int>(url.size()); }

std::vector<int> GroupExample(const std::vector<std::string>& urls,
                              const std::vector<int>& xs) {
  evergreen::Group group;
  for (const auto& url : urls) group.Spawn(Fetch, url);
  group.Join();                                  // all done

  std::vector<int> squares = group.Map([](int x) { return x * x; }, xs);
  group.Kill();                                  // unwind whatever is left
  return squares;
}

TEST_F(HeaderExamplesTest, Group) {
  EXPECT_EQ(GroupExample({"a", "bb"}, {1, 2, 3}), (std::vector<int>{1, 4, 9}));
}

// framework/pool.h
absl::Status PoolExample(const std::vector<std::string>& urls) {
  evergreen::Pool pool(10);                  // 10 concurrent fetches
  for (const auto& url : urls) pool.Spawn(Fetch, url);  // blocks when full
  pool.Join();

  auto g = evergreen::Greenlet<void>::Create([] {});
  if (absl::Status s = pool.Add(g, absl::Milliseconds(50)); !s.ok()) {
    return s;  // ResourceExhausted: no slot freed up in time
  }
  g.Start();
  pool.Join();
  return absl::OkStatus();
}

TEST_F(HeaderExamplesTest, Pool) { EXPECT_TRUE(PoolExample({"a", "b"}).ok()); }

// framework/semaphore.h
int SemaphoreExample() {
  int talks = 0;
  evergreen::Semaphore connections(10);     // at most 10 at once
  if (connections.Acquire(absl::Seconds(1))) {
    ++talks;  // Talk();
    connections.Release();
  }
  return talks;
}

TEST_F(HeaderExamplesTest, Semaphore) { EXPECT_EQ(SemaphoreExample(), 1); }

// framework/wait.h
std::vector<int> WaitExample() {
  evergreen::Event a, b;
  evergreen::Spawn([b]() mutable { b.Set(); });
  std::vector<int> ready = evergreen::Wait({a, b}, /*count=*/1);
  auto g1 = Spawn([] { return 1; });
  auto g2 = Spawn([] { return 2; });
  for (int i : evergreen::IWait({g1, g2})) ready.push_back(i);  // as they finish
  return ready;
}

TEST_F(HeaderExamplesTest, Wait) {
  EXPECT_EQ(WaitExample(), (std::vector<int>{1, 0, 1}));
}

// framework/timer_handle.h
bool TimerHandleExample() {
  bool expired = false;
  evergreen::Hub* hub = evergreen::Hub::Current();
  evergreen::TimerHandle timer = hub->CallLater(absl::Seconds(60), [&] {
    expired = true;  // Expire();
  });
  timer.Cancel();   // Expire() never runs; the loop is no longer held
  hub->Join();      // returns at once
  return !expired && hub->pending_calls() == 0;
}

TEST_F(HeaderExamplesTest, TimerHandle) { EXPECT_TRUE(TimerHandleExample()); }

// framework/errors.h
absl::Status ErrorsExample() {
  try {
    throw evergreen::StatusError(absl::NotFoundError("no such user"));
  } catch (const evergreen::StatusError& e) {
    return e.status();
  }
}

TEST_F(HeaderExamplesTest, Errors) {
  EXPECT_EQ(ErrorsExample(), absl::NotFoundError("no such user"));
}

// framework/exception_status.h
absl::Status ExceptionStatusExample() {
  auto greenlet = Spawn([] { throw StatusError(absl::AbortedError("stop")); });
  greenlet.Join();
  absl::Status s = evergreen::StatusFromException(greenlet.exception());
  return s;
}

TEST_F(HeaderExamplesTest, ExceptionStatus) {
  EXPECT_EQ(ExceptionStatusExample(), absl::AbortedError("stop"));
}

// framework/thread_pool.h
std::string ReadFileTheBlockingWay(const std::string& path) { return path; }
int Crunch() { return 3; }

int ThreadPoolExample() {
  evergreen::ThreadPool pool({.max_threads = 4});
  evergreen::AsyncResult<std::string> r = pool.Spawn([] {
    return ReadFileTheBlockingWay("/etc/hosts");   // on a pool thread
  });
  std::string text = r.Get();     // this greenlet waits; the hub runs on
  int n = pool.Apply([] { return Crunch(); });   // Spawn + Get
  return static_cast<int>(text.size()) + n;
}

TEST_F(HeaderExamplesTest, ThreadPool) { EXPECT_EQ(ThreadPoolExample(), 13); }

// --- actors ----------------------------------------------------------------

struct Increment {
  int by = 1;
};
struct GetCount {};

class Counter : public evergreen::ActorBase {
 public:
  using Messages = std::tuple<Increment, GetCount>;
  void Handle(Increment m) { count_ += m.by; }
  int Handle(GetCount) { return count_; }

 private:
  int count_ = 0;
};

// actors/actor_ref.h
int ActorRefExample() {
  ActorRef<Counter> c = SpawnActor<Counter>({.name = "counter"});
  absl::Status s = c.Tell(Increment{});       // NotFound once c is dead
  AsyncResult<int> r = c.Ask(GetCount{}, absl::Seconds(1));
  absl::StatusOr<int> n = c.Ask(GetCount{}, absl::Seconds(1)).Result();
  AnyActorRef any = c;                         // type-erased
  absl::Status t = any.TellAny(Increment{});   // checked at run time
  const int total = r.Get() + *n + *c.Ask(GetCount{}).Result();
  c.Stop();                                    // after what is queued
  c.Join();                                    // blocks until it exits
  if (!s.ok() || !t.ok() || !n.ok()) return -1;
  return total;
}

TEST_F(HeaderExamplesTest, ActorRef) { EXPECT_EQ(ActorRefExample(), 4); }

// actors/registry.h
int RegistryExample() {
  ActorRef<Counter> counter = SpawnActor<Counter>();
  Registry& registry = Registry::Current();
  absl::Status s = registry.Register("counter", counter);
  absl::StatusOr<AnyActorRef> any = registry.Lookup("counter");
  absl::StatusOr<ActorRef<Counter>> typed =
      registry.LookupAs<Counter>("counter");
  int n = -1;
  if (typed.ok()) {
    n = typed->Ask(GetCount{}).Get();
  }
  counter.Stop();  // its name is released when it exits
  counter.Join();
  return s.ok() && any.ok() ? n : -1;
}

TEST_F(HeaderExamplesTest, Registry) { EXPECT_EQ(RegistryExample(), 0); }

// actors/supervisor.h
void Poll() { evergreen::Sleep(absl::Hours(1)); }
using Db = Counter;
using Cache = Counter;

absl::Status SupervisorExample() {
  absl::StatusOr<Supervisor> sup = Supervisor::Start(
      {.strategy = Strategy::kOneForOne, .intensity = 3,
       .period = absl::Seconds(5)},
      {{.id = "db", .start = [] { return SpawnActor<Db>(); }},
       {.id = "poller", .start = [] { return Spawn(Poll); }}});
  if (!sup.ok()) return sup.status();
  absl::StatusOr<Child> cache =
      sup->StartChild({.id = "cache", .start = [] { return SpawnActor<Cache>(); }});
  sup->Stop();    // children stop in reverse start order    // children stop in reverse start order
  sup->Join();
  return cache.status();
}

TEST_F(HeaderExamplesTest, Supervisor) { EXPECT_TRUE(SupervisorExample().ok()); }

}  // namespace
}  // namespace evergreen
