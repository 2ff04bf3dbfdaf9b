// A TCP (or TLS) echo server and its client, in blocking style on greenlets.
//
// Every connection runs in a greenlet of its own, so the handler below is
// written as if it had a thread to itself: read, write back, repeat. While
// one connection waits for data, the hub serves the others.
//
//   bazel run //samples/echo -- --port=7000                 # the server
//   bazel run //samples/echo -- --connect=127.0.0.1:7000    # lines from stdin
//   bazel run //samples/echo -- --connect=127.0.0.1:7000 --message=hello
//
// With TLS (make a key and certificate first, e.g. with
//   openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes
//       -keyout key.pem -out cert.pem -days 1 -subj /CN=localhost
//       -addext subjectAltName=DNS:localhost
// on one line):
//   echo --port=7443 --tls-cert=cert.pem --tls-key=key.pem
//   echo --connect=127.0.0.1:7443 --tls-ca=cert.pem --message=hello
// The client checks the server's certificate for the name "localhost".
#include <cstdio>
#include <iostream>
#include <map>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "net/address.h"
#include "net/socket.h"
#include "net/stream_server.h"
#include "net/tls_context.h"
#include "net/tls_socket.h"
#include "net/tls_stream_server.h"

namespace {

using evergreen::PemSource;
using evergreen::Socket;
using evergreen::SocketAddress;
using evergreen::TlsContext;
using evergreen::TlsSocket;

// The two transports differ only in names.
absl::StatusOr<std::string> ReadSome(Socket& s) { return s.Recv(4096); }
absl::StatusOr<std::string> ReadSome(TlsSocket& s) { return s.Read(4096); }
absl::Status WriteAll(Socket& s, const std::string& d) { return s.SendAll(d); }
absl::Status WriteAll(TlsSocket& s, const std::string& d) {
  return s.WriteAll(d);
}

// Runs in the connection's own greenlet; the server closes the connection
// when it returns.
template <typename Connection>
void Echo(Connection& connection, const SocketAddress& peer) {
  std::printf("%s connected\n", peer.ToString().c_str());
  for (;;) {
    absl::StatusOr<std::string> data = ReadSome(connection);  // yields
    if (!data.ok() || data->empty()) break;                   // error, EOF
    if (!WriteAll(connection, *data).ok()) break;
  }
  std::printf("%s left\n", peer.ToString().c_str());
}

int Fail(const absl::Status& status) {
  std::fprintf(stderr, "%s\n", status.ToString().c_str());
  return 1;
}

int Serve(int port, const std::string& cert, const std::string& key) {
  absl::StatusOr<SocketAddress> address =
      SocketAddress::FromHostPort("127.0.0.1", port);
  if (!address.ok()) return Fail(address.status());
  std::unique_ptr<evergreen::StreamServer> server;
  if (cert.empty()) {
    server = std::make_unique<evergreen::StreamServer>(*address, Echo<Socket>);
  } else {
    absl::StatusOr<TlsContext> context = TlsContext::Server(
        {.certificate = {.chain = PemSource::File(cert),
                         .private_key = PemSource::File(key)}});
    if (!context.ok()) return Fail(context.status());
    server = std::make_unique<evergreen::TlsStreamServer>(
        *address, *context, Echo<TlsSocket>);
  }
  absl::Status started = server->Start();  // binds; port 0 picks one
  if (!started.ok()) return Fail(started);
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // a line per event, even piped
  std::printf("echo server%s on %s\n", cert.empty() ? "" : " (TLS)",
              server->address().ToString().c_str());
  return server->ServeForever().ok() ? 0 : 1;  // until killed
}

// Sends `line` and prints what comes back, up to the newline.
template <typename Connection>
absl::Status Ask(Connection& connection, const std::string& line) {
  absl::Status sent = WriteAll(connection, line + "\n");
  if (!sent.ok()) return sent;
  std::string reply;
  while (!absl::EndsWith(reply, "\n")) {
    absl::StatusOr<std::string> part = ReadSome(connection);
    if (!part.ok()) return part.status();
    if (part->empty()) return absl::UnavailableError("server closed");
    reply += *part;
  }
  std::printf("%s", reply.c_str());
  return absl::OkStatus();
}

// Asks `message`, or every line of stdin. The client does one thing at a
// time, so reading stdin with an ordinary blocking call is fine here.
template <typename Connection>
int Talk(Connection& connection, const std::string* message) {
  absl::Status status;
  if (message != nullptr) {
    status = Ask(connection, *message);
  } else {
    std::string line;
    while (status.ok() && std::getline(std::cin, line)) {
      status = Ask(connection, line);
    }
  }
  return status.ok() ? 0 : Fail(status);
}

int Connect(const std::string& target, const std::string* message,
            const std::string& ca) {
  absl::StatusOr<SocketAddress> address = SocketAddress::Parse(target);
  if (!address.ok()) return Fail(address.status());
  absl::StatusOr<Socket> socket = Socket::Connect(*address, absl::Seconds(5));
  if (!socket.ok()) return Fail(socket.status());
  socket->set_timeout(absl::Seconds(5));
  if (ca.empty()) return Talk(*socket, message);
  absl::StatusOr<TlsContext> context =
      TlsContext::Client({.ca = PemSource::File(ca)});
  if (!context.ok()) return Fail(context.status());
  absl::StatusOr<TlsSocket> tls = evergreen::TlsConnect(
      *std::move(socket), *context, "localhost", absl::Seconds(5));
  if (!tls.ok()) return Fail(tls.status());
  const int result = Talk(*tls, message);
  (void)tls->Shutdown(absl::Seconds(1));
  return result;
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
  const bool has_port = flags.count("port") != 0;
  if (has_port && !absl::SimpleAtoi(flags["port"], &port)) port = -1;
  const bool tls_server = flags.count("tls-cert") && flags.count("tls-key");
  if (flags.count("connect") && !flags.count("bad")) {
    return Connect(flags["connect"],
                   flags.count("message") ? &flags["message"] : nullptr,
                   flags["tls-ca"]);
  }
  if (has_port && port >= 0 && port <= 65535 && !flags.count("bad") &&
      (tls_server || !flags.count("tls-cert"))) {
    return Serve(port, tls_server ? flags["tls-cert"] : "",
                 tls_server ? flags["tls-key"] : "");
  }
  std::fprintf(stderr,
               "usage: echo --port=N [--tls-cert=PEM --tls-key=PEM]\n"
               "       echo --connect=HOST:PORT [--message=TEXT] "
               "[--tls-ca=PEM]\n");
  return 2;
}
