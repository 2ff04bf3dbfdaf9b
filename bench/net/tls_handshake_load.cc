// TLS handshake load: `concurrency` connections at a time, each
// connecting, doing a full TLS 1.3 handshake and closing at once, then
// replaced by a new one, for `warmup_seconds` untimed and `seconds` timed.
// Prints {"handshakes_per_second", "p50_ms", "handshakes", "all_handshakes"}:
// the rate and median connect-to-done time of the handshakes done in the
// timed window, how many those were, and how many the whole run did
// (warm-up included: run.py divides the server's CPU time by it).
//
// Fair because every TLS server of the suite (Evergreen's TlsStreamServer,
// nginx) is driven by this one client: single-threaded, non-blocking
// sockets on epoll, OpenSSL directly, pinned by run.py to a core of its
// own. It offers TLS 1.3 only, with no session to resume and no ticket
// support, so every handshake is a full one (ECDHE + the server's ECDSA
// signature). It does not check the server's chain (it measures servers,
// not PKI), but TLS 1.3 still makes it verify the CertificateVerify
// signature, and any failed handshake ends the run with an error.
//
// Usage: tls_handshake_load <ip:port> <concurrency> <seconds>
//                           <warmup_seconds>
#include <errno.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <unistd.h>

#include <cstdint>
#include <string>
#include <vector>

#include "bench/net/load_common.h"

namespace evergreen::bench {
namespace {

constexpr char kUsage[] =
    "tls_handshake_load <ip:port> <concurrency> <seconds> <warmup_seconds>";

[[noreturn]] void DieWithOpenSsl(const char* what) {
  char reason[256] = "no OpenSSL error queued";
  if (const unsigned long error = ERR_get_error(); error != 0) {
    ERR_error_string_n(error, reason, sizeof(reason));
  }
  Die((std::string(what) + ": " + reason).c_str());
}

SSL_CTX* NewClientContext() {
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  if (ctx == nullptr) DieWithOpenSsl("SSL_CTX_new");
  SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION);
  SSL_CTX_set_max_proto_version(ctx, TLS1_3_VERSION);
  SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nullptr);
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
  SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
  // Offer only what the servers pick anyway (an X25519 key share, ECDSA
  // P-256 with SHA-256 for the P-256 certificate): shorter lists are less
  // client work per ClientHello and change nothing on the server's side.
  if (SSL_CTX_set1_groups_list(ctx, "X25519") != 1 ||
      SSL_CTX_set1_sigalgs_list(ctx, "ECDSA+SHA256") != 1) {
    DieWithOpenSsl("configuring groups and signature algorithms");
  }
  return ctx;
}

// One connection slot: always a handshake in progress.
struct Handshake {
  int fd = -1;
  SSL* ssl = nullptr;
  bool connecting = false;  // TCP connect not yet done
  std::int64_t started_ns = 0;
};

class HandshakeLoad {
 public:
  HandshakeLoad(const sockaddr_in& server, std::int64_t measure_from_ns)
      : server_(server),
        ctx_(NewClientContext()),
        measure_from_ns_(measure_from_ns) {}
  ~HandshakeLoad() {
    for (Handshake& h : slots_) {
      SSL_free(h.ssl);
      if (h.fd >= 0) close(h.fd);
    }
    SSL_CTX_free(ctx_);
  }
  HandshakeLoad(const HandshakeLoad&) = delete;
  HandshakeLoad& operator=(const HandshakeLoad&) = delete;

  // Runs `concurrency` handshakes at a time until `until_ns`.
  void Run(long concurrency, std::int64_t until_ns) {
    slots_.resize(concurrency);
    for (long i = 0; i < concurrency; ++i) Begin(i);
    for (std::int64_t now = NowNs(); now < until_ns; now = NowNs()) {
      const auto [events, count] = epoll_.Wait(kWaitSliceMs);
      for (int i = 0; i < count; ++i) Step(events[i].data.u64);
    }
  }

  // Connect-to-done times of the handshakes done in the timed window.
  std::vector<std::int64_t>& durations_ns() { return durations_; }
  // Handshakes done since Run started, warm-up included.
  long all_handshakes() const { return all_handshakes_; }

 private:
  void Begin(std::size_t slot) {
    Handshake& h = slots_[slot];
    h.fd = StartConnect(server_);
    if (h.ssl == nullptr) h.ssl = SSL_new(ctx_);
    if (h.ssl == nullptr || SSL_set_fd(h.ssl, h.fd) != 1) {
      DieWithOpenSsl("SSL_new");
    }
    SSL_set_connect_state(h.ssl);
    h.connecting = true;
    h.started_ns = NowNs();
    epoll_.Add(h.fd, EPOLLOUT, slot);
  }

  // Closes without close_notify: the handshake was all this client wanted,
  // and both servers answer an abrupt close alike (they close too). The SSL
  // object is kept for the slot's next handshake: SSL_clear is cheaper than
  // SSL_free + SSL_new, and it drops the session (the connection was not
  // shut down), so nothing could be resumed even if a server offered it.
  void Finish(Handshake& h) {
    close(h.fd);
    h.fd = -1;
    if (SSL_clear(h.ssl) != 1) {
      SSL_free(h.ssl);
      h.ssl = nullptr;
    }
  }

  void Step(std::size_t slot) {
    Handshake& h = slots_[slot];
    if (h.connecting) {
      if ((errno = ConnectError(h.fd)) != 0) Die("connect", true);
      h.connecting = false;
    }
    ERR_clear_error();
    const int done = SSL_do_handshake(h.ssl);
    if (done == 1) {
      ++all_handshakes_;
      const std::int64_t now = NowNs();
      if (h.started_ns >= measure_from_ns_) {
        durations_.push_back(now - h.started_ns);
      }
      Finish(h);
      Begin(slot);
      return;
    }
    switch (SSL_get_error(h.ssl, done)) {
      case SSL_ERROR_WANT_READ:
        epoll_.Modify(h.fd, EPOLLIN, slot);
        return;
      case SSL_ERROR_WANT_WRITE:
        epoll_.Modify(h.fd, EPOLLOUT, slot);
        return;
      default:
        DieWithOpenSsl("TLS handshake");
    }
  }

  const sockaddr_in server_;
  SSL_CTX* const ctx_;
  const std::int64_t measure_from_ns_;
  Epoll epoll_;
  std::vector<Handshake> slots_;
  std::vector<std::int64_t> durations_;
  long all_handshakes_ = 0;
};

int Main(int argc, char** argv) {
  sockaddr_in server;
  long concurrency = 0;
  double seconds = 0, warmup_seconds = 0;
  if (argc != 5 || !ParseIpv4Address(argv[1], &server) ||
      !ParsePositive(argv[2], &concurrency) ||
      !ParsePositive(argv[3], &seconds) ||
      !ParsePositive(argv[4], &warmup_seconds)) {
    Usage(kUsage);
  }
  const std::int64_t measure_from = NowNs() + SecondsToNs(warmup_seconds);
  HandshakeLoad load(server, measure_from);
  load.Run(concurrency, measure_from + SecondsToNs(seconds));
  const double measured = static_cast<double>(NowNs() - measure_from) / 1e9;
  std::vector<std::int64_t>& durations = load.durations_ns();
  if (durations.empty()) Die("no handshake completed in the timed window");
  const double handshakes = static_cast<double>(durations.size());
  PrintJson({{"handshakes_per_second", handshakes / measured},
             {"p50_ms", Percentile(durations, 0.5, 1e6)},
             {"handshakes", handshakes},
             {"all_handshakes", static_cast<double>(load.all_handshakes())}});
  return 0;
}

}  // namespace
}  // namespace evergreen::bench

int main(int argc, char** argv) { return evergreen::bench::Main(argc, argv); }
