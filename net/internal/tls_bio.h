// A BIO over a non-blocking socket that never raises SIGPIPE.
//
// OpenSSL's own socket BIO writes with write(2), which raises SIGPIPE when
// the peer has gone. This one sends with send(MSG_NOSIGNAL), as Socket
// does, so TLS needs no process-wide signal disposition. It never blocks:
// EAGAIN becomes a retry, which SSL_get_error() reports as
// SSL_ERROR_WANT_READ / SSL_ERROR_WANT_WRITE for the caller to wait on.
//
// Coalescing: while "held" (SetSocketBioHold), writes are kept in the BIO
// instead of being sent, and OpenSSL's flushes are deferred; once released,
// a write made while output is still pending is appended and sent with it.
// TlsSocket holds output during the handshake, so that a flight — and a TLS
// 1.3 server's session tickets, which then ride with the first reply — goes
// out in one send instead of one per record (B-LR2). The owner sends
// pending output with FlushSocketBio before it waits to read and after
// each write; with nothing pending a write is one send(2), as before.
//
// Thread affinity: none of its own (the SSL object that owns it has one).
#ifndef EVERGREEN_NET_INTERNAL_TLS_BIO_H_
#define EVERGREEN_NET_INTERNAL_TLS_BIO_H_

#include <openssl/types.h>

#include <cstddef>

namespace evergreen {
namespace internal {

// A new BIO over `fd` (not owned: the BIO never closes it). Returns
// nullptr if OpenSSL cannot allocate one.
BIO* NewSocketBio(int fd);

// The errno of the BIO's last failed send/recv (0 if none), which
// SSL_ERROR_SYSCALL refers to. REQUIRES: `bio` came from NewSocketBio.
int SocketBioErrno(BIO* bio);

// Holds (true) or releases (false) output, as above. Releasing sends
// nothing by itself.
void SetSocketBioHold(BIO* bio, bool hold);

// Sends pending output without blocking, whether held or not. Returns 1
// when nothing is left, 0 when the socket would block with some left, -1
// on a send error (SocketBioErrno tells which).
int FlushSocketBio(BIO* bio);

// Bytes written but not yet sent.
std::size_t SocketBioPending(BIO* bio);

}  // namespace internal
}  // namespace evergreen

#endif  // EVERGREEN_NET_INTERNAL_TLS_BIO_H_
