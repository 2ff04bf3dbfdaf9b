// B-OS4: a real program dumps its actors and supervision trees to stderr
// on SIGUSR1 (DumpOnSignal), while it keeps running.
#include <signal.h>

#include <memory>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "framework/hub.h"
#include "framework/pipe_end.h"
#include "framework/subprocess.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace evergreen {
namespace {

using ::testing::HasSubstr;

const absl::Duration kLong = absl::Seconds(30);

// Reads `pipe` into `*text` until it contains `marker` or the pipe ends.
absl::Status ReadUntil(PipeEnd* pipe, const std::string& marker,
                       std::string* text) {
  char buffer[4096];
  while (!absl::StrContains(*text, marker)) {
    absl::StatusOr<std::size_t> n = pipe->Read(buffer, sizeof buffer, kLong);
    if (!n.ok()) return n.status();
    if (*n == 0) {
      return absl::NotFoundError(absl::StrCat("end of ", pipe->name(),
                                              " before '", marker, "'"));
    }
    text->append(buffer, *n);
  }
  return absl::OkStatus();
}

TEST(DumpOnSignalTest, ProgramDumpsActorsAndTreesOnSigusr1) {
  SubprocessOptions options;
  options.stdout_mode = Stdio::kPipe;
  options.stderr_mode = Stdio::kPipe;
  absl::StatusOr<std::unique_ptr<Subprocess>> program =
      Subprocess::Start({"tests/actors/dump_on_signal_main"}, options);
  ASSERT_TRUE(program.ok()) << program.status();
  std::string out, err;
  ASSERT_TRUE(ReadUntil((*program)->stdout_pipe(), "ready\n", &out).ok())
      << out;
  ASSERT_TRUE((*program)->SendSignal(SIGUSR1).ok());
  const std::string last = "        member: running actor 'member', restarts 0\n";
  absl::Status read = ReadUntil((*program)->stderr_pipe(), last, &err);
  ASSERT_TRUE(read.ok()) << read << "\n" << err;
  EXPECT_THAT(err, HasSubstr("greenlet 'signal handler (SIGUSR1)': running"));
  // Two hubs: the main thread's, and the group's with 'far' on it.
  EXPECT_THAT(err, HasSubstr("  actors (4):\n"));
  EXPECT_THAT(err, HasSubstr("  actors (1):\n"));
  EXPECT_THAT(err, HasSubstr(
                       "    'worker' (evergreen::testing::Probe): mailbox 0, "
                       "links [], monitored by []\n"));
  EXPECT_THAT(err, HasSubstr(
                       "    'root' (evergreen::internal::SupervisorActor): "
                       "mailbox 0, links [], monitored by ['far']\n"));
  EXPECT_THAT(err, HasSubstr(
                       "    'far' (evergreen::testing::Probe): mailbox 0, "
                       "links [], monitored by []\n"));
  EXPECT_THAT(
      err,
      HasSubstr("  supervision trees:\n"
                "    supervisor 'root' (one_for_one, 1 of 3 restarts in the "
                "last 1h)\n"
                "      worker: running actor 'worker', restarts 1\n"
                "      pool: running supervisor 'pool', restarts 0 "
                "(rest_for_one, 0 of 1 restarts in the last 5s)\n" +
                last));
  // Still running after the dump; SIGTERM ends it cleanly.
  ASSERT_TRUE((*program)->Terminate().ok());
  absl::StatusOr<ExitStatus> exit = (*program)->Wait(kLong);
  ASSERT_TRUE(exit.ok()) << exit.status();
  EXPECT_TRUE(exit->success()) << exit->ToString() << "\n" << err;
  Hub::DestroyCurrent();
}

}  // namespace
}  // namespace evergreen
