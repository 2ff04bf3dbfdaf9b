// Subprocess, Run and CheckOutput: B-H5 and B-OS1, with real children.
#include "framework/subprocess.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "framework/greenlet.h"
#include "framework/hub.h"
#include "framework/run_process.h"
#include "framework/waiter.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace evergreen {
namespace {

using ::testing::HasSubstr;

int CountOpenFds() {
  int count = 0;
  DIR* dir = opendir("/proc/self/fd");
  while (dirent* entry = readdir(dir)) {
    if (entry->d_name[0] != '.') ++count;
  }
  closedir(dir);
  return count - 1;  // the directory's own fd
}

class SubprocessTest : public ::testing::Test {
 protected:
  void TearDown() override { Hub::DestroyCurrent(); }
};

// B-H5
TEST_F(SubprocessTest, ExitCodeIsReturned) {
  absl::StatusOr<Completed> done = evergreen::Run({"sh", "-c", "echo hi; exit 3"});
  ASSERT_TRUE(done.ok()) << done.status();
  EXPECT_EQ(done->exit_code, 3);
  EXPECT_FALSE(done->signaled());
  EXPECT_EQ(done->out, "hi\n");
  EXPECT_EQ(done->ToString(), "exit code 3");
}

// B-H5: the exec error comes from the child, not as exit code 127.
TEST_F(SubprocessTest, MissingBinaryFailsNotFound) {
  absl::StatusOr<Completed> done = evergreen::Run({"nosuch"});
  EXPECT_EQ(done.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(done.status().message(), "exec nosuch: No such file or directory");
  absl::StatusOr<std::unique_ptr<Subprocess>> child =
      Subprocess::Start({"/no/such/dir/tool"});
  EXPECT_EQ(child.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(evergreen::Run({"/dev/null"}).status().code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(evergreen::Run({}).status().code(), absl::StatusCode::kInvalidArgument);
  RunOptions bad_cwd;
  bad_cwd.process.cwd = "/no/such/dir";
  EXPECT_THAT(evergreen::Run({"true"}, bad_cwd).status().message(),
              HasSubstr("cwd /no/such/dir"));
}

// B-H5: every fd made for a child is closed afterwards, whichever way the
// run ended.
TEST_F(SubprocessTest, NoFdLeaks) {
  evergreen::Run({"true"}).IgnoreError();  // first-use fds (the hub's loop) now exist
  const int before = CountOpenFds();
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(evergreen::Run({"cat"}, {.input = "x"}).ok());
    ASSERT_FALSE(evergreen::Run({"nosuch"}).ok());
    ASSERT_FALSE(
        evergreen::Run({"sleep", "5"}, {.timeout = absl::Milliseconds(20)}).ok());
    auto child = Subprocess::Start({"true"}, {.stdin_mode = Stdio::kPipe,
                                              .stdout_mode = Stdio::kPipe,
                                              .stderr_mode = Stdio::kPipe});
    ASSERT_TRUE(child.ok());
    ASSERT_TRUE((*child)->Wait().ok());
  }
  EXPECT_EQ(CountOpenFds(), before);
}

// An fd of ours that is not close-on-exec still does not reach the child,
// unless asked.
TEST_F(SubprocessTest, ChildGetsOnlyStdioByDefault) {
  const int fd = open("/dev/null", O_RDONLY);  // no O_CLOEXEC on purpose
  ASSERT_GE(fd, 0);
  ASSERT_EQ(dup2(fd, 100), 100);
  close(fd);
  absl::StatusOr<Completed> closed = evergreen::Run({"test", "-e", "/proc/self/fd/100"});
  RunOptions keep;
  keep.process.close_fds = false;
  absl::StatusOr<Completed> kept =
      evergreen::Run({"test", "-e", "/proc/self/fd/100"}, keep);
  close(100);
  ASSERT_TRUE(closed.ok() && kept.ok());
  EXPECT_EQ(closed->exit_code, 1);
  EXPECT_EQ(kept->exit_code, 0);
}

// B-H5
TEST_F(SubprocessTest, TimeoutKillsTheChild) {
  const absl::Time start = absl::Now();
  absl::StatusOr<Completed> done =
      evergreen::Run({"sleep", "30"}, {.timeout = absl::Milliseconds(200)});
  EXPECT_EQ(done.status().code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_THAT(done.status().message(), HasSubstr("(killed)"));
  EXPECT_LT(absl::Now() - start, absl::Seconds(20));
}

// B-OS1: the grandchild holds stdout open; its end of file proves that the
// group kill reached it, and the child itself is reaped.
TEST_F(SubprocessTest, TimeoutKillsTheProcessGroupAndReaps) {
  auto child = Subprocess::Start({"sh", "-c", "sleep 30 & echo $!; wait"},
                                 {.stdout_mode = Stdio::kPipe,
                                  .new_process_group = true});
  ASSERT_TRUE(child.ok()) << child.status();
  Subprocess& process = **child;
  std::string line;
  char c;
  while (line.find('\n') == std::string::npos) {
    absl::StatusOr<std::size_t> n =
        process.stdout_pipe()->Read(&c, 1, absl::Seconds(10));
    ASSERT_TRUE(n.ok() && *n == 1);
    line.push_back(c);
  }
  int grandchild = 0;
  ASSERT_TRUE(absl::SimpleAtoi(absl::StripAsciiWhitespace(line), &grandchild));
  EXPECT_EQ(process.Wait(absl::Milliseconds(100)).status().code(),
            absl::StatusCode::kDeadlineExceeded);
  ASSERT_TRUE(process.Kill(/*process_group=*/true).ok());
  absl::StatusOr<ExitStatus> status = process.Wait(absl::Seconds(10));
  ASSERT_TRUE(status.ok()) << status.status();
  EXPECT_EQ(status->signal, SIGKILL);
  std::string rest;
  EXPECT_TRUE(process.stdout_pipe()->ReadAll(&rest, absl::Seconds(10)).ok());
  EXPECT_EQ(waitpid(process.pid(), nullptr, WNOHANG), -1);  // reaped: ECHILD

  // Run does the same on its own timeout, and returns promptly.
  const absl::Time start = absl::Now();
  RunOptions options;
  options.process.new_process_group = true;
  options.timeout = absl::Milliseconds(200);
  absl::StatusOr<Completed> done =
      evergreen::Run({"sh", "-c", "sleep 30 & sleep 30"}, options);
  EXPECT_EQ(done.status().code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_LT(absl::Now() - start, absl::Seconds(20));
}

// True once /proc/<pid> is gone (the process exited and was reaped),
// false if it is still there after 10 s.
bool ProcessGoneWithin10s(pid_t pid) {
  const std::string proc = absl::StrCat("/proc/", pid);
  struct stat info;
  for (int i = 0; i < 1000 && stat(proc.c_str(), &info) == 0; ++i) {
    Sleep(absl::Milliseconds(10));
  }
  return stat(proc.c_str(), &info) != 0;
}

// A run whose greenlet is killed takes its child down with it (and the
// child is reaped: /proc/<pid> goes away).
TEST_F(SubprocessTest, KillingTheRunningGreenletKillsTheChild) {
  const char* tmp = getenv("TEST_TMPDIR");
  const std::string pid_file =
      absl::StrCat(tmp != nullptr ? tmp : "/tmp", "/run_child.pid");
  unlink(pid_file.c_str());
  auto run = Spawn([&] {
    return evergreen::Run(
               {"sh", "-c", absl::StrCat("echo $$ > ", pid_file,
                                         ".tmp && mv ", pid_file, ".tmp ",
                                         pid_file, " && exec sleep 30")})
        .ok();
  });
  std::string text;
  for (int i = 0; i < 1000 && text.empty(); ++i) {
    Sleep(absl::Milliseconds(10));  // until the child has written its pid
    FILE* file = fopen(pid_file.c_str(), "r");
    if (file == nullptr) continue;
    char line[32] = {};
    if (fgets(line, sizeof line, file) != nullptr) text = line;
    fclose(file);
  }
  int pid = 0;
  ASSERT_TRUE(absl::SimpleAtoi(absl::StripAsciiWhitespace(text), &pid)) << text;
  run.Kill();
  EXPECT_TRUE(run.killed());
  EXPECT_TRUE(ProcessGoneWithin10s(pid)) << "child " << pid << " survived";
}

// B-OS1: stdin and stdout both far larger than a pipe's buffer.
TEST_F(SubprocessTest, TenMegabytesThroughStdinAndStdoutAtOnce) {
  std::string input(10 << 20, '\0');
  for (std::size_t i = 0; i < input.size(); ++i) {
    input[i] = static_cast<char>('a' + i % 26);
  }
  absl::StatusOr<Completed> done =
      evergreen::Run({"cat"}, {.input = input, .timeout = absl::Seconds(60)});
  ASSERT_TRUE(done.ok()) << done.status();
  EXPECT_EQ(done->exit_code, 0);
  EXPECT_EQ(done->out.size(), input.size());
  EXPECT_TRUE(done->out == input);
}

// B-OS1
TEST_F(SubprocessTest, TwoHundredChildrenFromTwoHundredGreenlets) {
  std::vector<Greenlet<std::string>> runs;
  for (int i = 0; i < 200; ++i) {
    runs.push_back(Spawn([i]() -> std::string {
      absl::StatusOr<std::string> out =
          CheckOutput({"echo", absl::StrCat(i)}, {.timeout = absl::Seconds(60)});
      return out.ok() ? *out : out.status().ToString();
    }));
  }
  for (int i = 0; i < 200; ++i) {
    EXPECT_EQ(runs[i].Get(), absl::StrCat(i, "\n"));
  }
}

// B-OS1
TEST_F(SubprocessTest, ExitBySignalIsReportedAsSuch) {
  absl::StatusOr<Completed> done = evergreen::Run({"sh", "-c", "kill -TERM $$"});
  ASSERT_TRUE(done.ok()) << done.status();
  EXPECT_TRUE(done->signaled());
  EXPECT_EQ(done->signal, SIGTERM);
  EXPECT_EQ(done->exit_code, -SIGTERM);
  EXPECT_THAT(done->ToString(), HasSubstr("killed by signal 15"));

  auto child = Subprocess::Start({"sleep", "30"});
  ASSERT_TRUE(child.ok());
  ASSERT_TRUE((*child)->Terminate().ok());
  absl::StatusOr<ExitStatus> status = (*child)->Wait(absl::Seconds(10));
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(status->signal, SIGTERM);
  EXPECT_TRUE((*child)->Kill().ok());  // reaped: not signalled again, no error
}

TEST_F(SubprocessTest, EnvironmentWorkingDirectoryAndStderrToStdout) {
  RunOptions options;
  options.process.env = std::vector<std::string>{"GREETING=hello"};
  options.process.cwd = "/tmp";
  options.process.stderr_mode = Stdio::kStdout;
  absl::StatusOr<Completed> done =
      evergreen::Run({"sh", "-c", "echo $GREETING; pwd; echo oops >&2"}, options);
  ASSERT_TRUE(done.ok()) << done.status();
  EXPECT_EQ(done->out, "hello\n/tmp\noops\n");
  EXPECT_EQ(done->err, "");
}

TEST_F(SubprocessTest, CheckOutputFailsOnNonZeroExitWithStderr) {
  EXPECT_EQ(*CheckOutput({"echo", "fine"}), "fine\n");
  absl::StatusOr<std::string> out =
      CheckOutput({"sh", "-c", "echo bad input >&2; exit 2"});
  EXPECT_EQ(out.status().code(), absl::StatusCode::kUnknown);
  EXPECT_THAT(out.status().message(), HasSubstr("exit code 2: bad input"));
}

// The hub keeps serving other greenlets while one waits on a child.
TEST_F(SubprocessTest, WaitingDoesNotBlockTheHub) {
  int ticks = 0;
  bool done = false;
  auto ticker = Spawn([&] {
    while (!done) {
      Sleep(absl::Milliseconds(10));
      ++ticks;
    }
  });
  ASSERT_TRUE(evergreen::Run({"sleep", "0.3"}).ok());
  done = true;
  ticker.Join();
  EXPECT_GE(ticks, 5);
}

// A child whose Subprocess is gone is still reaped: no lasting zombie.
TEST_F(SubprocessTest, DroppedChildIsReapedInTheBackground) {
  pid_t pid;
  {
    auto child = Subprocess::Start({"sleep", "0.2"});
    ASSERT_TRUE(child.ok());
    pid = (*child)->pid();
  }
  EXPECT_TRUE(ProcessGoneWithin10s(pid)) << "process " << pid << " remains";
}

TEST_F(SubprocessTest, CommunicateStreamsBothOutputsAndRefusesInputWithoutPipe) {
  auto child = Subprocess::Start(
      {"sh", "-c", "cat; echo done >&2"},
      {.stdin_mode = Stdio::kPipe, .stdout_mode = Stdio::kPipe,
       .stderr_mode = Stdio::kPipe});
  ASSERT_TRUE(child.ok());
  auto out = (*child)->Communicate("ping", absl::Seconds(10));
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(out->out, "ping");
  EXPECT_EQ(out->err, "done\n");
  EXPECT_TRUE((*child)->Wait()->success());

  auto plain = Subprocess::Start({"true"});
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ((*plain)->Communicate("x").status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE((*plain)->Wait().ok());
}

}  // namespace
}  // namespace evergreen
