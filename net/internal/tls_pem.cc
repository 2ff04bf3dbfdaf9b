#include "net/internal/tls_pem.h"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <unistd.h>

#include <cerrno>

#include "absl/strings/str_cat.h"
#include "net/internal/openssl_ptr.h"
#include "net/internal/tls_error.h"

namespace evergreen {
namespace internal {
namespace {

// Encrypted keys are not supported; without this OpenSSL would prompt for
// a passphrase on the terminal.
int NoPassphrase(char*, int, int, void*) { return 0; }

absl::StatusOr<std::string> ReadFile(const std::string& path,
                                     absl::string_view what) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return absl::ErrnoToStatus(errno, what);
  std::string data;
  char buffer[4096];
  for (;;) {
    const ssize_t n = read(fd, buffer, sizeof(buffer));
    if (n > 0) {
      data.append(buffer, n);
    } else if (n == 0) {
      break;
    } else if (errno != EINTR) {
      const int err = errno;
      close(fd);
      return absl::ErrnoToStatus(err, what);
    }
  }
  close(fd);
  return data;
}

BioPtr MemoryBio(const std::string& pem) {
  return BioPtr(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
}

// Reading PEM blocks until none is left ends with a "no start line" error
// that only means "end of input".
void ForgetEndOfInput() {
  const unsigned long last = ERR_peek_last_error();
  if (ERR_GET_LIB(last) == ERR_LIB_PEM &&
      ERR_GET_REASON(last) == PEM_R_NO_START_LINE) {
    ERR_clear_error();
  }
}

absl::Status UseChain(SSL_CTX* ctx, const PemSource& chain) {
  const std::string what =
      absl::StrCat("loading certificate chain ", DescribePem(chain));
  absl::StatusOr<std::string> pem = ReadPem(chain, what);
  if (!pem.ok()) return pem.status();
  BioPtr bio = MemoryBio(*pem);
  ERR_clear_error();
  X509Ptr leaf(PEM_read_bio_X509_AUX(bio.get(), nullptr, nullptr, nullptr));
  if (leaf == nullptr) {
    return OpenSslError(absl::StatusCode::kInvalidArgument, what,
                        "no certificate found");
  }
  if (SSL_CTX_use_certificate(ctx, leaf.get()) != 1) {
    return OpenSslError(absl::StatusCode::kInvalidArgument, what);
  }
  SSL_CTX_clear_chain_certs(ctx);
  while (
      X509Ptr next{PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)}) {
    if (SSL_CTX_add0_chain_cert(ctx, next.get()) != 1) {
      return OpenSslError(absl::StatusCode::kInvalidArgument, what);
    }
    next.release();  // owned by ctx now
  }
  ForgetEndOfInput();
  if (ERR_peek_error() != 0) {  // a later block was not a certificate
    return OpenSslError(absl::StatusCode::kInvalidArgument, what);
  }
  return absl::OkStatus();
}

// Loads the key and pairs it with the leaf already in `ctx`.
absl::Status UseKey(SSL_CTX* ctx, const TlsCertificate& certificate) {
  const PemSource& key = certificate.private_key;
  const std::string what =
      absl::StrCat("loading private key ", DescribePem(key));
  absl::StatusOr<std::string> pem = ReadPem(key, what);
  if (!pem.ok()) return pem.status();
  BioPtr bio = MemoryBio(*pem);
  ERR_clear_error();
  EvpPkeyPtr pkey(
      PEM_read_bio_PrivateKey(bio.get(), nullptr, NoPassphrase, nullptr));
  OPENSSL_cleanse(pem->data(), pem->size());
  if (pkey == nullptr) {
    return OpenSslError(absl::StatusCode::kInvalidArgument, what,
                        "no private key found");
  }
  // This also checks the key against the leaf certificate.
  if (SSL_CTX_use_PrivateKey(ctx, pkey.get()) != 1) {
    return OpenSslError(
        absl::StatusCode::kInvalidArgument,
        absl::StrCat("using private key ", DescribePem(key),
                     " with certificate ", DescribePem(certificate.chain)));
  }
  return absl::OkStatus();
}

}  // namespace

std::string DescribePem(const PemSource& source) {
  return source.path.empty() ? "(in-memory PEM)" : source.path;
}

absl::StatusOr<std::string> ReadPem(const PemSource& source,
                                    absl::string_view what) {
  if (!source.path.empty()) return ReadFile(source.path, what);
  if (source.text.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(what, ": not set"));
  }
  return source.text;
}

absl::Status UseCertificate(SSL_CTX* ctx, const TlsCertificate& certificate) {
  absl::Status status = UseChain(ctx, certificate.chain);
  if (status.ok()) status = UseKey(ctx, certificate);
  return status;
}

absl::Status TrustCas(SSL_CTX* ctx, const PemSource& cas,
                      bool name_to_clients) {
  const std::string what =
      absl::StrCat("loading CA certificates ", DescribePem(cas));
  absl::StatusOr<std::string> pem = ReadPem(cas, what);
  if (!pem.ok()) return pem.status();
  BioPtr bio = MemoryBio(*pem);
  ERR_clear_error();
  STACK_OF(X509_INFO)* infos =
      PEM_X509_INFO_read_bio(bio.get(), nullptr, nullptr, nullptr);
  if (infos == nullptr) {
    return OpenSslError(absl::StatusCode::kInvalidArgument, what,
                        "no certificate found");
  }
  X509_STORE* store = SSL_CTX_get_cert_store(ctx);
  int added = 0;
  absl::Status status;
  for (int i = 0; i < sk_X509_INFO_num(infos) && status.ok(); ++i) {
    X509* cert = sk_X509_INFO_value(infos, i)->x509;
    if (cert == nullptr) continue;
    if (X509_STORE_add_cert(store, cert) != 1 ||
        (name_to_clients && SSL_CTX_add_client_CA(ctx, cert) != 1)) {
      status = OpenSslError(absl::StatusCode::kInvalidArgument, what);
    }
    ++added;
  }
  sk_X509_INFO_pop_free(infos, X509_INFO_free);
  if (status.ok()) ERR_clear_error();
  if (status.ok() && added == 0) {
    status = absl::InvalidArgumentError(
        absl::StrCat(what, ": no certificate found"));
  }
  return status;
}

}  // namespace internal
}  // namespace evergreen
