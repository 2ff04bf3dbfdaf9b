// TlsSessionCache: the client sessions of one TlsContext, by server.
//
// A server hands the client a session (a TLS 1.3 ticket after the
// handshake, or the TLS 1.2 session); offering it on the next connection
// to the same server resumes it without certificate exchange. OpenSSL
// announces new sessions through a callback on the SSL_CTX; this cache
// files them under the key the connection was given ("host:port") and
// offers the newest one for that key.
//
//   cache.Attach(ctx);                        // once, on a client SSL_CTX
//   cache.Prepare(ssl, "example.com:443");    // before each handshake
//
// Thread-safe: a context (and its cache) may serve hubs on many threads.
// Bounded: when full, an arbitrary entry is dropped.
#ifndef EVERGREEN_NET_INTERNAL_TLS_SESSION_CACHE_H_
#define EVERGREEN_NET_INTERNAL_TLS_SESSION_CACHE_H_

#include <openssl/types.h>

#include <cstddef>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "net/internal/openssl_ptr.h"

namespace evergreen {
namespace internal {

class TlsSessionCache {
 public:
  // REQUIRES: capacity > 0.
  explicit TlsSessionCache(std::size_t capacity) : capacity_(capacity) {}
  TlsSessionCache(const TlsSessionCache&) = delete;
  TlsSessionCache& operator=(const TlsSessionCache&) = delete;

  // Routes new sessions of connections made from `ctx` here.
  // REQUIRES: `ctx` is a client context; this cache outlives it and every
  // SSL made from it.
  void Attach(SSL_CTX* ctx);

  // Files `ssl`'s future sessions under `key` and, when one is cached for
  // `key`, offers it for resumption.
  void Prepare(SSL* ssl, const std::string& key);

  std::size_t size() const;

 private:
  static int OnNewSession(SSL* ssl, SSL_SESSION* session);
  void Put(const std::string& key, SSL_SESSION* session);

  const std::size_t capacity_;
  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, SslSessionPtr> sessions_
      ABSL_GUARDED_BY(mu_);
};

}  // namespace internal
}  // namespace evergreen

#endif  // EVERGREEN_NET_INTERNAL_TLS_SESSION_CACHE_H_
