#include "tests/net/dnsmasq.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

extern char** environ;

namespace evergreen::dns_testing {
namespace {

constexpr char kDnsmasq[] = "/usr/sbin/dnsmasq";

// Binds a socket of `type` to 127.0.0.1:`port` (0: any free port); returns
// the fd and sets `port`, or -1.
int BindLoopback(int type, std::uint16_t* port) {
  const int fd = socket(AF_INET, type | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_in addr = {};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(*port);
  socklen_t len = sizeof(addr);
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), len) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    close(fd);
    return -1;
  }
  *port = ntohs(addr.sin_port);
  return fd;
}

// A port free for both UDP and TCP right now (dnsmasq binds both).
std::uint16_t FreePort() {
  for (int attempt = 0; attempt < 20; ++attempt) {
    std::uint16_t port = 0;
    const int udp = BindLoopback(SOCK_DGRAM, &port);
    if (udp < 0) continue;
    const int tcp = BindLoopback(SOCK_STREAM, &port);
    close(udp);
    if (tcp >= 0) {
      close(tcp);
      return port;
    }
  }
  return 0;
}

// A DNS query for "probe.test" A: any answer (NXDOMAIN included) proves
// the server is up.
std::string ProbeQuery() {
  std::string query("\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00", 12);
  for (const char* label : {"probe", "test"}) {
    query.push_back(static_cast<char>(std::strlen(label)));
    query.append(label);
  }
  query.append("\x00\x00\x01\x00\x01", 5);  // root, type A, class IN
  return query;
}

bool Answers(std::uint16_t port) {
  const int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  timeval wait = {.tv_sec = 0, .tv_usec = 100 * 1000};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &wait, sizeof(wait));
  sockaddr_in addr = {};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  const std::string query = ProbeQuery();
  char reply[512];
  const bool answered =
      sendto(fd, query.data(), query.size(), 0,
             reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) >= 0 &&
      recv(fd, reply, sizeof(reply), 0) >= 12 && reply[0] == query[0] &&
      reply[1] == query[1];
  close(fd);
  return answered;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string TempPath(absl::string_view name) {
  static std::atomic<int> counter{0};
  const char* dir = std::getenv("TEST_TMPDIR");
  return absl::StrCat(dir != nullptr ? dir : "/tmp", "/", name, "-", getpid(),
                      "-", counter++);
}

// Starts dnsmasq on `port`; returns its pid or -1.
pid_t Spawn(std::uint16_t port, const std::string& hosts,
            const std::string& log) {
  const passwd* user = getpwuid(geteuid());
  std::vector<std::string> args = {
      kDnsmasq,
      "--keep-in-foreground",
      "--conf-file=/dev/null",
      "--no-resolv",
      "--no-hosts",
      absl::StrCat("--addn-hosts=", hosts),
      "--local=/#/",  // NXDOMAIN for every other name
      "--listen-address=127.0.0.1",
      "--bind-interfaces",
      absl::StrCat("--port=", port),
      "--pid-file=",
      "--cache-size=0",
      absl::StrCat("--log-facility=", log),
  };
  // Stay who we are: as root dnsmasq would switch to "nobody" (who may not
  // read the hosts file in the test's private directory) and to group
  // "dip" (which Bazel's sandbox does not permit). An empty --group= means
  // no group change.
  if (user != nullptr) args.push_back(absl::StrCat("--user=", user->pw_name));
  args.push_back("--group=");
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null",
                                   O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log.c_str(),
                                   O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  pid_t pid = -1;
  const int rc =
      posix_spawn(&pid, kDnsmasq, &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  return rc == 0 ? pid : -1;
}

}  // namespace

absl::StatusOr<std::unique_ptr<Dnsmasq>> Dnsmasq::Start(
    const std::vector<Record>& records) {
  std::unique_ptr<Dnsmasq> dns(new Dnsmasq());
  dns->hosts_path_ = TempPath("dnsmasq-hosts");
  dns->log_path_ = TempPath("dnsmasq-log");
  {
    std::ofstream hosts(dns->hosts_path_);
    for (const Record& record : records) {
      hosts << record.address << " " << record.name << "\n";
    }
    if (!hosts)
      return absl::UnavailableError("cannot write " + dns->hosts_path_);
  }
  // A port found free may be taken before dnsmasq binds it: try again.
  for (int attempt = 0; attempt < 5; ++attempt) {
    dns->port_ = FreePort();
    if (dns->port_ == 0) return absl::UnavailableError("no free loopback port");
    dns->pid_ = Spawn(dns->port_, dns->hosts_path_, dns->log_path_);
    if (dns->pid_ < 0) {
      return absl::UnavailableError(
          absl::StrCat("cannot start ", kDnsmasq, ": ", std::strerror(errno)));
    }
    const auto deadline =
        std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < deadline) {
      if (Answers(dns->port_)) return dns;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
      int status = 0;
      if (waitpid(dns->pid_, &status, WNOHANG) == dns->pid_) {
        dns->pid_ = -1;  // exited: most likely the port was taken
        break;
      }
    }
    if (dns->pid_ > 0) break;  // running but silent: give up
  }
  return absl::UnavailableError(absl::StrCat(
      "dnsmasq did not come up; its log:\n", ReadFile(dns->log_path_)));
}

Dnsmasq::~Dnsmasq() {
  if (pid_ > 0) {
    kill(pid_, SIGTERM);
    int status = 0;
    waitpid(pid_, &status, 0);
  }
  if (!hosts_path_.empty()) std::remove(hosts_path_.c_str());
  if (!log_path_.empty()) std::remove(log_path_.c_str());
}

std::string Dnsmasq::server() const {
  return absl::StrCat("127.0.0.1:", port_);
}

SilentUdpServer::SilentUdpServer() {
  fd_ = BindLoopback(SOCK_DGRAM, &port_);
  if (fd_ < 0) {
    std::perror("SilentUdpServer: bind 127.0.0.1");
    std::abort();
  }
}

SilentUdpServer::~SilentUdpServer() { close(fd_); }

int SilentUdpServer::TakeQueries(int expected, absl::Duration within) {
  char query[512];
  int count = 0;
  const absl::Time deadline = absl::Now() + within;
  while (count < expected && absl::Now() < deadline) {
    const int wait_ms =
        static_cast<int>(absl::ToInt64Milliseconds(deadline - absl::Now()) + 1);
    pollfd readable = {.fd = fd_, .events = POLLIN, .revents = 0};
    if (poll(&readable, 1, wait_ms) <= 0) break;
    if (recv(fd_, query, sizeof(query), MSG_DONTWAIT) >= 0) ++count;
  }
  while (recv(fd_, query, sizeof(query), MSG_DONTWAIT) >= 0) ++count;
  return count;
}

std::string SilentUdpServer::server() const {
  return absl::StrCat("127.0.0.1:", port_);
}

}  // namespace evergreen::dns_testing
