// A pool of worker greenlets fed by a JoinableQueue, with timeouts and a
// kill: gevent's bread and butter, in C++.
//
// A producer puts jobs on a bounded queue; three workers in a Pool take
// them, each job under its own Timeout; one job is too slow and times out;
// a watchdog kills a worker stuck on a hung job. The main greenlet waits
// for the queue to drain with JoinableQueue::Join.
//
//   bazel run //samples/worker_pool
#include <cstdio>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "framework/greenlet.h"
#include "framework/hub.h"
#include "framework/joinable_queue.h"
#include "framework/pool.h"
#include "framework/timeout.h"
#include "framework/waiter.h"

using evergreen::GreenletBase;
using evergreen::JoinableQueue;
using evergreen::Sleep;

namespace {

struct Job {
  int id;
  absl::Duration work;  // how long the job "takes" (simulated I/O)
};

const absl::Time kStart = absl::Now();

// Milliseconds since the program started, for the log.
long Ms() { return absl::ToInt64Milliseconds(absl::Now() - kStart); }

// Takes jobs until the queue is shut down and drained.
void Worker(int n, JoinableQueue<Job> jobs) {
  for (auto job = jobs.Get(); job.ok(); job = jobs.Get()) {
    absl::Status done = evergreen::WithTimeout(absl::Milliseconds(80), [&] {
      Sleep(job->work);  // a blocking call: other greenlets run meanwhile
    });
    std::printf("%4ld ms  worker %d  job %2d  %s\n", Ms(), n, job->id,
                done.ok() ? "done" : std::string(done.message()).c_str());
    (void)jobs.TaskDone();
  }
}

}  // namespace

int main() {
  JoinableQueue<Job> jobs(/*maxsize=*/4);  // the producer waits when full
  evergreen::Pool workers(3);

  for (int n = 1; n <= 3; ++n) workers.Spawn(Worker, n, jobs);

  // The producer: ten quick jobs and one that is too slow.
  auto producer = evergreen::Spawn([jobs]() mutable {
    for (int id = 1; id <= 10; ++id) {
      const absl::Duration work =
          id == 7 ? absl::Milliseconds(500) : absl::Milliseconds(10 * (id % 4 + 1));
      (void)jobs.Put(Job{id, work});
    }
  });

  // A hung worker outside the pool, and a watchdog that kills it.
  auto hung = evergreen::SpawnWith({.name = "hung"}, [] {
    Sleep(absl::Hours(1));
  });
  evergreen::Spawn([hung] {
    Sleep(absl::Milliseconds(50));
    std::printf("%4ld ms  watchdog kills '%s'\n", Ms(), hung.name().c_str());
    hung.Kill();
  });

  producer.Join();
  jobs.Join();  // every job taken and marked done
  std::printf("%4ld ms  all jobs done; hung killed=%d\n", Ms(), hung.killed());
  jobs.Shutdown();  // workers' Get fails: they return
  workers.Join();
  std::printf("%4ld ms  pool drained: %d free slots of 3\n", Ms(),
              workers.FreeCount());
  return 0;
}
