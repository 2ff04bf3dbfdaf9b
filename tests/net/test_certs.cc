#include "tests/net/test_certs.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <cstdlib>

#include "net/internal/openssl_ptr.h"

namespace evergreen {
namespace {

using internal::BioPtr;
using internal::EvpPkeyPtr;
using internal::X509Ptr;

constexpr long kDay = 24 * 60 * 60;

// A test helper has no caller to report to: fail loudly.
void Check(bool ok, const char* what) {
  if (ok) return;
  std::fprintf(stderr, "test_certs: %s failed\n", what);
  ERR_print_errors_fp(stderr);
  std::abort();
}

EvpPkeyPtr NewKey() {
  EvpPkeyPtr key(EVP_EC_gen("P-256"));
  Check(key != nullptr, "EVP_EC_gen");
  return key;
}

struct CertSpec {
  std::string common_name;
  bool is_ca = false;
  const char* subject_alt_name = nullptr;  // e.g. "DNS:localhost"
  const char* extended_key_usage = nullptr;
  long not_before = -kDay;  // seconds from now
  long not_after = 30 * kDay;
};

void AddExtension(X509* cert, X509V3_CTX* ctx, int nid, const char* value) {
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, ctx, nid, value);
  Check(ext != nullptr, value);
  Check(X509_add_ext(cert, ext, -1) == 1, "X509_add_ext");
  X509_EXTENSION_free(ext);
}

// A certificate for `key`, signed by `issuer` / `issuer_key` (self-signed
// when `issuer` is null).
X509Ptr MakeCert(const CertSpec& spec, EVP_PKEY* key, X509* issuer,
                 EVP_PKEY* issuer_key) {
  static long serial = 1;
  X509Ptr cert(X509_new());
  Check(cert != nullptr, "X509_new");
  Check(X509_set_version(cert.get(), X509_VERSION_3) == 1, "X509_set_version");
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), serial++);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), spec.not_before);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), spec.not_after);
  Check(X509_set_pubkey(cert.get(), key) == 1, "X509_set_pubkey");
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(
      name, "O", MBSTRING_ASC,
      reinterpret_cast<const unsigned char*>("Evergreen Tests"), -1, -1, 0);
  X509_NAME_add_entry_by_txt(
      name, "CN", MBSTRING_ASC,
      reinterpret_cast<const unsigned char*>(spec.common_name.c_str()), -1, -1,
      0);
  Check(X509_set_issuer_name(cert.get(), issuer != nullptr
                                             ? X509_get_subject_name(issuer)
                                             : name) == 1,
        "X509_set_issuer_name");

  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer != nullptr ? issuer : cert.get(), cert.get(),
                 nullptr, nullptr, 0);
  AddExtension(cert.get(), &ctx, NID_subject_key_identifier, "hash");
  if (spec.is_ca) {
    AddExtension(cert.get(), &ctx, NID_basic_constraints, "critical,CA:TRUE");
    AddExtension(cert.get(), &ctx, NID_key_usage,
                 "critical,keyCertSign,cRLSign");
  } else {
    AddExtension(cert.get(), &ctx, NID_basic_constraints, "critical,CA:FALSE");
    AddExtension(cert.get(), &ctx, NID_key_usage, "critical,digitalSignature");
    AddExtension(cert.get(), &ctx, NID_authority_key_identifier,
                 "keyid:always");
  }
  if (spec.extended_key_usage != nullptr) {
    AddExtension(cert.get(), &ctx, NID_ext_key_usage, spec.extended_key_usage);
  }
  if (spec.subject_alt_name != nullptr) {
    AddExtension(cert.get(), &ctx, NID_subject_alt_name, spec.subject_alt_name);
  }
  Check(X509_sign(cert.get(), issuer_key != nullptr ? issuer_key : key,
                  EVP_sha256()) > 0,
        "X509_sign");
  return cert;
}

std::string ToPem(BioPtr bio) {
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, size);
}

std::string CertPem(X509* cert) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  Check(PEM_write_bio_X509(bio.get(), cert) == 1, "PEM_write_bio_X509");
  return ToPem(std::move(bio));
}

std::string KeyPem(EVP_PKEY* key) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  Check(PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr,
                                 nullptr) == 1,
        "PEM_write_bio_PrivateKey");
  return ToPem(std::move(bio));
}

struct Authority {
  EvpPkeyPtr key;
  X509Ptr cert;

  explicit Authority(const std::string& name) : key(NewKey()) {
    CertSpec spec;
    spec.common_name = name;
    spec.is_ca = true;
    spec.not_after = 3650 * kDay;
    cert = MakeCert(spec, key.get(), nullptr, nullptr);
  }

  TestIdentity Issue(const CertSpec& spec) const {
    EvpPkeyPtr leaf_key = NewKey();
    X509Ptr leaf = MakeCert(spec, leaf_key.get(), cert.get(), key.get());
    return {CertPem(leaf.get()), KeyPem(leaf_key.get())};
  }
};

constexpr char kServerNames[] = "DNS:localhost,IP:127.0.0.1,IP:::1";

CertSpec ServerSpec() {
  CertSpec spec;
  spec.common_name = "localhost";
  spec.subject_alt_name = kServerNames;
  spec.extended_key_usage = "serverAuth";
  return spec;
}

CertSpec ClientSpec() {
  CertSpec spec;
  spec.common_name = "evergreen test client";
  spec.extended_key_usage = "clientAuth";
  return spec;
}

TestPki Generate() {
  const Authority ca("Evergreen Test CA");
  const Authority other("Evergreen Other CA");
  TestPki pki;
  pki.ca_pem = CertPem(ca.cert.get());
  pki.other_ca_pem = CertPem(other.cert.get());
  pki.server = ca.Issue(ServerSpec());

  CertSpec expired = ServerSpec();
  expired.not_before = -30 * kDay;
  expired.not_after = -kDay;
  pki.expired_server = ca.Issue(expired);

  CertSpec future = ServerSpec();
  future.not_before = kDay;
  future.not_after = 30 * kDay;
  pki.future_server = ca.Issue(future);

  CertSpec wrong_host = ServerSpec();
  wrong_host.common_name = "wrong.example";
  wrong_host.subject_alt_name = "DNS:wrong.example";
  pki.wrong_host_server = ca.Issue(wrong_host);

  pki.untrusted_server = other.Issue(ServerSpec());
  pki.client = ca.Issue(ClientSpec());
  pki.untrusted_client = other.Issue(ClientSpec());
  return pki;
}

}  // namespace

const TestPki& TestCertificates() {
  static const TestPki* const pki = new TestPki(Generate());
  return *pki;
}

}  // namespace evergreen
