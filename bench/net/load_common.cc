#include "bench/net/load_common.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>

#include "absl/strings/numbers.h"

namespace evergreen::bench {

void Die(const char* what, bool with_errno) {
  if (with_errno) {
    std::fprintf(stderr, "%s: %s: %s\n", program_invocation_short_name, what,
                 std::strerror(errno));
  } else {
    std::fprintf(stderr, "%s: %s\n", program_invocation_short_name, what);
  }
  std::exit(1);
}

void Usage(const char* usage) {
  std::fprintf(stderr, "usage: %s\n", usage);
  std::exit(2);
}

bool ParseIpv4Address(const char* text, sockaddr_in* address) {
  const char* colon = std::strrchr(text, ':');
  if (colon == nullptr) return false;
  const std::string host(text, colon);
  int port = 0;
  if (!absl::SimpleAtoi(colon + 1, &port) || port <= 0 || port > 65535) {
    return false;
  }
  *address = {};
  address->sin_family = AF_INET;
  address->sin_port = htons(static_cast<uint16_t>(port));
  return inet_pton(AF_INET, host.c_str(), &address->sin_addr) == 1;
}

bool ParsePositive(const char* text, long* value) {
  return absl::SimpleAtoi(text, value) && *value > 0;
}

bool ParsePositive(const char* text, double* value) {
  return absl::SimpleAtod(text, value) && *value > 0;
}

std::int64_t NowNs() {
  timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return now.tv_sec * std::int64_t{1'000'000'000} + now.tv_nsec;
}

int StartConnect(const sockaddr_in& server) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) Die("socket", true);
  // Every message is sent whole and answered before the next: Nagle would
  // only ever delay, never coalesce.
  const int on = 1;
  if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on)) != 0) {
    Die("setsockopt TCP_NODELAY", true);
  }
  if (connect(fd, reinterpret_cast<const sockaddr*>(&server), sizeof(server)) !=
          0 &&
      errno != EINPROGRESS) {
    Die("connect", true);
  }
  return fd;
}

int ConnectError(int fd) {
  int error = 0;
  socklen_t size = sizeof(error);
  if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &size) != 0) return errno;
  return error;
}

int ConnectTcp(const sockaddr_in& server, int timeout_ms) {
  const int fd = StartConnect(server);
  pollfd waiting = {.fd = fd, .events = POLLOUT, .revents = 0};
  const int ready = poll(&waiting, 1, timeout_ms);
  if (ready < 0) Die("poll", true);
  if (ready == 0) Die("connect: timed out");
  if ((errno = ConnectError(fd)) != 0) Die("connect", true);
  return fd;
}

Epoll::Epoll() : fd_(epoll_create1(EPOLL_CLOEXEC)), ready_(256) {
  if (fd_ < 0) Die("epoll_create1", true);
}

Epoll::~Epoll() { close(fd_); }

void Epoll::Add(int fd, std::uint32_t events, std::uint64_t data) {
  epoll_event event = {.events = events, .data = {.u64 = data}};
  if (epoll_ctl(fd_, EPOLL_CTL_ADD, fd, &event) != 0) Die("epoll add", true);
}

void Epoll::Modify(int fd, std::uint32_t events, std::uint64_t data) {
  epoll_event event = {.events = events, .data = {.u64 = data}};
  if (epoll_ctl(fd_, EPOLL_CTL_MOD, fd, &event) != 0) Die("epoll mod", true);
}

void Epoll::Remove(int fd) {
  if (epoll_ctl(fd_, EPOLL_CTL_DEL, fd, nullptr) != 0) Die("epoll del", true);
}

std::pair<const epoll_event*, int> Epoll::Wait(int timeout_ms) {
  const int n = epoll_wait(fd_, ready_.data(), static_cast<int>(ready_.size()),
                           timeout_ms);
  if (n < 0 && errno != EINTR) Die("epoll_wait", true);
  return {ready_.data(), std::max(n, 0)};
}

double Percentile(std::vector<std::int64_t>& samples, double fraction,
                  double divisor) {
  if (samples.empty()) return 0;
  const auto nth =
      samples.begin() + static_cast<std::ptrdiff_t>(
                            fraction * static_cast<double>(samples.size() - 1));
  std::nth_element(samples.begin(), nth, samples.end());
  return static_cast<double>(*nth) / divisor;
}

void PrintJson(std::initializer_list<std::pair<const char*, double>> fields) {
  std::string json = "{";
  for (const auto& [key, value] : fields) {
    if (json.size() > 1) json += ", ";
    char number[64];
    std::snprintf(number, sizeof(number), "%.3f", value);
    json += '"';
    json += key;
    json += "\": ";
    json += number;
  }
  json += "}\n";
  std::fputs(json.c_str(), stdout);
  std::fflush(stdout);
}

}  // namespace evergreen::bench
