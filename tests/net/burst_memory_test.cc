// Memory that comes back after a burst (B-LR1): the echo sample, run as a
// child process, takes a burst of concurrent connections (2,000 plain TCP;
// 500 TLS); once they have closed its resident memory returns near where
// it was before. Prints before / peak / after.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "framework/event.h"
#include "framework/greenlet.h"
#include "framework/hub.h"
#include "gtest/gtest.h"
#include "net/socket.h"
#include "net/tls_socket.h"
#include "tests/net/child_server.h"
#include "tests/net/test_certs.h"

namespace evergreen {
namespace {

// Generous: a loaded 2-core machine under a sanitizer is slow to open
// the whole burst.
constexpr absl::Duration kPatience = absl::Seconds(60);

// The bursts. ThreadSanitizer runs the child and these clients several
// times slower and follows at most 8,128 fibers: a quarter of the size.
#if defined(__SANITIZE_THREAD__)
constexpr int kTcpBurst = 500;
constexpr int kTlsBurst = 125;
#else
constexpr int kTcpBurst = 2000;
constexpr int kTlsBurst = 500;
#endif

struct Rss {
  long before = 0, peak = 0, after = 0;
};

// `count` clients connect at once (through `open`, which returns a
// connected, ready-to-echo stream), each does one round trip, all wait
// until everyone has, then all close. Measures the child around it.
template <typename Open>
Rss Burst(ChildServer& child, int count, int warmup, Open open) {
  Rss rss;
  auto run = [&](int n, long* peak) {
    int ready = 0;
    int failed = 0;
    Event all_ready, release;
    std::vector<Greenlet<void>> clients;
    for (int i = 0; i < n; ++i) {
      clients.push_back(Spawn([&] {
        auto stream = open();
        const bool ok = stream.has_value() && stream->RoundTrip("ping");
        if (!ok) ++failed;
        if (++ready == n) all_ready.Set();
        release.Wait(kPatience);
        if (stream.has_value()) stream->Close();
      }));
    }
    EXPECT_TRUE(all_ready.Wait(kPatience));
    EXPECT_EQ(failed, 0);
    if (peak != nullptr) *peak = child.ResidentKiB();
    release.Set();
    for (auto& client : clients) client.Join();
  };
  run(warmup, nullptr);
  EXPECT_TRUE(child.WaitForLines(" left", warmup));
  rss.before = child.ResidentKiB();
  run(count, &rss.peak);
  EXPECT_TRUE(child.WaitForLines(" left", warmup + count));
  // The child trims as its last connection ends, just after printing
  // "left": take the lowest of a few samples over a bounded time.
  rss.after = child.ResidentKiB();
  for (int i = 0; i < 50; ++i) {
    Sleep(absl::Milliseconds(20));
    rss.after = std::min(rss.after, child.ResidentKiB());
  }
  return rss;
}

struct PlainStream {
  Socket socket;
  bool RoundTrip(const std::string& message) {
    if (!socket.SendAll(message, kPatience).ok()) return false;
    absl::StatusOr<std::string> back = socket.Recv(64, kPatience);
    return back.ok() && *back == message;
  }
  void Close() { socket.Close(); }
};

struct TlsStream {
  TlsSocket tls;
  bool RoundTrip(const std::string& message) {
    if (!tls.WriteAll(message, kPatience).ok()) return false;
    absl::StatusOr<std::string> back = tls.Read(64, kPatience);
    return back.ok() && *back == message;
  }
  void Close() {
    (void)tls.Shutdown(absl::Seconds(1));
    tls.Close();
  }
};

void Report(const char* what, const Rss& rss) {
  std::printf("%s: RSS before %ld KiB, peak %ld KiB, after %ld KiB\n", what,
              rss.before, rss.peak, rss.after);
}

// B-LR1: 2,000 concurrent plain TCP connections.
TEST(BurstMemoryTest, PlainEchoReturnsNearItsSizeAfterABurst) {
  ChildServer child("samples/echo/echo", {"--port=0"});
  absl::StatusOr<SocketAddress> address = child.Address();
  ASSERT_TRUE(address.ok()) << address.status();
  const Rss rss = Burst(child, kTcpBurst, 100, [&]() -> std::optional<PlainStream> {
    absl::StatusOr<Socket> socket = Socket::Connect(*address, kPatience);
    if (!socket.ok()) return std::nullopt;
    return PlainStream{*std::move(socket)};
  });
  Report((std::to_string(kTcpBurst) + " TCP connections").c_str(), rss);
  EXPECT_GT(rss.peak, rss.before);
#if !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
  EXPECT_LT(rss.after, rss.before + rss.before / 4 + 1024);  // generous
#endif
}

// B-LR1 over TLS: 500 concurrent TLS 1.3 connections.
TEST(BurstMemoryTest, TlsEchoReturnsNearItsSizeAfterABurst) {
  const TestPki& pki = TestCertificates();
  const std::string dir = std::getenv("TEST_TMPDIR") ? std::getenv("TEST_TMPDIR")
                                                     : "/tmp";
  const std::string cert = dir + "/burst_cert.pem", key = dir + "/burst_key.pem";
  std::ofstream(cert) << pki.server.cert_pem;
  std::ofstream(key) << pki.server.key_pem;
  ChildServer child("samples/echo/echo",
                    {"--port=0", "--tls-cert=" + cert, "--tls-key=" + key});
  absl::StatusOr<SocketAddress> address = child.Address();
  ASSERT_TRUE(address.ok()) << address.status();
  absl::StatusOr<TlsContext> context =
      TlsContext::Client({.ca = PemSource::Text(pki.ca_pem)});
  ASSERT_TRUE(context.ok()) << context.status();
  const Rss rss = Burst(child, kTlsBurst, 50, [&]() -> std::optional<TlsStream> {
    absl::StatusOr<Socket> socket = Socket::Connect(*address, kPatience);
    if (!socket.ok()) return std::nullopt;
    absl::StatusOr<TlsSocket> tls =
        TlsConnect(*std::move(socket), *context, "localhost", kPatience);
    if (!tls.ok()) return std::nullopt;
    return TlsStream{*std::move(tls)};
  });
  Report((std::to_string(kTlsBurst) + " TLS connections").c_str(), rss);
  EXPECT_GT(rss.peak, rss.before);
#if !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
  EXPECT_LT(rss.after, rss.before + rss.before / 4 + 1024);  // generous
#endif
}

}  // namespace
}  // namespace evergreen
