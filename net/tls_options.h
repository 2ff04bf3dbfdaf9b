// What a TlsContext is made from: certificates, keys, trust anchors, ALPN.
//
//   TlsServerOptions server;
//   server.certificate = {PemSource::File("/etc/app/chain.pem"),
//                         PemSource::File("/etc/app/key.pem")};
//   server.alpn = {"h2", "http/1.1"};
//
//   TlsClientOptions client;              // system CAs, peer verified
//   client.alpn = {"http/1.1"};
//
// Plain values; thread-compatible. See net/tls_context.h for the policy
// every context applies whatever the options (TLS 1.2 minimum, no
// renegotiation).
#ifndef EVERGREEN_NET_TLS_OPTIONS_H_
#define EVERGREEN_NET_TLS_OPTIONS_H_

#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace evergreen {

// PEM text, read from a file when the context is created or given in
// memory. Empty when neither is set.
struct PemSource {
  static PemSource File(std::string path) {
    PemSource source;
    source.path = std::move(path);
    return source;
  }
  static PemSource Text(std::string pem) {
    PemSource source;
    source.text = std::move(pem);
    return source;
  }
  bool empty() const { return path.empty() && text.empty(); }

  std::string path;  // read when set, else `text` is used
  std::string text;
};

// An identity: a certificate chain (leaf first, then intermediates) and
// the leaf's private key (unencrypted PEM).
struct TlsCertificate {
  PemSource chain;
  PemSource private_key;
};

// Whether a server asks clients for a certificate.
enum class ClientAuth {
  kNone,      // never asks
  kOptional,  // asks; a client without one is let in, a bad one is refused
  kRequire,   // asks; a client without a valid one is refused
};

struct TlsServerOptions {
  // REQUIRES: set.
  TlsCertificate certificate;
  ClientAuth client_auth = ClientAuth::kNone;
  // The CAs client certificates must chain to, also named to clients in
  // the certificate request. REQUIRES: set unless client_auth is kNone.
  PemSource client_ca;
  // Protocols the server speaks, most preferred first. The first of these
  // the client also offers is chosen; with no overlap the handshake goes on
  // without ALPN (the server does not abort).
  std::vector<std::string> alpn;
};

struct TlsClientOptions {
  // Trusted CAs. Empty: OpenSSL's default paths (the system bundle).
  PemSource ca;
  // Verify the server's chain and name (the name given to the handshake).
  // Turning this off accepts any server, including an attacker: tests only.
  bool verify_peer = true;
  // A client certificate for servers that ask for one.
  std::optional<TlsCertificate> certificate;
  // Protocols offered, most preferred first.
  std::vector<std::string> alpn;
  // Keep the sessions servers hand out, by "server_name:port", and offer
  // them on the next connection (abbreviated handshake). At most
  // `session_cache_size` entries; 0 turns resumption off. A session whose
  // connection was closed without TlsSocket::Shutdown() (close_notify) is
  // not offered again: OpenSSL treats it as possibly truncated.
  std::size_t session_cache_size = 256;
};

}  // namespace evergreen

#endif  // EVERGREEN_NET_TLS_OPTIONS_H_
