// OpenSSL failures as absl::Status.
//
// OpenSSL reports errors through a per-thread queue. Every greenlet of a
// hub shares its thread's queue, so the rule is: clear the queue right
// before an OpenSSL call and read it right after, with no switch between
// (nothing here ever switches greenlets).
//
// Thread affinity: the calling thread's queue.
#ifndef EVERGREEN_NET_INTERNAL_TLS_ERROR_H_
#define EVERGREEN_NET_INTERNAL_TLS_ERROR_H_

#include <openssl/types.h>

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace evergreen {
namespace internal {

// Empties the calling thread's OpenSSL error queue and returns its reasons,
// oldest first, joined by ": " ("" when it was empty).
std::string DrainOpenSslErrors();

// A Status with `code` and the message "what: <queued reasons>" (or
// "what: `fallback`" when the queue is empty). Empties the queue.
absl::Status OpenSslError(absl::StatusCode code, absl::string_view what,
                          absl::string_view fallback = "unknown error");

// The Status for an SSL call on `ssl` that failed with SSL_get_error()
// value `ssl_error` (SSL_ERROR_SSL or SSL_ERROR_SYSCALL). `sys_errno` is
// the errno seen by the transport (0 if none). The message is "what: ..."
// naming the reason: the certificate verification result text ("certificate
// has expired", "hostname mismatch", ...) when verification failed, else the
// OpenSSL reason ("tlsv13 alert certificate required", "unexpected eof while
// reading"). Codes: Unauthenticated for certificate problems on either
// side, the errno's code for transport errors, Unavailable otherwise.
// Empties the queue.
absl::Status TlsFailure(const SSL* ssl, int ssl_error, int sys_errno,
                        absl::string_view what);

}  // namespace internal
}  // namespace evergreen

#endif  // EVERGREEN_NET_INTERNAL_TLS_ERROR_H_
