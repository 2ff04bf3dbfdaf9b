// TCP echo load: `connections` connections, each sending a `message_bytes`
// message and waiting for all of it to come back before sending the next
// (ping-pong), for `warmup_seconds` untimed and then `seconds` timed.
// Prints {"msgs_per_second", "p50_us", "p99_us", "messages",
// "all_messages"}: the rate and latency percentiles of the round trips sent
// in the timed window, how many those were, and how many the whole run
// completed (warm-up included: run.py divides the server's CPU time by it).
// At the end it waits (at most a second) for the echoes still in flight
// before closing, so that no server sees a connection reset.
//
// Fair because every echo server of the suite (Evergreen's StreamServer,
// raw libev, gevent) is driven by this one client, single-threaded on plain
// epoll with the same connections, messages and durations, pinned by run.py
// to a core of its own; each echo is checked byte for byte.
//
// Usage: echo_load <ip:port> <connections> <seconds> <warmup_seconds>
//                  [message_bytes=64]
#include <errno.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <vector>

#include "bench/net/load_common.h"

namespace evergreen::bench {
namespace {

constexpr char kUsage[] =
    "echo_load <ip:port> <connections> <seconds> <warmup_seconds> "
    "[message_bytes=64]";
constexpr double kDrainSeconds = 1;

struct Connection {
  int fd = -1;
  std::int64_t sent_ns = 0;
  std::size_t received = 0;  // bytes of the current echo
};

class EchoLoad {
 public:
  EchoLoad(const std::vector<char>& message, std::int64_t measure_from_ns)
      : message_(message),
        echo_(message.size()),
        measure_from_ns_(measure_from_ns) {}
  ~EchoLoad() {
    for (const Connection& connection : connections_) close(connection.fd);
  }
  EchoLoad(const EchoLoad&) = delete;
  EchoLoad& operator=(const EchoLoad&) = delete;

  // Connects and sends every connection's first message.
  void Open(const sockaddr_in& server, long connections) {
    connections_.resize(connections);
    for (long i = 0; i < connections; ++i) {
      connections_[i].fd = ConnectTcp(server);
      epoll_.Add(connections_[i].fd, EPOLLIN, i);
      Send(connections_[i], NowNs());
    }
  }

  // Runs round trips until `until_ns`.
  void Run(std::int64_t until_ns) {
    for (std::int64_t now = NowNs(); now < until_ns; now = NowNs()) Poll();
  }

  // Sends no more; waits until `until_ns` at most for the echoes in flight.
  void Drain(std::int64_t until_ns) {
    draining_ = true;
    for (std::int64_t now = NowNs(); in_flight_ > 0 && now < until_ns;
         now = NowNs()) {
      Poll();
    }
  }

  // Round trips completed, warm-up included.
  long all_messages() const { return all_messages_; }

  // Of the round trips sent in the timed window and completed.
  std::vector<std::int64_t>& latencies_ns() { return latencies_; }

 private:
  void Poll() {
    const auto [events, count] = epoll_.Wait(kWaitSliceMs);
    for (int i = 0; i < count; ++i) Receive(connections_[events[i].data.u64]);
  }

  void Send(Connection& connection, std::int64_t now) {
    // A small message into an empty send buffer is taken whole.
    if (write(connection.fd, message_.data(), message_.size()) !=
        static_cast<ssize_t>(message_.size())) {
      Die("write", true);
    }
    connection.sent_ns = now;
    connection.received = 0;
    ++in_flight_;
  }

  void Receive(Connection& connection) {
    const ssize_t n = read(connection.fd, echo_.data() + connection.received,
                           echo_.size() - connection.received);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
    if (n < 0) Die("read", true);
    if (n == 0) Die("the server closed a connection");
    connection.received += n;
    if (connection.received < echo_.size()) return;
    if (std::memcmp(echo_.data(), message_.data(), echo_.size()) != 0) {
      Die("the echo differs from the message");
    }
    const std::int64_t now = NowNs();
    --in_flight_;
    ++all_messages_;
    if (connection.sent_ns >= measure_from_ns_) {
      latencies_.push_back(now - connection.sent_ns);
    }
    if (!draining_) Send(connection, now);
  }

  const std::vector<char>& message_;
  std::vector<char> echo_;
  const std::int64_t measure_from_ns_;
  Epoll epoll_;
  std::vector<Connection> connections_;
  std::vector<std::int64_t> latencies_;
  long in_flight_ = 0;
  long all_messages_ = 0;
  bool draining_ = false;
};

int Main(int argc, char** argv) {
  sockaddr_in server;
  long connections = 0, message_bytes = 64;
  double seconds = 0, warmup_seconds = 0;
  if ((argc != 5 && argc != 6) || !ParseIpv4Address(argv[1], &server) ||
      !ParsePositive(argv[2], &connections) ||
      !ParsePositive(argv[3], &seconds) ||
      !ParsePositive(argv[4], &warmup_seconds) ||
      (argc == 6 && !ParsePositive(argv[5], &message_bytes))) {
    Usage(kUsage);
  }
  std::vector<char> message(message_bytes);
  for (long i = 0; i < message_bytes; ++i) message[i] = 'a' + i % 26;

  const std::int64_t start = NowNs();
  const std::int64_t measure_from = start + SecondsToNs(warmup_seconds);
  const std::int64_t until = measure_from + SecondsToNs(seconds);
  EchoLoad load(message, measure_from);
  load.Open(server, connections);
  load.Run(until);
  // Round trips sent inside the window, over the window's length.
  const double measured = static_cast<double>(NowNs() - measure_from) / 1e9;
  load.Drain(NowNs() + SecondsToNs(kDrainSeconds));
  std::vector<std::int64_t>& latencies = load.latencies_ns();
  if (latencies.empty()) Die("no echo came back in the timed window");
  const double messages = static_cast<double>(latencies.size());
  PrintJson({{"msgs_per_second", messages / measured},
             {"p50_us", Percentile(latencies, 0.5, 1e3)},
             {"p99_us", Percentile(latencies, 0.99, 1e3)},
             {"messages", messages},
             {"all_messages", static_cast<double>(load.all_messages())}});
  return 0;
}

}  // namespace
}  // namespace evergreen::bench

int main(int argc, char** argv) { return evergreen::bench::Main(argc, argv); }
