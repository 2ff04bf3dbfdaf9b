#include "net/tls_context.h"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "net/internal/openssl_ptr.h"
#include "net/internal/tls_error.h"
#include "net/internal/tls_pem.h"
#include "net/internal/tls_session_cache.h"

namespace evergreen {

struct TlsContext::Impl {
  // Declared before `ctx` so that they outlive it: OpenSSL callbacks on
  // the SSL_CTX point into them.
  std::string alpn_wire;  // server: its protocols, wire format
  std::unique_ptr<internal::TlsSessionCache> sessions;
  internal::SslCtxPtr ctx;
  bool server = false;
  bool verify_peer = false;
};

namespace {

constexpr unsigned char kSessionIdContext[] = "evergreen";

// ALPN's wire format: each protocol name prefixed by its length.
absl::StatusOr<std::string> AlpnWire(const std::vector<std::string>& names) {
  std::string wire;
  for (const std::string& name : names) {
    if (name.empty() || name.size() > 255) {
      return absl::InvalidArgumentError(absl::StrCat(
          "ALPN protocol \"", name, "\": must be 1 to 255 bytes long"));
    }
    wire.push_back(static_cast<char>(name.size()));
    wire += name;
  }
  return wire;
}

absl::StatusOr<internal::SslCtxPtr> NewCtx(const SSL_METHOD* method) {
  ERR_clear_error();
  internal::SslCtxPtr ctx(SSL_CTX_new(method));
  if (ctx == nullptr) {
    return internal::OpenSslError(absl::StatusCode::kInternal,
                                  "creating SSL_CTX");
  }
  SSL_CTX_set_min_proto_version(ctx.get(), TLS1_2_VERSION);
  SSL_CTX_set_options(ctx.get(),
                      SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION);
  // A write interrupted by EAGAIN is retried by a later call that may pass
  // a longer (moved) buffer; partial writes let Write() return what one
  // record took, like send(2).
  // RELEASE_BUFFERS: an idle connection holds no record buffers (~34 KiB
  // otherwise), as in nginx; a burst of 500 idle TLS connections peaks
  // ~3 MB lower.
  SSL_CTX_set_mode(ctx.get(), SSL_MODE_ENABLE_PARTIAL_WRITE |
                                  SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER |
                                  SSL_MODE_RELEASE_BUFFERS);
  return ctx;
}

int SelectAlpn(SSL*, const unsigned char** out, unsigned char* out_size,
               const unsigned char* offered, unsigned int offered_size,
               void* arg) {
  const std::string& ours = *static_cast<const std::string*>(arg);
  unsigned char* chosen = nullptr;
  unsigned char chosen_size = 0;
  if (SSL_select_next_proto(&chosen, &chosen_size,
                            reinterpret_cast<const unsigned char*>(ours.data()),
                            static_cast<unsigned int>(ours.size()), offered,
                            offered_size) != OPENSSL_NPN_NEGOTIATED) {
    return SSL_TLSEXT_ERR_NOACK;  // go on without ALPN
  }
  *out = chosen;
  *out_size = chosen_size;
  return SSL_TLSEXT_ERR_OK;
}

}  // namespace

absl::StatusOr<TlsContext> TlsContext::Server(const TlsServerOptions& options) {
  auto impl = std::make_shared<Impl>();
  impl->server = true;
  impl->verify_peer = options.client_auth != ClientAuth::kNone;
  absl::StatusOr<std::string> alpn = AlpnWire(options.alpn);
  if (!alpn.ok()) return alpn.status();
  impl->alpn_wire = *std::move(alpn);
  absl::StatusOr<internal::SslCtxPtr> ctx = NewCtx(TLS_server_method());
  if (!ctx.ok()) return ctx.status();
  impl->ctx = *std::move(ctx);
  SSL_CTX* raw = impl->ctx.get();
  SSL_CTX_set_options(raw, SSL_OP_CIPHER_SERVER_PREFERENCE);

  absl::Status status = internal::UseCertificate(raw, options.certificate);
  if (!status.ok()) return status;

  if (options.client_auth != ClientAuth::kNone) {
    if (options.client_ca.empty()) {
      return absl::InvalidArgumentError(
          "TLS server: client_ca is required to verify client certificates");
    }
    status = internal::TrustCas(raw, options.client_ca,
                                /*name_to_clients=*/true);
    if (!status.ok()) return status;
    SSL_CTX_set_verify(raw,
                       options.client_auth == ClientAuth::kRequire
                           ? SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT
                           : SSL_VERIFY_PEER,
                       nullptr);
  }
  // Resumed sessions must come from this configuration; OpenSSL refuses to
  // resume (and fails the handshake) without a context when verifying.
  SSL_CTX_set_session_id_context(raw, kSessionIdContext,
                                 sizeof(kSessionIdContext) - 1);
  if (!impl->alpn_wire.empty()) {
    SSL_CTX_set_alpn_select_cb(raw, SelectAlpn, &impl->alpn_wire);
  }
  return TlsContext(std::move(impl));
}

absl::StatusOr<TlsContext> TlsContext::Client(const TlsClientOptions& options) {
  auto impl = std::make_shared<Impl>();
  impl->verify_peer = options.verify_peer;
  absl::StatusOr<std::string> alpn = AlpnWire(options.alpn);
  if (!alpn.ok()) return alpn.status();
  absl::StatusOr<internal::SslCtxPtr> ctx = NewCtx(TLS_client_method());
  if (!ctx.ok()) return ctx.status();
  impl->ctx = *std::move(ctx);
  SSL_CTX* raw = impl->ctx.get();

  absl::Status status;
  if (options.ca.empty()) {
    ERR_clear_error();
    if (SSL_CTX_set_default_verify_paths(raw) != 1) {
      status = internal::OpenSslError(absl::StatusCode::kInternal,
                                      "loading the system CA certificates");
    }
  } else {
    status = internal::TrustCas(raw, options.ca, /*name_to_clients=*/false);
  }
  if (status.ok() && options.certificate.has_value()) {
    status = internal::UseCertificate(raw, *options.certificate);
  }
  if (!status.ok()) return status;
  SSL_CTX_set_verify(
      raw, options.verify_peer ? SSL_VERIFY_PEER : SSL_VERIFY_NONE, nullptr);
  // Unlike most of OpenSSL, this one returns 0 on success.
  if (!alpn->empty() &&
      SSL_CTX_set_alpn_protos(
          raw, reinterpret_cast<const unsigned char*>(alpn->data()),
          static_cast<unsigned int>(alpn->size())) != 0) {
    return internal::OpenSslError(absl::StatusCode::kInternal, "setting ALPN");
  }
  if (options.session_cache_size > 0) {
    impl->sessions =
        std::make_unique<internal::TlsSessionCache>(options.session_cache_size);
    impl->sessions->Attach(raw);
  } else {
    SSL_CTX_set_session_cache_mode(raw, SSL_SESS_CACHE_OFF);
  }
  return TlsContext(std::move(impl));
}

bool TlsContext::is_server() const { return impl_ != nullptr && impl_->server; }
bool TlsContext::verifies_peer() const {
  return impl_ != nullptr && impl_->verify_peer;
}
SSL_CTX* TlsContext::native_handle() const {
  return impl_ != nullptr ? impl_->ctx.get() : nullptr;
}
internal::TlsSessionCache* TlsContext::session_cache() const {
  return impl_ != nullptr ? impl_->sessions.get() : nullptr;
}

}  // namespace evergreen
