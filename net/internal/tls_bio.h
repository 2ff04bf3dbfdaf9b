// A BIO over a non-blocking socket that never raises SIGPIPE.
//
// OpenSSL's own socket BIO writes with write(2), which raises SIGPIPE when
// the peer has gone. This one sends with send(MSG_NOSIGNAL), as Socket
// does, so TLS needs no process-wide signal disposition. It never blocks:
// EAGAIN becomes a retry, which SSL_get_error() reports as
// SSL_ERROR_WANT_READ / SSL_ERROR_WANT_WRITE for the caller to wait on.
//
// Thread affinity: none of its own (the SSL object that owns it has one).
#ifndef EVERGREEN_NET_INTERNAL_TLS_BIO_H_
#define EVERGREEN_NET_INTERNAL_TLS_BIO_H_

#include <openssl/types.h>

namespace evergreen {
namespace internal {

// A new BIO over `fd` (not owned: the BIO never closes it). Returns
// nullptr if OpenSSL cannot allocate one.
BIO* NewSocketBio(int fd);

// The errno of the BIO's last failed send/recv (0 if none), which
// SSL_ERROR_SYSCALL refers to. REQUIRES: `bio` came from NewSocketBio.
int SocketBioErrno(BIO* bio);

}  // namespace internal
}  // namespace evergreen

#endif  // EVERGREEN_NET_INTERNAL_TLS_BIO_H_
