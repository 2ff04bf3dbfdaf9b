// What another OS thread of this process is doing, as /proc tells: for
// tests that must act only once a thread has gone to sleep in a system
// call (a hub asleep in its poll, a destructor waiting for its workers),
// where a fixed sleep would only make that likely.
//
//   const pid_t main_tid = gettid();
//   std::thread other([&] {
//     ASSERT_TRUE(AwaitThreadAsleep(main_tid));  // main blocks meanwhile
//     ...
//   });
//
// Thread affinity: any thread (plain OS calls; no hub needed).
#ifndef EVERGREEN_TESTS_TESTING_THREAD_STATE_H_
#define EVERGREEN_TESTS_TESTING_THREAD_STATE_H_

#include <sys/types.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace evergreen {

// The state letter of thread `tid` of this process in /proc ('S' while it
// sleeps in a system call such as the hub's epoll_wait or a futex wait,
// 'R' while it runs or is runnable), or '?'.
inline char ThreadState(pid_t tid) {
  std::ifstream stat("/proc/self/task/" + std::to_string(tid) + "/stat");
  std::stringstream text;
  text << stat.rdbuf();
  const std::string line = text.str();
  const std::size_t name_end = line.rfind(')');  // the name may hold spaces
  if (name_end == std::string::npos || name_end + 2 >= line.size()) return '?';
  return line[name_end + 2];
}

// Blocks the calling OS thread (polling every millisecond) until thread
// `tid` sleeps ('S'); false if it does not within `limit`.
inline bool AwaitThreadAsleep(pid_t tid,
                              absl::Duration limit = absl::Seconds(30)) {
  const absl::Time give_up = absl::Now() + limit;
  while (absl::Now() < give_up) {
    if (ThreadState(tid) == 'S') return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return false;
}

}  // namespace evergreen

#endif  // EVERGREEN_TESTS_TESTING_THREAD_STATE_H_
