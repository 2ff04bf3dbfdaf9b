// A TCP echo server and its client, in blocking style on greenlets.
//
// Every connection runs in a greenlet of its own, so the handler below is
// written as if it had a thread to itself: Recv, SendAll, repeat. While one
// connection waits for data, the hub serves the others.
//
//   bazel run //samples/echo -- --port=7000                 # the server
//   bazel run //samples/echo -- --connect=127.0.0.1:7000    # lines from stdin
//   bazel run //samples/echo -- --connect=127.0.0.1:7000 --message=hello
//
// TLS (a --tls flag) comes with the StreamServer's tls option.
#include <cstdio>
#include <iostream>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "net/address.h"
#include "net/socket.h"
#include "net/stream_server.h"

namespace {

using evergreen::Socket;
using evergreen::SocketAddress;

// Runs in the connection's own greenlet; the server closes the connection
// when it returns.
void Echo(Socket& connection, const SocketAddress& peer) {
  std::printf("%s connected\n", peer.ToString().c_str());
  for (;;) {
    absl::StatusOr<std::string> data = connection.Recv(4096);  // yields
    if (!data.ok() || data->empty()) break;                    // error, EOF
    if (!connection.SendAll(*data).ok()) break;
  }
  std::printf("%s left\n", peer.ToString().c_str());
}

int Serve(int port) {
  absl::StatusOr<SocketAddress> address =
      SocketAddress::FromHostPort("127.0.0.1", port);
  if (!address.ok()) return 2;
  evergreen::StreamServer server(*address, Echo);
  absl::Status started = server.Start();  // binds; port 0 picks one
  if (!started.ok()) {
    std::fprintf(stderr, "%s\n", started.ToString().c_str());
    return 1;
  }
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // a line per event, even piped
  std::printf("echo server on %s\n", server.address().ToString().c_str());
  return server.ServeForever().ok() ? 0 : 1;  // until killed
}

// Sends `line` and prints what comes back, up to the newline.
absl::Status Ask(Socket& socket, const std::string& line) {
  absl::Status sent = socket.SendAll(line + "\n");
  if (!sent.ok()) return sent;
  std::string reply;
  while (!absl::EndsWith(reply, "\n")) {
    absl::StatusOr<std::string> part = socket.Recv(4096, absl::Seconds(5));
    if (!part.ok()) return part.status();
    if (part->empty()) return absl::UnavailableError("server closed");
    reply += *part;
  }
  std::printf("%s", reply.c_str());
  return absl::OkStatus();
}

int Connect(const std::string& target, const std::string* message) {
  absl::StatusOr<SocketAddress> address = SocketAddress::Parse(target);
  if (!address.ok()) {
    std::fprintf(stderr, "%s\n", address.status().ToString().c_str());
    return 2;
  }
  absl::StatusOr<Socket> socket = Socket::Connect(*address, absl::Seconds(5));
  if (!socket.ok()) {
    std::fprintf(stderr, "%s\n", socket.status().ToString().c_str());
    return 1;
  }
  absl::Status status;
  if (message != nullptr) {
    status = Ask(*socket, *message);
  } else {
    // The client does one thing at a time, so reading stdin with an
    // ordinary blocking call is fine here.
    std::string line;
    while (status.ok() && std::getline(std::cin, line)) {
      status = Ask(*socket, line);
    }
  }
  if (!status.ok()) std::fprintf(stderr, "%s\n", status.ToString().c_str());
  return status.ok() ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  int port = -1;
  std::string connect;
  std::string message;
  bool has_message = false;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (absl::StartsWith(arg, "--port=")) {
      if (!absl::SimpleAtoi(arg.substr(7), &port)) port = -1;
    } else if (absl::StartsWith(arg, "--connect=")) {
      connect = arg.substr(10);
    } else if (absl::StartsWith(arg, "--message=")) {
      message = arg.substr(10);
      has_message = true;
    } else {
      port = -2;  // unknown flag: print the usage
      break;
    }
  }
  if (!connect.empty())
    return Connect(connect, has_message ? &message : nullptr);
  if (port >= 0 && port <= 65535) return Serve(port);
  std::fprintf(stderr,
               "usage: echo --port=N | --connect=HOST:PORT [--message=TEXT]\n");
  return 2;
}
