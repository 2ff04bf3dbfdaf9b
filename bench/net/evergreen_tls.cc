// The Evergreen side of the TLS handshake comparison: a TlsStreamServer
// whose handler, once the handshake is done, waits for a request as nginx
// does and closes when the client does (tls_handshake_load closes right
// after its handshake, without close_notify, so neither server sends one).
// Prints "port <n>" once listening; serves until killed.
//
// Fair because it is configured as server_bench.py configures nginx: the
// same ECDSA P-256 certificate and key, TLS 1.3 only, OpenSSL's default
// groups and ciphers, and no session resumption (no tickets, no session
// cache), so every handshake tls_handshake_load makes is a full one on
// either server. Both run one thread, pinned to the same core.
//
// Usage: evergreen_tls <certificate.pem> <key.pem> [port=0]
#include <openssl/ssl.h>

#include <cstdio>

#include "absl/status/statusor.h"
#include "bench/net/serve_common.h"
#include "net/tls_context.h"
#include "net/tls_options.h"
#include "net/tls_socket.h"
#include "net/tls_stream_server.h"

namespace evergreen::bench {
namespace {

// TLS 1.3 full handshakes only: what TlsContext does not configure.
void FullHandshakesOnly(SSL_CTX* ctx) {
  SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION);
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
  SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
  SSL_CTX_set_num_tickets(ctx, 0);
}

int Main(int argc, char** argv) {
  absl::StatusOr<SocketAddress> address =
      LoopbackAddress(argc > 3 ? argv[3] : "0");
  if (argc < 3 || argc > 4 || !address.ok()) {
    std::fprintf(stderr,
                 "usage: evergreen_tls <certificate.pem> <key.pem> [port=0]\n");
    return 2;
  }
  absl::StatusOr<TlsContext> context = TlsContext::Server(
      {.certificate = {.chain = PemSource::File(argv[1]),
                       .private_key = PemSource::File(argv[2])}});
  if (!context.ok()) {
    std::fprintf(stderr, "%s\n", context.status().ToString().c_str());
    return 1;
  }
  FullHandshakesOnly(context->native_handle());
  TlsStreamServer server(*address, *context,
                         [](TlsSocket& connection, const SocketAddress&) {
                           char request[512];
                           (void)connection.ReadInto(request, sizeof(request));
                         });
  return AnnounceAndServe(server);
}

}  // namespace
}  // namespace evergreen::bench

int main(int argc, char** argv) { return evergreen::bench::Main(argc, argv); }
