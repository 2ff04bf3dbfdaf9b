// Certificates for TLS tests, generated at run time with OpenSSL (ECDSA
// P-256, so a whole set takes milliseconds). Nothing is read from disk.
//
//   const TestPki& pki = TestCertificates();
//   TlsServerOptions server;
//   server.certificate = pki.server.AsCertificate();
//   TlsClientOptions client;
//   client.ca = PemSource::Text(pki.ca_pem);
//
// Server certificates name "localhost", 127.0.0.1 and ::1 unless said
// otherwise. Generated once per process; thread-safe.
#ifndef EVERGREEN_TESTS_NET_TEST_CERTS_H_
#define EVERGREEN_TESTS_NET_TEST_CERTS_H_

#include <string>

#include "net/tls_options.h"

namespace evergreen {

struct TestIdentity {
  std::string cert_pem;  // the leaf alone (its CA is the trust anchor)
  std::string key_pem;
  TlsCertificate AsCertificate() const {
    return {PemSource::Text(cert_pem), PemSource::Text(key_pem)};
  }
};

struct TestPki {
  std::string ca_pem;              // the CA tests trust
  std::string other_ca_pem;        // a CA nobody trusts
  TestIdentity server;             // valid, signed by the CA
  TestIdentity expired_server;     // notAfter yesterday
  TestIdentity future_server;      // notBefore tomorrow
  TestIdentity wrong_host_server;  // names only "wrong.example"
  TestIdentity untrusted_server;   // signed by the other CA
  TestIdentity client;             // CN "evergreen test client", by the CA
  TestIdentity untrusted_client;   // signed by the other CA
};

const TestPki& TestCertificates();

}  // namespace evergreen

#endif  // EVERGREEN_TESTS_NET_TEST_CERTS_H_
