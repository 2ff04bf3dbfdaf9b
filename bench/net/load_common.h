// What the net suite's load generators (echo_load, tls_handshake_load)
// share: command-line numbers, a monotonic clock, non-blocking loopback
// connections, an epoll set, latency percentiles and the JSON run.py reads.
//
//   sockaddr_in server;
//   if (!bench::ParseIpv4Address(argv[1], &server)) bench::Usage(kUsage);
//   bench::Epoll epoll;
//   int fd = bench::ConnectTcp(server);   // non-blocking, TCP_NODELAY
//   epoll.Add(fd, EPOLLIN, /*data=*/0);
//   ...
//   bench::PrintJson({{"msgs_per_second", rate}, {"p50_us", p50}});
//
// The load generators deliberately use nothing of Evergreen: the same
// plain-epoll client measures every server, Evergreen's and its peers'.
// Everything here is single-threaded; errors are fatal (Die), since a
// benchmark that lost a connection has nothing valid left to report.
#ifndef EVERGREEN_BENCH_NET_LOAD_COMMON_H_
#define EVERGREEN_BENCH_NET_LOAD_COMMON_H_

#include <netinet/in.h>
#include <sys/epoll.h>

#include <cstdint>
#include <initializer_list>
#include <utility>
#include <vector>

namespace evergreen::bench {

// Prints "<program>: <what>" (with errno's text when `with_errno`) on
// stderr and exits 1.
[[noreturn]] void Die(const char* what, bool with_errno = false);
// Prints the usage line on stderr and exits 2.
[[noreturn]] void Usage(const char* usage);

// Parses "a.b.c.d:port" into `address`; false when malformed.
bool ParseIpv4Address(const char* text, sockaddr_in* address);
// Parses a number > 0; false otherwise.
bool ParsePositive(const char* text, long* value);
bool ParsePositive(const char* text, double* value);

// CLOCK_MONOTONIC in nanoseconds.
std::int64_t NowNs();
inline std::int64_t SecondsToNs(double seconds) {
  return static_cast<std::int64_t>(seconds * 1e9);
}

// A new non-blocking TCP socket with TCP_NODELAY whose connect to `server`
// is under way (or done). The caller waits for EPOLLOUT before using it
// and checks the outcome with ConnectError.
int StartConnect(const sockaddr_in& server);
// The pending error of a connect started by StartConnect (0: connected).
int ConnectError(int fd);
// StartConnect, then waits up to `timeout_ms` for the connection; dies on
// failure or timeout.
int ConnectTcp(const sockaddr_in& server, int timeout_ms = 5000);

// The longest a load generator waits for events at once, so that it keeps
// its deadlines whatever the server does.
inline constexpr int kWaitSliceMs = 100;

// An epoll instance; events carry a caller-chosen 64-bit value.
class Epoll {
 public:
  Epoll();
  ~Epoll();
  Epoll(const Epoll&) = delete;
  Epoll& operator=(const Epoll&) = delete;

  void Add(int fd, std::uint32_t events, std::uint64_t data);
  void Modify(int fd, std::uint32_t events, std::uint64_t data);
  // Removed implicitly by close(2) too; this is for fds that stay open.
  void Remove(int fd);
  // Waits at most `timeout_ms`; returns the ready events (empty on timeout
  // or EINTR). The span is valid until the next Wait.
  std::pair<const epoll_event*, int> Wait(int timeout_ms);

 private:
  int fd_;
  std::vector<epoll_event> ready_;
};

// The `fraction` (0..1) percentile of `samples`, in the samples' unit
// divided by `divisor`; 0 when there are none. Reorders `samples`.
double Percentile(std::vector<std::int64_t>& samples, double fraction,
                  double divisor = 1.0);

// Prints {"key": value, ...} and a newline on stdout: the one JSON
// document run.py parses.
void PrintJson(std::initializer_list<std::pair<const char*, double>> fields);

}  // namespace evergreen::bench

#endif  // EVERGREEN_BENCH_NET_LOAD_COMMON_H_
