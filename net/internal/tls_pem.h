// Loading PEM certificates and keys into an SSL_CTX, with errors that name
// the file (or "in-memory PEM") and the reason.
//
// Files are read here rather than by OpenSSL's file loaders so that a
// missing or unreadable file is reported with its errno text
// ("loading certificate chain /x.pem: No such file or directory") and
// files and in-memory PEM share one code path.
//
// Thread affinity: none (call before the context is shared).
#ifndef EVERGREEN_NET_INTERNAL_TLS_PEM_H_
#define EVERGREEN_NET_INTERNAL_TLS_PEM_H_

#include <openssl/types.h>

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "net/tls_options.h"

namespace evergreen {
namespace internal {

// The file's path, or "(in-memory PEM)".
std::string DescribePem(const PemSource& source);

// The PEM text of `source`. Errors: the errno's code (NotFound,
// PermissionDenied, ...) with "what: strerror"; InvalidArgument when
// `source` is empty.
absl::StatusOr<std::string> ReadPem(const PemSource& source,
                                    absl::string_view what);

// Makes `certificate` the identity `ctx` presents. Errors: as ReadPem;
// InvalidArgument naming the OpenSSL reason for unparsable PEM or a key
// that does not match the leaf certificate.
absl::Status UseCertificate(SSL_CTX* ctx, const TlsCertificate& certificate);

// Adds every certificate in `cas` to the trust store of `ctx`; with
// `name_to_clients`, also to the CA names a server sends in its
// certificate request. Errors: as ReadPem; InvalidArgument when `cas`
// holds no certificate.
absl::Status TrustCas(SSL_CTX* ctx, const PemSource& cas, bool name_to_clients);

}  // namespace internal
}  // namespace evergreen

#endif  // EVERGREEN_NET_INTERNAL_TLS_PEM_H_
