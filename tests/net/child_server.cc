#include "tests/net/child_server.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "framework/io_watcher.h"

extern char** environ;

namespace evergreen {

ChildServer::ChildServer(const std::string& binary,
                         std::vector<std::string> args) {
  int out[2];
  if (pipe2(out, O_CLOEXEC) != 0) return;
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  args.insert(args.begin(), binary);
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  const int spawned = posix_spawn(&pid_, binary.c_str(), &actions, nullptr,
                                  argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(out[1]);
  if (spawned != 0) {
    close(out[0]);
    pid_ = -1;
    return;
  }
  fcntl(out[0], F_SETFL, O_NONBLOCK);
  out_ = out[0];
  reader_ = Spawn([this] { ReadLines(); });
}

ChildServer::~ChildServer() {
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  if (reader_) reader_.Kill();
  if (out_ >= 0) close(out_);
}

void ChildServer::ReadLines() {
  struct End {
    ChildServer* self;
    ~End() {
      self->ended_ = true;
      self->changed_.Set();
    }
  } end{this};
  IoWatcher io(out_);
  std::string buffer;
  char chunk[4096];
  for (;;) {
    const ssize_t n = read(out_, chunk, sizeof chunk);
    if (n == 0) return;
    if (n < 0) {
      if (errno != EAGAIN || !io.Wait(IoWatcher::kRead).ok()) return;
      continue;
    }
    buffer.append(chunk, n);
    std::size_t end;
    while ((end = buffer.find('\n')) != std::string::npos) {
      lines_.push_back(buffer.substr(0, end));
      buffer.erase(0, end + 1);
      changed_.Set();
    }
  }
}

int ChildServer::CountLines(absl::string_view suffix) const {
  int count = 0;
  for (const std::string& line : lines_) count += absl::EndsWith(line, suffix);
  return count;
}

absl::StatusOr<SocketAddress> ChildServer::Address(absl::Duration patience) {
  if (pid_ < 0) return absl::UnavailableError("the child did not start");
  const absl::Time deadline = absl::Now() + patience;
  for (;;) {
    for (const std::string& line : lines_) {
      const std::size_t on = line.rfind(" on ");
      if (on != std::string::npos) return SocketAddress::Parse(line.substr(on + 4));
    }
    if (ended_) return absl::UnavailableError("the child's output ended");
    changed_.Clear();
    if (!changed_.Wait(deadline - absl::Now())) {
      return absl::DeadlineExceededError("the child announced no address");
    }
  }
}

bool ChildServer::WaitForLines(absl::string_view suffix, int count,
                               absl::Duration patience) {
  const absl::Time deadline = absl::Now() + patience;
  while (CountLines(suffix) < count) {
    if (ended_) return false;
    changed_.Clear();
    if (!changed_.Wait(deadline - absl::Now())) return false;
  }
  return true;
}

long ChildServer::ResidentKiB() const {
  std::ifstream in(absl::StrCat("/proc/", pid_, "/statm"));
  long size = 0, resident = 0;
  if (!(in >> size >> resident)) return -1;
  return resident * (getpagesize() / 1024);
}

bool ChildServer::Running() const {
  return pid_ > 0 && waitpid(pid_, nullptr, WNOHANG) == 0;
}

}  // namespace evergreen
