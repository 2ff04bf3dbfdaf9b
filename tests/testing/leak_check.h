// The leak check that //tests/testing:main runs after every test (issue 14,
// B-H2): what the test created must be gone when it ends.
//
// After each test (after its fixture's TearDown and destructor) the check
//   1. fails the test if hubs destroyed during it (a fixture's
//      Hub::DestroyCurrent(), a thread's exit) had to kill greenlets, drop
//      CallLater timers, discard ready callbacks or found watchers still
//      active (HubLeftoversSoFar());
//   2. fails it if the calling thread's hub still has more greenlets, ready
//      work, pending calls, posts or active watchers than when the test
//      began (Hub::stats()); then destroys that hub: the one shared
//      teardown, so fixtures need no TearDown of their own;
//   3. fails it if the process has more open file descriptors than when the
//      test began (/proc/self/fd).
// It costs a few microseconds per test.
//
// A test that leaves something running on purpose (a server it lets the
// teardown kill) says so, and only the hub checks (1, 2) are skipped:
//
//   TEST(ServerTest, ...) {
//     evergreen::leak_check::ExpectLeftovers("the server runs until teardown");
//     ...
//   }
#ifndef EVERGREEN_TESTS_TESTING_LEAK_CHECK_H_
#define EVERGREEN_TESTS_TESTING_LEAK_CHECK_H_

#include "absl/strings/string_view.h"

namespace evergreen::leak_check {

// The running test leaves greenlets, timers or watchers for the teardown to
// kill; `why` says what (it is printed with the test's result). The fd
// check still runs. Main thread, inside a test.
void ExpectLeftovers(absl::string_view why);

// The running test leaves `count` more fds open than it found, on purpose
// (a process-wide resource made once, such as the signal self-pipe).
void ExpectFdsOpened(int count, absl::string_view why);

// Open fds of the process now (entries of /proc/self/fd).
int OpenFdCount();

}  // namespace evergreen::leak_check

#endif  // EVERGREEN_TESTS_TESTING_LEAK_CHECK_H_
