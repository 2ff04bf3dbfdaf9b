// unique_ptr owners for OpenSSL objects, so that every early return frees.
//
//   internal::X509Ptr cert(PEM_read_bio_X509(bio, nullptr, nullptr, nullptr));
//   if (cert == nullptr) return ...;      // freed on every path
#ifndef EVERGREEN_NET_INTERNAL_OPENSSL_PTR_H_
#define EVERGREEN_NET_INTERNAL_OPENSSL_PTR_H_

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <memory>

namespace evergreen {
namespace internal {

template <typename T, void (*Free)(T*)>
struct OpenSslDeleter {
  void operator()(T* p) const { Free(p); }
};

// BIO_free returns int; adapt it to the void(T*) shape.
inline void FreeBio(BIO* bio) { BIO_free(bio); }

using BioPtr = std::unique_ptr<BIO, OpenSslDeleter<BIO, FreeBio>>;
using X509Ptr = std::unique_ptr<X509, OpenSslDeleter<X509, X509_free>>;
using EvpPkeyPtr =
    std::unique_ptr<EVP_PKEY, OpenSslDeleter<EVP_PKEY, EVP_PKEY_free>>;
using SslCtxPtr =
    std::unique_ptr<SSL_CTX, OpenSslDeleter<SSL_CTX, SSL_CTX_free>>;
using SslPtr = std::unique_ptr<SSL, OpenSslDeleter<SSL, SSL_free>>;
using SslSessionPtr =
    std::unique_ptr<SSL_SESSION, OpenSslDeleter<SSL_SESSION, SSL_SESSION_free>>;

}  // namespace internal
}  // namespace evergreen

#endif  // EVERGREEN_NET_INTERNAL_OPENSSL_PTR_H_
