#include "net/internal/tls_session_cache.h"

#include <openssl/ssl.h>

namespace evergreen {
namespace internal {
namespace {

void FreeKey(void*, void* key, CRYPTO_EX_DATA*, int, long, void*) {
  delete static_cast<std::string*>(key);
}

// Where the cache hangs off its SSL_CTX, and the key off each SSL.
// Allocated once per process (OpenSSL keeps the indexes until exit).
int CacheIndex() {
  static const int index =
      SSL_CTX_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return index;
}

int KeyIndex() {
  static const int index =
      SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, FreeKey);
  return index;
}

}  // namespace

void TlsSessionCache::Attach(SSL_CTX* ctx) {
  SSL_CTX_set_ex_data(ctx, CacheIndex(), this);
  // OpenSSL's internal client store is not keyed by server; ours is.
  SSL_CTX_set_session_cache_mode(
      ctx, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
  SSL_CTX_sess_set_new_cb(ctx, &TlsSessionCache::OnNewSession);
}

void TlsSessionCache::Prepare(SSL* ssl, const std::string& key) {
  delete static_cast<std::string*>(SSL_get_ex_data(ssl, KeyIndex()));
  SSL_set_ex_data(ssl, KeyIndex(), new std::string(key));
  SslSessionPtr offer;
  {
    absl::MutexLock lock(&mu_);
    auto it = sessions_.find(key);
    if (it != sessions_.end() && SSL_SESSION_is_resumable(it->second.get())) {
      SSL_SESSION_up_ref(it->second.get());
      offer.reset(it->second.get());
    }
  }
  // Offered, not required: a server that declines makes a full handshake.
  if (offer != nullptr) SSL_set_session(ssl, offer.get());
}

std::size_t TlsSessionCache::size() const {
  absl::MutexLock lock(&mu_);
  return sessions_.size();
}

int TlsSessionCache::OnNewSession(SSL* ssl, SSL_SESSION* session) {
  auto* cache = static_cast<TlsSessionCache*>(
      SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), CacheIndex()));
  auto* key = static_cast<std::string*>(SSL_get_ex_data(ssl, KeyIndex()));
  if (cache == nullptr || key == nullptr) return 0;  // OpenSSL keeps it
  cache->Put(*key, session);
  return 1;  // the reference is ours now
}

void TlsSessionCache::Put(const std::string& key, SSL_SESSION* session) {
  SslSessionPtr owned(session);
  absl::MutexLock lock(&mu_);
  auto it = sessions_.find(key);
  if (it == sessions_.end() && sessions_.size() >= capacity_) {
    sessions_.erase(sessions_.begin());
  }
  sessions_[key] = std::move(owned);
}

}  // namespace internal
}  // namespace evergreen
