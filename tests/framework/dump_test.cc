// The live dump: B-OS4.
#include "framework/dump.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <future>
#include <string>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "framework/event.h"
#include "framework/greenlet.h"
#include "framework/hub.h"
#include "framework/keep_alive.h"
#include "framework/pipe_end.h"
#include "framework/waiter.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/wait_until.h"
#include "tests/testing/leak_check.h"

namespace evergreen {
namespace {

using ::testing::HasSubstr;

class DumpTest : public ::testing::Test {
 protected:
  void TearDown() override { Hub::DestroyCurrent(); }
};

// B-OS4: names, states, and what each waits in.
TEST_F(DumpTest, ListsEveryGreenletWithItsStateAndWait) {
  leak_check::ExpectFdsOpened(
      8, "symbolizing frames caches open ELF files process-wide");
  Event never;
  auto waiter = SpawnWith({.name = "waiter"}, [&] { never.Wait(); });
  auto sleeper =
      SpawnWith({.name = "sleeper"}, [] { Sleep(absl::Hours(1)); });
  ASSERT_TRUE(WaitUntilAllBlocked());  // both run up to their waits
  auto fresh = SpawnWith({.name = "fresh"}, [] {});
  const std::string dump = DumpHubs();
  EXPECT_THAT(dump, HasSubstr(absl::StrCat("hub of thread ", gettid())));
  EXPECT_THAT(dump, HasSubstr("main greenlet: running (this dump)"));
  // Event::Wait is inlined into the wait Event, AsyncResult and Join share.
  EXPECT_THAT(dump, HasSubstr("greenlet 'waiter': waiting in "
                              "evergreen::internal::WaitForLinkable"));
  EXPECT_THAT(dump, HasSubstr("greenlet 'sleeper': waiting in evergreen::Sleep"));
  EXPECT_THAT(dump, HasSubstr("greenlet 'fresh': started, not yet run"));
  waiter.Kill();
  sleeper.Kill();
}

// B-OS4: since when: a waiting greenlet's line says how long it has
// waited.
TEST_F(DumpTest, SaysHowLongAGreenletHasWaited) {
  Event never;
  auto patient = SpawnWith({.name = "patient"}, [&] { never.Wait(); });
  ASSERT_TRUE(WaitUntilAllBlocked());  // it runs up to its wait
  Sleep(absl::Milliseconds(60));
  const std::string dump = DumpHubs();
  const std::string prefix = "greenlet 'patient': waiting in ";
  const size_t at = dump.find(prefix);
  ASSERT_NE(at, std::string::npos) << dump;
  const std::string line = dump.substr(at, dump.find('\n', at) - at);
  const size_t for_at = line.rfind(" for ");
  ASSERT_NE(for_at, std::string::npos) << line;
  absl::Duration waited;
  ASSERT_TRUE(absl::ParseDuration(line.substr(for_at + 5), &waited)) << line;
  // At least the 60 ms slept, less one tick of the coarse clock.
  EXPECT_GE(waited, absl::Milliseconds(50)) << line;
  EXPECT_LT(waited, absl::Hours(1)) << line;
  patient.Kill();
}

// B-OS4: other threads' hubs describe themselves; a stalled one is named
// as such rather than hanging the dump.
TEST_F(DumpTest, IncludesOtherThreadsAndNamesAStalledHub) {
  leak_check::ExpectFdsOpened(
      8, "symbolizing frames caches open ELF files process-wide");
  std::promise<Event*> ready;
  pid_t other_id = 0;
  std::thread other([&] {
    other_id = gettid();
    Event stop;
    SpawnWith({.name = "remote waiter"}, [&] { stop.Wait(); });
    EXPECT_TRUE(WaitUntilAllBlocked());
    ready.set_value(&stop);
    {
      HubKeepAlive alive;  // stop is Set from the main thread
      stop.Wait(absl::Seconds(30));
    }
    Hub::Current()->Join();
    // Then hold the hub: the next dump finds it stalled.
    SpawnWith({.name = "stuck"},
              [] { absl::SleepFor(absl::Milliseconds(500)); }).Join();
    Hub::DestroyCurrent();
  });
  Event* stop = ready.get_future().get();
  const std::string dump = DumpHubs();
  EXPECT_THAT(dump, HasSubstr(absl::StrCat("hub of thread ", other_id)));
  EXPECT_THAT(dump, HasSubstr("greenlet 'remote waiter': waiting in "
                              "evergreen::internal::WaitForLinkable"));
  stop->Set();  // from another thread: delivered through the hub's Post
  // Wait until the other hub is stuck, then dump with a short timeout.
  absl::Time start = absl::Now();
  std::string stalled;
  while (absl::Now() - start < absl::Seconds(10)) {
    stalled = DumpHubs(absl::Milliseconds(100));
    if (absl::StrContains(stalled, "did not answer")) break;
  }
  EXPECT_THAT(stalled, HasSubstr(absl::StrCat("hub of thread ", other_id,
                                              " (dump_test): did not answer")));
  other.join();
}

TEST_F(DumpTest, DumpOnSignalWritesToStderr) {
  leak_check::ExpectFdsOpened(
      8, "symbolizing frames caches open ELF files process-wide");
  int fds[2];
  ASSERT_EQ(pipe2(fds, O_CLOEXEC), 0);
  const int saved_stderr = dup(STDERR_FILENO);
  dup2(fds[1], STDERR_FILENO);
  close(fds[1]);
  PipeEnd captured(fds[0], "captured stderr");
  absl::StatusOr<SignalWatch> watch = DumpOnSignal(SIGUSR1);
  ASSERT_TRUE(watch.ok());
  ASSERT_EQ(kill(getpid(), SIGUSR1), 0);
  HubKeepAlive alive;
  std::string text;
  char buffer[4096];
  while (!absl::StrContains(text, "main greenlet")) {
    absl::StatusOr<std::size_t> n =
        captured.Read(buffer, sizeof buffer, absl::Seconds(10));
    if (!n.ok() || *n == 0) break;
    text.append(buffer, *n);
  }
  dup2(saved_stderr, STDERR_FILENO);
  close(saved_stderr);
  EXPECT_THAT(text, HasSubstr("main greenlet: waiting"));
  EXPECT_THAT(text, HasSubstr("greenlet 'signal handler (SIGUSR1)': running"));
}

}  // namespace
}  // namespace evergreen
