// Dnsmasq: a real DNS server for tests, on a free port of 127.0.0.1.
//
//   absl::StatusOr<std::unique_ptr<Dnsmasq>> dns = Dnsmasq::Start({
//       {"alpha.test", "127.0.0.5"}, {"beta.test", "::5"}});
//   ResolverOptions options{.servers = {(*dns)->server()}};
//
// It serves exactly the records given (a hosts file of its own; the
// machine's /etc/hosts and resolv.conf are ignored); every other name is
// NXDOMAIN, also the ones a search domain of the machine's resolv.conf
// makes. It forwards nothing.
// The process is started by Start(), which returns once it answers, and is
// killed by the destructor. Any thread; not copyable.
#ifndef EVERGREEN_TESTS_NET_DNSMASQ_H_
#define EVERGREEN_TESTS_NET_DNSMASQ_H_

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace evergreen::dns_testing {

class Dnsmasq {
 public:
  struct Record {
    std::string name;     // "alpha.test"
    std::string address;  // "127.0.0.5" or "::5"
  };

  // Starts /usr/sbin/dnsmasq serving `records` and waits (up to 10 s) until
  // it answers. Errors: Unavailable with what went wrong and dnsmasq's log.
  static absl::StatusOr<std::unique_ptr<Dnsmasq>> Start(
      const std::vector<Record>& records);

  ~Dnsmasq();
  Dnsmasq(const Dnsmasq&) = delete;
  Dnsmasq& operator=(const Dnsmasq&) = delete;

  std::uint16_t port() const { return port_; }
  // "127.0.0.1:<port>", as ResolverOptions::servers takes it.
  std::string server() const;

 private:
  Dnsmasq() = default;

  pid_t pid_ = -1;
  std::uint16_t port_ = 0;
  std::string hosts_path_;
  std::string log_path_;
};

// A UDP socket bound to a free port of 127.0.0.1 that never answers: a DNS
// server that is silent (and, unlike a closed port, never refuses).
class SilentUdpServer {
 public:
  SilentUdpServer();  // aborts the test binary if it cannot bind
  ~SilentUdpServer();
  SilentUdpServer(const SilentUdpServer&) = delete;
  SilentUdpServer& operator=(const SilentUdpServer&) = delete;

  std::uint16_t port() const { return port_; }
  std::string server() const;  // "127.0.0.1:<port>"

  // Reads the queries received: waits until `expected` came or `within`
  // passed, then takes whatever else is already there. Returns how many.
  // Blocks the thread (not just the greenlet).
  int TakeQueries(int expected, absl::Duration within);

 private:
  int fd_ = -1;
  std::uint16_t port_ = 0;
};

}  // namespace evergreen::dns_testing

#endif  // EVERGREEN_TESTS_NET_DNSMASQ_H_
