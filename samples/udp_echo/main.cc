// A UDP echo server on DatagramServer, and a client that asks it once.
//
// Each datagram is handled in a greenlet of its own, which sends the same
// bytes back to where they came from. At most --in-flight datagrams are
// handled at once; while that many are, new ones wait in the socket's
// receive buffer, and the kernel drops what does not fit, as UDP does, so
// a flood cannot grow the server's memory without bound.
//
//   bazel run //samples/udp_echo -- --port=7000
//   bazel run //samples/udp_echo -- --connect=127.0.0.1:7000 --message=hello
#include <cstdio>
#include <map>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "net/address.h"
#include "net/datagram_server.h"
#include "net/socket.h"

namespace {

using evergreen::DatagramServer;
using evergreen::Socket;
using evergreen::SocketAddress;

int Fail(const absl::Status& status) {
  std::fprintf(stderr, "%s\n", status.ToString().c_str());
  return 1;
}

int Serve(int port, int in_flight) {
  absl::StatusOr<SocketAddress> address =
      SocketAddress::FromHostPort("127.0.0.1", port);
  if (!address.ok()) return Fail(address.status());
  evergreen::DatagramServerOptions options;
  options.max_connections = in_flight;  // datagrams handled at once
  DatagramServer server(
      *address,
      [](absl::string_view data, const SocketAddress& from,
         DatagramServer& self) {
        // Runs in the datagram's greenlet; `data` lives for this call.
        // A failed reply (the client went away) concerns only this one.
        (void)self.SendTo(data, from, absl::Seconds(1));
      },
      options);
  absl::Status started = server.Start();  // binds; port 0 picks one
  if (!started.ok()) return Fail(started);
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  std::printf("udp echo server on %s\n", server.address().ToString().c_str());
  return server.ServeForever().ok() ? 0 : 1;  // until killed
}

// Sends `message` as one datagram and prints the reply.
int Ask(const std::string& target, const std::string& message) {
  absl::StatusOr<SocketAddress> address = SocketAddress::Parse(target);
  if (!address.ok()) return Fail(address.status());
  absl::StatusOr<Socket> socket = Socket::Create(address->family(), SOCK_DGRAM);
  if (!socket.ok()) return Fail(socket.status());
  absl::StatusOr<std::size_t> sent = socket->SendTo(message, *address);
  if (!sent.ok()) return Fail(sent.status());
  std::string reply(65536, '\0');
  absl::StatusOr<std::size_t> got =
      socket->RecvFrom(reply.data(), reply.size(), nullptr, absl::Seconds(2));
  if (!got.ok()) return Fail(got.status());  // UDP: the reply may be lost
  reply.resize(*got);
  std::printf("%s\n", reply.c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::map<std::string, std::string> flags;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const size_t eq = arg.find('=');
    if (!absl::StartsWith(arg, "--") || eq == std::string::npos) {
      flags["bad"] = arg;
      break;
    }
    flags[arg.substr(2, eq - 2)] = arg.substr(eq + 1);
  }
  int port = -1;
  int in_flight = 256;
  const bool ports_ok =
      flags.count("port") && absl::SimpleAtoi(flags["port"], &port) &&
      port >= 0 && port <= 65535;
  const bool in_flight_ok =
      !flags.count("in-flight") ||
      (absl::SimpleAtoi(flags["in-flight"], &in_flight) && in_flight > 0);
  if (!flags.count("bad") && flags.count("connect")) {
    return Ask(flags["connect"], flags["message"]);
  }
  if (!flags.count("bad") && ports_ok && in_flight_ok) {
    return Serve(port, in_flight);
  }
  std::fprintf(stderr,
               "usage: udp_echo --port=N [--in-flight=N]\n"
               "       udp_echo --connect=HOST:PORT --message=TEXT\n");
  return 2;
}
