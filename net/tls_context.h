// TlsContext: the configuration TLS connections are made from — identity,
// trust, ALPN, and (for clients) the session cache.
//
//   TlsServerOptions options;
//   options.certificate = {PemSource::File("chain.pem"),
//                          PemSource::File("key.pem")};
//   absl::StatusOr<TlsContext> server = TlsContext::Server(options);
//   if (!server.ok()) return server.status();
//       // "loading certificate chain chain.pem: No such file or directory"
//
//   absl::StatusOr<TlsContext> client = TlsContext::Client({});  // system CAs
//
// Every context, whatever its options: TLS 1.2 or newer; renegotiation
// refused (SSL_OP_NO_RENEGOTIATION, B-X2); no compression; a client
// verifies the server's chain and name unless told not to; a server
// resumes sessions (TLS 1.3 tickets, TLS 1.2 session ids).
//
// A cheap handle: copies share one SSL_CTX, and connections keep their
// context alive. Immutable once made, so thread-safe: one context may serve
// hubs on many threads (the client session cache is locked).
#ifndef EVERGREEN_NET_TLS_CONTEXT_H_
#define EVERGREEN_NET_TLS_CONTEXT_H_

#include <openssl/types.h>

#include <memory>
#include <utility>

#include "absl/status/statusor.h"
#include "net/tls_options.h"

namespace evergreen {
namespace internal {
class TlsSessionCache;
}  // namespace internal

class TlsContext {
 public:
  // Creates a server context. Never blocks (beyond reading the PEM files).
  // Errors: InvalidArgument for missing or unusable options, unparsable
  // PEM, a key that does not match its certificate (the message names the
  // file and the OpenSSL reason); NotFound / PermissionDenied for files
  // that cannot be read ("loading private key /k.pem: No such file or
  // directory").
  static absl::StatusOr<TlsContext> Server(const TlsServerOptions& options);

  // Creates a client context. Errors as Server().
  static absl::StatusOr<TlsContext> Client(const TlsClientOptions& options);

  // A null context; usable only as a placeholder.
  TlsContext() = default;

  bool is_server() const;
  bool verifies_peer() const;

  // The underlying SSL_CTX, for settings this class does not cover. Change
  // it only before the context is shared or used.
  SSL_CTX* native_handle() const;

  // The client session cache, or nullptr (servers; resumption off).
  internal::TlsSessionCache* session_cache() const;

  explicit operator bool() const { return impl_ != nullptr; }

 private:
  struct Impl;
  explicit TlsContext(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}

  std::shared_ptr<Impl> impl_;
};

}  // namespace evergreen

#endif  // EVERGREEN_NET_TLS_CONTEXT_H_
