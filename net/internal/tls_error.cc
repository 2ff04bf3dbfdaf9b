#include "net/internal/tls_error.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "absl/strings/str_cat.h"

namespace evergreen {
namespace internal {
namespace {

// What the queue held: the reasons as text and what they say about the
// failure, gathered in one pass because reading the queue empties it.
struct QueuedErrors {
  std::string text;
  bool verify_failed = false;  // our verification of the peer failed
  bool certificate = false;    // the peer (or we) rejected a certificate
  bool unexpected_eof = false;
};

bool IsCertificateReason(int reason) {
  switch (reason) {
    case SSL_R_CERTIFICATE_VERIFY_FAILED:
    case SSL_R_PEER_DID_NOT_RETURN_A_CERTIFICATE:
    case SSL_R_SSLV3_ALERT_BAD_CERTIFICATE:
    case SSL_R_SSLV3_ALERT_UNSUPPORTED_CERTIFICATE:
    case SSL_R_SSLV3_ALERT_CERTIFICATE_REVOKED:
    case SSL_R_SSLV3_ALERT_CERTIFICATE_EXPIRED:
    case SSL_R_SSLV3_ALERT_CERTIFICATE_UNKNOWN:
    case SSL_R_TLSV1_ALERT_UNKNOWN_CA:
    case SSL_R_TLSV1_ALERT_ACCESS_DENIED:
    case SSL_R_TLSV13_ALERT_CERTIFICATE_REQUIRED:
      return true;
    default:
      return false;
  }
}

QueuedErrors Drain() {
  QueuedErrors errors;
  const char* data = nullptr;
  int flags = 0;
  while (unsigned long code =
             ERR_get_error_all(nullptr, nullptr, nullptr, &data, &flags)) {
    const char* reason = ERR_reason_error_string(code);
    std::string text;
    if (reason != nullptr) {
      text = reason;
    } else {
      char buffer[256];
      ERR_error_string_n(code, buffer, sizeof(buffer));
      text = buffer;
    }
    if ((flags & ERR_TXT_STRING) != 0 && data != nullptr && *data != '\0') {
      absl::StrAppend(&text, " (", data, ")");
    }
    if (!errors.text.empty()) errors.text += ": ";
    errors.text += text;
    if (ERR_GET_LIB(code) == ERR_LIB_SSL) {
      const int r = ERR_GET_REASON(code);
      if (r == SSL_R_CERTIFICATE_VERIFY_FAILED) errors.verify_failed = true;
      if (IsCertificateReason(r)) errors.certificate = true;
      if (r == SSL_R_UNEXPECTED_EOF_WHILE_READING) errors.unexpected_eof = true;
    }
  }
  return errors;
}

}  // namespace

std::string DrainOpenSslErrors() { return Drain().text; }

absl::Status OpenSslError(absl::StatusCode code, absl::string_view what,
                          absl::string_view fallback) {
  std::string reasons = DrainOpenSslErrors();
  return absl::Status(
      code, absl::StrCat(what, ": ", reasons.empty() ? fallback : reasons));
}

absl::Status TlsFailure(const SSL* ssl, int ssl_error, int sys_errno,
                        absl::string_view what) {
  const QueuedErrors errors = Drain();
  if (ssl_error == SSL_ERROR_SYSCALL && errors.text.empty()) {
    if (sys_errno != 0) return absl::ErrnoToStatus(sys_errno, what);
    return absl::UnavailableError(
        absl::StrCat(what, ": connection closed by peer"));
  }
  // The verification result holds the precise reason; the queue only says
  // "certificate verify failed". A result is recorded even when verification
  // is off, so it counts only when the queue says it failed the handshake.
  const long verify = SSL_get_verify_result(ssl);
  if (errors.verify_failed && verify != X509_V_OK) {
    return absl::UnauthenticatedError(
        absl::StrCat(what, ": certificate verify failed: ",
                     X509_verify_cert_error_string(verify)));
  }
  if (errors.unexpected_eof) {
    return absl::UnavailableError(
        absl::StrCat(what, ": connection closed by peer (", errors.text, ")"));
  }
  return absl::Status(
      errors.certificate ? absl::StatusCode::kUnauthenticated
                         : absl::StatusCode::kUnavailable,
      absl::StrCat(what, ": ",
                   errors.text.empty() ? "unknown TLS error" : errors.text));
}

}  // namespace internal
}  // namespace evergreen
